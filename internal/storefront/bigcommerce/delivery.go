package bigcommerce

import (
	"bytes"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront"
)

// Delivery assembles the delivery of a callback once its order o has been
// fetched. body is the callback's raw body, kept for replay. The topic is
// the hook's own; prefer SnapshotDelivery, which also reads the fetched
// status.
func Delivery(storefrontName string, h Hook, o order.Order, body []byte) storefront.Delivery {
	d := storefront.Delivery{
		Storefront:  storefrontName,
		Kind:        Kind,
		Topic:       h.Topic,
		RawTopic:    h.Scope,
		DedupKey:    h.DedupKey,
		DeliveryID:  h.Hash,
		TriggeredAt: h.CreatedAt,
		Body:        bytes.Clone(body),
		Order:       o,
	}
	d.Order.Key.Storefront = storefrontName
	if d.Order.Key.ID == "" {
		d.Order.Key.ID = h.OrderID
	}
	if h.Topic == storefront.OrderCancelled {
		d.CancelReason = "cancelled in BigCommerce"
		if h.Status != nil {
			d.CancelReason = "status set to " + StatusName(h.Status.NewID) + " in BigCommerce"
		}
		d.CancelledAt = h.CreatedAt
	}
	return d
}

// SnapshotDelivery is Delivery with the topic decided by the order as
// fetched, which is newer than the callback: a fetched status of Cancelled
// or Declined makes any callback OrderCancelled (store/order/updated fires
// for a status change too, and may come first), and a callback that said
// "cancelled" about an order that is live again when fetched is an
// OrderUpdated, so that a stale cancel cannot cancel a restored order.
func SnapshotDelivery(storefrontName string, h Hook, s Snapshot, body []byte) storefront.Delivery {
	d := Delivery(storefrontName, h, s.Order, body)
	switch {
	case s.Cancelled():
		d.Topic = storefront.OrderCancelled
		d.CancelReason = "status " + StatusName(s.StatusID) + " in BigCommerce"
		if s.Status != "" && s.Status != StatusName(s.StatusID) {
			d.CancelReason += " (" + s.Status + ")"
		}
		d.CancelledAt = s.Order.SourceUpdatedAt
	case d.Topic == storefront.OrderCancelled:
		d.Topic = storefront.OrderUpdated
		d.CancelReason, d.CancelledAt = "", time.Time{}
	}
	return d
}
