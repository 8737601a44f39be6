package fishbowl

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
const maxBody = 4 << 20

const userAgent = "ordergate-fishbowl"

// request is one call of Fishbowl's REST API.
type request struct {
	method, path string
	query        url.Values
	body         []byte
	contentType  string
	// what names what the call touches, for an operator reading a 403:
	// "the Sales Order import", "sales orders", "part inventory".
	what string
}

// reply is Fishbowl's answer, read in full.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// op says how to read an unclear or refused outcome of a call.
type op struct {
	// inDoubt: the call is part of a Submit, so an outcome we cannot know
	// (transport failure, timeout, 5xx) may have left an order behind.
	inDoubt bool
	// lookup: 404 means there is no such record.
	lookup bool
	// refusal: 400 and 402 are Fishbowl refusing what we asked, with its
	// reasons (an import, a void), not a request we should not have made.
	refusal bool
}

var (
	opRead   = op{}
	opLookup = op{lookup: true}
	opSubmit = op{inDoubt: true, lookup: true}
	opCreate = op{inDoubt: true, refusal: true}
	opVoid   = op{lookup: true, refusal: true}
)

// unclear is the sentinel for an outcome the reply does not tell.
func (o op) unclear() error {
	if o.inDoubt {
		return erp.ErrInDoubt
	}
	return erp.ErrUnavailable
}

// do sends r in the session, logging in if needed and once more if Fishbowl
// no longer knows the session, and decodes a 2xx reply into out (if not
// nil). Every failure it returns wraps an *erp.Error, or is errClosed; a
// transport failure also wraps its cause, so that errors.Is(err,
// context.Canceled) holds.
func (c *Client) do(ctx context.Context, r request, o op, out any) error {
	for attempt := 0; ; attempt++ {
		tok, err := c.acquire(ctx, o)
		if err != nil {
			return err
		}
		rep, err := c.send(ctx, r, tok)
		c.release()
		if err != nil {
			return fmt.Errorf("%w: %s %s: %w", &erp.Error{Kind: o.unclear()}, r.method, r.path, err)
		}
		if rep.status == http.StatusUnauthorized && attempt == 0 {
			// Fishbowl forgot the session (expired, server restarted,
			// logged out elsewhere): log in again, once.
			c.invalidate(tok)
			continue
		}
		if rep.status/100 != 2 {
			return c.statusError(r, rep, o)
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(rep.body, out); err != nil {
			return fmt.Errorf("%w: %s %s: decode reply: %w", &erp.Error{Kind: o.unclear()}, r.method, r.path, err)
		}
		return nil
	}
}

// send makes one HTTP request, with the bearer token if tok is not empty.
func (c *Client) send(ctx context.Context, r request, tok string) (reply, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	u := *c.base
	u.Path = strings.TrimSuffix(u.Path, "/") + r.path
	u.RawQuery = r.query.Encode()
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return reply{}, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return reply{}, fmt.Errorf("read reply: %w", err)
	}
	if len(b) > maxBody {
		return reply{}, fmt.Errorf("reply larger than %d bytes", maxBody)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// Fishbowl's errors carry no codes; a refusal is coded with the name
// Fishbowl gives its status, until classify finds a better one.
const (
	codeBadRequest    = "bad_request"    // 400: "Could not accept the request"
	codeRequestFailed = "request_failed" // 402: "The parameters were valid but the request failed"
)

// errorBody is Fishbowl's error reply.
type errorBody struct {
	TimeStamp string `json:"timeStamp"`
	Status    int    `json:"status"`
	Message   string `json:"message"`
	Path      string `json:"path"`
}

// errorMessage returns the message of an error reply, or the start of a
// body that is not one (a proxy's page, say).
func errorMessage(body []byte) string {
	var eb errorBody
	if json.Unmarshal(body, &eb) == nil && eb.Message != "" {
		return eb.Message
	}
	return snippet(body)
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b[:min(len(b), 200)]))
	if s == "" {
		return "(empty body)"
	}
	return s
}

// statusError maps a reply other than 2xx to an *erp.Error, keeping
// Fishbowl's words. This is the one table of Fishbowl's statuses (its
// documented 400, 401, 402, 403, 404 and 500, and the 429 or 503 a proxy in
// front of a self-hosted server may answer).
func (c *Client) statusError(r request, rep reply, o op) error {
	msg := errorMessage(rep.body)
	e := &erp.Error{Message: fmt.Sprintf("http %d: %s", rep.status, msg)}
	switch s := rep.status; {
	case s == http.StatusUnauthorized:
		e.Kind = erp.ErrAuth
		e.Message = fmt.Sprintf("Fishbowl refused the session of user %q again right after a new login; check that the user may use the API (http 401: %s)", c.creds.Username, msg)
	case s == http.StatusForbidden:
		e.Kind = erp.ErrAuth
		e.Message = fmt.Sprintf("the Fishbowl user %q lacks access rights to %s: grant them to its group in Fishbowl (http 403: %s)", c.creds.Username, r.what, msg)
	case s == http.StatusBadRequest && o.refusal:
		e.Kind, e.Code = erp.ErrRejected, codeBadRequest
	case s == http.StatusPaymentRequired && o.refusal:
		e.Kind, e.Code = erp.ErrRejected, codeRequestFailed
	case s == http.StatusNotFound && o.lookup:
		e.Kind = erp.ErrNotFound
	case s == http.StatusTooManyRequests, s == http.StatusServiceUnavailable && rep.header.Get("Retry-After") != "":
		e.Kind = erp.ErrThrottled
		e.RetryAfter = retryAfter(rep.header.Get("Retry-After"), c.now())
	case s >= 500:
		e.Kind = o.unclear()
	case s == http.StatusNotFound:
		// "The path does not exist": a server without this endpoint.
		return fmt.Errorf("%s %s: Fishbowl has no such endpoint; check base_url and that the server runs Fishbowl Advanced with the REST API (http 404: %s)", r.method, r.path, msg)
	default:
		// Some other refusal of a request we should not have sent.
		// Nothing changed, and it is not the order's fault, so it is no
		// rejection: the gate retries and the order goes overdue where
		// someone will see it.
		return fmt.Errorf("%s %s: unexpected reply: %s", r.method, r.path, e.Message)
	}
	return e
}

// maxRetryAfter bounds what a Retry-After header can ask for.
const maxRetryAfter = 24 * time.Hour

// retryAfter reads a Retry-After header, seconds or an HTTP date, and
// returns 0 if it is absent or unreadable.
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
