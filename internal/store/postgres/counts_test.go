package postgres

import (
	"context"
	"sync"
	"testing"

	"github.com/ordergate/ordergate/internal/order"
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
	storetest.CountOrders(t, s, 60)
	close(stop)
	folds.Wait()
	if _, err := s.pool.Exec(ctx, `DELETE FROM orders WHERE order_id IN ('900', '901')`); err != nil {
		t.Fatal(err)
	}

	counted := map[order.State]int{}
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
		counted[order.State(st)] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	storetest.CountsAgree(t, s, counted) // before the last fold
	if err := s.foldCounts(ctx); err != nil {
		t.Fatal(err)
	}
	storetest.CountsAgree(t, s, counted) // after it
	var left int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM order_count_deltas`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != len(counted) {
		t.Errorf("%d delta rows after a fold, want one a state (%d)", left, len(counted))
	}
}
