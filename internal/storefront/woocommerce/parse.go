package woocommerce

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ordergate/ordergate/internal/storefront"
)

// Kind is the storefront kind this package handles, as set on every
// Delivery it returns.
const Kind = "woocommerce"

// Errors Parse and DecodeOrder return (wrapped), for the HTTP layer to
// branch on.
var (
	// ErrMissingHeader means a header WooCommerce always sends is absent;
	// the message names it.
	ErrMissingHeader = errors.New("missing header")
	// ErrUnsupportedTopic means the delivery is for a topic the gate does
	// not act on. It is not a failure of the sender.
	ErrUnsupportedTopic = errors.New("unsupported topic")
	// ErrMalformed means the body is not an order WooCommerce would send:
	// invalid JSON, no id, a total that is not a decimal, and so on.
	ErrMalformed = errors.New("malformed order payload")
)

// topics maps WooCommerce's topic names to the gate's. order.deleted fires
// when an order is moved to the trash (hooks wp_trash_post and
// woocommerce_trash_order); an order deleted for good, bypassing the
// trash, sends no webhook at all. order.restored (out of the trash) is not
// acted on: a cancellation in the gateway is final.
var topics = map[string]storefront.Topic{
	"order.created": storefront.OrderCreated,
	"order.updated": storefront.OrderUpdated,
	"order.deleted": storefront.OrderCancelled,
}

// required are the headers the dedup key is made of.
var required = []string{HeaderTopic, HeaderSource, HeaderID}

// Parse decodes a webhook delivery for the storefront configured as
// storefrontName. It does not verify the signature: the caller runs IsPing
// and then Verify on the same raw bytes first.
//
// Topics: order.created is OrderCreated and order.updated OrderUpdated,
// except that an order whose status is "cancelled" or "trash" in the
// payload is OrderCancelled whichever of the two carried it. WooCommerce
// has no cancel topic: a merchant's cancellation arrives only as an
// order.updated with status "cancelled", and since the payload is built
// when the delivery is sent (in the background, up to minutes later), even
// an order.created may already show it. Taken as a mere update, such an
// order would still go to the ERP and be confirmed to the customer.
// CancelledAt is then the order's date_modified_gmt (WooCommerce records no
// cancellation time). order.deleted (the order was trashed) is
// OrderCancelled too; its body is only {"id": …}, so the Order carries
// nothing but its key, and CancelledAt is zero.
//
// The dedup key is source|webhook id|order id|topic|date_modified_gmt:
// X-WC-Webhook-Delivery-ID is a fresh hash on every send, so it cannot
// tell a repeat. WooCommerce does not retry; repeats come from two
// webhooks on one topic, a replay, or two sends of one unchanged order.
func Parse(storefrontName string, h http.Header, body []byte) (storefront.Delivery, error) {
	for _, name := range required {
		if header(h, name) == "" {
			return storefront.Delivery{}, fmt.Errorf("woocommerce: %w: %s", ErrMissingHeader, name)
		}
	}
	raw := header(h, HeaderTopic)
	topic, ok := topics[raw]
	if !ok {
		return storefront.Delivery{}, fmt.Errorf("woocommerce: %w: %q", ErrUnsupportedTopic, raw)
	}
	deliveryID := header(h, HeaderDeliveryID)
	p, err := decode(body)
	if err != nil {
		return storefront.Delivery{}, fmt.Errorf("woocommerce: %s delivery %s: %w", raw, deliveryID, err)
	}
	o, err := p.order(storefrontName)
	if err != nil {
		return storefront.Delivery{}, fmt.Errorf("woocommerce: %s delivery %s: %w", raw, deliveryID, err)
	}
	d := storefront.Delivery{
		Storefront: storefrontName,
		Kind:       Kind,
		Topic:      topic,
		RawTopic:   raw,
		DedupKey:   header(h, HeaderSource) + "|" + header(h, HeaderID) + "|" + o.Key.ID + "|" + raw + "|" + p.DateModifiedGMT.raw,
		DeliveryID: deliveryID,
		Body:       bytes.Clone(body),
		Order:      o,
	}
	if topic == storefront.OrderCancelled {
		// order.deleted's body is only {"id": …}, and the topic header
		// is not signed: an authentic body of a live order, replayed
		// under order.deleted, must not cancel it.
		if p.Status != "" && p.Status != "trash" && p.Status != "cancelled" {
			return storefront.Delivery{}, fmt.Errorf("woocommerce: %s delivery %s: %w: order %s has status %q; order.deleted carries only the id of a trashed order", raw, deliveryID, ErrMalformed, o.Key.ID, p.Status)
		}
		d.CancelReason = "trashed in WooCommerce (order.deleted)"
	} else if reason, at, ok := cancelledBy(p.Status, p.DateModifiedGMT.t); ok {
		d.Topic, d.CancelReason, d.CancelledAt = storefront.OrderCancelled, reason, at
	}
	return d, nil
}

// cancelledBy reports whether an order's status says it is cancelled,
// with the reason to record and the time to give (WooCommerce records no
// cancellation time: the last modification is the nearest).
func cancelledBy(status string, modified time.Time) (reason string, at time.Time, ok bool) {
	switch status {
	case "cancelled":
		return "cancelled in WooCommerce (status cancelled)", modified, true
	case "trash":
		return "trashed in WooCommerce (status trash)", modified, true
	}
	return "", time.Time{}, false
}
