package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// testHolding checks the stock keeper's query: every order not yet
// acknowledged, and the acknowledged (or since confirmed) orders whose
// acknowledgment is at or after the cut; never a rejected or cancelled one.
func testHolding(t *testing.T, open Open) {
	s := open(t, nil)
	ctx := context.Background()
	cut := t0.Add(-10 * time.Minute)
	ingest := func(id string, change func(o *order.Order) error) {
		t.Helper()
		if _, err := s.Ingest(ctx, delivery(id, "hold-"+id), func(tx store.Tx, _ *order.Order) (*order.Order, error) {
			o := order.New(Sample(id), t0.Add(-time.Hour), "shopify", "orders/create")
			if change != nil {
				if err := change(o); err != nil {
					return nil, err
				}
			}
			return o, nil
		}); err != nil {
			t.Fatalf("ingest %s: %v", id, err)
		}
	}
	ackedAt := func(at time.Time) func(o *order.Order) error {
		return func(o *order.Order) error {
			if err := o.Submit("SO-"+o.Key.ID, at); err != nil {
				return err
			}
			return o.Acknowledge(order.Ack{Ref: "SO-" + o.Key.ID}, at)
		}
	}
	ingest("received", nil)
	ingest("submitted", func(o *order.Order) error { return o.Submit("SO-1", t0) })
	ingest("acked-before-cut", ackedAt(cut.Add(-time.Second)))
	ingest("acked-at-cut", ackedAt(cut))
	ingest("acked-after-cut", ackedAt(cut.Add(time.Minute)))
	ingest("confirmed-after-cut", func(o *order.Order) error {
		if err := ackedAt(cut.Add(time.Minute))(o); err != nil {
			return err
		}
		return o.Confirm(cut.Add(2 * time.Minute))
	})
	ingest("cancelled-after-ack", func(o *order.Order) error {
		if err := ackedAt(cut.Add(time.Minute))(o); err != nil {
			return err
		}
		return o.Cancel("customer", "shopify", cut.Add(2*time.Minute))
	})
	ingest("rejected", func(o *order.Order) error { return o.Reject("no stock", t0) })
	ingest("cancelled", func(o *order.Order) error { return o.Cancel("customer", "shopify", t0) })

	got, err := s.Holding(ctx, cut)
	if err != nil {
		t.Fatalf("Holding: %v", err)
	}
	var ids []string
	for _, o := range got {
		ids = append(ids, o.Key.ID)
		if len(o.Lines) != 2 {
			t.Errorf("Holding: order %s came back with %d lines, want the 2 it was stored with", o.Key.ID, len(o.Lines))
		}
	}
	slices.Sort(ids)
	want := []string{"acked-after-cut", "acked-at-cut", "confirmed-after-cut", "received", "submitted"}
	if !slices.Equal(ids, want) {
		t.Errorf("Holding(cut) = %v, want %v", ids, want)
	}
	all, err := s.Holding(ctx, time.Time{})
	if err != nil {
		t.Fatalf("Holding(zero): %v", err)
	}
	if len(all) != 6 {
		t.Errorf("Holding(zero time) returned %d orders, want 6: every order not settled or acknowledged and not cancelled", len(all))
	}
}
