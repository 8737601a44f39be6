package gate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// erpCancelWorker cancels in the ERP an order cancelled after the ERP may
// have taken it. The ERP's Cancel is idempotent, so a rerun is harmless.
type erpCancelWorker struct {
	worker[ERPCancelArgs]
}

func (w *erpCancelWorker) Work(ctx context.Context, job *river.Job[ERPCancelArgs]) error {
	g := w.g
	key := keyOf(job.Args.Storefront, job.Args.OrderID)
	sf := g.storefronts[key.Storefront]
	o, err := g.store.Get(ctx, key)
	if err != nil {
		return err
	}
	if wait := o.SubmitLease.Sub(g.now()); wait > 0 {
		// A create is in flight: cancelling now could find nothing and
		// leave what it makes live. Wait until it has ended.
		return river.JobSnooze(wait + 100*time.Millisecond)
	}
	n, err := g.store.Notification(ctx, key, string(notify.Confirmation))
	if err != nil {
		return err
	}
	if n.Status == store.NotifySending && g.now().Sub(n.UpdatedAt) < g.cfg.JobTimeout {
		// The confirmation is on its way and cannot be called back: let
		// its send end first, so the records read in the order things
		// happened (confirmed, then cancelled) rather than the ERP
		// cancelling an order whose confirmation then arrives.
		return river.JobSnooze(time.Second)
	}
	err = g.client(sf).Cancel(ctx, key.ExternalID(), job.Args.Reason)
	last := job.Attempt >= job.MaxAttempts
	uerr := g.store.Update(ctx, key, func(tx store.Tx, o *order.Order) error {
		now := g.now()
		ev := order.Event{At: now, Kind: order.EventERPCancel, Source: "erp", Attempt: job.Attempt}
		switch {
		case err == nil:
			ev.Detail = "cancelled in the erp"
		case errors.Is(err, erp.ErrNotFound):
			ev.Detail = "the erp holds no such order; nothing to cancel there"
		case errors.Is(err, erp.ErrRejected):
			ev.Detail, ev.Error = "the erp refused to cancel it", err.Error()
			o.Flag(fmt.Sprintf("cancelled in the storefront but the erp refused to cancel %s (%v): cancel it in the erp by hand", o.ERPRef, err), "gate", now)
		default:
			ev.Detail, ev.Error = "could not cancel it in the erp; will retry", err.Error()
			if last {
				o.Flag(fmt.Sprintf("could not cancel %s in the erp after %d tries; last error: %v", o.ERPRef, job.Attempt, err), "gate", now)
			}
		}
		o.Record(ev)
		return nil
	})
	if uerr != nil {
		return uerr
	}
	switch {
	case err == nil, errors.Is(err, erp.ErrNotFound), errors.Is(err, erp.ErrRejected):
		return nil
	case errors.Is(err, erp.ErrThrottled):
		return river.JobSnooze(throttleWait(g, err))
	}
	return err
}
