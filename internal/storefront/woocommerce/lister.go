package woocommerce

import (
	"context"
	"time"

	"github.com/ordergate/ordergate/internal/storefront"
)

// ListDeliveries implements storefront.Lister: every order modified since
// since, as ListSnapshotsModifiedSince finds them, as deliveries (see
// Snapshot.Delivery). Drafts — a checkout not yet placed — are left out,
// as WooCommerce's own webhooks leave them out.
func (c *Client) ListDeliveries(ctx context.Context, since time.Time, fn func(storefront.Delivery) error) error {
	return c.ListSnapshotsModifiedSince(ctx, since, func(s Snapshot) error {
		switch s.Status {
		case "checkout-draft", "auto-draft", "draft":
			return nil
		}
		return fn(s.Delivery())
	})
}

var _ storefront.Lister = (*Client)(nil)
