package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// CountOrders stores n orders of storefront shop1 with ids from 900, all
// at once, for a store's test of its kept per-state counts: each is
// delivered twice (the second a duplicate); two in three are then
// submitted and saved again in the same state, and one in three of those
// rejected. It returns when all are stored.
func CountOrders(t *testing.T, s store.Store, n int) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 11, 28, 5, 0, 0, 0, time.UTC)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			id := fmt.Sprint(900 + i)
			for range 2 {
				if _, err := s.Ingest(ctx, store.Delivery{DedupKey: "c" + id, Storefront: "shop1", Topic: "orders/create", DeliveryID: "c" + id, OrderID: id, ReceivedAt: at, Body: []byte(`{}`)},
					func(tx store.Tx, existing *order.Order) (*order.Order, error) {
						return order.New(Sample(id), at, "shopify", "orders/create"), nil
					}); err != nil {
					errs <- err
					return
				}
			}
			key := order.Key{Storefront: "shop1", ID: id}
			step := func(fn func(o *order.Order) error) error {
				return s.Update(ctx, key, func(tx store.Tx, o *order.Order) error { return fn(o) })
			}
			var err error
			if i%3 >= 1 {
				err = step(func(o *order.Order) error { return o.Submit("SO-"+id, at) })
				if err == nil {
					err = step(func(o *order.Order) error { o.Flag("looked at", "test", at); return nil }) // same state
				}
			}
			if err == nil && i%3 == 2 {
				err = step(func(o *order.Order) error { return o.Reject("unknown sku", at) })
			}
			if err != nil {
				errs <- fmt.Errorf("order %s: %w", id, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// CountsAgree fails the test unless s.Counts equals counted, the store's
// own count of its orders by state, taken in at least three states.
func CountsAgree(t *testing.T, s store.Store, counted map[order.State]int) {
	t.Helper()
	if len(counted) < 3 {
		t.Fatalf("the test made orders in %d states, want at least 3: %v", len(counted), counted)
	}
	got, err := s.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(counted, got); d != "" {
		t.Fatalf("Counts (-counted +kept):\n%s", d)
	}
}
