package diagnose

import (
	"context"
	"fmt"
	"time"

	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// Orders is what reading the gateway's own store needs of it;
// store.Store has it.
type Orders interface {
	List(ctx context.Context, f store.Filter) ([]*order.Order, error)
	Notification(ctx context.Context, key order.Key, kind string) (store.Notification, error)
}

// pageSize is the orders asked for at once: store.Limit's most.
const pageSize = 1000

// ReadStore reads the orders of the gateway's store received at or after
// since (all when zero), and takes for each:
//
//   - triggered: CapturedAt, the storefront's capture (ReceivedAt when the
//     storefront gave none);
//   - delivered: ReceivedAt, when the gateway stored the webhook;
//   - ERP received: AcknowledgedAt, when the ERP acknowledged it (none
//     while it has not), with the validated quantity of each line (the
//     ordered one where the ERP said nothing);
//   - confirmed: when the "confirmation" message was recorded sent, or
//     in doubt (it may have gone out);
//   - storefront demand: the order's lines as captured.
//
// Delivery attempts are not stored, so retries are not counted.
//
// name says what the store is, for the report (e.g. sqlite:og.db).
func (d *Diagnosis) ReadStore(ctx context.Context, s Orders, name string, since time.Time) error {
	d.storeMode = true
	defer func() {
		d.settlePending()
		d.storeMode = false
	}()
	sum := SourceSummary{Source: "store", File: name, Format: "store"}
	// Pages run newest first on received_at, before the oldest of the
	// last page. Orders that share that instant may straddle the page
	// boundary, so the next page starts just after it and skips the ones
	// already read.
	var before time.Time
	var boundary map[order.Key]bool
	for {
		page, err := s.List(ctx, store.Filter{Limit: pageSize, Before: before})
		if err != nil {
			return fmt.Errorf("read orders from %s: %w", name, err)
		}
		fresh := 0
		for _, o := range page {
			if boundary[o.Key] {
				continue
			}
			if !since.IsZero() && o.ReceivedAt.Before(since) {
				continue
			}
			fresh++
			if err := d.storeOrder(ctx, s, o); err != nil {
				return fmt.Errorf("read %s from %s: %w", o.Key, name, err)
			}
			sum.Rows++
		}
		if d.opts.Progress != nil {
			d.opts.Progress(Progress{File: name, Rows: sum.Rows})
		}
		if len(page) < pageSize {
			break
		}
		oldest := page[len(page)-1].ReceivedAt
		if !since.IsZero() && oldest.Before(since) {
			break
		}
		if fresh == 0 {
			return fmt.Errorf("read orders from %s: more than %d orders were received at %s, and the store pages by that time: they cannot all be read", name, pageSize, oldest.Format(time.RFC3339Nano))
		}
		boundary = map[order.Key]bool{}
		for _, o := range page {
			if o.ReceivedAt.Equal(oldest) {
				boundary[o.Key] = true
			}
		}
		before = oldest.Add(time.Microsecond) // the store keeps microseconds
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if d.opts.Progress != nil {
		d.opts.Progress(Progress{File: name, Rows: sum.Rows, Done: true})
	}
	d.sources = append(d.sources, sum)
	d.read[Webhooks], d.read[ERPReceipts], d.read[Confirmations] = true, true, true
	return nil
}

func (d *Diagnosis) storeOrder(ctx context.Context, s Orders, o *order.Order) error {
	st, err := d.orders.get(o.Key.String())
	if err != nil {
		return err
	}
	captured := o.CapturedAt
	if captured.IsZero() {
		captured = o.ReceivedAt
	}
	trig, deliv := captured.UnixMilli(), o.ReceivedAt.UnixMilli()
	// The store keeps no delivery attempts: attempt 0, unnumbered.
	if len(o.Lines) == 0 {
		d.webhook(st, trig, deliv, 0, line{})
	}
	for _, l := range o.Lines {
		d.webhook(st, trig, deliv, 0, line{sku: l.SKU, qty: int64(l.Quantity)})
	}
	if !o.AcknowledgedAt.IsZero() {
		at := o.AcknowledgedAt.UnixMilli()
		if len(o.Lines) == 0 {
			d.erp(st, at, line{})
		}
		for _, l := range o.Lines {
			q := l.Quantity
			if l.Validated != nil {
				q = *l.Validated
			}
			d.erp(st, at, line{sku: l.SKU, qty: int64(q)})
		}
	}
	n, err := s.Notification(ctx, o.Key, string(notify.Confirmation))
	if err != nil {
		return err
	}
	if n.Status == store.NotifySent || n.Status == store.NotifyInDoubt {
		d.confirmation(st, n.UpdatedAt.UnixMilli())
	}
	return nil
}
