// Package storefront holds what every storefront connector produces: a
// verified, decoded delivery. The connectors (shopify/, woocommerce/,
// bigcommerce/) verify signatures on the raw bytes and decode to order.Order.
package storefront

import (
	"time"

	"github.com/ordergate/ordergate/internal/order"
)

// Topic is what happened to the order, normalised across storefronts.
type Topic string

// The topics the gate acts on.
const (
	OrderCreated   Topic = "order_created"
	OrderUpdated   Topic = "order_updated"
	OrderCancelled Topic = "order_cancelled"
)

// Delivery is one verified webhook delivery.
type Delivery struct {
	Storefront  string    // the configured storefront's name
	Kind        string    // shopify, woocommerce, bigcommerce
	Topic       Topic     // normalised
	RawTopic    string    // as the storefront named it, e.g. "orders/create"
	DedupKey    string    // the same for every repeat of one event
	DeliveryID  string    // the storefront's id for this delivery, for logs
	TriggeredAt time.Time // when the storefront fired it, if it says
	Body        []byte    // the raw body, kept for replay
	Order       order.Order

	// CancelReason and CancelledAt are the storefront's own cancellation
	// details, set whenever the payload carries them (always on an
	// OrderCancelled delivery; an update may carry them too).
	CancelReason string
	CancelledAt  time.Time
}
