package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/store/storetest"
)

// The per-state counts kept by triggers agree with counting the orders,
// through inserts, state changes, saves that keep the state, duplicates
// and a delete.
func TestCounts_TriggersAgreeWithTheOrders(t *testing.T) {
	t.Parallel()
	s := openTemp(t, nil).(*Store)
	ctx := context.Background()
	at := time.Date(2026, 11, 28, 2, 0, 0, 0, time.UTC)
	for i := range 12 {
		id := fmt.Sprint(900 + i)
		for range 2 { // the second is a duplicate delivery
			if _, err := s.Ingest(ctx, store.Delivery{DedupKey: "c" + id, Storefront: "shop1", Topic: "orders/create", DeliveryID: "c" + id, OrderID: id, ReceivedAt: at, Body: []byte(`{}`)},
				func(tx store.Tx, existing *order.Order) (*order.Order, error) {
					return order.New(storetest.Sample(id), at, "shopify", "orders/create"), nil
				}); err != nil {
				t.Fatal(err)
			}
		}
		key := order.Key{Storefront: "shop1", ID: id}
		step := func(fn func(o *order.Order) error) {
			t.Helper()
			if err := s.Update(ctx, key, func(tx store.Tx, o *order.Order) error { return fn(o) }); err != nil {
				t.Fatal(err)
			}
		}
		if i%3 >= 1 {
			step(func(o *order.Order) error { return o.Submit("SO-"+id, at) })
			step(func(o *order.Order) error { o.Flag("looked at", "test", at); return nil }) // same state
		}
		if i%3 == 2 {
			step(func(o *order.Order) error { return o.Reject("unknown sku", at) })
		}
	}
	if _, err := s.write.ExecContext(ctx, `DELETE FROM orders WHERE order_id = '900'`); err != nil {
		t.Fatal(err)
	}
	got, err := s.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[order.State]int{}
	rows, err := s.read.QueryContext(ctx, `SELECT state, count(*) FROM orders GROUP BY state`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			t.Fatal(err)
		}
		want[order.State(st)] = n
	}
	if len(want) < 3 {
		t.Fatalf("the test made orders in %d states, want at least 3: %v", len(want), want)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("Counts (-counted +kept):\n%s", d)
	}
}
