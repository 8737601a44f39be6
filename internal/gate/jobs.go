package gate

import (
	"time"

	"github.com/riverqueue/river"

	"github.com/ordergate/ordergate/internal/order"
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

// ConfirmArgs is the job that sends the customer's confirmation.
type ConfirmArgs struct {
	Storefront string `json:"storefront"`
	OrderID    string `json:"order_id"`
}

// Kind implements river.JobArgs.
func (ConfirmArgs) Kind() string { return "ordergate_confirm" }

func keyOf(storefront, id string) order.Key { return order.Key{Storefront: storefront, ID: id} }
