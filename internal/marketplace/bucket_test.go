package marketplace

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func TestBucket_BurstThenSteadyRate(t *testing.T) {
	t.Parallel()
	b := newBucket(5, 5)
	for i := range 5 {
		if w := b.take(t0); w != 0 {
			t.Fatalf("request %d of the burst waits %s", i, w)
		}
	}
	if w := b.take(t0); w != 200*time.Millisecond {
		t.Errorf("sixth waits %s, want 200ms", w)
	}
	if w := b.take(t0.Add(199 * time.Millisecond)); w != time.Millisecond {
		t.Errorf("at 199ms waits %s, want 1ms", w)
	}
	now := t0.Add(200 * time.Millisecond)
	if w := b.take(now); w != 0 {
		t.Errorf("at 200ms waits %s, want 0", w)
	}
	if w := b.take(now); w != 200*time.Millisecond {
		t.Errorf("again at 200ms waits %s, want 200ms", w)
	}
	// Idle for a long time fills the bucket to its burst, no more.
	later := t0.Add(time.Hour)
	for i := range 5 {
		if w := b.take(later); w != 0 {
			t.Fatalf("after an hour, request %d waits %s", i, w)
		}
	}
	if w := b.take(later); w == 0 {
		t.Error("the bucket held more than its burst")
	}
}

func TestBucket_PauseHoldsEveryRequestThenStartsEmpty(t *testing.T) {
	t.Parallel()
	b := newBucket(5, 5)
	b.pause(t0.Add(7 * time.Second))
	if w := b.take(t0); w != 7*time.Second {
		t.Errorf("paused: waits %s, want 7s", w)
	}
	at := t0.Add(7 * time.Second)
	if w := b.take(at); w != 0 {
		t.Errorf("at the pause's end waits %s, want 0", w)
	}
	if w := b.take(at); w != 200*time.Millisecond {
		t.Errorf("second after the pause waits %s, want 200ms (the bucket starts empty)", w)
	}
	u := newBucket(0, 0)
	u.pause(t0.Add(time.Second))
	if w := u.take(t0); w != time.Second {
		t.Errorf("an unlimited bucket ignores a pause: waits %s", w)
	}
	if w := u.take(t0.Add(time.Second)); w != 0 {
		t.Errorf("unlimited after the pause waits %s", w)
	}
}

func TestRevisions_CountPerSKUPerDayInTheZone(t *testing.T) {
	t.Parallel()
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Skip("no tz database")
	}
	r := newRevisions(3, la)
	now := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC) // 23:00 on the 1st in Los Angeles
	for range 3 {
		r.spend("A", now)
	}
	if got := r.left("A", now); got != 0 {
		t.Errorf("left = %d, want 0", got)
	}
	if got := r.left("B", now); got != 3 {
		t.Errorf("left for another sku = %d, want 3", got)
	}
	if got, want := r.nextDay(now), time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("nextDay = %s, want %s (midnight in Los Angeles)", got, want)
	}
	if got := r.left("A", now.Add(time.Hour)); got != 3 {
		t.Errorf("the next Los Angeles day: left = %d, want 3", got)
	}
	if got := newRevisions(0, nil).left("A", now); got != -1 {
		t.Errorf("no limit: left = %d, want -1", got)
	}
}
