// Package store is the persistence seam: orders, their timelines, the raw
// deliveries they came from, the record of messages sent, and the durable job
// queue (River), all in one database so that a state change, its timeline
// entries and the job it triggers commit in one transaction.
//
// Implementations: sqlite/ (the embedded default) and postgres/. Both
// must pass the conformance suite in storetest/.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/ordergate/ordergate/internal/order"
)

// Store is what the gate and the HTTP edge need of persistence.
type Store interface {
	// Ingest records a delivery and applies it in one transaction. If the
	// delivery's dedup key was seen before, apply is not called and the
	// result says Duplicate. Otherwise apply gets the order as stored (nil
	// if none) and returns the order to save (nil to save nothing but the
	// delivery). An error from apply rolls everything back.
	Ingest(ctx context.Context, d Delivery, apply func(tx Tx, existing *order.Order) (*order.Order, error)) (IngestResult, error)
	// Update loads the order, lets fn change it, and saves it with its new
	// timeline entries and whatever fn enqueued, in one transaction. An error
	// from fn rolls everything back; ErrNotFound if there is no such order.
	Update(ctx context.Context, key order.Key, fn func(tx Tx, o *order.Order) error) error
	// Get returns the order, or ErrNotFound.
	Get(ctx context.Context, key order.Key) (*order.Order, error)
	// Timeline returns the order's timeline, oldest first.
	Timeline(ctx context.Context, key order.Key) ([]order.Event, error)
	// List returns orders matching f, newest first.
	List(ctx context.Context, f Filter) ([]*order.Order, error)
	// Counts returns the number of orders in each state.
	Counts(ctx context.Context) (map[order.State]int, error)
	// Overdue returns the number of orders overdue now: marked overdue and
	// not settled.
	Overdue(ctx context.Context) (int, error)
	// Unsettled returns the keys of the storefront's orders that are not
	// settled (confirmed, rejected, cancelled), not yet marked overdue, and
	// were received before receivedBefore: those past an SLA of now −
	// receivedBefore that nobody has flagged. Oldest first, at most
	// Limit(limit).
	Unsettled(ctx context.Context, storefront string, receivedBefore time.Time, limit int) ([]order.Key, error)
	// Notification returns the record of a message kind for an order; the
	// zero Notification (Status NotifyNone) if none was attempted.
	Notification(ctx context.Context, key order.Key, kind string) (Notification, error)
	// Holding returns the orders whose units the stock ledger may still
	// hold: every order received or submitted (not yet acknowledged), and
	// every order acknowledged at or after ackedSince that is acknowledged
	// or confirmed now (the ERP's availability read before then may not
	// show it). In no particular order.
	Holding(ctx context.Context, ackedSince time.Time) ([]*order.Order, error)

	// SaveRun records a background run (a reconciliation), replacing any
	// earlier record with its ID.
	SaveRun(ctx context.Context, r Run) error
	// Runs returns the runs of a kind, newest first, at most Limit(limit).
	Runs(ctx context.Context, kind string, limit int) ([]Run, error)
	// Run returns one run, or ErrNotFound.
	Run(ctx context.Context, id string) (Run, error)

	// Jobs counts the job queue's unfinished jobs by queue and state
	// (available, scheduled, running, retryable), with the oldest
	// scheduled_at of each, for the queue gauges.
	Jobs(ctx context.Context) ([]JobCount, error)

	// Start runs the job queue's workers until Stop.
	Start(ctx context.Context) error
	// Stop stops the workers, waiting for running jobs up to ctx's deadline.
	Stop(ctx context.Context) error
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}

// Tx is the transaction handed to Ingest and Update callbacks.
type Tx interface {
	// Enqueue inserts a job in this transaction: it exists if and only if
	// the transaction commits.
	Enqueue(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error
	// Notification reads a message record inside the transaction.
	Notification(ctx context.Context, key order.Key, kind string) (Notification, error)
	// PutNotification writes a message record inside the transaction.
	PutNotification(ctx context.Context, n Notification) error
}

// Delivery is a verified inbound delivery as stored: the raw body is kept so
// that it can be replayed.
type Delivery struct {
	DedupKey   string
	Storefront string
	Topic      string
	DeliveryID string
	OrderID    string
	ReceivedAt time.Time
	Body       []byte
}

// IngestResult says what Ingest did.
type IngestResult struct {
	Duplicate bool
	Saved     bool // an order was created or changed
}

// Filter selects orders for List. Zero fields do not filter.
type Filter struct {
	State      order.State
	Storefront string
	Email      string
	Attention  bool // only orders flagged for attention
	Overdue    bool // only orders overdue now (order.Order.Overdue)
	Limit      int  // default 100, at most 1000
	Before     time.Time
}

// NotifyStatus is where one message stands.
type NotifyStatus string

// A message is sending from the commit before the send until the commit
// after it. Finding it still sending means an earlier attempt died in
// between: it may have gone out, so it is not sent again (at most once).
const (
	NotifyNone    NotifyStatus = ""
	NotifySending NotifyStatus = "sending"
	NotifySent    NotifyStatus = "sent"
	NotifyFailed  NotifyStatus = "failed"   // certainly not delivered; may be retried
	NotifyInDoubt NotifyStatus = "in_doubt" // may have been delivered; never resent automatically
)

// Notification is the record of one message kind for one order.
type Notification struct {
	Key       order.Key
	Kind      string
	Status    NotifyStatus
	Attempts  int
	MessageID string
	UpdatedAt time.Time
}

// Run is the record of one background run.
type Run struct {
	ID         string
	Kind       string // e.g. "reconcile"
	StartedAt  time.Time
	FinishedAt time.Time
	Summary    []byte // JSON, written and read by the run's owner
}

// JobCount is the unfinished jobs of one queue in one state.
type JobCount struct {
	Queue  string
	State  string
	Count  int
	Oldest time.Time // the earliest scheduled_at among them
}

// JobStates are the unfinished states Jobs counts.
var JobStates = []string{"available", "scheduled", "running", "retryable"}

// ErrNotFound is returned when an order does not exist.
var ErrNotFound = errors.New("not found")

// Limit returns the effective row limit for n: 100 when unset, at most 1000.
func Limit(n int) int {
	switch {
	case n <= 0:
		return 100
	case n > 1000:
		return 1000
	}
	return n
}
