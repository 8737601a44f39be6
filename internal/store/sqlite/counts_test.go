package sqlite

import (
	"context"
	"testing"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store/storetest"
)

// The per-state counts kept by triggers (migration 0008) agree with
// counting the orders, through inserts, state changes, saves that keep the
// state, duplicates and a delete.
func TestCounts_TriggersAgreeWithTheOrders(t *testing.T) {
	t.Parallel()
	s := openTemp(t, nil).(*Store)
	ctx := context.Background()
	storetest.CountOrders(t, s, 12)
	if _, err := s.write.ExecContext(ctx, `DELETE FROM orders WHERE order_id = '900'`); err != nil {
		t.Fatal(err)
	}
	counted := map[order.State]int{}
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
		counted[order.State(st)] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	storetest.CountsAgree(t, s, counted)
}
