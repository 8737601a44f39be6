package fishbowl_test

import (
	"sync"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp/fishbowl"
	"github.com/ordergate/ordergate/internal/erp/fishbowl/fishbowlfake"
)

// timers stands in for time.AfterFunc: it records what the client arms and
// fires it when the test says.
type timers struct {
	mu      sync.Mutex
	pending []*timer
}

type timer struct {
	after   time.Duration
	f       func()
	stopped bool
}

func (t *timer) Stop() bool { t.stopped = true; return true }

func (ts *timers) afterFunc(d time.Duration, f func()) fishbowl.Stopper {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t := &timer{after: d, f: f}
	ts.pending = append(ts.pending, t)
	return t
}

// fire runs the timer armed first and not yet run, returning its delay.
func (ts *timers) fire(t *testing.T) time.Duration {
	t.Helper()
	ts.mu.Lock()
	if len(ts.pending) == 0 {
		ts.mu.Unlock()
		t.Fatal("no timer armed")
	}
	next := ts.pending[0]
	ts.pending = ts.pending[1:]
	ts.mu.Unlock()
	if !next.stopped {
		next.f()
	}
	return next.after
}

func (ts *timers) armed() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return len(ts.pending)
}

func setupIdle(t *testing.T) (bundle, *clock, *timers) {
	t.Helper()
	clk := newClock(t0)
	b := setup(t, func(_ *fishbowlfake.Config, cc *fishbowl.Config) {
		cc.Now = clk.Now
		cc.IdleLogout = time.Minute
	})
	ts := &timers{}
	fishbowl.SetAfterFunc(b.client, ts.afterFunc)
	return b, clk, ts
}

func TestIdleLogout_FreesTheSeatOnceUnusedForTheIdlePeriod(t *testing.T) {
	t.Parallel()
	b, clk, ts := setupIdle(t)
	b.fake.SetStock("A", 2)
	use := func() {
		t.Helper()
		if _, err := b.client.Availability(t.Context(), []string{"A"}); err != nil {
			t.Fatalf("Availability: %v", err)
		}
	}

	use()
	clk.Advance(40 * time.Second)
	use() // the session was used 20 seconds before the timer fires
	clk.Advance(20 * time.Second)
	if d := ts.fire(t); d != time.Minute {
		t.Errorf("first timer armed for %v, want the idle period", d)
	}
	if n := b.fake.SeatsInUse(); n != 1 {
		t.Fatalf("seats in use = %d after 20s unused, want 1", n)
	}
	clk.Advance(40 * time.Second)
	if d := ts.fire(t); d != 40*time.Second {
		t.Errorf("timer armed again for %v, want the 40s left of the idle period", d)
	}
	if n := b.fake.SeatsInUse(); n != 0 {
		t.Errorf("seats in use = %d after a minute unused, want 0", n)
	}
	if n := b.fake.Logouts(); n != 1 {
		t.Errorf("logouts = %d, want 1", n)
	}
	if n := ts.armed(); n != 0 {
		t.Errorf("%d timers armed with no session, want none", n)
	}

	use() // a later call logs in again
	if n := b.fake.Logins(); n != 2 {
		t.Errorf("logins = %d, want 2", n)
	}
}

func TestIdleLogout_WaitsForACallInFlight(t *testing.T) {
	t.Parallel()
	b, clk, ts := setupIdle(t)
	if _, err := b.client.Availability(t.Context(), []string{"A"}); err != nil {
		t.Fatalf("Availability: %v", err)
	}
	arrived := b.fake.Stall()
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.client.Availability(t.Context(), []string{"A"}) // held by the fake
	}()
	<-arrived
	clk.Advance(2 * time.Minute)
	ts.fire(t)
	if n := b.fake.Logouts(); n != 0 {
		t.Errorf("logged out under a call in flight")
	}
	if n := ts.armed(); n != 1 {
		t.Errorf("%d timers armed, want the idle logout armed again", n)
	}
	b.fake.Release()
	<-done
}
