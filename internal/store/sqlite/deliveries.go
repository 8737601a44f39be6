package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ordergate/ordergate/internal/store"
)

// Delivery returns the delivery stored under dedupKey with its raw body
// exactly as the storefront sent and signed it, whether the row was written
// compressed or, before compression, as it came (compress.go). It is what
// replaying a delivery or checking its signature again reads; the body
// column itself is not the body any more.
func (s *Store) Delivery(ctx context.Context, dedupKey string) (store.Delivery, error) {
	d := store.Delivery{DedupKey: dedupKey}
	var received int64
	var body []byte
	err := s.read.QueryRowContext(ctx, `SELECT storefront, topic, delivery_id, order_id, received_at, body
		FROM deliveries WHERE dedup_key = ?`, dedupKey).
		Scan(&d.Storefront, &d.Topic, &d.DeliveryID, &d.OrderID, &received, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("delivery %s: %w", dedupKey, store.ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("sqlite: read delivery %s: %w", dedupKey, err)
	}
	if d.Body, err = unpack(body); err != nil {
		return d, fmt.Errorf("sqlite: delivery %s: body: %w", dedupKey, err)
	}
	d.ReceivedAt = fromMicros(received)
	return d, nil
}
