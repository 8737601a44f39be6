package gate

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// Alert is what the alert hook is told of an overdue order.
type Alert struct {
	Key        order.Key
	Name       string // the customer's order number, e.g. "#1001"
	State      order.State
	ReceivedAt time.Time
	OverdueAt  time.Time
	SLA        time.Duration
	ERPRef     string
	Attention  string
	Text       string // one line a person can read, for chat tools
}

// Alerter announces overdue orders (for example to a Slack-compatible
// webhook). An error means it should be tried again.
type Alerter interface {
	Alert(ctx context.Context, a Alert) error
}

// overdueWorker runs once per order when its SLA passes. An order still
// unsettled is marked overdue (the metric and the API count it from then
// on) and, if an alert hook is configured, announced once. Retries of the
// ERP steps go on regardless.
type overdueWorker struct {
	worker[OverdueArgs]
}

func (w *overdueWorker) Work(ctx context.Context, job *river.Job[OverdueArgs]) error {
	g := w.g
	key := keyOf(job.Args.Storefront, job.Args.OrderID)
	sf := g.storefronts[key.Storefront]
	return g.store.Update(ctx, key, func(tx store.Tx, o *order.Order) error {
		now := g.now()
		if o.State().Settled() && o.OverdueAt.IsZero() {
			o.Record(order.Event{At: now, Kind: order.EventNote, Source: "gate",
				Detail: fmt.Sprintf("sla met: %s within %s of receipt", o.State(), sf.SLA)})
			return nil
		}
		if !o.MarkOverdue(sf.SLA, now) {
			return nil
		}
		g.log.Warn("order overdue", "order", key.String(), "state", o.State(), "sla", sf.SLA, "attention", o.Attention)
		if g.cfg.Alerts == nil {
			return nil
		}
		return tx.Enqueue(ctx, AlertArgs{Storefront: key.Storefront, OrderID: key.ID}, &river.InsertOpts{Queue: notifyQueue})
	})
}

// alertWorker announces one overdue order. The job is enqueued once, in the
// transaction that marks the order overdue, so the announcement is made
// once (at least once, should the hook's reply be lost).
type alertWorker struct {
	worker[AlertArgs]
}

func (w *alertWorker) Work(ctx context.Context, job *river.Job[AlertArgs]) error {
	g := w.g
	key := keyOf(job.Args.Storefront, job.Args.OrderID)
	o, err := g.store.Get(ctx, key)
	if err != nil {
		return err
	}
	sf := g.storefronts[key.Storefront]
	a := Alert{Key: key, Name: o.Name, State: o.State(), ReceivedAt: o.ReceivedAt, OverdueAt: o.OverdueAt,
		SLA: sf.SLA, ERPRef: o.ERPRef, Attention: o.Attention}
	a.Text = alertText(a)
	aerr := g.cfg.Alerts.Alert(ctx, a)
	last := job.Attempt >= job.MaxAttempts
	if uerr := g.store.Update(ctx, key, func(tx store.Tx, o *order.Order) error {
		ev := order.Event{At: g.now(), Kind: order.EventAlerted, Source: "gate", Attempt: job.Attempt, Detail: "overdue announced to the alert hook"}
		if aerr != nil {
			ev.Detail, ev.Error = "could not announce it to the alert hook", aerr.Error()
			if !last {
				ev.Detail += "; will retry"
			}
		}
		o.Record(ev)
		return nil
	}); uerr != nil {
		return uerr
	}
	return aerr
}

func alertText(a Alert) string {
	name := a.Name
	if name == "" {
		name = "#" + a.Key.ID
	}
	var b strings.Builder
	fmt.Fprintf(&b, "ordergate: order %s (%s) is overdue: still %s %s after it was received (SLA %s)",
		name, a.Key, a.State, a.OverdueAt.Sub(a.ReceivedAt).Round(time.Second), a.SLA)
	if a.ERPRef != "" {
		fmt.Fprintf(&b, "; erp ref %s", a.ERPRef)
	}
	if a.Attention != "" {
		fmt.Fprintf(&b, "; needs attention: %s", a.Attention)
	}
	return b.String()
}
