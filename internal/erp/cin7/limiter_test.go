package cin7

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

const forever = time.Duration(math.MaxInt64)

func TestLimiter_BurstFromIdleThenWaitsAWindowAfterTheOldest(t *testing.T) {
	t.Parallel()
	l := newLimiter(3, time.Minute)
	var got []time.Duration
	// Three at once, then two more at t0+10s.
	for range 3 {
		d, _ := l.reserve(t0, forever)
		got = append(got, d)
	}
	for range 2 {
		d, _ := l.reserve(t0.Add(10*time.Second), forever)
		got = append(got, d)
	}
	// The 4th goes when the 1st is a minute old, the 5th with the 2nd.
	want := []time.Duration{0, 0, 0, 50 * time.Second, 50 * time.Second}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	// At t0+61s the last three granted are the 3rd (t0) and the 4th and
	// 5th (t0+60s): the 6th goes at once, the 7th a minute after the 4th.
	if d, _ := l.reserve(t0.Add(61*time.Second), forever); d != 0 {
		t.Errorf("6th wait = %v, want 0", d)
	}
	if d, _ := l.reserve(t0.Add(61*time.Second), forever); d != 59*time.Second {
		t.Errorf("7th wait = %v, want 59s", d)
	}
}

// Whatever the pattern of calls, no 60-second window holds more than n of
// the times the limiter grants.
func TestLimiter_NeverMoreThanNInAnyWindow(t *testing.T) {
	t.Parallel()
	const n = 55
	l := newLimiter(n, time.Minute)
	now := t0
	var granted []time.Time
	for i := range 500 {
		// Bursts and gaps: 7 calls together, then a pause of i%13 seconds.
		if i%7 == 0 {
			now = now.Add(time.Duration(i%13) * time.Second)
		}
		d, ok := l.reserve(now, forever)
		if !ok || d < 0 {
			t.Fatalf("call %d: wait %v ok %v", i, d, ok)
		}
		at := now.Add(d)
		granted = append(granted, at)
		now = at // the caller waited
	}
	for i := range granted {
		in := 0
		for _, g := range granted[i:] {
			if g.Sub(granted[i]) < time.Minute {
				in++
			}
		}
		if in > n {
			t.Fatalf("%d calls in the minute from %v, want at most %d", in, granted[i].Sub(t0), n)
		}
	}
	// And it does not hold calls back needlessly: 500 calls at 55 a
	// minute need a little over 9 minutes, not much more.
	if span := granted[len(granted)-1].Sub(granted[0]); span > 10*time.Minute {
		t.Errorf("500 calls took %v, want about 9 minutes", span)
	}
}

func TestLimiter_WaitBeyondMaxIsNotBooked(t *testing.T) {
	t.Parallel()
	l := newLimiter(1, time.Minute)
	if d, ok := l.reserve(t0, forever); d != 0 || !ok {
		t.Fatalf("first call: wait %v ok %v, want 0 true", d, ok)
	}
	d, ok := l.reserve(t0.Add(time.Second), 5*time.Second)
	if ok || d != 59*time.Second {
		t.Fatalf("second call with 5s to spare: wait %v ok %v, want 59s false", d, ok)
	}
	// Nothing was booked: the next caller gets the same slot.
	if d, ok := l.reserve(t0.Add(time.Second), forever); d != 59*time.Second || !ok {
		t.Errorf("third call: wait %v ok %v, want 59s true", d, ok)
	}
}

func TestLimiter_PauseHoldsEveryCallBack(t *testing.T) {
	t.Parallel()
	l := newLimiter(55, time.Minute)
	l.reserve(t0, forever)
	l.pause(t0.Add(7 * time.Second))
	l.pause(t0.Add(3 * time.Second)) // an earlier pause does not shorten it
	for _, at := range []time.Duration{0, 2 * time.Second} {
		if d, _ := l.reserve(t0.Add(at), forever); d != 7*time.Second-at {
			t.Errorf("call at +%v: wait %v, want %v", at, d, 7*time.Second-at)
		}
	}
	if d, _ := l.reserve(t0.Add(8*time.Second), forever); d != 0 {
		t.Errorf("call after the pause: wait %v, want 0", d)
	}
}

func TestLimiter_ClockSteppingBackKeepsOrder(t *testing.T) {
	t.Parallel()
	l := newLimiter(2, time.Minute)
	l.reserve(t0.Add(10*time.Second), forever)
	// The clock steps back 5s: the call still goes after the last grant,
	// so the ring stays in order.
	if d, _ := l.reserve(t0.Add(5*time.Second), forever); d != 5*time.Second {
		t.Errorf("wait after the clock stepped back = %v, want 5s", d)
	}
	if d, _ := l.reserve(t0.Add(10*time.Second), forever); d != time.Minute {
		t.Errorf("third call wait = %v, want 60s (a minute after the first)", d)
	}
}
