package cin7

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ordergate/ordergate/internal/erp"
)

// maxBody caps what is read of a reply; a sale with its history is tens of
// kilobytes.
const maxBody = 8 << 20

// call says which way an unclear outcome leans: anything Submit does may
// have created or authorised a sale, so it is in doubt; anything else can
// simply be retried.
type call int

const (
	submitCall call = iota
	readCall
)

func (k call) unclear() error {
	if k == submitCall {
		return erp.ErrInDoubt
	}
	return erp.ErrUnavailable
}

// apiError is Cin7's error model: {"ErrorCode": n, "Exception": "…"}.
type apiError struct {
	ErrorCode int    `json:"ErrorCode"`
	Exception string `json:"Exception"`
}

// badRequest is a 400: Cin7 refused the request as invalid and did nothing.
// What it means for the order depends on the request, so callers decide.
type badRequest struct {
	code  string // Cin7's ErrorCode, if any
	words string // Cin7's Exception text, or the body
}

func (e *badRequest) Error() string {
	if e.code != "" {
		return fmt.Sprintf("cin7 refused the request (http 400, code %s): %s", e.code, e.words)
	}
	return "cin7 refused the request (http 400): " + e.words
}

// do makes one call: it waits its turn at the limiter, sends the request
// with the auth headers and decodes a 200 into out (if not nil). Failures
// wrap an *erp.Error, except a 400 (*badRequest) and replies that say our
// request or configuration is wrong (404, 405, other 4xx). A transport
// failure also wraps its cause, so that errors.Is(err, context.Canceled)
// holds.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, in, out any, k call) error {
	if err := c.wait(ctx, k); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	u := *c.base
	u.Path += path
	u.RawQuery = q.Encode()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "ordergate")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("api-auth-accountid", c.account)
	req.Header.Set("api-auth-applicationkey", c.key)
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %w", &erp.Error{Kind: k.unclear()}, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return fmt.Errorf("%w: read reply: %w", &erp.Error{Kind: k.unclear()}, err)
	}
	if len(b) > maxBody {
		return fmt.Errorf("%w: reply larger than %d bytes", &erp.Error{Kind: k.unclear()}, maxBody)
	}
	switch resp.StatusCode {
	case http.StatusOK, http.StatusNoContent:
		if out == nil || len(bytes.TrimSpace(b)) == 0 {
			return nil
		}
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%w: decode reply: %w", &erp.Error{Kind: k.unclear()}, err)
		}
		return nil
	}
	return c.statusError(resp, b, k)
}

// wait takes the call's turn at the limiter. A wait that would outlast ctx
// is not taken: the call is throttled, having sent nothing.
func (c *Client) wait(ctx context.Context, k call) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w: %w", &erp.Error{Kind: k.unclear()}, err)
	}
	now := c.now()
	maxWait := time.Duration(math.MaxInt64)
	if dl, ok := ctx.Deadline(); ok {
		maxWait = max(0, dl.Sub(now)) // a call due now always goes
	}
	d, ok := c.limit.reserve(now, maxWait)
	if !ok {
		return &erp.Error{Kind: erp.ErrThrottled, RetryAfter: d,
			Message: fmt.Sprintf("the client's own limit of calls a minute leaves no call free for %s, past the deadline", d.Round(time.Millisecond))}
	}
	if d <= 0 {
		return nil
	}
	if err := c.sleep(ctx, d); err != nil {
		return fmt.Errorf("%w: waiting %s for the rate limit: %w", &erp.Error{Kind: k.unclear()}, d.Round(time.Millisecond), err)
	}
	return nil
}

// statusError maps a reply other than 200 or 204. This is the one table of
// Cin7's statuses (its documented ones are 400, 403, 404, 405, 500 and 503,
// or 429 for the rate limit in a later copy).
func (c *Client) statusError(resp *http.Response, body []byte, k call) error {
	code, words := errorBody(body)
	e := &erp.Error{Code: code, Message: fmt.Sprintf("http %d: %s", resp.StatusCode, words)}
	switch s := resp.StatusCode; {
	case s == http.StatusBadRequest:
		return &badRequest{code: code, words: words}
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		e.Kind = erp.ErrAuth
		e.Message = fmt.Sprintf("http %d: %s: Cin7 refused the account id and application key; check auth.account_id and auth.application_key against Cin7 Core › Integrations › API, and that the API application there is still enabled", s, words)
	case s == http.StatusServiceUnavailable || s == http.StatusTooManyRequests:
		// Cin7 documents 503 as its rate limit ("You reached 60 calls per
		// minute API limit"); it did nothing with the request.
		e.Kind = erp.ErrThrottled
		now := c.now()
		e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), now)
		if e.RetryAfter > 0 {
			c.limit.pause(now.Add(e.RetryAfter))
		}
	case s >= 500:
		e.Kind = k.unclear()
	case s == http.StatusNotFound:
		return fmt.Errorf("cin7: http 404 for %s %s: the endpoint does not exist; check base_url (%s)", resp.Request.Method, resp.Request.URL.Path, words)
	default:
		return fmt.Errorf("cin7: unexpected reply: %s", e.Message)
	}
	return e
}

// errorBody reads Cin7's error model, one object or an array of them, and
// returns the codes and the words; for any other body, the body's first
// line.
func errorBody(body []byte) (code, words string) {
	var list []apiError
	if err := json.Unmarshal(body, &list); err != nil {
		var one apiError
		if err := json.Unmarshal(body, &one); err == nil {
			list = []apiError{one}
		}
	}
	var codes, texts []string
	for _, e := range list {
		if e.ErrorCode != 0 {
			codes = append(codes, strconv.Itoa(e.ErrorCode))
		}
		if e.Exception != "" {
			texts = append(texts, e.Exception)
		}
	}
	if len(texts) > 0 || len(codes) > 0 {
		return strings.Join(dedup(codes), ","), strings.Join(texts, "; ")
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
	return "", s
}

func dedup(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// maxRetryAfter bounds what a Retry-After header can ask for.
const maxRetryAfter = time.Hour

// retryAfter reads a Retry-After header, seconds or an HTTP date; 0 if
// absent or unreadable.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(h, 64); err == nil {
		if !(secs > 0) { // also NaN
			return 0
		}
		return time.Duration(min(secs, maxRetryAfter.Seconds()) * float64(time.Second))
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return min(t.Sub(now), maxRetryAfter)
	}
	return 0
}

// isBadRequest reports whether err is a 400 from Cin7, and returns it.
func isBadRequest(err error) (*badRequest, bool) {
	var br *badRequest
	ok := errors.As(err, &br)
	return br, ok
}
