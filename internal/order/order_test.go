package order

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestAcknowledge_CopiesValidatedQuantities(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 27, 14, 2, 0, 0, time.UTC)
	o := Restore(Order{Lines: []LineItem{
		{SKU: "A", Quantity: 2, Price: decimal.RequireFromString("9.99")},
		{SKU: "B", Quantity: 1},
	}}, Submitted)
	ship := at.Add(48 * time.Hour)
	if err := o.Acknowledge(Ack{Ref: "SO-9", Validated: map[string]int{"A": 1}, ShipBy: ship}, at); err != nil {
		t.Fatal(err)
	}
	if o.ERPRef != "SO-9" || !o.AcknowledgedAt.Equal(at) || !o.ShipBy.Equal(ship) {
		t.Fatalf("ack fields not set: %+v", o)
	}
	if o.Lines[0].Validated == nil || *o.Lines[0].Validated != 1 {
		t.Fatalf("line A validated = %v, want 1", o.Lines[0].Validated)
	}
	if o.Lines[1].Validated != nil {
		t.Fatalf("line B validated = %v, want nil (the ERP said nothing of it)", *o.Lines[1].Validated)
	}
}

func TestMerge(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)
	base := Order{Name: "#1", SourceUpdatedAt: t0, Lines: []LineItem{{SKU: "A", Quantity: 1}}}
	newer := Order{Name: "#1", SourceUpdatedAt: t0.Add(time.Minute), Lines: []LineItem{{SKU: "A", Quantity: 3}}}
	older := Order{Name: "#1", SourceUpdatedAt: t0.Add(-time.Minute), Lines: []LineItem{{SKU: "Z", Quantity: 9}}}

	tests := []struct {
		name      string
		state     State
		snap      Order
		wantNewer bool
		wantQty   int
		wantKind  EventKind
		attempts  int
	}{
		{"newer snapshot applies while received", Received, newer, true, 3, EventUpdated, 0},
		{"newer snapshot only recorded once submitted", Submitted, newer, true, 1, EventUpdated, 0},
		{"newer snapshot only recorded once a submit attempt began", Received, newer, true, 1, EventUpdated, 1},
		{"older snapshot discarded", Received, older, false, 1, EventStale, 0},
		{"same timestamp discarded", Received, base, false, 1, EventStale, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := base
			b.Lines = append([]LineItem(nil), base.Lines...)
			b.Attempts = tt.attempts
			o := Restore(b, tt.state)
			if got := o.Merge(tt.snap, "shopify", t0); got != tt.wantNewer {
				t.Fatalf("Merge = %v, want %v", got, tt.wantNewer)
			}
			if o.Lines[0].Quantity != tt.wantQty {
				t.Fatalf("quantity %d, want %d", o.Lines[0].Quantity, tt.wantQty)
			}
			if p := o.Pending(); len(p) != 1 || p[0].Kind != tt.wantKind {
				t.Fatalf("timeline %+v, want one %s", p, tt.wantKind)
			}
			if o.State() != tt.state {
				t.Fatalf("state moved to %s", o.State())
			}
		})
	}
}

func TestKey_ExternalIDIsStable(t *testing.T) {
	t.Parallel()
	k := Key{Storefront: "shop1", ID: "820982911946154508"}
	if got, want := k.ExternalID(), "og-shop1-820982911946154508"; got != want {
		t.Fatalf("ExternalID = %q, want %q", got, want)
	}
}
