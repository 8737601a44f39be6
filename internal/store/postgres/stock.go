package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/ordergate/ordergate/internal/order"
)

// Holding implements store.Store. The first half reads the orders_state
// index; the second the partial orders_acknowledged index.
func (s *Store) Holding(ctx context.Context, ackedSince time.Time) ([]*order.Order, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+orderColumns+` FROM orders WHERE state IN ('received', 'submitted')
		UNION ALL
		SELECT `+orderColumns+` FROM orders WHERE acknowledged_at IS NOT NULL AND acknowledged_at >= $1 AND state IN ('acknowledged', 'confirmed')`,
		micro(ackedSince))
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
