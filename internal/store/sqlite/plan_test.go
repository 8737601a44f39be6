package sqlite

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/store"
)

// The queries that run while orders arrive (the stock keeper's, the
// gauges', the SLA sweep's, reconciliation's and the API's pages) must
// read an index range bounded by what is in flight or by the page, never
// the whole history: a scan costs nothing on a test's empty store and
// seconds on a million orders. SQLite without ANALYZE plans the same
// whatever the table's size, so the plan of an empty store is the plan of
// a full one.
func TestQueryPlans_ReadAnIndexNotTheHistory(t *testing.T) {
	t.Parallel()
	s := openTemp(t, nil).(*Store)
	before := time.Now()
	for _, tt := range []struct {
		name  string
		query string
		args  []any
		want  string // an index the plan must use
		never string // what the plan must not say
	}{
		{"holding", holdingQuery, []any{int64(1)}, "USING INDEX orders_acknowledged (acknowledged_at>? AND acknowledged_at<?)", "SCAN orders"},
		{"unsettled", `SELECT order_id FROM orders WHERE storefront = ? AND received_at < ? AND ` + unsettledWhere +
			` ORDER BY received_at, order_id LIMIT ?`, []any{"shop", int64(1), 500}, "USING INDEX orders_unsettled", "SCAN orders"},
		{"overdue", `SELECT count(*) FROM orders WHERE ` + overdueWhere, nil, "orders_overdue", "orders_state"},
		{"list by storefront", "", nil, "USING INDEX orders_received", "PRIMARY KEY"},
		{"list by email", "", nil, "USING INDEX orders_email", "SCAN orders"},
		{"list by state", "", nil, "USING INDEX orders_state", "SCAN orders"},
	} {
		q, args := tt.query, tt.args
		switch tt.name {
		case "list by storefront":
			q, args = listQuery(store.Filter{Storefront: "shop", Before: before, Limit: 500})
		case "list by email":
			q, args = listQuery(store.Filter{Email: "Buyer@Example.com", Limit: 50})
		case "list by state":
			q, args = listQuery(store.Filter{State: "received", Before: before, Limit: 50})
		}
		plan := explain(t, s, q, args...)
		if !strings.Contains(plan, tt.want) || strings.Contains(plan, tt.never) {
			t.Errorf("%s: plan\n%s\nwant %q and no %q", tt.name, plan, tt.want, tt.never)
		}
	}
}

// explain returns the query's plan, one step a line.
func explain(t *testing.T, s *Store, q string, args ...any) string {
	t.Helper()
	rows, err := s.read.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", q, err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
