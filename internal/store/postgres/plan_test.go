package postgres

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ordergate/ordergate/internal/store"
)

// The queries run at every stock sync, SLA sweep and dashboard page read
// an index range, never the whole history. PostgreSQL plans by its
// statistics, so the store is filled first (50,000 orders, most of them
// settled long ago, as in production) and analysed. The periodic queries
// are planned generically, as pgx's cached statements may be after their
// fifth run: a partial index is then usable only if the query's own text
// implies its predicate. List's are planned for their values, as they run
// (unnamed statements, QueryExecModeExec): a generic plan of "state = $1"
// assumes a common state and walks the history by date to find a rare one.
func TestQueryPlans_ReadAnIndexNotTheHistory(t *testing.T) {
	t.Parallel()
	s := openTemp(t, nil).(*Store)
	ctx := context.Background()
	if _, err := s.pool.Exec(ctx, `INSERT INTO orders (storefront, order_id, name, state, email, document, received_at, acknowledged_at, overdue_at)
		SELECT 'shop' || (g % 3), g::text, '#' || g,
			CASE WHEN g % 500 = 0 THEN 'received' WHEN g % 500 = 1 THEN 'submitted' WHEN g % 10 = 0 THEN 'rejected' ELSE 'confirmed' END,
			'buyer' || g || '@example.com', '{}', now() - (50000 - g) * interval '1 minute',
			CASE WHEN g % 10 <> 0 THEN now() - (50000 - g) * interval '1 minute' END,
			CASE WHEN g % 997 = 0 THEN now() END
		FROM generate_series(1, 50000) AS g`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `ANALYZE orders`); err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	for _, tt := range []struct {
		name    string
		query   string
		args    []any
		want    string // an index the plan must use
		generic bool
	}{
		{"holding", holdingQuery, []any{time.Now().Add(-time.Minute)}, "orders_acknowledged", true},
		{"unsettled", unsettledQuery, []any{"shop1", before, 500}, "orders_unsettled", true},
		{"overdue", `SELECT count(*) FROM orders WHERE ` + overdueWhere, nil, "orders_overdue", true},
		{"list by email", "", nil, "orders_email", false},
		{"list by email, generic", "", nil, "orders_email", true},
		{"list by state", "", nil, "orders_state", false},
	} {
		q, args := tt.query, tt.args
		switch tt.name {
		case "list by email", "list by email, generic":
			q, args = listQuery(store.Filter{Email: "Buyer77@Example.com", Limit: 50})
		case "list by state":
			q, args = listQuery(store.Filter{State: "received", Before: before, Limit: 50})
		}
		plan := explain(t, s, tt.generic, q, args...)
		if !strings.Contains(plan, tt.want) || strings.Contains(plan, "Seq Scan on orders") {
			t.Errorf("%s: plan\n%s\nwant %s and no sequential scan of orders", tt.name, plan, tt.want)
		}
	}
}

// The ingest batch's load is planned on a young table too, where pgx's
// cached statement may keep a generic plan made while orders held a few
// rows: it must look each order up by its key even then, not scan orders.
func TestQueryPlans_IngestLoadUsesThePrimaryKeyOnAYoungTable(t *testing.T) {
	t.Parallel()
	s := openTemp(t, nil).(*Store)
	ctx := context.Background()
	if _, err := s.pool.Exec(ctx, `INSERT INTO orders (storefront, order_id, state, document, received_at)
		SELECT 'shop1', g::text, 'received', '{}', now() FROM generate_series(1, 30) AS g`); err != nil {
		t.Fatal(err)
	}
	for _, generic := range []bool{true, false} {
		plan := explain(t, s, generic, loadManySQL, []string{"shop1", "shop1"}, []string{"7", "new"})
		if !strings.Contains(plan, "orders_pkey") || strings.Contains(plan, "Seq Scan on orders") {
			t.Errorf("generic %v: plan\n%s\nwant orders_pkey and no sequential scan of orders", generic, plan)
		}
	}
}

// explain returns the plan of q: its generic plan, as a cached statement
// may run, or the plan for args.
func explain(t *testing.T, s *Store, generic bool, q string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	mode := "force_custom_plan"
	if generic {
		mode = "force_generic_plan"
	}
	if _, err := conn.Exec(ctx, `SET plan_cache_mode = `+mode); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, `RESET plan_cache_mode`)
	if _, err := conn.Conn().Prepare(ctx, "plan_probe", q); err != nil {
		t.Fatal(err)
	}
	defer conn.Conn().Deallocate(ctx, "plan_probe")
	// EXPLAIN takes no parameters: pgx writes the arguments into the text.
	rows, err := conn.Query(ctx, "EXPLAIN EXECUTE plan_probe"+placeholders(len(args)), append([]any{pgx.QueryExecModeSimpleProtocol}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

func placeholders(n int) string {
	if n == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("(")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(i+1))
	}
	b.WriteString(")")
	return b.String()
}
