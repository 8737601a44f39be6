package cin7

import (
	"context"
	"sync"
	"time"
)

// limiter keeps a client to n calls in any window (Cin7: 60 a minute per
// API application). It is a sliding-window log: it remembers when each of
// the last n calls was let through, and lets the next one through no sooner
// than a window after the oldest of them. Unlike a token bucket it allows a
// burst of n from idle, which is what an order needs (four calls in a row),
// and still never puts more than n in any window, however the vendor aligns
// its minute.
//
// It does no waiting and reads no clock itself: reserve takes the time and
// says how long to wait, so that its tests need no timing.
type limiter struct {
	mu     sync.Mutex
	n      int
	window time.Duration
	// slots holds the times granted to the last n calls, a ring whose
	// oldest entry is at head. Times may lie in the future: calls told to
	// wait for them.
	slots []time.Time
	head  int
	// pausedUntil holds every call back after the vendor said to wait.
	pausedUntil time.Time
}

func newLimiter(n int, window time.Duration) *limiter {
	return &limiter{n: n, window: window, slots: make([]time.Time, 0, n)}
}

// reserve books the earliest time at or after now that a call may go, and
// returns how long the caller must wait for it. If that is longer than
// maxWait it books nothing and returns the wait with ok false.
func (l *limiter) reserve(now time.Time, maxWait time.Duration) (wait time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	at := now
	if l.pausedUntil.After(at) {
		at = l.pausedUntil
	}
	if len(l.slots) > 0 {
		// Keep the ring in order even if the clock steps back.
		if newest := l.slots[(l.head+len(l.slots)-1)%len(l.slots)]; newest.After(at) {
			at = newest
		}
	}
	if len(l.slots) == l.n {
		if free := l.slots[l.head].Add(l.window); free.After(at) {
			at = free
		}
	}
	wait = at.Sub(now)
	if wait > maxWait {
		return wait, false
	}
	if len(l.slots) < l.n {
		l.slots = append(l.slots, at)
	} else {
		l.slots[l.head] = at
		l.head = (l.head + 1) % l.n
	}
	return wait, true
}

// pause holds every call back until t.
func (l *limiter) pause(t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t.After(l.pausedUntil) {
		l.pausedUntil = t
	}
}

// sleep waits d, or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
