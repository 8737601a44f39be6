package verdict

import (
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/storesim"
)

// Summary is the judgement of one run. The JSON names are the demo's
// --json contract: add to them, never rename.
type Summary struct {
	Orders   int `json:"orders"`   // placed by the storefronts
	Accepted int `json:"accepted"` // answered 2xx at least once: the gateway must not lose these
	// WebhooksDropped are the orders whose every webhook the storefronts
	// lost: the gateway owes them all the same, through reconciliation.
	// RecoveredDropped are those that reached their end all the same
	// (confirmed, rejected with a notice, or cancelled and not live in the
	// ERP): only reconciliation could have brought them in.
	WebhooksDropped  int `json:"webhooks_dropped"`
	RecoveredDropped int `json:"recovered_by_reconcile"`
	Confirmed        int `json:"confirmed"` // orders with a confirmation in the mailbox
	Rejected         int `json:"rejected"`  // refused by the ERP and never created there
	Cancelled        int `json:"cancelled"` // cancelled by the storefront

	// ConfirmedBeforeAck counts orders whose confirmation arrived before the
	// ERP had acknowledged the order (erpsim.Order.AckedAt), or for which
	// the ERP holds no acknowledged order at all. Must be 0 (invariant I3).
	ConfirmedBeforeAck int `json:"confirmed_before_ack"`
	// DuplicateERPOrders counts storefront orders the ERP holds more than
	// once. Must be 0 (invariant I2).
	DuplicateERPOrders int `json:"duplicate_erp_orders"`
	// DuplicateConfirmations counts orders with more than one confirmation.
	// Must be 0 (invariant I3).
	DuplicateConfirmations int `json:"duplicate_confirmations"`
	// ERPOrdersNotPlaced counts ERP orders for no order the storefronts
	// placed. Must be 0.
	ERPOrdersNotPlaced int `json:"erp_orders_not_placed"`
	// Unconfirmed lists accepted orders that the ERP holds, were not
	// cancelled, and have neither a confirmation nor a problem notice: each
	// must be explained by the gateway (an in-doubt send it flagged), or it
	// is a lost confirmation.
	Unconfirmed []string `json:"unconfirmed,omitempty"`

	// PendingNotices, ProblemNotices and DelayNotices count the orders
	// that got an "order received, confirmation pending", a "problem with
	// your order" and a "still working on it" message.
	PendingNotices int `json:"pending_notices"`
	ProblemNotices int `json:"problem_notices"`
	DelayNotices   int `json:"delay_notices"`
	// DuplicateMessages counts (order, kind) pairs with more than one
	// message, confirmations included (so it includes
	// DuplicateConfirmations). Must be 0 (invariant I3: at most one message
	// of each kind per order).
	DuplicateMessages int `json:"duplicate_messages"`
	// ConfirmedAfterERPCancel counts orders confirmed after the ERP had
	// cancelled them. Must be 0 (invariant I3).
	ConfirmedAfterERPCancel int `json:"confirmed_after_erp_cancel"`
	// CancelledButLiveInERP counts orders whose storefront cancel the
	// gateway accepted and that the ERP still holds as a live (not
	// cancelled) order. Must be 0: a cancel before the ERP's create keeps
	// the order out of the ERP or, if the create was in flight, cancels it
	// there, and a cancel after it cancels it there.
	CancelledButLiveInERP int `json:"cancelled_but_live_in_erp"`
	// CancelledNeverInERP and CancelledInERP split the accepted storefront
	// cancels: the ERP never held the order, or holds it cancelled.
	CancelledNeverInERP int `json:"cancelled_never_in_erp"`
	CancelledInERP      int `json:"cancelled_in_erp"`
	// RejectedBy counts the rejected orders by the ERP's rejection code
	// (UNKNOWN_SKU, INSUFFICIENT_STOCK, …).
	RejectedBy map[string]int `json:"rejected_by,omitempty"`
	// Backordered counts confirmed orders that the ERP holds with a line
	// short as backordered: confirmed under the backorder policy.
	Backordered int `json:"backordered"`
	// HeldShort counts orders the ERP holds with short lines, not
	// cancelled, that got a problem notice and no confirmation: held for an
	// operator under the reject policy.
	HeldShort int `json:"held_short"`
	// OutOfOrder counts orders whose update reached the gateway before
	// their create.
	OutOfOrder int `json:"out_of_order"`

	// Unsettled counts accepted orders that are neither confirmed, nor
	// rejected by the ERP with a problem notice, nor cancelled by the
	// storefront, as far as the outside records show; UnsettledOrders
	// lists them.
	Unsettled       int      `json:"unsettled"`
	UnsettledOrders []string `json:"unsettled_orders,omitempty"`
	// ListedOverdue and ListedAttention count what the gateway itself lists
	// as overdue now and as flagged for attention (Run.Listed).
	ListedOverdue   int `json:"listed_overdue"`
	ListedAttention int `json:"listed_attention"`
	// UnsettledUnlisted counts unsettled orders that the gateway lists
	// neither as overdue nor for attention: an order left in silence. Must
	// be 0 (invariants I1 and I4). Judged only when the run says what the
	// gateway lists (Run.Listed).
	UnsettledUnlisted int `json:"unsettled_unlisted"`

	// ConfirmationLatencyMS is capture (the storefront's first webhook) to
	// the confirmation's arrival in the mailbox.
	ConfirmationLatencyMS Percentiles `json:"confirmation_latency_ms"`

	ERPFaults    erpsim.FaultCounts   `json:"erp_faults"`
	ERPRequests  erpsim.RequestCounts `json:"erp_requests"`
	ERPCallbacks CallbackCounts       `json:"erp_callbacks"`
	Webhooks     storesim.Stats       `json:"webhooks"`

	// Storefronts breaks the counts down per storefront when the run had
	// more than one.
	Storefronts []ShopSummary `json:"storefronts,omitempty"`

	// Violations tells the story of each order that broke an invariant.
	Violations []string `json:"violations,omitempty"`
}

// ShopSummary is one storefront's share of a Summary.
type ShopSummary struct {
	Name   string `json:"name"`
	Kind   string `json:"kind,omitempty"`
	Orders int    `json:"orders"`
	// WebhooksDropped are its orders whose webhooks the storefront lost.
	WebhooksDropped int `json:"webhooks_dropped,omitempty"`
	Accepted        int `json:"accepted"`
	Confirmed       int `json:"confirmed"`
	Backordered     int `json:"backordered"`
	Rejected        int `json:"rejected"`
	Cancelled       int `json:"cancelled"`
	HeldShort       int `json:"held_short"`
	Unsettled       int `json:"unsettled"`
}

// CallbackCounts is how the ERP's acknowledgment callbacks went.
type CallbackCounts struct {
	Announced int `json:"announced"` // acknowledgments the ERP POSTed
	Delivered int `json:"delivered"` // of which the gateway answered 2xx
}

// Percentiles of a latency distribution, in milliseconds.
type Percentiles struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
	N   int     `json:"n"`
}

// OK reports whether the run kept the invariants the records can show.
func (s Summary) OK() bool {
	return s.ConfirmedBeforeAck == 0 && s.DuplicateERPOrders == 0 && s.DuplicateConfirmations == 0 &&
		s.ERPOrdersNotPlaced == 0 && s.DuplicateMessages == 0 && s.ConfirmedAfterERPCancel == 0 &&
		s.CancelledButLiveInERP == 0 && s.UnsettledUnlisted == 0
}
