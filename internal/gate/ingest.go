package gate

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/storefront"
)

// Ingest stores a verified delivery and applies it to its order in one
// transaction, with the order's first job when it is new. It returns only
// after the commit, so the caller may answer 2xx; an error means nothing was
// stored and the storefront must retry (5xx).
//
// Deliveries may come in any order and more than once: a repeat is recorded
// and ignored; an update before the create is taken as the order (Shopify's
// update carries the whole order); an older snapshot than the one held is
// discarded by its source timestamp; a cancel before the create stores the
// order already cancelled, so the late create cannot revive it.
func (g *Gate) Ingest(ctx context.Context, d storefront.Delivery) (store.IngestResult, error) {
	sf, ok := g.storefronts[d.Storefront]
	if !ok {
		return store.IngestResult{}, fmt.Errorf("gate: unknown storefront %q", d.Storefront)
	}
	now := g.now()
	src := d.Kind
	detail := d.RawTopic + " delivery " + d.DeliveryID
	rec := store.Delivery{
		DedupKey: d.DedupKey, Storefront: d.Storefront, Topic: d.RawTopic, DeliveryID: d.DeliveryID,
		OrderID: d.Order.Key.ID, ReceivedAt: now, Body: d.Body,
	}
	return g.store.Ingest(ctx, rec, func(tx store.Tx, existing *order.Order) (*order.Order, error) {
		switch d.Topic {
		case storefront.OrderCreated, storefront.OrderUpdated:
			if existing != nil {
				existing.Merge(d.Order, src, now)
				return existing, nil
			}
			o := order.New(d.Order, now, src, detail)
			if d.Topic == storefront.OrderUpdated {
				o.Record(order.Event{At: now, Kind: order.EventNote, Source: src, Detail: "an update arrived before the create; its full order was taken"})
			}
			if err := tx.Enqueue(ctx, SubmitArgs{Storefront: d.Storefront, OrderID: o.Key.ID}, &river.InsertOpts{Queue: erpQueue(sf.ERP)}); err != nil {
				return nil, err
			}
			return o, nil
		case storefront.OrderCancelled:
			reason := d.CancelReason
			if reason == "" {
				reason = "cancelled in the storefront"
			}
			if existing == nil {
				o := order.New(d.Order, now, src, detail)
				if err := o.Cancel(reason, src, now); err != nil {
					return nil, err
				}
				return o, nil
			}
			was := existing.State()
			if err := existing.Cancel(reason, src, now); err != nil {
				existing.Record(order.Event{At: now, Kind: order.EventNote, Source: src, Detail: "cancellation not applied", Error: err.Error()})
				return existing, nil
			}
			if was != order.Received && existing.ERPRef != "" {
				existing.Flag(fmt.Sprintf("cancelled in the storefront after the ERP took it as %s: cancel it in the ERP", existing.ERPRef), "gate", now)
			}
			return existing, nil
		}
		return nil, fmt.Errorf("gate: topic %q not handled", d.Topic)
	})
}
