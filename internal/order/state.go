package order

import (
	"errors"
	"fmt"
)

// State is where an order stands in the handoff. The set is closed.
type State string

// The states of an order.
const (
	Received     State = "received"
	Submitted    State = "submitted"
	Acknowledged State = "acknowledged"
	Confirmed    State = "confirmed"
	Rejected     State = "rejected"
	Cancelled    State = "cancelled"
)

// States lists every state in lifecycle order.
var States = []State{Received, Submitted, Acknowledged, Confirmed, Rejected, Cancelled}

// ParseState returns the State named s, or an error naming the valid ones.
func ParseState(s string) (State, error) {
	for _, st := range States {
		if string(st) == s {
			return st, nil
		}
	}
	return "", fmt.Errorf("unknown order state %q (want one of received, submitted, acknowledged, confirmed, rejected, cancelled)", s)
}

// Settled reports whether the gate has nothing more to do for an order in s:
// the customer was confirmed, the ERP rejected it, or it was cancelled.
func (s State) Settled() bool {
	return s == Confirmed || s == Rejected || s == Cancelled
}

// Transition names a change of state requested of an order.
type Transition string

// The transitions. Each is a method on *Order.
const (
	Submit      Transition = "submit"
	Acknowledge Transition = "acknowledge"
	Confirm     Transition = "confirm"
	Reject      Transition = "reject"
	Cancel      Transition = "cancel"
	Reopen      Transition = "reopen"
)

// Transitions lists every transition.
var Transitions = []Transition{Submit, Acknowledge, Confirm, Reject, Cancel, Reopen}

// legal maps each transition to the states it may start from and the state it
// leads to. It is the whole state machine.
var legal = map[Transition]struct {
	from []State
	to   State
}{
	Submit:      {from: []State{Received}, to: Submitted},
	Acknowledge: {from: []State{Submitted}, to: Acknowledged},
	Confirm:     {from: []State{Acknowledged}, to: Confirmed},
	Reject:      {from: []State{Received, Submitted}, to: Rejected},
	Cancel:      {from: []State{Received, Submitted, Acknowledged, Confirmed}, to: Cancelled},
	// Reopen sends an order back through the ERP handoff, by an operator's
	// replay: a rejection fixed in the ERP (a SKU added), or a submission
	// stuck past its retries. The submit that follows looks the order up
	// in the ERP first, so the ERP never gets it twice.
	Reopen: {from: []State{Submitted, Rejected}, to: Received},
}

// ErrIllegalTransition is returned (wrapped) when a transition is not allowed
// from the order's current state.
var ErrIllegalTransition = errors.New("illegal transition")

// Next returns the state that t leads to from s, or an error wrapping
// ErrIllegalTransition.
func Next(s State, t Transition) (State, error) {
	rule, ok := legal[t]
	if !ok {
		return s, fmt.Errorf("unknown transition %q", t)
	}
	for _, from := range rule.from {
		if from == s {
			return rule.to, nil
		}
	}
	return s, fmt.Errorf("%w: %s from %s", ErrIllegalTransition, t, s)
}
