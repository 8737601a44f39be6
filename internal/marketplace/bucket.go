package marketplace

import (
	"math"
	"time"
)

// bucket is a token bucket of burst tokens refilled at rate a second, kept
// as GCRA (a theoretical arrival time) so that its arithmetic is exact in
// nanoseconds. It reads no clock and never waits: take says how long the
// caller would have to wait, so that its tests need no timing.
type bucket struct {
	interval  time.Duration // between requests at the steady rate; 0: no limit
	tolerance time.Duration // (burst−1) intervals: how far ahead a burst may run
	tat       time.Time     // when the bucket would be full again
	// pausedUntil holds every request back after the marketplace said to
	// wait, whatever the tokens say.
	pausedUntil time.Time
}

func newBucket(rate float64, burst int) *bucket {
	b := &bucket{}
	if rate > 0 {
		// Rounded up, so that we never go faster than the marketplace
		// counts, however it rounds.
		b.interval = time.Duration(math.Ceil(float64(time.Second) / rate))
		b.tolerance = time.Duration(max(1, burst)-1) * b.interval
	}
	return b
}

// take takes a token if one is free at now and returns 0; otherwise it
// takes nothing and returns how long until one is.
func (b *bucket) take(now time.Time) time.Duration {
	if now.Before(b.pausedUntil) {
		return b.pausedUntil.Sub(now)
	}
	if b.interval == 0 {
		return 0
	}
	tat := b.tat
	if tat.Before(now) {
		tat = now
	}
	if at := tat.Add(-b.tolerance); now.Before(at) {
		return at.Sub(now)
	}
	b.tat = tat.Add(b.interval)
	return 0
}

// pause holds every request back until t and empties the bucket: a
// marketplace that throttled us has no tokens to give.
func (b *bucket) pause(t time.Time) {
	if t.After(b.pausedUntil) {
		b.pausedUntil = t
	}
	if full := t.Add(b.tolerance); full.After(b.tat) {
		b.tat = full
	}
}
