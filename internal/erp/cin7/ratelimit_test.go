package cin7_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/erp/cin7"
	"github.com/ordergate/ordergate/internal/erp/cin7/cin7fake"
)

// With the default 55 a minute the client never meets Cin7's 60: it waits
// instead, and the waits are what the window demands.
func TestRateLimit_DefaultStaysUnderCin7sLimit(t *testing.T) {
	t.Parallel()
	clk := newClock()
	b := setup(t, withClock(clk))
	b.client.SetSleep(clk.sleep)
	b.erp.SetStock("A", 5)

	for i := range 120 {
		if _, err := b.client.Availability(t.Context(), []string{"A"}); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	for _, r := range b.erp.Requests() {
		if r.Status != http.StatusOK {
			t.Fatalf("the fake answered %d to %s %s", r.Status, r.Method, r.Path)
		}
	}
	// 55 at once, then each next one a minute after the one 55 before it:
	// the 56th waits 60s, and the 111th another 60s.
	var waits []time.Duration
	for _, w := range clk.Waits() {
		if w > 0 {
			waits = append(waits, w)
		}
	}
	if len(waits) != 2 || waits[0] != time.Minute || waits[1] != time.Minute {
		t.Errorf("waits = %v, want [1m0s 1m0s] (the 56th and the 111th call)", waits)
	}
}

// Over Cin7's limit (here, a client allowed more than the account's
// application has) the 503 is erp.ErrThrottled with Cin7's words, no wait
// named, and the client does not retry it.
func TestRateLimit_Cin7s503IsThrottled(t *testing.T) {
	t.Parallel()
	clk := newClock()
	b := setup(t, withClock(clk), func(f *cin7fake.Config, c *cin7.Config) {
		f.CallsPerMinute = 3
		c.CallsPerMinute = 60
	})
	b.erp.SetStock("A", 5)
	for range 3 {
		if _, err := b.client.Availability(t.Context(), []string{"A"}); err != nil {
			t.Fatalf("Availability: %v", err)
		}
	}
	_, err := b.client.Availability(t.Context(), []string{"A"})
	var e *erp.Error
	if !errors.As(err, &e) || !errors.Is(err, erp.ErrThrottled) {
		t.Fatalf("4th call: %v, want an *erp.Error that is ErrThrottled", err)
	}
	if e.RetryAfter != 0 || e.Code != "503" || !strings.Contains(e.Message, "You reached 60 calls per minute API limit") {
		t.Errorf("error = %+v, want no wait, code 503 and Cin7's words", e)
	}
	if n := len(b.erp.Requests()); n != 4 {
		t.Errorf("the fake saw %d requests, want 4 (no retry)", n)
	}
	// A minute on, Cin7 takes calls again.
	clk.Advance(time.Minute)
	if _, err := b.client.Availability(t.Context(), []string{"A"}); err != nil {
		t.Errorf("a minute later: %v", err)
	}
}

// Each throttling reply Cin7 might send maps to erp.ErrThrottled with the
// wait it names, and a named wait holds every later call of the client back.
func TestRateLimit_ThrottleRepliesAndTheirWaits(t *testing.T) {
	t.Parallel()
	now := newClock().Now()
	cases := []struct {
		name       string
		status     int
		retryAfter string
		body       string
		want       time.Duration
	}{
		{"503 as documented", 503, "", `[{"ErrorCode":503,"Exception":"You reached 60 calls per minute API limit"}]`, 0},
		{"429 as a later copy says", 429, "", `{"ErrorCode":429,"Exception":"You reached 60 calls per minute API limit"}`, 0},
		{"Retry-After in seconds", 503, "12", `[]`, 12 * time.Second},
		{"Retry-After as a date", 429, now.Add(30 * time.Second).Format(http.TimeFormat), ``, 30 * time.Second},
		{"Retry-After unreadable", 503, "soon", `[]`, 0},
		{"Retry-After absurd", 503, "86400", `[]`, time.Hour},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			calls := 0
			b := setupWrapped(t, func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if calls++; calls > 1 {
						next.ServeHTTP(w, r)
						return
					}
					if c.retryAfter != "" {
						w.Header().Set("Retry-After", c.retryAfter)
					}
					w.WriteHeader(c.status)
					w.Write([]byte(c.body))
				})
			}, withClock(clk))
			b.client.SetSleep(clk.sleep)

			_, err := b.client.Lookup(t.Context(), "og-shop-1")
			if !errors.Is(err, erp.ErrThrottled) {
				t.Fatalf("Lookup: %v, want ErrThrottled", err)
			}
			if d := erp.RetryAfter(err); d != c.want {
				t.Errorf("RetryAfter = %v, want %v", d, c.want)
			}
			// The next call waits out what Cin7 asked for, then goes.
			if _, err := b.client.Lookup(t.Context(), "og-shop-1"); !errors.Is(err, erp.ErrNotFound) {
				t.Fatalf("second Lookup: %v, want ErrNotFound", err)
			}
			var waited time.Duration
			for _, w := range clk.Waits() {
				waited += w
			}
			if waited != c.want {
				t.Errorf("the client waited %v before its next call, want %v", waited, c.want)
			}
		})
	}
}

// A wait for the limiter that would outlast the caller's deadline is not
// taken: the call is throttled with the wait, and nothing is sent.
func TestRateLimit_WaitPastTheDeadlineIsThrottledAndSendsNothing(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Now()} // the deadline is on the real clock
	b := setup(t, withClock(clk), func(_ *cin7fake.Config, c *cin7.Config) { c.CallsPerMinute = 1 })
	b.client.SetSleep(clk.sleep)
	b.erp.SetStock("A", 5)
	if _, err := b.client.Availability(t.Context(), []string{"A"}); err != nil {
		t.Fatalf("first call: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute/2)
	defer cancel()
	_, err := b.client.Submit(ctx, testOrder("1", "A", 1))
	if !errors.Is(err, erp.ErrThrottled) {
		t.Fatalf("Submit: %v, want ErrThrottled", err)
	}
	if d := erp.RetryAfter(err); d != time.Minute {
		t.Errorf("RetryAfter = %v, want 1m0s, when the next call is free", d)
	}
	if n := len(b.erp.Requests()); n != 1 {
		t.Errorf("the fake saw %d requests, want 1: Submit sent nothing", n)
	}
	if w := clk.Waits(); len(w) != 0 {
		t.Errorf("the client waited %v, want no wait", w)
	}
}
