// Package notify sends the customer's messages: the confirmation (only after
// the ERP's acknowledgment), and in later modes the "received, confirmation
// pending" and problem notices. Senders (smtp/, webhook/) implement Sender.
//
// Sending is not transactional with the database, so every message carries a
// stable id per (order, kind): the gate records an attempt before sending and
// never sends again once an attempt may have gone out.
package notify

import (
	"context"
	"fmt"

	"github.com/ordergate/ordergate/internal/order"
)

// Kind is which message.
type Kind string

// The message kinds. At most one of each is sent per order.
const (
	Confirmation Kind = "confirmation"
	Pending      Kind = "pending"
	Problem      Kind = "problem"
	// Delay is "still working on it", sent in ack_gated mode when the ERP
	// has not acknowledged an order some time after it was received.
	Delay Kind = "delay"
)

// Kinds lists every message kind.
var Kinds = []Kind{Confirmation, Pending, Problem, Delay}

// Message is one message to one customer about one order.
type Message struct {
	Kind  Kind
	Order order.Order
}

// ID returns the message's stable id, the same on every attempt, used as the
// Message-ID so that a receiver can also tell a repeat.
func (m Message) ID(domain string) string {
	return fmt.Sprintf("<%s.%s.%s@%s>", m.Kind, m.Order.Key.Storefront, m.Order.Key.ID, domain)
}

// Sender delivers a message. An error means it may or may not have been
// delivered unless it wraps ErrNotSent.
type Sender interface {
	Send(ctx context.Context, m Message) error
	// MessageID returns the id m is sent with, the same on every attempt,
	// so that it can be recorded before the send.
	MessageID(m Message) string
}

// ErrNotSent marks an error after which the message certainly was not
// delivered (refused before the data was sent), so a retry cannot duplicate it.
var ErrNotSent = fmt.Errorf("message not sent")
