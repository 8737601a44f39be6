package gate

import (
	"strings"
	"testing"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront"
)

func TestIngest_NoEmailIsConfirmedWithoutAMessageAndFlagged(t *testing.T) {
	t.Parallel()
	b := setup(t, options{storefront: func(sf *Storefront) { sf.Mode = ModeAckGated }})
	o := testOrder("5001", t0, line("TSHIRT-M", 1))
	o.Customer.Email = "  "
	b.ingest(t, delivery(storefront.OrderCreated, "no-email", o))

	got := b.waitState(t, o.Key, order.Confirmed)
	if got.Attention != noEmailConfirmed {
		t.Errorf("attention %q, want %q", got.Attention, noEmailConfirmed)
	}
	if held := b.sim.Records().OrdersFor(o.Key.ExternalID()); len(held) != 1 {
		t.Errorf("erp holds %d orders, want 1: a missing e-mail does not keep the order from the erp", len(held))
	}
	if n := len(b.mail.Messages()); n != 0 {
		t.Errorf("mailbox holds %d messages, want none", n)
	}
	tl := b.timeline(t, o.Key)
	flags := ofKind(tl, order.EventAttention)
	if len(flags) == 0 || !strings.Contains(flags[0].Detail, "no customer e-mail address") {
		t.Errorf("attention entries %v, want the missing e-mail flagged at ingest:\n%s", flags, formatTimeline(tl))
	}
	// The confirmation is settled without a message; the pending notice
	// is either skipped the same way or, when the ERP's acknowledgment
	// overtook it, skipped as no longer due.
	var confirmationNotes int
	for _, e := range ofKind(tl, order.EventNote) {
		if strings.Contains(e.Detail, "confirmation message not sent: the order has no customer e-mail address") {
			confirmationNotes++
		}
	}
	if confirmationNotes != 1 {
		t.Errorf("%d 'confirmation not sent' notes, want 1:\n%s", confirmationNotes, formatTimeline(tl))
	}
}

func TestIngest_IncompleteShippingAddressIsFlaggedAndStillHandedOn(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})
	o := testOrder("5002", t0, line("TSHIRT-M", 1))
	o.NeedsShipping = true
	o.ShipTo = &order.Address{Name: "Ada Lovelace", Line1: "12 Harbor Lane"}
	b.ingest(t, delivery(storefront.OrderCreated, "no-city", o))

	got := b.waitState(t, o.Key, order.Confirmed)
	want := "incomplete shipping address (no city, country): add it to the order in the erp"
	if got.Attention != want {
		t.Errorf("attention %q, want %q", got.Attention, want)
	}
	if n := len(b.mail.Messages()); n != 1 {
		t.Errorf("mailbox holds %d messages, want the confirmation", n)
	}

	// Gift cards and downloads need no address: nothing to flag.
	d := testOrder("5003", t0, line("GIFT-CARD", 1))
	b.ingest(t, delivery(storefront.OrderCreated, "digital", d))
	if got := b.waitState(t, d.Key, order.Confirmed); got.Attention != "" {
		t.Errorf("an order needing no shipping flagged %q", got.Attention)
	}
}
