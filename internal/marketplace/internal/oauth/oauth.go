// Package oauth gets marketplace access tokens (Login with Amazon, Walmart's
// token API, eBay's refresh-token grant), keeps them, renews them before
// they expire, and keeps credentials out of errors.
package oauth

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ordergate/ordergate/internal/marketplace"
)

// Fetch gets a new access token and how long it lasts.
type Fetch func(ctx context.Context) (token string, life time.Duration, err error)

// Cache keeps one access token. It is safe for concurrent use; one fetch
// runs at a time.
type Cache struct {
	fetch Fetch
	now   func() time.Time

	mu      sync.Mutex
	tok     string
	renewAt time.Time
}

// NewCache returns an empty cache.
func NewCache(fetch Fetch, now func() time.Time) *Cache {
	return &Cache{fetch: fetch, now: now}
}

// Margin is how long before a token expires the cache renews it: a fifth
// of its life, at most five minutes (Walmart's 15 minutes: 3 early;
// Amazon's hour and eBay's two: 5 early).
func Margin(life time.Duration) time.Duration { return min(life/5, 5*time.Minute) }

// Token returns a token with more than its margin left, fetching one when
// the cache has none or the one it has is due for renewal.
func (c *Cache) Token(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok != "" && c.now().Before(c.renewAt) {
		return c.tok, nil
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	tok, life, err := c.fetch(ctx)
	if err != nil {
		return "", err
	}
	c.tok, c.renewAt = tok, c.now().Add(life-Margin(life))
	return tok, nil
}

// Forget drops tok if the cache still holds it (the marketplace refused
// it before its time), so that the next Token fetches another.
func (c *Cache) Forget(tok string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok == tok {
		c.tok = ""
	}
}

// maxBody caps what is read of a token reply.
const maxBody = 1 << 20

// Exchange sends a token request and reads an OAuth 2.0 token reply
// ({"access_token", "expires_in", …}). Failures are *marketplace.Error
// naming the marketplace: refused credentials are ErrAuth, 429 is
// ErrThrottled, 5xx and transport failures ErrUnavailable. Nothing in
// secrets appears in an error.
func Exchange(ctx context.Context, hc *http.Client, req *http.Request, name string, now time.Time, secrets ...string) (string, time.Duration, error) {
	resp, err := hc.Do(req.WithContext(ctx))
	if err != nil {
		return "", 0, &marketplace.Error{Marketplace: name, Kind: marketplace.ErrUnavailable,
			Message: "get access token", Err: Transport(ctx, err, secrets...)}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return "", 0, &marketplace.Error{Marketplace: name, Kind: marketplace.ErrUnavailable, Status: resp.StatusCode,
			Message: "get access token: read reply", Err: Transport(ctx, err, secrets...)}
	}
	if resp.StatusCode != http.StatusOK {
		code, words := errorBody(b)
		kind := marketplace.StatusKind(resp.StatusCode)
		if kind == marketplace.ErrRejected {
			kind = marketplace.ErrAuth // a 400 from a token endpoint: invalid_grant, invalid_client
		}
		e := &marketplace.Error{Marketplace: name, Kind: kind, Status: resp.StatusCode, Code: Redact(code, secrets...),
			Message: "get access token: " + Redact(words, secrets...)}
		if kind == marketplace.ErrThrottled {
			e.RetryAfter = marketplace.ParseRetryAfter(resp.Header, now)
		}
		return "", 0, e
	}
	var tr struct {
		AccessToken string      `json:"access_token"`
		ExpiresIn   json.Number `json:"expires_in"`
	}
	if err := json.Unmarshal(b, &tr); err != nil || tr.AccessToken == "" {
		return "", 0, &marketplace.Error{Marketplace: name, Kind: marketplace.ErrUnavailable, Status: resp.StatusCode,
			Message: "get access token: the reply holds no access_token"}
	}
	secs, err := tr.ExpiresIn.Int64()
	if err != nil || secs <= 0 {
		return "", 0, &marketplace.Error{Marketplace: name, Kind: marketplace.ErrUnavailable, Status: resp.StatusCode,
			Message: fmt.Sprintf("get access token: expires_in %q is not a positive number of seconds", tr.ExpiresIn)}
	}
	return tr.AccessToken, time.Duration(secs) * time.Second, nil
}

// errorBody reads the error of a token reply: OAuth's {"error",
// "error_description"}, or Walmart's list of {"code", "description"}
// under "errors", "error" or "errors.error".
func errorBody(b []byte) (code, words string) {
	var v struct {
		Error       json.RawMessage `json:"error"`
		Description string          `json:"error_description"`
	}
	if json.Unmarshal(b, &v) == nil && json.Unmarshal(v.Error, &code) == nil && code != "" {
		return code, v.Description
	}
	if list := ErrorList(b); len(list) > 0 {
		return list[0].Code, cmp.Or(list[0].Description, list[0].Message, list[0].Info)
	}
	return "", ""
}

// ListedError is one error of a list as Walmart sends it.
type ListedError struct {
	Code        string `json:"code"`
	Field       string `json:"field"`
	Description string `json:"description"`
	Message     string `json:"message"`
	Info        string `json:"info"`
}

// ErrorList reads a list of errors under "errors", "error", or
// "errors": {"error": …}; Walmart's documentation shows the first, its
// gateway has been seen sending the others.
func ErrorList(b []byte) []ListedError {
	var v struct {
		Errors json.RawMessage `json:"errors"`
		Error  json.RawMessage `json:"error"`
	}
	if json.Unmarshal(b, &v) != nil {
		return nil
	}
	var list []ListedError
	if json.Unmarshal(v.Errors, &list) == nil && len(list) > 0 {
		return list
	}
	if json.Unmarshal(v.Error, &list) == nil && len(list) > 0 {
		return list
	}
	var nested struct {
		Error []ListedError `json:"error"`
	}
	if json.Unmarshal(v.Errors, &nested) == nil {
		return nested.Error
	}
	return nil
}

// Transport returns a transport failure fit for an error message: the
// context's error if the context ended (so that errors.Is finds it), else
// err's text with every secret replaced.
func Transport(ctx context.Context, err error, secrets ...string) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return errors.New(Redact(err.Error(), secrets...))
}

// Redact replaces every secret in s.
func Redact(s string, secrets ...string) string {
	for _, x := range secrets {
		if x != "" {
			s = strings.ReplaceAll(s, x, "[redacted]")
		}
	}
	return s
}
