package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers in which BigCommerce reports a client's place in the store's
// rate limit, on every reply (header names are case-insensitive).
const (
	HeaderRequestsLeft  = "X-Rate-Limit-Requests-Left"
	HeaderRequestsQuota = "X-Rate-Limit-Requests-Quota"
	HeaderTimeResetMs   = "X-Rate-Limit-Time-Reset-Ms"
	HeaderTimeWindowMs  = "X-Rate-Limit-Time-Window-Ms"
)

// maxWait bounds a wait the headers ask for: BigCommerce's window is 30
// seconds, so a larger value is a broken header, not a reason to hang.
const maxWait = 5 * time.Minute

// Waits after a 429 that carries no rate-limit headers: BigCommerce says
// this means "the platform experiences high load … the request may be
// retried at another time", and that a client whose retries keep meeting
// 429s should "gradually increase the wait time".
const (
	baseBackoff = 2 * time.Second
	maxBackoff  = 60 * time.Second
)

// ErrRateLimited is returned (wrapped in a *ThrottledError) when the store's
// rate limit leaves no request for this call: the retries after 429 ran
// out, or the wait would outlast the context's deadline.
var ErrRateLimited = errors.New("rate limited")

// ThrottledError says how long BigCommerce asked the client to wait; a job
// can snooze for RetryAfter. It wraps ErrRateLimited.
type ThrottledError struct {
	RetryAfter time.Duration
	Reason     string
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("%v: %s; retry after %s", ErrRateLimited, e.Reason, e.RetryAfter.Round(time.Millisecond))
}

func (e *ThrottledError) Unwrap() error { return ErrRateLimited }

// RateLimit is the store's rate limit as the last reply reported it. A
// count of -1 means the header was absent.
type RateLimit struct {
	Quota  int           // X-Rate-Limit-Requests-Quota: requests allowed per window
	Left   int           // X-Rate-Limit-Requests-Left: requests left in this window
	Window time.Duration // X-Rate-Limit-Time-Window-Ms
	Reset  time.Duration // X-Rate-Limit-Time-Reset-Ms: until the quota refreshes
	At     time.Time     // when the reply was read
}

// rateState is what the client knows of the store's limit.
type rateState struct {
	last     RateLimit
	resumeAt time.Time // no request before this
}

// RateLimit returns the rate limit as the last reply that reported one
// said; the zero RateLimit before any did.
func (c *Client) RateLimit() RateLimit {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rate.last
}

// readRate parses the rate-limit headers; ok is false when the reply has
// no X-Rate-Limit-Time-Reset-Ms, without which the others say nothing
// about when to resume.
func readRate(h http.Header, now time.Time) (r RateLimit, ok bool) {
	reset, ok := millis(h.Get(HeaderTimeResetMs))
	if !ok {
		return RateLimit{}, false
	}
	window, _ := millis(h.Get(HeaderTimeWindowMs))
	return RateLimit{
		Quota:  count(h.Get(HeaderRequestsQuota)),
		Left:   count(h.Get(HeaderRequestsLeft)),
		Window: window,
		Reset:  reset,
		At:     now,
	}, true
}

func millis(v string) (time.Duration, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	if n > maxWait.Milliseconds() {
		return maxWait, true
	}
	return time.Duration(n) * time.Millisecond, true
}

func count(v string) int {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// observe records the rate-limit headers of a reply. When the reply says no
// request is left in the window, the next request waits for the reset
// rather than spend one on a certain 429.
func (c *Client) observe(h http.Header, now time.Time) {
	r, ok := readRate(h, now)
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rate.last = r
	if r.Left == 0 && r.Reset > 0 {
		c.pauseLocked(now.Add(r.Reset))
	}
}

// throttled records a 429 and returns how long to wait before retrying:
// X-Rate-Limit-Time-Reset-Ms when the reply has it, as BigCommerce says;
// otherwise a backoff that doubles with each retry.
func (c *Client) throttled(h http.Header, now time.Time, retry int) (time.Duration, string) {
	wait, why := time.Duration(0), ""
	if r, ok := readRate(h, now); ok && r.Reset > 0 {
		wait, why = r.Reset, fmt.Sprintf("http 429, %s %d", HeaderTimeResetMs, r.Reset.Milliseconds())
	} else {
		wait = min(baseBackoff<<min(retry, 10), maxBackoff)
		why = "http 429 without rate-limit headers (BigCommerce under load)"
	}
	c.mu.Lock()
	c.pauseLocked(now.Add(wait))
	c.mu.Unlock()
	return wait, why
}

func (c *Client) pauseLocked(until time.Time) {
	if until.After(c.rate.resumeAt) {
		c.rate.resumeAt = until
	}
}

// await waits until the rate limit lets a request go. A wait that would
// outlast ctx's deadline is not taken: the call fails at once with a
// *ThrottledError, having sent nothing.
func (c *Client) await(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	until := c.rate.resumeAt
	c.mu.Unlock()
	now := c.now()
	d := until.Sub(now)
	if d <= 0 {
		return nil
	}
	// The deadline is on the real clock and the wait on the injected one,
	// so compare durations, not instants.
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return &ThrottledError{RetryAfter: d, Reason: "the store's quota is spent and refreshes after the context's deadline"}
	}
	if err := c.sleep(ctx, d); err != nil {
		return fmt.Errorf("waiting %s for the rate limit: %w", d.Round(time.Millisecond), err)
	}
	return nil
}
