package gate

import (
	"cmp"
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
		if o.State().Settled() && o.OverdueAt.IsZero() {
			now := g.now()
			if deadline := o.ReceivedAt.Add(sf.SLA); o.SettledAt.After(deadline) {
				// Settled late, before this check could run (a job
				// scheduled ahead is picked up within about five
				// seconds): on the record as overdue from its deadline,
				// not announced, since nothing is left to do.
				o.OverdueAt = deadline
				o.Record(order.Event{At: now, Kind: order.EventOverdue, Source: "gate",
					Detail: fmt.Sprintf("%s %s after receipt, %s past its SLA of %s", o.State(),
						o.SettledAt.Sub(o.ReceivedAt).Round(time.Millisecond), o.SettledAt.Sub(deadline).Round(time.Millisecond), sf.SLA)})
				return nil
			}
			o.Record(order.Event{At: now, Kind: order.EventNote, Source: "gate",
				Detail: fmt.Sprintf("sla met: %s within %s of receipt", o.State(), sf.SLA)})
			return nil
		}
		_, err := g.markOverdue(ctx, tx, o, sf, "")
		return err
	})
}

// markOverdue marks o overdue if it is unsettled and not marked yet, naming
// by (if not empty) on its timeline, and enqueues its announcement if an
// alert hook is configured. Both are in the caller's transaction, so the
// alert exists if and only if the mark does: once per order, whichever of
// the order's own job and the sweep gets there first. It reports whether
// it marked the order.
func (g *Gate) markOverdue(ctx context.Context, tx store.Tx, o *order.Order, sf Storefront, by string) (bool, error) {
	if o.Legacy() {
		return markLegacyOverdue(o, shadowSLA(sf), g.now(), by), nil
	}
	if !o.MarkOverdueBy(sf.SLA, g.now(), by) {
		return false, nil
	}
	g.log.Warn("order overdue", orderAttrs(o.Key, "state", o.State(), "sla", sf.SLA, "attention", o.Attention,
		"by", cmp.Or(by, "its sla job"))...)
	if g.cfg.Alerts == nil {
		return true, nil
	}
	return true, tx.Enqueue(ctx, AlertArgs{Storefront: o.Key.Storefront, OrderID: o.Key.ID}, &river.InsertOpts{Queue: notifyQueue})
}

// sweepWorker is the SLA sweep: the safety net behind the per-order
// overdue jobs, for an order whose job was lost, or was scheduled under a
// longer SLA than the one configured now. It marks every order past its
// storefront's current SLA, unsettled and not marked yet, exactly as the
// order's own job would. It is leader-only work (leader.go); should two
// sweeps overlap, each order is still marked and announced once, since the
// mark is made under the order's lock.
type sweepWorker struct {
	worker[SweepArgs]
}

// sweepBatch is how many orders one query of the sweep returns; the sweep
// asks again until a query returns fewer.
const sweepBatch = 500

// sweptBy is what the timeline says found an order overdue in the sweep.
const sweptBy = "the sla sweep"

func (w *sweepWorker) Work(ctx context.Context, job *river.Job[SweepArgs]) error {
	g := w.g
	start := time.Now()
	now := g.now()
	var marked, failed int
	var first error
	for _, s := range g.cfg.Storefronts {
		sf := g.storefronts[s.Name]
		if sf.SLA <= 0 {
			continue
		}
		m, f, err := g.sweep(ctx, sf, now.Add(-sf.SLA))
		marked, failed = marked+m, failed+f
		if first == nil && err != nil {
			first = fmt.Errorf("sla sweep of %s: %w", sf.Name, err)
		}
	}
	g.log.Info("sla sweep", "instance", g.cfg.Instance, "leader", job.Args.Leader, "marked", marked,
		"failed", failed, "took_ms", time.Since(start).Milliseconds())
	if first != nil {
		return fmt.Errorf("%w (%d orders not marked; the next sweep tries again)", first, failed)
	}
	return nil
}

// sweep marks the storefront's orders received before cutoff that are
// unsettled and not marked yet. It returns how many it marked, how many it
// could not, and the first error. An order that cannot be marked does not
// stop the others.
func (g *Gate) sweep(ctx context.Context, sf Storefront, cutoff time.Time) (marked, failed int, first error) {
	failedKeys := make(map[order.Key]bool)
	for {
		keys, err := g.store.Unsettled(ctx, sf.Name, cutoff, sweepBatch)
		if err != nil {
			if first == nil {
				first = err
			}
			return marked, len(failedKeys), first
		}
		n := 0
		for _, key := range keys {
			var did bool
			err := g.store.Update(ctx, key, func(tx store.Tx, o *order.Order) error {
				var err error
				did, err = g.markOverdue(ctx, tx, o, sf, sweptBy)
				return err
			})
			switch {
			case err != nil:
				failedKeys[key] = true
				if first == nil {
					first = err
				}
			case did:
				n++
			}
		}
		marked += n
		// What a pass marked, or found settled meanwhile, the next does not
		// return; only what failed comes back. So stop at a short pass, and
		// at one that marked nothing, which would only fail again.
		if len(keys) < sweepBatch || n == 0 {
			return marked, len(failedKeys), first
		}
	}
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
