package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/ordergate/ordergate/internal/order"
)

// Holding implements store.Store. The first half reads the orders_state
// index; the second the partial orders_acknowledged index.
func (s *Store) Holding(ctx context.Context, ackedSince time.Time) ([]*order.Order, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE state IN ('received', 'submitted')
		UNION ALL
		SELECT `+orderColumns+` FROM orders WHERE acknowledged_at > 0 AND acknowledged_at >= ? AND state IN ('acknowledged', 'confirmed')`,
		micros(ackedSince))
	if err != nil {
		return nil, fmt.Errorf("sqlite: orders holding stock: %w", err)
	}
	defer rows.Close()
	var out []*order.Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: orders holding stock: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
