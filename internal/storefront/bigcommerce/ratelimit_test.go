package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/storefront/bigcommerce/bigcommercefake"
)

func statuses(reqs []bigcommercefake.Request) []int {
	var s []int
	for _, r := range reqs {
		s = append(s, r.Status)
	}
	return s
}

// When a reply says no request is left in the window, the client waits for
// the reset instead of spending a request on a certain 429.
func TestClient_WaitsForTheResetWhenNoRequestIsLeft(t *testing.T) {
	t.Parallel()
	b := setup(t, func(f *bigcommercefake.Config, _ *Config) { f.Quota = 3 })
	b.putFixture(t)
	ctx := context.Background()
	if _, err := b.client.Fetch(ctx, "218"); err != nil { // order, products, shipping addresses: the quota
		t.Fatal(err)
	}
	if w := b.clk.Waits(); len(w) != 0 {
		t.Fatalf("waited %v within the quota", w)
	}
	want := RateLimit{Quota: 3, Left: 0, Window: 30 * time.Second, Reset: 30 * time.Second, At: b.clk.Now()}
	if diff := cmp.Diff(want, b.client.RateLimit()); diff != "" {
		t.Errorf("rate limit (-want +got):\n%s", diff)
	}
	if _, err := b.client.Fetch(ctx, "218"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{30 * time.Second}, b.clk.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{200, 200, 200, 200, 200, 200}, statuses(b.store.Requests())); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

// The store's quota is shared by every app: another app spending it makes
// our first request a 429, retried after X-Rate-Limit-Time-Reset-Ms.
func TestClient_Retries429AfterTheReset(t *testing.T) {
	t.Parallel()
	b := setup(t, func(f *bigcommercefake.Config, _ *Config) { f.Quota = 3 })
	b.putFixture(t)
	for range 3 { // another app
		req, _ := http.NewRequest(http.MethodGet, b.srv.URL+b.store.Prefix()+"/v2/orders/218", nil)
		req.Header.Set("X-Auth-Token", testToken)
		resp, err := b.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	b.clk.Sleep(context.Background(), 12*time.Second) // 18 s left in the window
	if _, err := b.client.Fetch(context.Background(), "218"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{12 * time.Second, 18 * time.Second}, b.clk.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{200, 200, 200, 429, 200, 200, 200}, statuses(b.store.Requests())); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

// scripted answers each request with the next of replies (status and
// X-Rate-Limit-Time-Reset-Ms, "" for none), then hands over to the fake.
func scripted(replies ...[2]string) func(http.Handler) http.Handler {
	var mu sync.Mutex
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			if len(replies) == 0 {
				mu.Unlock()
				h.ServeHTTP(w, r)
				return
			}
			next := replies[0]
			replies = replies[1:]
			mu.Unlock()
			if next[1] != "" {
				w.Header().Set(HeaderTimeResetMs, next[1])
				w.Header().Set(HeaderRequestsLeft, "0")
			}
			var status int
			fmt.Sscan(next[0], &status)
			w.WriteHeader(status)
		})
	}
}

func TestClient_429WaitsAreTheResetHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		replies [][2]string
		waits   []time.Duration
	}{
		{"reset header", [][2]string{{"429", "1500"}, {"429", "700"}}, []time.Duration{1500 * time.Millisecond, 700 * time.Millisecond}},
		// "If you encounter a 429 response without the API HTTP headers,
		// … the platform experiences high load": back off, doubling.
		{"no headers", [][2]string{{"429", ""}, {"429", ""}, {"429", ""}}, []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second}},
		{"unreadable header", [][2]string{{"429", "soon"}}, []time.Duration{2 * time.Second}},
		{"a header of a day is capped", [][2]string{{"429", "86400000"}}, []time.Duration{5 * time.Minute}},
		{"zero reset", [][2]string{{"429", "0"}}, []time.Duration{2 * time.Second}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setupWrapped(t, scripted(tc.replies...))
			b.putFixture(t)
			if _, err := b.client.Fetch(context.Background(), "218"); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.waits, b.clk.Waits()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClient_GivesUpAfterMaxRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		maxRetries, requests int
		waits                []time.Duration
	}{
		{2, 3, []time.Duration{30 * time.Second, 30 * time.Second}},
		{-1, 1, nil}, // no retries at all
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.maxRetries), func(t *testing.T) {
			t.Parallel()
			b := setup(t, func(_ *bigcommercefake.Config, c *Config) { c.MaxRetries = tc.maxRetries })
			b.putFixture(t)
			b.store.Throttle(10, true)
			_, err := b.client.Fetch(context.Background(), "218")
			var te *ThrottledError
			if !errors.As(err, &te) || !errors.Is(err, ErrRateLimited) {
				t.Fatalf("Fetch = %v, want a *ThrottledError", err)
			}
			if te.RetryAfter != 30*time.Second {
				t.Errorf("retry after %s, want 30s", te.RetryAfter)
			}
			if n := len(b.store.Requests()); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
			if diff := cmp.Diff(tc.waits, b.clk.Waits()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClient_DefaultRetriesAreThree(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.putFixture(t)
	b.store.Throttle(10, false)
	if _, err := b.client.Fetch(context.Background(), "218"); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("Fetch = %v, want ErrRateLimited", err)
	}
	if n := len(b.store.Requests()); n != 1+DefaultMaxRetries {
		t.Errorf("%d requests, want %d", n, 1+DefaultMaxRetries)
	}
}

// A wait the context's deadline would cut short is not begun: the call
// fails at once, sending nothing, so that a job can snooze instead.
func TestClient_DoesNotWaitPastTheDeadline(t *testing.T) {
	t.Parallel()
	b := setup(t, func(f *bigcommercefake.Config, _ *Config) { f.Quota = 3 })
	b.putFixture(t)
	if _, err := b.client.Fetch(context.Background(), "218"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := b.client.Fetch(ctx, "218")
	var te *ThrottledError
	if !errors.As(err, &te) || te.RetryAfter != 30*time.Second {
		t.Fatalf("Fetch = %v, want a *ThrottledError asking for 30s", err)
	}
	if w := b.clk.Waits(); len(w) != 0 {
		t.Errorf("waited %v", w)
	}
	if n := len(b.store.Requests()); n != 3 {
		t.Errorf("%d requests, want the first fetch's 3", n)
	}
}

func TestClient_CancelledContextStopsTheWait(t *testing.T) {
	t.Parallel()
	b := setup(t, func(f *bigcommercefake.Config, c *Config) {
		f.Quota = 3
		c.Sleep = func(ctx context.Context, d time.Duration) error { return context.Canceled }
	})
	b.putFixture(t)
	if _, err := b.client.Fetch(context.Background(), "218"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.client.Fetch(context.Background(), "218"); !errors.Is(err, context.Canceled) {
		t.Errorf("Fetch = %v, want context.Canceled", err)
	}
	if n := len(b.store.Requests()); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

// Concurrent fetches share one view of the limit; every one gets through,
// by waits and retries, without the store serving more than its quota.
func TestClient_ConcurrentFetchesShareTheLimit(t *testing.T) {
	t.Parallel()
	b := setup(t, func(f *bigcommercefake.Config, c *Config) {
		f.Quota = 3
		c.MaxRetries = 50
	})
	const n = 6
	for i := 1; i <= n; i++ {
		body := fmt.Sprintf(`{"id":%d,"status_id":11,"date_modified":"Tue, 01 Jul 2025 09:00:00 +0000"}`, i)
		if err := b.store.PutOrder([]byte(body), products(2)); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = b.client.Fetch(context.Background(), fmt.Sprint(i+1))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("order %d: %v", i+1, err)
		}
	}
	ok := 0
	for _, r := range b.store.Requests() {
		if r.Status == http.StatusOK {
			ok++
		}
	}
	if ok != 2*n {
		t.Errorf("%d requests served, want %d", ok, 2*n)
	}
}
