package bigcommerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Errors the client returns (wrapped), for callers to branch on.
var (
	// ErrNotFound means the store has no such order (404).
	ErrNotFound = errors.New("not found")
	// ErrAuth means BigCommerce refused the access token (401) or the API
	// account may not read orders (403): an operator must fix the
	// configuration; retrying will not help.
	ErrAuth = errors.New("not authorised")
	// ErrUnavailable means BigCommerce could not be reached or failed
	// (5xx); retry later.
	ErrUnavailable = errors.New("unavailable")
)

// maxBody caps what is read of a reply; a page of 250 orders is a few
// hundred kilobytes.
const maxBody = 16 << 20

// get makes a GET of path (below the base URL) with query q and returns the
// status, 200 or 204, and the body. It waits for the rate limit before
// sending, and after a 429 waits and retries, at most maxRetries times.
func (c *Client) get(ctx context.Context, path string, q url.Values) (int, []byte, error) {
	for retry := 0; ; retry++ {
		if err := c.await(ctx); err != nil {
			return 0, nil, err
		}
		resp, body, err := c.once(ctx, path, q)
		if err != nil {
			return 0, nil, err
		}
		now := c.now()
		c.observe(resp.Header, now)
		switch resp.StatusCode {
		case http.StatusOK, http.StatusNoContent:
			return resp.StatusCode, body, nil
		case http.StatusTooManyRequests:
			wait, why := c.throttled(resp.Header, now, retry)
			if retry >= c.maxRetries {
				return 0, nil, &ThrottledError{RetryAfter: wait, Reason: fmt.Sprintf("%s, after %d retries", why, retry)}
			}
			continue
		}
		return 0, nil, c.statusError(resp, body)
	}
}

// once sends one request and reads the whole reply.
func (c *Client) once(ctx context.Context, path string, q url.Values) (*http.Response, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	u := *c.base
	u.Path += path
	u.RawPath = ""
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "ordergate")
	req.Header.Set("X-Auth-Token", c.token)
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: GET %s: %w", ErrUnavailable, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: GET %s: read reply: %w", ErrUnavailable, path, err)
	}
	if len(b) > maxBody {
		return nil, nil, fmt.Errorf("%w: GET %s: reply larger than %d bytes", ErrUnavailable, path, maxBody)
	}
	return resp, b, nil
}

// statusError maps a reply other than 200, 204 and 429. This is the one
// table of BigCommerce's statuses.
func (c *Client) statusError(resp *http.Response, body []byte) error {
	where := "GET " + resp.Request.URL.Path
	words := errorWords(body)
	switch s := resp.StatusCode; {
	case s == http.StatusNotFound:
		return fmt.Errorf("%w: http 404 for %s: %s", ErrNotFound, where, words)
	case s == http.StatusUnauthorized:
		return fmt.Errorf("%w: http 401 for %s: %s: BigCommerce refused the access token; check that auth.access_token is the token of a store-level API account of this store (store_hash) with the Orders: read-only scope, and that the account still exists", ErrAuth, where, words)
	case s == http.StatusForbidden:
		return fmt.Errorf("%w: http 403 for %s: %s: the API account may not read orders; check its OAuth scopes include Orders: read-only (store_v2_orders_read_only), and that store_hash is the store the account belongs to", ErrAuth, where, words)
	case s >= 500:
		return fmt.Errorf("%w: http %d for %s: %s", ErrUnavailable, s, where, words)
	}
	return fmt.Errorf("unexpected http %d for %s: %s", resp.StatusCode, where, words)
}

// apiError is the v2 API's error element: [{"status": 404, "message": "…"}].
// v3 replies use {"status", "title"}; both are read.
type apiError struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
	Title   string `json:"title"`
}

// errorWords returns the messages of an error body, or its first line.
func errorWords(body []byte) string {
	var list []apiError
	if err := json.Unmarshal(body, &list); err != nil {
		var one apiError
		if err := json.Unmarshal(body, &one); err == nil {
			list = []apiError{one}
		}
	}
	var words []string
	for _, e := range list {
		if w := first(e.Message, e.Title); w != "" {
			words = append(words, w)
		}
	}
	if len(words) > 0 {
		return strings.Join(words, "; ")
	}
	s := strings.TrimSpace(string(body))
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		s = "no error text"
	}
	return s
}
