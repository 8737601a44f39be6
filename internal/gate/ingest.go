package gate

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/storefront"
)

// Ingest stores a verified delivery and applies it to its order in one
// transaction, with the jobs it starts. It returns only after the commit, so
// the caller may answer 2xx; an error means nothing was stored and the
// storefront must retry (5xx).
//
// Deliveries may come in any order and more than once: a repeat is recorded
// and ignored; an update before the create is taken as the order (Shopify's
// update carries the whole order); an older snapshot than the one held is
// discarded by its source timestamp; a cancel before the create stores the
// order already cancelled, so the late create cannot revive it and nothing
// reaches the ERP; a cancel after the ERP may have the order cancels it
// there too, and no confirmation follows.
func (g *Gate) Ingest(ctx context.Context, d storefront.Delivery) (store.IngestResult, error) {
	if _, ok := g.storefronts[d.Storefront]; !ok {
		return store.IngestResult{}, fmt.Errorf("gate: unknown storefront %q", d.Storefront)
	}
	set := g.rolloutFor(ctx, g.storefronts[d.Storefront])
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
			assignCohort(o, set, now)
			if o.Legacy() {
				return o, g.startShadow(ctx, tx, o)
			}
			if gaps := gaps(o, g.storefronts[d.Storefront].Silent); gaps != "" {
				o.Flag(gaps, "gate", now)
			}
			if err := g.enqueueTag(ctx, tx, o); err != nil {
				return nil, err
			}
			return o, g.start(ctx, tx, o, Mode(set.Mode))
		case storefront.OrderCancelled:
			reason := d.CancelReason
			if reason == "" {
				reason = "cancelled in the storefront"
			}
			if existing == nil {
				o := order.New(d.Order, now, src, detail)
				o.Record(order.Event{At: now, Kind: order.EventNote, Source: src, Detail: "a cancel arrived before the create; the order is held cancelled and never goes to the erp"})
				assignCohort(o, set, now)
				if err := o.Cancel(reason, src, now); err != nil {
					return nil, err
				}
				return o, nil
			}
			return existing, g.cancel(ctx, tx, existing, reason, src)
		}
		return nil, fmt.Errorf("gate: topic %q not handled", d.Topic)
	})
}

// start enqueues a new order's jobs: the ERP submit, the pending notice and
// the delay notice in ack_gated mode, and the SLA check.
//
// mode is the mode in effect, which a runtime setting may have changed.
func (g *Gate) start(ctx context.Context, tx store.Tx, o *order.Order, mode Mode) error {
	sf := g.storefronts[o.Key.Storefront]
	if err := g.enqueueSubmit(ctx, tx, o); err != nil {
		return err
	}
	if mode == ModeAckGated {
		if err := g.enqueueNotify(ctx, tx, o, notify.Pending, time.Time{}); err != nil {
			return err
		}
		if sf.StillWorkingAfter > 0 {
			if err := g.enqueueNotify(ctx, tx, o, notify.Delay, o.ReceivedAt.Add(sf.StillWorkingAfter)); err != nil {
				return err
			}
		}
	}
	if sf.SLA > 0 {
		return tx.Enqueue(ctx, OverdueArgs{Storefront: o.Key.Storefront, OrderID: o.Key.ID},
			&river.InsertOpts{Queue: notifyQueue, ScheduledAt: o.ReceivedAt.Add(sf.SLA)})
	}
	return nil
}

// cancel cancels an order the gateway holds, and in the ERP if the ERP may
// have it: an attempt to submit has begun, or the ERP gave it a ref. A
// cancel of an order already settled otherwise (rejected, cancelled) is
// recorded and changes nothing.
func (g *Gate) cancel(ctx context.Context, tx store.Tx, o *order.Order, reason, source string) error {
	now := g.now()
	if err := o.Cancel(reason, source, now); err != nil {
		o.Record(order.Event{At: now, Kind: order.EventNote, Source: source, Detail: "cancellation not applied", Error: err.Error()})
		return nil
	}
	if o.Attempts == 0 && o.ERPRef == "" {
		return nil // never left the gateway
	}
	if o.Legacy() {
		o.Record(order.Event{At: now, Kind: order.EventNote, Source: "gate", Detail: "legacy cohort: the legacy flow cancels it in the erp, not the gate"})
		return nil
	}
	o.Record(order.Event{At: now, Kind: order.EventERPCancel, Source: "gate", Detail: "the erp may hold the order: cancelling it there"})
	return g.enqueueERPCancel(ctx, tx, o, reason)
}

// gaps names what a new order lacks that someone must supply — a customer
// e-mail address (no message can reach the customer), a shipping address
// (the ERP order will not say where to ship) — or returns "". The order
// still goes to the ERP: the ERP validates its stock either way, and an
// operator can fix the address there.
//
// A silent storefront's customers hear from the channel itself (a
// marketplace tells its buyers), so a missing e-mail address is no gap
// there.
func gaps(o *order.Order, silent bool) string {
	var out []string
	if !silent && strings.TrimSpace(o.Customer.Email) == "" {
		out = append(out, "no customer e-mail address: the customer cannot be told of the order")
	}
	if o.NeedsShipping {
		if m := o.ShipTo.Missing(); m != "" {
			out = append(out, "incomplete shipping address ("+m+"): add it to the order in the erp")
		}
	}
	return strings.Join(out, "; ")
}
