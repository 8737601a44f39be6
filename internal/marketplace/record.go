package marketplace

import (
	"time"

	"github.com/ordergate/ordergate/internal/inventory"
)

// Outcome is what became of one push.
type Outcome string

// The outcomes of a push.
const (
	// Sent: the marketplace took the quantity.
	Sent Outcome = "sent"
	// Held: not sent, to keep within the listing's revisions for the day;
	// it goes when the next day begins, or sooner if the figure drops.
	Held Outcome = "held"
	// Throttled: the marketplace said to wait; sent again after the wait.
	Throttled Outcome = "throttled"
	// Failed: the marketplace was unavailable, or refused our token; sent
	// again after a backoff.
	Failed Outcome = "failed"
	// Rejected: the marketplace refused the update itself (an unknown
	// SKU, a listing in the wrong state). Not sent again until the figure
	// changes: someone must look at the listing.
	Rejected Outcome = "rejected"
)

// Record is one push: what was sent, why, when, and what came of it.
type Record struct {
	At          time.Time `json:"at"`
	Marketplace string    `json:"marketplace"`
	Channel     string    `json:"channel"`
	SKU         string    `json:"sku"`
	// Quantity is what was sent (or held back). It is never more than
	// Quote.Available, the ledger's figure at the moment of sending.
	Quantity int             `json:"quantity"`
	Quote    inventory.Quote `json:"quote"`
	Outcome  Outcome         `json:"outcome"`
	// Attempt counts the tries at this listing since its last success, 1
	// for the first.
	Attempt int       `json:"attempt"`
	Err     string    `json:"error,omitempty"`
	RetryAt time.Time `json:"retry_at,omitzero"`
	// Waited is how long the change waited, from when the pusher first saw
	// it to this push.
	Waited time.Duration `json:"waited"`
	// Revisions is how many revisions the listing took today, this one
	// included, on a marketplace that limits them.
	Revisions int `json:"revisions,omitempty"`
}

// history keeps the last records, oldest first.
type history struct {
	recs []Record
	head int // where the next record goes once full
	keep int
}

func (h *history) add(r Record) {
	if len(h.recs) < h.keep {
		h.recs = append(h.recs, r)
		return
	}
	h.recs[h.head] = r
	h.head = (h.head + 1) % h.keep
}

func (h *history) all() []Record {
	out := make([]Record, 0, len(h.recs))
	out = append(out, h.recs[h.head:]...)
	return append(out, h.recs[:h.head]...)
}
