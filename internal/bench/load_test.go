package bench

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

func TestClosed_AgainstTheBareHandlerEveryReplyIs2xx(t *testing.T) {
	t.Parallel()
	secret := []byte("s3cret")
	srv := httptest.NewServer(Bare(secret))
	t.Cleanup(srv.Close)
	res := Count(t.Context(), NewWebhooks(srv.URL, secret, 1), Client(4), 4, 200)
	if res.Requests != 200 || res.Non2xx != 0 || res.Errors != 0 || res.Statuses[200] != 200 {
		t.Fatalf("result %+v, want 200 replies of 200", res)
	}
	if !(res.P50 <= res.P99 && res.P99 <= res.P999 && res.P999 <= res.Max) || res.Rate <= 0 {
		t.Errorf("percentiles out of order or no rate: %+v", res)
	}
	// A generator signing with another secret is refused: the baseline
	// does verify.
	bad := Count(t.Context(), NewWebhooks(srv.URL, []byte("other"), 1), Client(1), 1, 3)
	if bad.Non2xx != 3 || bad.Statuses[401] != 3 {
		t.Errorf("wrongly signed: %+v, want 3 refusals", bad)
	}
}

func TestOpen_SendsTheScheduledNumber(t *testing.T) {
	t.Parallel()
	secret := []byte("s3cret")
	srv := httptest.NewServer(Bare(secret))
	t.Cleanup(srv.Close)
	res, err := Open(t.Context(), NewWebhooks(srv.URL, secret, 1), Client(8), 200, 500*time.Millisecond, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 100 || res.Non2xx != 0 {
		t.Errorf("open loop at 200/s for 0.5s: %+v, want 100 requests, all 2xx", res)
	}
}

func TestConcurrencyLimit_RefusesBeyondItAndCounts(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var entered sync.WaitGroup
	entered.Add(2)
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered.Done()
		<-release
	})
	limit := NewConcurrencyLimit(slow, 2)
	srv := httptest.NewServer(limit)
	t.Cleanup(srv.Close)
	var done sync.WaitGroup
	for range 2 {
		done.Go(func() {
			resp, err := http.Get(srv.URL)
			if err == nil {
				resp.Body.Close()
			}
		})
	}
	entered.Wait()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || limit.Refused() != 1 || limit.InFlight() != 2 || limit.MaxInFlight() != 3 {
		t.Errorf("third call: %d, refused %d, in flight %d, peak %d; want 429, 1, 2, 3",
			resp.StatusCode, limit.Refused(), limit.InFlight(), limit.MaxInFlight())
	}
	close(release)
	done.Wait()
}
