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

func TestAcknowledge_ShortLinesFilledInLineOrderWithTheirReason(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 27, 14, 2, 0, 0, time.UTC)
	o := Restore(Order{Key: Key{Storefront: "s", ID: "1"}, Lines: []LineItem{
		{SKU: "A", Quantity: 2}, {SKU: "A", Quantity: 3}, {SKU: "B", Quantity: 1}, {SKU: "C", Quantity: 4},
	}}, Submitted)
	ack := Ack{Ref: "SO-1", Validated: map[string]int{"A": 3, "B": 0, "C": 4}, Short: map[string]string{"B": ShortUnknownSKU}}
	if err := o.Acknowledge(ack, at); err != nil {
		t.Fatal(err)
	}
	type got struct {
		validated int
		short     string
	}
	want := []got{{2, ""}, {1, ShortBackordered}, {0, ShortUnknownSKU}, {4, ""}}
	for i, w := range want {
		l := o.Lines[i]
		if l.Validated == nil || *l.Validated != w.validated || l.Short != w.short {
			t.Errorf("line %d = validated %v short %q, want %d %q", i, l.Validated, l.Short, w.validated, w.short)
		}
	}
	if n := len(o.ShortLines()); n != 2 {
		t.Errorf("ShortLines() has %d lines, want 2", n)
	}
}

func TestReopen_ClearsTheSettlementAndKeepsAttempts(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 27, 14, 2, 0, 0, time.UTC)
	o := Restore(Order{Key: Key{Storefront: "s", ID: "1"}, Attempts: 3, Reason: "unknown sku", SettledAt: at}, Rejected)
	if err := o.Reopen("sku added", "operator alice", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if o.State() != Received || o.Reason != "" || !o.SettledAt.IsZero() || o.Attempts != 3 {
		t.Errorf("after reopen: state %s reason %q settled %v attempts %d", o.State(), o.Reason, o.SettledAt, o.Attempts)
	}
}

func TestMarkOverdue_OnceAndNeverWhenSettled(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 27, 14, 2, 0, 0, time.UTC)
	o := Restore(Order{Key: Key{Storefront: "s", ID: "1"}, ReceivedAt: at}, Submitted)
	if !o.MarkOverdue(15*time.Minute, at.Add(15*time.Minute)) {
		t.Fatal("MarkOverdue of an unsettled order returned false")
	}
	if !o.Overdue() {
		t.Fatal("Overdue() = false after MarkOverdue")
	}
	if o.MarkOverdue(15*time.Minute, at.Add(20*time.Minute)) {
		t.Fatal("second MarkOverdue returned true")
	}
	if err := o.Acknowledge(Ack{Ref: "SO-1"}, at.Add(21*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := o.Confirm(at.Add(22 * time.Minute)); err != nil {
		t.Fatal(err)
	}
	if o.Overdue() {
		t.Error("a confirmed order is still overdue")
	}
	settled := Restore(Order{Key: Key{Storefront: "s", ID: "2"}}, Confirmed)
	if settled.MarkOverdue(time.Minute, at) {
		t.Error("MarkOverdue of a confirmed order returned true")
	}
}

func TestMarkOverdueBy_NamesWhatFoundItOnTheTimeline(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 27, 14, 2, 0, 0, time.UTC)
	tests := []struct {
		by, want string
	}{
		{"the sla sweep", "not settled 20m0s after it was received (SLA 15m0s); still submitted; marked overdue by the sla sweep"},
		{"", "not settled 20m0s after it was received (SLA 15m0s); still submitted"},
	}
	for _, tt := range tests {
		o := Restore(Order{Key: Key{Storefront: "s", ID: "1"}, ReceivedAt: at}, Submitted)
		if !o.MarkOverdueBy(15*time.Minute, at.Add(20*time.Minute), tt.by) {
			t.Fatalf("MarkOverdueBy(%q) of an unsettled order returned false", tt.by)
		}
		evs := o.Pending()
		if len(evs) != 1 || evs[0].Kind != EventOverdue || evs[0].Detail != tt.want {
			t.Errorf("MarkOverdueBy(%q) recorded %+v, want one overdue entry %q", tt.by, evs, tt.want)
		}
		if o.MarkOverdueBy(15*time.Minute, at.Add(30*time.Minute), tt.by) {
			t.Errorf("second MarkOverdueBy(%q) returned true", tt.by)
		}
	}
}

func TestRelease_ClearsAttentionOnTheTimeline(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 27, 14, 2, 0, 0, time.UTC)
	o := Restore(Order{Key: Key{Storefront: "s", ID: "1"}}, Acknowledged)
	o.Release("", "operator", at) // nothing to release: no entry
	if len(o.Pending()) != 0 {
		t.Fatalf("Release without attention wrote %d entries", len(o.Pending()))
	}
	o.Flag("line short", "gate", at)
	o.Release(" by alice", "operator", at)
	if o.Attention != "" || len(o.Pending()) != 2 {
		t.Fatalf("after release: attention %q, %d entries", o.Attention, len(o.Pending()))
	}
}
