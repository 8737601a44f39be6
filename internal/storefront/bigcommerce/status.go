package bigcommerce

import "strconv"

// The v2 order status ids the connector acts on. The full list is in
// statusNames; the ids and system labels are fixed by BigCommerce, while a
// merchant may relabel them (custom_label), so the connector goes by id.
const (
	StatusIncomplete = 0
	StatusRefunded   = 4
	StatusCancelled  = 5
	StatusDeclined   = 6
)

// statusNames are the system labels of GET /v2/order_statuses (see
// testdata/v2-order-statuses.json).
var statusNames = map[int]string{
	0:  "Incomplete",
	1:  "Pending",
	2:  "Shipped",
	3:  "Partially Shipped",
	4:  "Refunded",
	5:  "Cancelled",
	6:  "Declined",
	7:  "Awaiting Payment",
	8:  "Awaiting Pickup",
	9:  "Awaiting Shipment",
	10: "Completed",
	11: "Awaiting Fulfillment",
	12: "Manual Verification Required",
	13: "Disputed",
	14: "Partially Refunded",
}

// StatusName returns BigCommerce's system label for a v2 status id, or
// "status <id>" for an id it does not document.
func StatusName(id int) string {
	if n, ok := statusNames[id]; ok {
		return n
	}
	return "status " + strconv.Itoa(id)
}

// Cancelling reports whether an order in status id will not be fulfilled,
// so that the gate must cancel it (in the ERP too, if the ERP has it):
//
//   - Cancelled (5): "Seller has cancelled an order".
//   - Declined (6): "Seller has marked the order as declined for lack of
//     manual payment, or other reasons" — nothing will ship either.
//
// Refunded (4) is not a cancellation: a refund is money going back, and
// BigCommerce's own description ("Seller has used the Refund action") says
// nothing of the goods; a fully refunded order may well have shipped (a
// return), and cancelling its ERP sales order then would be wrong. A refund
// arrives as an update; the ERP's return or credit process owns it.
func Cancelling(id int) bool {
	return id == StatusCancelled || id == StatusDeclined
}
