package gate

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// worker is what every gate worker shares: River's defaults, the gate, and
// the gate's backoff in place of River's (which waits attempt⁴ seconds).
type worker[T river.JobArgs] struct {
	river.WorkerDefaults[T]
	g *Gate
}

// NextRetry implements river.Worker.
func (w worker[T]) NextRetry(job *river.Job[T]) time.Time {
	return time.Now().Add(w.g.backoff(job.Attempt))
}

// SubmitArgs is the job that hands an order to its ERP.
type SubmitArgs struct {
	Storefront string `json:"storefront"`
	OrderID    string `json:"order_id"`
}

// Kind implements river.JobArgs.
func (SubmitArgs) Kind() string { return "ordergate_submit" }

// AwaitAckArgs is the job that polls the ERP until it acknowledges an order
// it has taken but not yet validated.
type AwaitAckArgs struct {
	Storefront string `json:"storefront"`
	OrderID    string `json:"order_id"`
}

// Kind implements river.JobArgs.
func (AwaitAckArgs) Kind() string { return "ordergate_await_ack" }

// NotifyArgs is the job that sends the customer one message: the
// confirmation, the pending notice, the problem notice or the delay notice.
type NotifyArgs struct {
	Storefront string      `json:"storefront"`
	OrderID    string      `json:"order_id"`
	Message    notify.Kind `json:"message"`
}

// Kind implements river.JobArgs.
func (NotifyArgs) Kind() string { return "ordergate_notify" }

// ERPCancelArgs is the job that cancels in the ERP an order cancelled after
// the ERP may have taken it.
type ERPCancelArgs struct {
	Storefront string `json:"storefront"`
	OrderID    string `json:"order_id"`
	Reason     string `json:"reason"`
}

// Kind implements river.JobArgs.
func (ERPCancelArgs) Kind() string { return "ordergate_erp_cancel" }

// OverdueArgs is the job that runs when an order's SLA passes, to mark it
// overdue if it is still unsettled.
type OverdueArgs struct {
	Storefront string `json:"storefront"`
	OrderID    string `json:"order_id"`
}

// Kind implements river.JobArgs.
func (OverdueArgs) Kind() string { return "ordergate_overdue" }

// AlertArgs is the job that announces an overdue order to the alert webhook.
type AlertArgs struct {
	Storefront string `json:"storefront"`
	OrderID    string `json:"order_id"`
}

// Kind implements river.JobArgs.
func (AlertArgs) Kind() string { return "ordergate_alert" }

// SweepArgs is the SLA sweep, inserted by the elected leader every
// SweepInterval. Leader is the instance that scheduled it.
type SweepArgs struct {
	Leader string `json:"leader"`
}

// Kind implements river.JobArgs.
func (SweepArgs) Kind() string { return "ordergate_sla_sweep" }

func keyOf(storefront, id string) order.Key { return order.Key{Storefront: storefront, ID: id} }

// The enqueue helpers put each job on its queue at its priority, inside the
// caller's transaction.
//
// Two submit jobs may exist for one order (an operator's retry beside
// River's own); the submit worker's lease on the order keeps them from
// calling the ERP at once. Two acknowledgment checks or two ERP cancels for
// one order are harmless: both are idempotent.

func (g *Gate) enqueueSubmit(ctx context.Context, tx store.Tx, o *order.Order) error {
	sf := g.storefronts[o.Key.Storefront]
	return tx.Enqueue(ctx, SubmitArgs{Storefront: o.Key.Storefront, OrderID: o.Key.ID},
		&river.InsertOpts{Queue: erpQueue(sf.ERP), Priority: priorityNew})
}

func (g *Gate) enqueueAwaitAck(ctx context.Context, tx store.Tx, o *order.Order, at time.Time) error {
	sf := g.storefronts[o.Key.Storefront]
	return tx.Enqueue(ctx, AwaitAckArgs{Storefront: o.Key.Storefront, OrderID: o.Key.ID},
		&river.InsertOpts{Queue: erpQueue(sf.ERP), Priority: priorityUpdate, ScheduledAt: at})
}

func (g *Gate) enqueueERPCancel(ctx context.Context, tx store.Tx, o *order.Order, reason string) error {
	sf := g.storefronts[o.Key.Storefront]
	return tx.Enqueue(ctx, ERPCancelArgs{Storefront: o.Key.Storefront, OrderID: o.Key.ID, Reason: reason},
		&river.InsertOpts{Queue: erpQueue(sf.ERP), Priority: priorityUpdate})
}

// enqueueNotify sends message kind k to the order's customer at at (now if
// zero).
func (g *Gate) enqueueNotify(ctx context.Context, tx store.Tx, o *order.Order, k notify.Kind, at time.Time) error {
	return tx.Enqueue(ctx, NotifyArgs{Storefront: o.Key.Storefront, OrderID: o.Key.ID, Message: k},
		&river.InsertOpts{Queue: notifyQueue, ScheduledAt: at})
}
