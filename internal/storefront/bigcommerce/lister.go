package bigcommerce

import (
	"context"
	"time"

	"github.com/ordergate/ordergate/internal/storefront"
)

// ListDeliveries implements storefront.Lister: every order modified since
// since, as EachModifiedSince finds them, as deliveries; Incomplete orders
// (abandoned checkouts) are left out.
func (c *Client) ListDeliveries(ctx context.Context, since time.Time, fn func(storefront.Delivery) error) error {
	return c.EachModifiedSince(ctx, since, func(s Snapshot) error {
		if s.Incomplete() {
			return nil
		}
		return fn(s.Delivery())
	})
}

// Delivery returns the snapshot as a delivery the gate can ingest:
// OrderCreated, or OrderCancelled when its status cancels it (see
// SnapshotDelivery). Its dedup key is api|storefront|id|date_modified.
func (s Snapshot) Delivery() storefront.Delivery {
	o := s.Order
	modified := o.SourceUpdatedAt.UTC().Format(time.RFC3339)
	h := Hook{
		Storefront: o.Key.Storefront, Scope: "api", Topic: storefront.OrderCreated, OrderID: o.Key.ID,
		Hash: "GET /v2/orders", CreatedAt: o.SourceUpdatedAt,
		DedupKey: "api|" + o.Key.Storefront + "|" + o.Key.ID + "|" + modified,
	}
	return SnapshotDelivery(o.Key.Storefront, h, s, storefront.ListedBody("bigcommerce v2 api", o.Key.ID, o.SourceUpdatedAt))
}

var _ storefront.Lister = (*Client)(nil)
