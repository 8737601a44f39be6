package postgres

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/store/storetest"
)

// The per-state counts kept by triggers (migration 0010) agree with
// counting the orders, through concurrent inserts across the committers,
// duplicates, state changes, saves that keep the state, a delete, and
// folds running while the orders change.
func TestCounts_TriggersAgreeWithTheOrders(t *testing.T) {
	t.Parallel()
	s := openTemp(t, nil).(*Store)
	ctx := context.Background()
	at := time.Date(2026, 11, 28, 5, 0, 0, 0, time.UTC)

	stop := make(chan struct{})
	var folds sync.WaitGroup
	folds.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := s.foldCounts(ctx); err != nil {
				t.Error(err)
				return
			}
		}
	})

	var wg sync.WaitGroup
	errs := make(chan error, 60)
	for i := range 60 {
		wg.Go(func() {
			id := fmt.Sprint(900 + i)
			for range 2 { // the second is a duplicate delivery
				if _, err := s.Ingest(ctx, store.Delivery{DedupKey: "c" + id, Storefront: "shop1", Topic: "orders/create", DeliveryID: "c" + id, OrderID: id, ReceivedAt: at, Body: []byte(`{}`)},
					func(tx store.Tx, existing *order.Order) (*order.Order, error) {
						return order.New(storetest.Sample(id), at, "shopify", "orders/create"), nil
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
				errs <- err
			}
		})
	}
	wg.Wait()
	close(stop)
	folds.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM orders WHERE order_id IN ('900', '901')`); err != nil {
		t.Fatal(err)
	}

	want := map[order.State]int{}
	rows, err := s.pool.Query(ctx, `SELECT state, count(*) FROM orders GROUP BY state`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			t.Fatal(err)
		}
		want[order.State(st)] = n
	}
	rows.Close()
	if len(want) < 3 {
		t.Fatalf("the test made orders in %d states, want at least 3: %v", len(want), want)
	}
	for _, when := range []string{"before the last fold", "after it"} {
		got, err := s.Counts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("Counts %s (-counted +kept):\n%s", when, d)
		}
		if err := s.foldCounts(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var left int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM order_count_deltas`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != len(want) {
		t.Errorf("%d delta rows after a fold, want one a state (%d)", left, len(want))
	}
}
