package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/ordergate/ordergate/internal/order"
)

// holdingQuery is Holding's: the orders in flight, read from the
// orders_state index, and those acknowledged since $1, from the partial
// orders_acknowledged index (plan_test.go).
const holdingQuery = `SELECT ` + orderColumns + ` FROM orders WHERE state IN ('received', 'submitted')
	UNION ALL
	SELECT ` + orderColumns + ` FROM orders WHERE acknowledged_at IS NOT NULL AND acknowledged_at >= $1 AND state IN ('acknowledged', 'confirmed')`

// Holding implements store.Store.
func (s *Store) Holding(ctx context.Context, ackedSince time.Time) ([]*order.Order, error) {
	rows, err := s.pool.Query(ctx, holdingQuery, micro(ackedSince))
	if err != nil {
		return nil, fmt.Errorf("postgres: orders holding stock: %w", err)
	}
	defer rows.Close()
	var out []*order.Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: orders holding stock: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
