package gate

import (
	"context"
	"log/slog"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// update is store.Update that, once the transaction has committed, observes
// the transitions it made: the handoff latencies for the metrics, and a log
// line each. Observing after the commit, from the timeline entries the
// transaction wrote, counts each transition once however often its step
// runs, and never one that was rolled back.
func (g *Gate) update(ctx context.Context, key order.Key, fn func(tx store.Tx, o *order.Order) error) error {
	var done *order.Order
	err := g.store.Update(ctx, key, func(tx store.Tx, o *order.Order) error {
		done = nil
		if err := fn(tx, o); err != nil {
			return err
		}
		done = o
		return nil
	})
	if err == nil && done != nil {
		g.observe(done)
	}
	return err
}

// observe reports the transitions o made in the transaction just committed.
func (g *Gate) observe(o *order.Order) {
	for _, e := range o.Pending() {
		switch e.Kind {
		case order.EventAcknowledged:
			g.handoff.acknowledged(o.Key, time.Now())
			g.cfg.Metrics.OrderAcknowledged(o)
			g.log.Debug("order acknowledged", orderAttrs(o.Key, "erp_ref", o.ERPRef,
				millis("capture_to_ack_ms", o.CapturedAt, o.AcknowledgedAt))...)
		case order.EventConfirmed:
			g.cfg.Metrics.OrderConfirmed(o)
			g.log.Info("order confirmed", orderAttrs(o.Key, "erp_ref", o.ERPRef,
				millis("ack_to_confirmation_ms", o.AcknowledgedAt, o.SettledAt),
				millis("capture_to_confirmation_ms", o.CapturedAt, o.SettledAt))...)
		case order.EventRejected:
			g.log.Info("order rejected by the erp", orderAttrs(o.Key, "erp_ref", o.ERPRef, "reason", o.Reason)...)
		}
	}
}

// orderAttrs returns the attributes every log line about an order carries,
// storefront and order_id, followed by more.
func orderAttrs(key order.Key, more ...any) []any {
	return append([]any{"storefront", key.Storefront, "order_id", key.ID}, more...)
}

// millis is the time from a to b in milliseconds as the log attribute key,
// or no attribute when either is unknown (a handler drops the empty Attr).
func millis(key string, a, b time.Time) slog.Attr {
	if a.IsZero() || b.IsZero() {
		return slog.Attr{}
	}
	return slog.Int64(key, max(b.Sub(a), 0).Milliseconds())
}

// recordTimeout bounds the commit that records an outside call's outcome.
const recordTimeout = 15 * time.Second

// recording returns the context to record the outcome of an outside call
// in (an e-mail sent or refused, an ERP create answered or timed out). The
// call may have used up the job's deadline — a stalled mail server, an ERP
// that never answered — and its outcome must be recorded all the same:
// otherwise the next run finds no record, takes a message that certainly
// failed as in doubt and never sends it, or leaves a failed attempt off
// the timeline (I6).
func recording(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
}
