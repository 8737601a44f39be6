package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ordergate/ordergate/internal/erp"
)

// maxBody caps what is read of a reply.
const maxBody = 1 << 20

// call says which way an unclear outcome leans: a create that may have
// happened is in doubt; a read that failed can simply be retried.
type call int

const (
	submitKind call = iota
	lookupKind
	cancelKind
	readKind
)

// unclear is the sentinel for a failure that tells nothing of the outcome.
func (k call) unclear() error {
	if k == submitKind {
		return erp.ErrInDoubt
	}
	return erp.ErrUnavailable
}

type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// do sends one request and decodes a 200 or 201 reply into out. Every
// failure it returns wraps an *erp.Error; a transport failure also wraps its
// cause, so that errors.Is(err, context.Canceled) holds.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, in, out any, k call) error {
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
	req.Header.Set("User-Agent", "ordergate-sandbox-erp")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
	}
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
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%w: decode reply: %w", &erp.Error{Kind: k.unclear()}, err)
		}
		return nil
	}
	return statusError(resp, b, k)
}

// statusError maps a reply other than 200 or 201 to an *erp.Error. This is
// the one table of the sandbox API's statuses.
func statusError(resp *http.Response, body []byte, k call) error {
	var ae apiError
	_ = json.Unmarshal(body, &ae) // a body that is not ours leaves ae empty
	msg := ae.Message
	if msg == "" && ae.Code == "" {
		msg = strings.TrimSpace(string(body[:min(len(body), 200)]))
	}
	e := &erp.Error{Code: ae.Code, Message: fmt.Sprintf("http %d: %s", resp.StatusCode, msg)}
	switch s := resp.StatusCode; {
	case s == http.StatusUnprocessableEntity:
		e.Kind = erp.ErrRejected
	case s == http.StatusTooManyRequests:
		e.Kind = erp.ErrThrottled
		e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), time.Now())
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		e.Kind = erp.ErrAuth
	case s == http.StatusNotFound && (k == lookupKind || k == cancelKind):
		e.Kind = erp.ErrNotFound
	case s >= 500:
		e.Kind = k.unclear()
	default:
		// Some other 4xx: the ERP refused a request we should not have
		// sent. Nothing was created, and it is not the order's fault, so
		// it is no rejection; the gate retries and the order goes overdue
		// where someone will see it.
		if ae.Code != "" {
			return fmt.Errorf("unexpected reply (%s): %s", ae.Code, e.Message)
		}
		return fmt.Errorf("unexpected reply: %s", e.Message)
	}
	return e
}

// maxRetryAfter bounds what a Retry-After header can ask for.
const maxRetryAfter = 24 * time.Hour

// retryAfter reads a Retry-After header: seconds (fractions allowed, as the
// sandbox sends below a second) or an HTTP date. It returns 0 if absent or
// unreadable.
func retryAfter(h string, now time.Time) time.Duration {
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
		return t.Sub(now)
	}
	return 0
}
