package gate

import "github.com/ordergate/ordergate/internal/order"

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
