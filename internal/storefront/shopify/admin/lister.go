package admin

import (
	"context"
	"time"

	"github.com/ordergate/ordergate/internal/storefront"
	"github.com/ordergate/ordergate/internal/storefront/shopify"
)

// ListDeliveries implements storefront.Lister: every order created or
// updated since since, as ListSnapshotsSince finds them, as deliveries.
func (c *Client) ListDeliveries(ctx context.Context, since time.Time, fn func(storefront.Delivery) error) error {
	return c.ListSnapshotsSince(ctx, since, func(s Snapshot) error { return fn(s.Delivery()) })
}

// Delivery returns the snapshot as a delivery the gate can ingest:
// OrderCreated, which the gate takes as the order when it has none and
// merges by updated_at when it has, or OrderCancelled when Shopify has
// cancelled the order. Its dedup key is admin|storefront|id|updated_at, so
// listing the same version twice is a duplicate.
func (s Snapshot) Delivery() storefront.Delivery {
	o := s.Order
	updated := o.SourceUpdatedAt.UTC().Format(time.RFC3339Nano)
	d := storefront.Delivery{
		Storefront: o.Key.Storefront, Kind: shopify.Kind, Topic: storefront.OrderCreated, RawTopic: "admin_api",
		DedupKey: "admin|" + o.Key.Storefront + "|" + o.Key.ID + "|" + updated, DeliveryID: "graphql orders",
		Body: storefront.ListedBody("shopify admin api", o.Key.ID, o.SourceUpdatedAt), Order: o,
	}
	if s.Cancelled() {
		d.Topic, d.CancelledAt = storefront.OrderCancelled, s.CancelledAt
		d.CancelReason = "cancelled in Shopify"
		if s.CancelReason != "" {
			d.CancelReason += " (" + s.CancelReason + ")"
		}
	}
	return d
}

var _ storefront.Lister = (*Client)(nil)
