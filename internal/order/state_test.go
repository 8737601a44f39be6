package order

import (
	"errors"
	"testing"
	"time"
)

// TestTransitions covers every (state, transition) pair: the legal ones move
// to the expected state, every other one is refused and leaves the order as
// it was.
func TestTransitions(t *testing.T) {
	t.Parallel()
	want := map[State]map[Transition]State{
		Received:     {Submit: Submitted, Reject: Rejected, Cancel: Cancelled},
		Submitted:    {Acknowledge: Acknowledged, Reject: Rejected, Cancel: Cancelled, Reopen: Received},
		Acknowledged: {Confirm: Confirmed, Cancel: Cancelled},
		Confirmed:    {Cancel: Cancelled},
		Rejected:     {Reopen: Received},
		Cancelled:    {},
	}
	at := time.Date(2026, 11, 27, 14, 2, 0, 0, time.UTC)
	apply := map[Transition]func(o *Order) error{
		Submit:      func(o *Order) error { return o.Submit("SO-1", at) },
		Acknowledge: func(o *Order) error { return o.Acknowledge(Ack{Ref: "SO-1"}, at) },
		Confirm:     func(o *Order) error { return o.Confirm(at) },
		Reject:      func(o *Order) error { return o.Reject("unknown sku", at) },
		Cancel:      func(o *Order) error { return o.Cancel("customer", "shopify", at) },
		Reopen:      func(o *Order) error { return o.Reopen("sku added in the erp", "operator", at) },
	}
	for _, from := range States {
		for _, tr := range Transitions {
			t.Run(string(from)+"/"+string(tr), func(t *testing.T) {
				t.Parallel()
				o := Restore(Order{Key: Key{Storefront: "shop1", ID: "1"}}, from)
				err := apply[tr](o)
				to, legal := want[from][tr]
				if legal {
					if err != nil {
						t.Fatalf("%s from %s: unexpected error %v", tr, from, err)
					}
					if o.State() != to {
						t.Fatalf("%s from %s: state %s, want %s", tr, from, o.State(), to)
					}
					if len(o.Pending()) != 1 {
						t.Fatalf("%s from %s: %d timeline entries, want 1", tr, from, len(o.Pending()))
					}
					return
				}
				if !errors.Is(err, ErrIllegalTransition) {
					t.Fatalf("%s from %s: error %v, want ErrIllegalTransition", tr, from, err)
				}
				if o.State() != from {
					t.Fatalf("%s from %s: state changed to %s on an illegal transition", tr, from, o.State())
				}
				if len(o.Pending()) != 0 {
					t.Fatalf("%s from %s: an illegal transition wrote the timeline", tr, from)
				}
				if got, err := Next(from, tr); err == nil {
					t.Fatalf("Next(%s, %s) = %s, want an error", from, tr, got)
				}
			})
		}
	}
}

func TestParseState_RefusesUnknown(t *testing.T) {
	t.Parallel()
	for _, s := range States {
		got, err := ParseState(string(s))
		if err != nil || got != s {
			t.Fatalf("ParseState(%q) = %q, %v", s, got, err)
		}
	}
	if _, err := ParseState("overdue"); err == nil {
		t.Fatal("ParseState(overdue) succeeded; overdue is a condition, not a state")
	}
}

func TestSettled(t *testing.T) {
	t.Parallel()
	settled := map[State]bool{Confirmed: true, Rejected: true, Cancelled: true}
	for _, s := range States {
		if s.Settled() != settled[s] {
			t.Errorf("%s.Settled() = %v", s, s.Settled())
		}
	}
}
