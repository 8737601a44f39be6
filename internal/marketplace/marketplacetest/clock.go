package marketplacetest

import (
	"slices"
	"sync"
	"time"

	"github.com/ordergate/ordergate/internal/marketplace"
)

// Clock is a marketplace.Clock a test moves by hand: it stands still until
// Advance, which fires the timers that fall due. Armed tells the test when
// a timer is set, so that it knows the code under test is waiting, without
// sleeping.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*timer
	armed  chan time.Duration
}

var _ marketplace.Clock = (*Clock)(nil)

// NewClock returns a clock reading t.
func NewClock(t time.Time) *Clock {
	return &Clock{now: t, armed: make(chan time.Duration, 1024)}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d and fires every timer due by then.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.timers = slices.DeleteFunc(c.timers, func(t *timer) bool {
		if t.at.After(c.now) {
			return false
		}
		t.fire(c.now)
		return true
	})
}

// Armed receives the duration of each timer set, as it is set.
func (c *Clock) Armed() <-chan time.Duration { return c.armed }

// NewTimer returns a timer that fires when the clock reaches now+d; at
// once if d <= 0.
func (c *Clock) NewTimer(d time.Duration) marketplace.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &timer{c: c, at: c.now.Add(d), ch: make(chan time.Time, 1)}
	if d <= 0 {
		t.fire(c.now)
	} else {
		c.timers = append(c.timers, t)
	}
	select {
	case c.armed <- d:
	default:
	}
	return t
}

type timer struct {
	c     *Clock
	at    time.Time
	ch    chan time.Time
	fired bool
}

func (t *timer) fire(now time.Time) {
	t.fired = true
	t.ch <- now
}

func (t *timer) C() <-chan time.Time { return t.ch }

func (t *timer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	if t.fired {
		return false
	}
	t.c.timers = slices.DeleteFunc(t.c.timers, func(x *timer) bool { return x == t })
	t.fired = true
	return true
}
