package shopify

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
const Kind = "shopify"

// Errors Parse returns (wrapped), for the HTTP layer to branch on.
var (
	// ErrMissingHeader means a header Shopify always sends is absent; the
	// message names it.
	ErrMissingHeader = errors.New("missing header")
	// ErrUnsupportedTopic means the delivery is for a topic the gate does
	// not act on. It is not a failure of the sender.
	ErrUnsupportedTopic = errors.New("unsupported topic")
	// ErrMalformed means the body is not an order Shopify would send:
	// invalid JSON, no id, a price that is not a decimal, and so on.
	ErrMalformed = errors.New("malformed order payload")
)

// topics maps Shopify's topic names to the gate's.
var topics = map[string]storefront.Topic{
	"orders/create":    storefront.OrderCreated,
	"orders/updated":   storefront.OrderUpdated,
	"orders/cancelled": storefront.OrderCancelled,
}

// required are the headers Shopify's own SDK refuses a delivery without.
var required = []string{HeaderTopic, HeaderShopDomain, HeaderAPIVersion, HeaderWebhookID}

// Parse decodes a webhook delivery for the storefront configured as
// storefrontName. It does not verify the signature: the caller runs Verify on
// the same raw bytes first.
//
// The dedup key is shop domain, topic and X-Shopify-Event-Id (which every
// delivery caused by one merchant action shares), falling back to
// X-Shopify-Webhook-Id when the event id is absent.
func Parse(storefrontName string, h http.Header, body []byte) (storefront.Delivery, error) {
	for _, name := range required {
		if header(h, name) == "" {
			return storefront.Delivery{}, fmt.Errorf("shopify: %w: %s", ErrMissingHeader, name)
		}
	}
	raw := header(h, HeaderTopic)
	topic, ok := topics[raw]
	if !ok {
		return storefront.Delivery{}, fmt.Errorf("shopify: %w: %q", ErrUnsupportedTopic, raw)
	}
	shop, webhookID := header(h, HeaderShopDomain), header(h, HeaderWebhookID)
	event := header(h, HeaderEventID)
	if event == "" {
		event = webhookID
	}
	p, err := decode(body)
	if err != nil {
		return storefront.Delivery{}, fmt.Errorf("shopify: %s delivery %s: %w", raw, webhookID, err)
	}
	o, err := p.order(storefrontName)
	if err != nil {
		return storefront.Delivery{}, fmt.Errorf("shopify: %s delivery %s: %w", raw, webhookID, err)
	}
	// The topic header is not signed; the body is. A cancellation must be
	// a cancelled order's body, so that an authentic body of any other
	// delivery, replayed under orders/cancelled, cannot cancel its order.
	if topic == storefront.OrderCancelled && p.CancelledAt.t.IsZero() {
		return storefront.Delivery{}, fmt.Errorf("shopify: %s delivery %s: %w: order %s has no cancelled_at", raw, webhookID, ErrMalformed, o.Key.ID)
	}
	return storefront.Delivery{
		Storefront:   storefrontName,
		Kind:         Kind,
		Topic:        topic,
		RawTopic:     raw,
		DedupKey:     shop + "|" + raw + "|" + event,
		DeliveryID:   webhookID,
		TriggeredAt:  triggeredAt(header(h, HeaderTriggeredAt)),
		Body:         bytes.Clone(body),
		Order:        o,
		CancelReason: p.CancelReason,
		CancelledAt:  p.CancelledAt.t,
	}, nil
}

// triggeredAt reads X-Shopify-Triggered-At. The header is informational (it
// dates a retried payload), so a value in an unexpected shape leaves the
// time zero rather than refusing an otherwise good delivery.
func triggeredAt(v string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t
		}
	}
	return time.Time{}
}
