package mailbox

import "time"

// How a recipient or a message was refused or held, as a Refusal says.
const (
	RefusedTransient = "451"        // RCPT TO refused with a transient 451 (Options.FailRate)
	RefusedStalled   = "stall"      // the RCPT TO reply held for Options.Stall (Options.StallRate)
	DroppedAfterData = "drop"       // recorded, then the connection dropped before the reply (Options.DropRate)
	StalledAfterData = "data_stall" // recorded, then the reply held for Options.Stall (Options.DataStallRate)
)

// Refusal is one fault the mailbox injected into a conversation: a
// recipient refused or held before the message, or a message recorded whose
// reply was lost or held. A history checker ties each to the sender's own
// record of its attempts (invariant I6: each failed attempt is on the
// order's timeline). For the faults after the data, the message itself is
// in Messages too.
type Refusal struct {
	// To is the recipient of the refused RCPT TO, or the first accepted
	// recipient of the message.
	To string `json:"to"`
	// Fault is RefusedTransient, RefusedStalled, DroppedAfterData or
	// StalledAfterData.
	Fault string `json:"fault"`
	// MessageID is the message's, for the faults after the data.
	MessageID string    `json:"message_id,omitempty"`
	At        time.Time `json:"at"`
}

// Refusals returns the faults injected so far, in the order they happened.
func (mb *Mailbox) Refusals() []Refusal {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return append([]Refusal(nil), mb.refusals...)
}

func (mb *Mailbox) refuse(r Refusal) {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	mb.refusals = append(mb.refusals, r)
}

// stall holds the caller for Options.Stall, or until Close.
func (mb *Mailbox) stall() {
	t := time.NewTimer(mb.opts.Stall)
	defer t.Stop()
	select {
	case <-t.C:
	case <-mb.stop:
	}
}
