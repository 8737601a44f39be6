// Package storefront holds what every storefront connector produces: a
// verified, decoded delivery. The connectors (shopify/, woocommerce/,
// bigcommerce/) verify signatures on the raw bytes and decode to order.Order.
package storefront

import (
	"context"
	"errors"
	"fmt"
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

// Notice is a verified webhook that names an order without carrying it
// (BigCommerce's callbacks hold only the id). The gate stores it under its
// own dedup key, answers 2xx, and fetches the order in a job.
type Notice struct {
	Storefront  string    // the configured storefront's name
	Kind        string    // bigcommerce, …
	RawTopic    string    // as the storefront named it, e.g. "store/order/created"
	DedupKey    string    // the same for every repeat of one event
	DeliveryID  string    // the storefront's id for this event, for logs
	OrderID     string    // the order it names, in decimal
	TriggeredAt time.Time // when the storefront fired it, if it says
	Body        []byte    // the raw body, which the Fetcher reads again
}

// Fetcher turns a stored notice into the delivery of its order, as the
// storefront holds the order now.
type Fetcher interface {
	// Fetch reads the notice's raw body and fetches the order. It returns
	// ErrSkip (wrapped, with the reason) when there is nothing to hand on,
	// ErrNotFound when the storefront does not know the order, and a
	// *ThrottledError when the storefront asked to wait. Any other error
	// is retried.
	Fetch(ctx context.Context, body []byte) (Delivery, error)
}

// Errors a Fetcher returns.
var (
	// ErrSkip says the notice names nothing to hand on: an abandoned
	// checkout rather than an order, say.
	ErrSkip = errors.New("nothing to ingest")
	// ErrNotFound says the storefront does not know the order.
	ErrNotFound = errors.New("order not found in the storefront")
)

// ThrottledError says the storefront asked the caller to wait RetryAfter
// before the next request.
type ThrottledError struct {
	RetryAfter time.Duration
	Err        error
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("throttled by the storefront, retry after %v: %v", e.RetryAfter, e.Err)
}

func (e *ThrottledError) Unwrap() error { return e.Err }

// Lister lists a storefront's orders created or changed since a time, each
// as a delivery the gate can ingest — OrderCreated, or OrderCancelled when
// the storefront has cancelled it — for reconciliation and backfill, since
// no storefront guarantees its webhooks. Orders that are not orders yet
// (abandoned checkouts, drafts) are left out.
type Lister interface {
	ListDeliveries(ctx context.Context, since time.Time, fn func(Delivery) error) error
}

// ListedBody is the body stored with a delivery built from a listing, which
// has no webhook body of its own: where it came from, for the record.
func ListedBody(source, orderID string, updated time.Time) []byte {
	return fmt.Appendf(nil, `{"source":%q,"order_id":%q,"updated_at":%q}`, source, orderID, updated.UTC().Format(time.RFC3339Nano))
}
