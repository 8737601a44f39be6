package gate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/ordergate/ordergate/internal/erp"
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
	client := g.cfg.ERPs[sf.ERP].Client

	var snapshot order.Order
	attempt, skip := 0, false
	err := g.store.Update(ctx, key, func(tx store.Tx, o *order.Order) error {
		if o.State() != order.Received {
			skip = true // done by an earlier run, or cancelled
			return nil
		}
		o.Attempts++
		attempt = o.Attempts
		o.Record(order.Event{At: g.now(), Kind: order.EventSubmitAttempt, Source: "gate", Attempt: attempt, Detail: "erp " + sf.ERP})
		snapshot = *o
		return nil
	})
	if err != nil || skip {
		return err
	}

	var notes []order.Event
	var rec erp.Receipt
	found := false
	if attempt > 1 {
		rec, err = client.Lookup(ctx, key.ExternalID())
		switch {
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
	return g.store.Update(ctx, key, func(tx store.Tx, o *order.Order) error {
		for _, n := range notes {
			o.Record(n)
		}
		return g.applyReceipt(ctx, tx, o, rec, sf)
	})
}

// failed records a failed attempt and decides what River does next.
func (w *submitWorker) failed(ctx context.Context, job *river.Job[SubmitArgs], key order.Key, attempt int, notes []order.Event, cause error) error {
	g := w.g
	rejected := errors.Is(cause, erp.ErrRejected)
	last := job.Attempt >= job.MaxAttempts
	err := g.store.Update(ctx, key, func(tx store.Tx, o *order.Order) error {
		for _, n := range notes {
			o.Record(n)
		}
		now := g.now()
		if rejected {
			return rejectOrNote(o, cause.Error(), now)
		}
		o.Record(order.Event{At: now, Kind: order.EventSubmitFailed, Source: "erp", Attempt: attempt, Error: cause.Error()})
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
		wait := erp.RetryAfter(cause)
		if wait <= 0 {
			wait = g.backoff(1)
		}
		return river.JobSnooze(wait)
	}
	return cause
}

// applyReceipt moves the order on from what the ERP holds for it.
func (g *Gate) applyReceipt(ctx context.Context, tx store.Tx, o *order.Order, rec erp.Receipt, sf Storefront) error {
	now := g.now()
	if o.State() == order.Received {
		if err := o.Submit(rec.Ref, now); err != nil {
			return err
		}
	}
	if o.State() != order.Submitted {
		// Cancelled while the ERP call was in flight: the ERP holds an order
		// the storefront no longer wants.
		o.Flag(fmt.Sprintf("the erp took the order as %s after it was %s: cancel it in the erp", rec.Ref, o.State()), "gate", now)
		if o.ERPRef == "" {
			o.ERPRef = rec.Ref
		}
		return nil
	}
	switch rec.Status {
	case erp.StatusAcknowledged:
		if err := o.Acknowledge(rec.Ack(), now); err != nil {
			return err
		}
		return tx.Enqueue(ctx, ConfirmArgs{Storefront: o.Key.Storefront, OrderID: o.Key.ID}, &river.InsertOpts{Queue: notifyQueue})
	case erp.StatusRejected:
		return rejectOrNote(o, rec.Reason, now)
	default:
		o.Record(order.Event{At: now, Kind: order.EventAckPending, Source: "erp", Detail: rec.Ref + " recorded; waiting for the erp to validate it"})
		return tx.Enqueue(ctx, AwaitAckArgs{Storefront: o.Key.Storefront, OrderID: o.Key.ID},
			&river.InsertOpts{Queue: erpQueue(sf.ERP), ScheduledAt: now.Add(g.cfg.AckPoll)})
	}
}

func rejectOrNote(o *order.Order, reason string, now time.Time) error {
	if err := o.Reject(reason, now); err != nil {
		o.Record(order.Event{At: now, Kind: order.EventNote, Source: "erp", Detail: "erp rejected the order: " + reason, Error: err.Error()})
	}
	return nil
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
	rec, err := g.cfg.ERPs[sf.ERP].Client.Lookup(ctx, key.ExternalID())
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
	if rec.Status == erp.StatusPending {
		return river.JobSnooze(g.cfg.AckPoll)
	}
	return g.store.Update(ctx, key, func(tx store.Tx, o *order.Order) error {
		if o.State() != order.Submitted {
			return nil
		}
		return g.applyReceipt(ctx, tx, o, rec, sf)
	})
}
