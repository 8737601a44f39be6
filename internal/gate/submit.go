package gate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// submitWorker hands an order to its ERP exactly once.
//
// Each attempt is committed to the timeline before the ERP is called. Any
// attempt after the first — a retry, or the rerun of a job a crash
// interrupted between the ERP's reply and our commit — looks the order up in
// the ERP by its external id before creating it, so an order the ERP already
// holds is never created twice (invariant I2).
type submitWorker struct {
	worker[SubmitArgs]
}

func (w *submitWorker) Work(ctx context.Context, job *river.Job[SubmitArgs]) error {
	g := w.g
	key := keyOf(job.Args.Storefront, job.Args.OrderID)
	sf := g.storefronts[key.Storefront]
	client := g.client(sf)

	var snapshot order.Order
	attempt, skip := 0, false
	var busy time.Duration
	err := g.store.Update(ctx, key, func(tx store.Tx, o *order.Order) error {
		if o.State() != order.Received {
			skip = true // done by an earlier run, or cancelled
			return nil
		}
		if o.Legacy() {
			skip = true // never: the legacy flow puts it in the erp
			o.Record(order.Event{At: g.now(), Kind: order.EventNote, Source: "gate", Detail: "legacy cohort: not submitted; the legacy flow puts it in the erp"})
			return nil
		}
		now := g.now()
		if o.SubmitLease.After(now) {
			busy = o.SubmitLease.Sub(now) // another submit is calling the erp
			return nil
		}
		o.SubmitLease = now.Add(g.cfg.JobTimeout)
		o.Attempts++
		attempt = o.Attempts
		o.Record(order.Event{At: g.now(), Kind: order.EventSubmitAttempt, Source: "gate", Attempt: attempt, Detail: "erp " + sf.ERP})
		snapshot = *o
		return nil
	})
	if err != nil || skip {
		return err
	}
	if busy > 0 {
		return river.JobSnooze(busy)
	}

	var notes []order.Event
	var rec erp.Receipt
	found := false
	if attempt > 1 {
		rec, err = client.Lookup(ctx, key.ExternalID())
		switch {
		case err == nil && rec.Status == erp.StatusIncomplete:
			notes = append(notes, order.Event{At: g.now(), Kind: order.EventLookup, Source: "erp", Attempt: attempt,
				Detail: "found " + rec.Ref + " half-made by an earlier attempt; finishing it"})
		case err == nil:
			found = true
			notes = append(notes, order.Event{At: g.now(), Kind: order.EventLookup, Source: "erp", Attempt: attempt,
				Detail: "found " + rec.Ref + " from an earlier attempt; not created again"})
		case errors.Is(err, erp.ErrNotFound):
			notes = append(notes, order.Event{At: g.now(), Kind: order.EventLookup, Source: "erp", Attempt: attempt,
				Detail: "not in the erp; creating"})
		default:
			return w.failed(ctx, job, key, attempt, nil, fmt.Errorf("look up before retry: %w", err))
		}
	}
	if !found {
		rec, err = client.Submit(ctx, snapshot)
		if err != nil {
			return w.failed(ctx, job, key, attempt, notes, err)
		}
	}
	rctx, cancel := recording(ctx)
	defer cancel()
	return g.update(rctx, key, func(tx store.Tx, o *order.Order) error {
		o.SubmitLease = time.Time{}
		for _, n := range notes {
			o.Record(n)
		}
		return g.applyReceipt(rctx, tx, o, rec, sf)
	})
}

// failed records a failed attempt and decides what River does next.
func (w *submitWorker) failed(ctx context.Context, job *river.Job[SubmitArgs], key order.Key, attempt int, notes []order.Event, cause error) error {
	g := w.g
	rejected := errors.Is(cause, erp.ErrRejected)
	last := job.Attempt >= job.MaxAttempts
	ctx, cancel := recording(ctx)
	defer cancel()
	err := g.update(ctx, key, func(tx store.Tx, o *order.Order) error {
		o.SubmitLease = time.Time{}
		for _, n := range notes {
			o.Record(n)
		}
		now := g.now()
		if o.State() == order.Cancelled && !rejected && !errors.Is(cause, erp.ErrThrottled) {
			// Cancelled while this create was in flight, and the create
			// may have landed: cancel whatever it made. The retry will
			// skip the cancelled order, so this is the last chance.
			o.Record(order.Event{At: now, Kind: order.EventSubmitFailed, Source: "erp", Attempt: attempt, Error: cause.Error()})
			o.Record(order.Event{At: now, Kind: order.EventERPCancel, Source: "gate",
				Detail: "cancelled while a create was in flight whose outcome is unknown: cancelling whatever it made"})
			return g.enqueueERPCancel(ctx, tx, o, o.Reason)
		}
		if rejected {
			return g.reject(ctx, tx, o, cause.Error())
		}
		o.Record(order.Event{At: now, Kind: order.EventSubmitFailed, Source: "erp", Attempt: attempt, Error: cause.Error()})
		if errors.Is(cause, erp.ErrThrottled) {
			o.Record(order.Event{At: now, Kind: order.EventNote, Source: "gate", Attempt: attempt,
				Detail: fmt.Sprintf("throttled by the erp: waiting %s; this does not count against the order's retries", throttleWait(g, cause).Round(time.Millisecond))})
		}
		if errors.Is(cause, erp.ErrAuth) && o.Attention == "" {
			// Every order will fail the same way until the config is fixed;
			// say so plainly, and keep retrying so the backlog drains by
			// itself once it is.
			o.Flag("the erp refused the gateway's credentials: fix the erp's credentials in the config and restart", "gate", now)
		}
		if last && !errors.Is(cause, erp.ErrThrottled) {
			o.Flag(fmt.Sprintf("erp submit failed %d times; last error: %v", job.Attempt, cause), "gate", now)
		}
		return nil
	})
	if err != nil {
		return err
	}
	switch {
	case rejected:
		return nil
	case errors.Is(cause, erp.ErrThrottled):
		return river.JobSnooze(throttleWait(g, cause))
	}
	return cause
}

// throttleWait is how long to wait after a throttle: what the ERP asked for,
// or the first backoff step.
func throttleWait(g *Gate, cause error) time.Duration {
	if wait := erp.RetryAfter(cause); wait > 0 {
		return wait
	}
	return g.backoff(1)
}

// applyReceipt moves the order on from what the ERP holds for it. It is
// the one place an acknowledgment lands, whether it came in the create's
// reply, by the ERP's callback or by polling.
func (g *Gate) applyReceipt(ctx context.Context, tx store.Tx, o *order.Order, rec erp.Receipt, sf Storefront) error {
	now := g.now()
	if o.State() == order.Received {
		if err := o.Submit(rec.Ref, now); err != nil {
			return err
		}
	}
	if o.State() != order.Submitted {
		if o.ERPRef == "" {
			o.ERPRef = rec.Ref
		}
		if o.State() == order.Cancelled && rec.Status != erp.StatusCancelled {
			// Cancelled while the ERP call was in flight: the ERP holds
			// an order the storefront no longer wants.
			o.Record(order.Event{At: now, Kind: order.EventERPCancel, Source: "gate",
				Detail: fmt.Sprintf("the erp took the order as %s after it was cancelled: cancelling it there", rec.Ref)})
			return g.enqueueERPCancel(ctx, tx, o, o.Reason)
		}
		return nil
	}
	switch rec.Status {
	case erp.StatusAcknowledged:
		ack := rec.Ack()
		if ack.ShipBy.IsZero() && sf.LeadTime > 0 {
			ack.ShipBy = now.Add(sf.LeadTime).Truncate(time.Second)
		}
		if err := o.Acknowledge(ack, now); err != nil {
			return err
		}
		short := o.ShortLines()
		if len(short) == 0 {
			return g.enqueueNotify(ctx, tx, o, notify.Confirmation, time.Time{})
		}
		what := describeShort(short)
		if sf.Shortfall == ShortfallBackorder {
			o.Record(order.Event{At: now, Kind: order.EventNote, Source: "gate", Detail: "confirming as a backorder: " + what})
			return g.enqueueNotify(ctx, tx, o, notify.Confirmation, time.Time{})
		}
		o.Flag(heldForShortfall+" ("+what+"): release it to confirm it as it stands, or cancel it", "gate", now)
		return g.enqueueNotify(ctx, tx, o, notify.Problem, time.Time{})
	case erp.StatusRejected:
		return g.reject(ctx, tx, o, rec.Reason)
	case erp.StatusCancelled:
		return o.Cancel("cancelled in the erp as "+rec.Ref, "erp", now)
	default:
		o.Record(order.Event{At: now, Kind: order.EventAckPending, Source: "erp", Detail: rec.Ref + " recorded; waiting for the erp to validate it"})
		return g.enqueueAwaitAck(ctx, tx, o, now.Add(g.cfg.AckPoll))
	}
}

// describeShort says which lines fall short, e.g. "SKU-1: 1 of 3
// backordered; SKU-2: unknown to the erp".
func describeShort(lines []order.LineItem) string {
	var parts []string
	for _, l := range lines {
		v := 0
		if l.Validated != nil {
			v = *l.Validated
		}
		switch l.Short {
		case order.ShortUnknownSKU:
			parts = append(parts, fmt.Sprintf("%s: unknown to the erp", l.SKU))
		default:
			parts = append(parts, fmt.Sprintf("%s: %d of %d backordered", l.SKU, l.Quantity-v, l.Quantity))
		}
	}
	return strings.Join(parts, "; ")
}

// reject records the ERP's refusal, holds the order for an operator and
// tells the customer. An order the ERP refused from a state that cannot be
// rejected (already cancelled) only gets the note.
func (g *Gate) reject(ctx context.Context, tx store.Tx, o *order.Order, reason string) error {
	now := g.now()
	if err := o.Reject(reason, now); err != nil {
		o.Record(order.Event{At: now, Kind: order.EventNote, Source: "erp", Detail: "erp rejected the order: " + reason, Error: err.Error()})
		return nil
	}
	o.Flag("rejected by the erp: fix the cause in the erp and replay the order, or cancel it", "gate", now)
	return g.enqueueNotify(ctx, tx, o, notify.Problem, time.Time{})
}

// ErrUnknownOrder is returned by Acknowledged for a receipt of no order the
// gateway holds.
var ErrUnknownOrder = errors.New("no such order")

// Acknowledged applies a receipt the ERP sent by its callback (POST
// /erp/{erp}/ack, signature already checked). It is idempotent: a receipt for
// an order already past submitted only lands on the timeline.
func (g *Gate) Acknowledged(ctx context.Context, erpName string, rec erp.Receipt) error {
	key, err := g.keyForExternalID(ctx, erpName, rec.ExternalID)
	if err != nil {
		return fmt.Errorf("gate: erp %s acknowledged %q: %w", erpName, rec.ExternalID, err)
	}
	sf := g.storefronts[key.Storefront]
	err = g.update(ctx, key, func(tx store.Tx, o *order.Order) error {
		now := g.now()
		o.Record(order.Event{At: now, Kind: order.EventNote, Source: "erp",
			Detail: fmt.Sprintf("callback: %s is %s", rec.Ref, rec.Status)})
		switch o.State() {
		case order.Received, order.Submitted:
			if rec.Status == erp.StatusPending {
				return nil // the poll already scheduled goes on
			}
			return g.applyReceipt(ctx, tx, o, rec, sf)
		case order.Cancelled:
			return g.applyReceipt(ctx, tx, o, rec, sf)
		}
		return nil
	})
	if err != nil {
		return err
	}
	g.log.Info("erp callback applied", orderAttrs(key, "erp", erpName, "erp_ref", rec.Ref, "receipt_status", rec.Status)...)
	return nil
}

// keyForExternalID finds the order an ERP's external id names. Storefront
// names may contain '-', so "og-a-b-1" could be storefront "a" or "a-b";
// each storefront handing orders to erpName whose prefix fits is tried.
// ErrUnknownOrder if none holds it; a store failure is returned as it is.
func (g *Gate) keyForExternalID(ctx context.Context, erpName, ext string) (order.Key, error) {
	for name, sf := range g.storefronts {
		prefix := order.Key{Storefront: name}.ExternalID()
		if sf.ERP != erpName || !strings.HasPrefix(ext, prefix) || len(ext) == len(prefix) {
			continue
		}
		key := order.Key{Storefront: name, ID: ext[len(prefix):]}
		_, err := g.store.Get(ctx, key)
		if err == nil {
			return key, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return order.Key{}, err // the store failed: not the same as no order
		}
	}
	return order.Key{}, ErrUnknownOrder
}

// awaitAckWorker polls the ERP for an order it took but had not validated.
type awaitAckWorker struct {
	worker[AwaitAckArgs]
}

func (w *awaitAckWorker) Work(ctx context.Context, job *river.Job[AwaitAckArgs]) error {
	g := w.g
	key := keyOf(job.Args.Storefront, job.Args.OrderID)
	o, err := g.store.Get(ctx, key)
	if err != nil {
		return err
	}
	if o.State() != order.Submitted {
		return nil
	}
	sf := g.storefronts[key.Storefront]
	rec, err := g.client(sf).Lookup(ctx, key.ExternalID())
	if err != nil {
		cause := fmt.Errorf("await acknowledgment of %s: %w", key, err)
		last := job.Attempt >= job.MaxAttempts
		if uerr := g.store.Update(ctx, key, func(tx store.Tx, o *order.Order) error {
			now := g.now()
			o.Record(order.Event{At: now, Kind: order.EventNote, Source: "erp", Attempt: job.Attempt,
				Detail: "could not read the acknowledgment", Error: err.Error()})
			if last {
				o.Flag(fmt.Sprintf("the erp holds %s but its acknowledgment could not be read after %d tries; last error: %v", o.ERPRef, job.Attempt, err), "gate", now)
			}
			return nil
		}); uerr != nil {
			return uerr
		}
		if errors.Is(err, erp.ErrThrottled) {
			return river.JobSnooze(max(erp.RetryAfter(err), g.cfg.AckPoll))
		}
		return cause
	}
	if rec.Status == erp.StatusIncomplete {
		// The create stopped part-way and will not finish by itself; the
		// client's Submit finishes it without making a second.
		if rec, err = g.client(sf).Submit(ctx, *o); err != nil {
			return fmt.Errorf("finish the half-made create of %s: %w", key, err)
		}
	}
	if rec.Status == erp.StatusPending || rec.Status == erp.StatusIncomplete {
		return river.JobSnooze(g.cfg.AckPoll)
	}
	return g.update(ctx, key, func(tx store.Tx, o *order.Order) error {
		if o.State() != order.Submitted {
			return nil
		}
		return g.applyReceipt(ctx, tx, o, rec, sf)
	})
}
