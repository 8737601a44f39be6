package gate

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront"
)

func TestHandoffs_EachAcknowledgmentIsMeasuredOnce(t *testing.T) {
	t.Parallel()
	var h handoffs
	at := time.Now()
	k := order.Key{Storefront: "s", ID: "1"}
	if _, ok := h.started(k, at); ok {
		t.Fatal("a confirmation with no acknowledgment noted was measured")
	}
	h.acknowledged(k, at)
	if d, ok := h.started(k, at.Add(3*time.Millisecond)); !ok || d != 3*time.Millisecond {
		t.Fatalf("started = %v, %v; want 3ms, true", d, ok)
	}
	if _, ok := h.started(k, at.Add(time.Second)); ok {
		t.Fatal("a second run of the same confirmation was measured again")
	}
}

// Acknowledgments whose confirmation never starts here do not pile up:
// at the limit the stale ones go, and while the fresh ones fill it new
// ones are not noted.
func TestHandoffs_BoundedByStaleAcknowledgments(t *testing.T) {
	t.Parallel()
	var h handoffs
	at := time.Now()
	for i := range handoffLimit {
		h.acknowledged(order.Key{Storefront: "s", ID: fmt.Sprint(i)}, at)
	}
	h.acknowledged(order.Key{Storefront: "s", ID: "fresh"}, at.Add(time.Second))
	if _, ok := h.started(order.Key{Storefront: "s", ID: "fresh"}, at); ok {
		t.Fatal("noted past the limit while every earlier acknowledgment was fresh")
	}
	later := at.Add(handoffStale + time.Second)
	h.acknowledged(order.Key{Storefront: "s", ID: "late"}, later)
	if len(h.at) != 1 {
		t.Fatalf("%d acknowledgments held after the stale ones went, want 1", len(h.at))
	}
	if _, ok := h.started(order.Key{Storefront: "s", ID: "late"}, later); !ok {
		t.Fatal("the acknowledgment noted after the sweep was not measured")
	}
}

// Every confirmed order's handoff is reported once, and it lies inside the
// span between its acknowledgment's timeline entry and the worker's first:
// the handoff starts after the acknowledgment's commit and ends before the
// worker's first transaction.
func TestHandoff_ReportedOncePerConfirmationWithinItsTimelineSpan(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})
	var mu sync.Mutex
	got := map[order.Key][]time.Duration{}
	b.gate.OnHandoff(func(k order.Key, d time.Duration) {
		mu.Lock()
		got[k] = append(got[k], d)
		mu.Unlock()
	})
	var keys []order.Key
	for i := range 5 {
		o := testOrder(fmt.Sprint(2001+i), t0, line("A", 1))
		keys = append(keys, o.Key)
		b.ingest(t, delivery(storefront.OrderCreated, fmt.Sprint("e", i), o))
	}
	for _, k := range keys {
		b.waitState(t, k, order.Confirmed)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, k := range keys {
		ds := got[k]
		if len(ds) != 1 {
			t.Errorf("%s: %d handoffs reported, want 1", k, len(ds))
			continue
		}
		tl := b.timeline(t, k)
		acks, attempts := ofKind(tl, order.EventAcknowledged), ofKind(tl, order.EventNotifyAttempt)
		if len(acks) == 0 || len(attempts) == 0 {
			t.Fatalf("%s: timeline lacks its acknowledgment or attempt:\n%s", k, formatTimeline(tl))
		}
		if span := attempts[0].At.Sub(acks[0].At); ds[0] <= 0 || ds[0] > span {
			t.Errorf("%s: handoff %v, want within (0, %v], the span of its timeline entries", k, ds[0], span)
		}
	}
}
