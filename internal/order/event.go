package order

import "time"

// EventKind names a timeline entry.
type EventKind string

// Timeline entries. The transitions each have one; the rest record what
// happened on the way, failed attempts included (invariant I6).
const (
	EventReceived      EventKind = "received"       // first delivery stored
	EventDuplicate     EventKind = "duplicate"      // a delivery already seen
	EventUpdated       EventKind = "updated"        // a newer storefront snapshot merged
	EventStale         EventKind = "stale_update"   // an older snapshot discarded
	EventSubmitAttempt EventKind = "submit_attempt" // about to call the ERP
	EventSubmitFailed  EventKind = "submit_failed"  // the call failed; Error says how
	EventLookup        EventKind = "erp_lookup"     // looked the order up before a retry
	EventSubmitted     EventKind = "submitted"
	EventAckPending    EventKind = "ack_pending" // the ERP has it but has not validated it yet
	EventAcknowledged  EventKind = "acknowledged"
	EventNotifyAttempt EventKind = "notify_attempt"
	EventNotifyFailed  EventKind = "notify_failed"
	EventNotifyInDoubt EventKind = "notify_in_doubt" // an earlier send may have gone out; not resent
	EventNotified      EventKind = "notified"
	EventConfirmed     EventKind = "confirmed"
	EventRejected      EventKind = "rejected"
	EventCancelled     EventKind = "cancelled"
	EventReopened      EventKind = "reopened"   // sent back to received to go through the ERP again
	EventERPCancel     EventKind = "erp_cancel" // cancelling it in the ERP: attempted, done or refused
	EventOverdue       EventKind = "overdue"    // past its confirmation SLA and not settled
	EventAlerted       EventKind = "alerted"    // announced to the alert webhook
	EventOperator      EventKind = "operator"   // an operator's action, Source says who
	EventAttention     EventKind = "attention"  // flagged for an operator, or released
	EventNote          EventKind = "note"
)

// Event is one entry on an order's timeline.
type Event struct {
	At      time.Time `json:"at"`
	Kind    EventKind `json:"kind"`
	Source  string    `json:"source,omitempty"`  // shopify, erp, smtp, gate, operator …
	Attempt int       `json:"attempt,omitempty"` // 1-based, for attempts
	Detail  string    `json:"detail,omitempty"`
	Error   string    `json:"error,omitempty"`
}
