package inventory_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/inventory"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

// newLedger returns a ledger with channels amazon (buffer 2), ebay (no
// buffer, cap 5) and walmart (buffer 1), and bundle KIT = 2×A + 1×B.
func newLedger(t *testing.T) *inventory.Ledger {
	t.Helper()
	l, err := inventory.New(inventory.Config{
		Channels: []inventory.Channel{
			{Name: "amazon", Buffer: 2},
			{Name: "ebay", Cap: 5},
			{Name: "walmart", Buffer: 1},
		},
		Bundles: []inventory.Bundle{{SKU: "KIT", Components: map[string]int{"A": 2, "B": 1}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func mustSet(t *testing.T, l *inventory.Ledger, sku string, qty int, asOf time.Time) {
	t.Helper()
	if _, err := l.SetERP(sku, qty, asOf); err != nil {
		t.Fatal(err)
	}
}

func mustReserve(t *testing.T, l *inventory.Ledger, key string, at time.Time, lines ...inventory.Line) {
	t.Helper()
	if err := l.Reserve(key, lines, at); err != nil {
		t.Fatal(err)
	}
}

func wantAvail(t *testing.T, l *inventory.Ledger, channel, sku string, want int) {
	t.Helper()
	if got := l.Available(channel, sku); got != want {
		t.Errorf("Available(%s, %s) = %d, want %d", channel, sku, got, want)
	}
}

func TestAvailable_ERPMinusHeldMinusBufferFlooredAndCapped(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		erp      int
		held     int
		channel  string
		want     int
		wantKnow bool
	}{
		{"buffer subtracted", 10, 0, "amazon", 8, true},
		{"held and buffer subtracted", 10, 3, "amazon", 5, true},
		{"floored at zero", 4, 3, "amazon", 0, true},
		{"negative erp floors at zero", -3, 0, "walmart", 0, true},
		{"capped", 10, 2, "ebay", 5, true},
		{"under the cap", 10, 7, "ebay", 3, true},
		{"unknown channel", 10, 0, "etsy", 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			l := newLedger(t)
			mustSet(t, l, "A", c.erp, at(0))
			if c.held > 0 {
				mustReserve(t, l, "o1", at(1), inventory.Line{SKU: "A", Qty: c.held})
			}
			q := l.Quote(c.channel, "A")
			if q.Available != c.want || q.Known != c.wantKnow {
				t.Errorf("Quote = available %d known %v, want %d %v (%+v)", q.Available, q.Known, c.want, c.wantKnow, q)
			}
		})
	}
}

func TestAvailable_SKUWithoutERPFigureIsUnknownAndZero(t *testing.T) {
	t.Parallel()
	l := newLedger(t)
	mustReserve(t, l, "o1", at(0), inventory.Line{SKU: "A", Qty: 1})
	if q := l.Quote("amazon", "A"); q.Known || q.Available != 0 {
		t.Errorf("Quote = %+v, want unknown and 0", q)
	}
}

// TestAcknowledge_WorkedExample is the example in the package doc, step by step.
func TestAcknowledge_WorkedExample(t *testing.T) {
	t.Parallel()
	l := newLedger(t)
	mustSet(t, l, "A", 10, at(0))
	wantAvail(t, l, "amazon", "A", 8)
	mustReserve(t, l, "o1", at(1), inventory.Line{SKU: "A", Qty: 3})
	wantAvail(t, l, "amazon", "A", 5)
	if err := l.Acknowledge("o1", at(2)); err != nil {
		t.Fatal(err)
	}
	wantAvail(t, l, "amazon", "A", 5) // the 10:00 figure does not show o1
	mustSet(t, l, "A", 7, at(1))      // sent before the ack: shows o1, but o1 stays held
	wantAvail(t, l, "amazon", "A", 2)
	mustSet(t, l, "A", 7, at(4)) // sent after the ack
	wantAvail(t, l, "amazon", "A", 5)
	if q := l.Quote("amazon", "A"); q.Held != 0 {
		t.Errorf("held = %d after a newer refresh, want 0", q.Held)
	}
	if l.Release("o1") {
		t.Error("Release of an order the ERP figure shows reported holding something")
	}
}

func TestAcknowledge_RefreshAsOfTheAckInstantStillHolds(t *testing.T) {
	t.Parallel()
	l := newLedger(t)
	mustSet(t, l, "A", 10, at(0))
	mustReserve(t, l, "o1", at(1), inventory.Line{SKU: "A", Qty: 3})
	if err := l.Acknowledge("o1", at(2)); err != nil {
		t.Fatal(err)
	}
	mustSet(t, l, "A", 7, at(2))
	wantAvail(t, l, "walmart", "A", 3) // 7 − 3 − 1: whether a read sent at the ack's instant shows it is unknown
}

func TestAcknowledge_ERPLagKeepsHoldingUntilALaterRefresh(t *testing.T) {
	t.Parallel()
	l, err := inventory.New(inventory.Config{Channels: []inventory.Channel{{Name: "m"}}, ERPLag: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	mustSet(t, l, "A", 10, at(0))
	mustReserve(t, l, "o1", at(1), inventory.Line{SKU: "A", Qty: 4})
	if err := l.Acknowledge("o1", at(2)); err != nil {
		t.Fatal(err)
	}
	mustSet(t, l, "A", 10, at(6)) // within the lag: the ERP may not show it yet
	wantAvail(t, l, "m", "A", 6)
	mustSet(t, l, "A", 6, at(8))
	wantAvail(t, l, "m", "A", 6)
	if q := l.Quote("m", "A"); q.Held != 0 {
		t.Errorf("held = %d, want 0", q.Held)
	}
}

func TestAcknowledge_AlreadyShownByTheFigureStopsHoldingAtOnce(t *testing.T) {
	t.Parallel()
	l := newLedger(t)
	mustReserve(t, l, "o1", at(0), inventory.Line{SKU: "A", Qty: 3})
	mustSet(t, l, "A", 7, at(5)) // a read sent after the ERP acknowledged at 10:02
	wantAvail(t, l, "ebay", "A", 4)
	if err := l.Acknowledge("o1", at(2)); err != nil {
		t.Fatal(err)
	}
	wantAvail(t, l, "ebay", "A", 5)
	if got := l.Snapshot().Orders; len(got) != 0 {
		t.Errorf("orders after the ack = %+v, want none", got)
	}
}

func TestAcknowledge_UnknownOrderAndTwice(t *testing.T) {
	t.Parallel()
	l := newLedger(t)
	if err := l.Acknowledge("nope", at(0)); !errors.Is(err, inventory.ErrUnknownOrder) {
		t.Errorf("Acknowledge(unknown) = %v, want ErrUnknownOrder", err)
	}
	mustSet(t, l, "A", 10, at(0))
	mustReserve(t, l, "o1", at(1), inventory.Line{SKU: "A", Qty: 3})
	if err := l.Acknowledge("o1", at(2)); err != nil {
		t.Fatal(err)
	}
	if err := l.Acknowledge("o1", at(9)); err != nil {
		t.Fatalf("second Acknowledge: %v", err)
	}
	mustSet(t, l, "A", 7, at(3)) // after the first ack time, before the second
	wantAvail(t, l, "ebay", "A", 5)
}

func TestSetERP_OlderFigureIsIgnored(t *testing.T) {
	t.Parallel()
	l := newLedger(t)
	mustSet(t, l, "A", 10, at(5))
	ok, err := l.SetERP("A", 99, at(4))
	if err != nil || ok {
		t.Errorf("SetERP(older) = %v, %v; want false, nil", ok, err)
	}
	wantAvail(t, l, "ebay", "A", 5)
	if q := l.Quote("ebay", "A"); q.ERP != 10 || !q.ERPAsOf.Equal(at(5)) {
		t.Errorf("figure = %d as of %s, want 10 as of %s", q.ERP, q.ERPAsOf, at(5))
	}
}

func TestSetERP_BundleAndEmptySKUAreRefused(t *testing.T) {
	t.Parallel()
	l := newLedger(t)
	if _, err := l.SetERP("KIT", 5, at(0)); !errors.Is(err, inventory.ErrBundle) {
		t.Errorf("SetERP(bundle) = %v, want ErrBundle", err)
	}
	if _, err := l.SetERP("", 5, at(0)); err == nil {
		t.Error("SetERP(\"\") succeeded")
	}
}

func TestRelease_RejectedOrCancelledGivesTheUnitsBack(t *testing.T) {
	t.Parallel()
	for _, acked := range []bool{false, true} {
		l := newLedger(t)
		mustSet(t, l, "A", 10, at(0))
		mustReserve(t, l, "o1", at(1), inventory.Line{SKU: "A", Qty: 3}, inventory.Line{SKU: "B", Qty: 1})
		if acked {
			if err := l.Acknowledge("o1", at(2)); err != nil {
				t.Fatal(err)
			}
		}
		wantAvail(t, l, "amazon", "A", 5)
		if !l.Release("o1") {
			t.Errorf("acked=%v: Release reported nothing held", acked)
		}
		wantAvail(t, l, "amazon", "A", 8)
		if l.Release("o1") {
			t.Errorf("acked=%v: second Release reported something held", acked)
		}
	}
}

func TestReserve_AgainReplacesTheLinesUntilAcknowledged(t *testing.T) {
	t.Parallel()
	l := newLedger(t)
	mustSet(t, l, "A", 10, at(0))
	mustReserve(t, l, "o1", at(1), inventory.Line{SKU: "A", Qty: 3})
	mustReserve(t, l, "o1", at(2), inventory.Line{SKU: "A", Qty: 1}, inventory.Line{SKU: "A", Qty: 1})
	wantAvail(t, l, "ebay", "A", 5)
	if q := l.Quote("ebay", "A"); q.Held != 2 {
		t.Errorf("held = %d, want 2", q.Held)
	}
	if got := l.Snapshot().Orders[0].ReservedAt; !got.Equal(at(1)) {
		t.Errorf("reserved at %s after an edit, want the first reservation's %s", got, at(1))
	}
	if err := l.Acknowledge("o1", at(3)); err != nil {
		t.Fatal(err)
	}
	err := l.Reserve("o1", []inventory.Line{{SKU: "A", Qty: 9}}, at(4))
	if !errors.Is(err, inventory.ErrAcknowledged) {
		t.Errorf("Reserve after ack = %v, want ErrAcknowledged", err)
	}
}

func TestReserve_BadLinesAreRefusedAndHoldNothing(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		key   string
		lines []inventory.Line
	}{
		{"empty key", "", []inventory.Line{{SKU: "A", Qty: 1}}},
		{"empty sku", "o1", []inventory.Line{{SKU: "", Qty: 1}}},
		{"zero quantity", "o1", []inventory.Line{{SKU: "A", Qty: 1}, {SKU: "B", Qty: 0}}},
		{"negative quantity", "o1", []inventory.Line{{SKU: "A", Qty: -2}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			l := newLedger(t)
			mustSet(t, l, "A", 10, at(0))
			if err := l.Reserve(c.key, c.lines, at(1)); err == nil {
				t.Fatal("Reserve succeeded")
			}
			wantAvail(t, l, "ebay", "A", 5)
			if got := l.Snapshot().Orders; len(got) != 0 {
				t.Errorf("orders = %+v, want none", got)
			}
		})
	}
}

func TestBundle_MinimumOverComponentsOfFloorOfComponentOverUnits(t *testing.T) {
	t.Parallel()
	l := newLedger(t)
	if q := l.Quote("walmart", "KIT"); q.Known {
		t.Errorf("bundle with no component figures is known: %+v", q)
	}
	mustSet(t, l, "A", 9, at(0))
	if q := l.Quote("walmart", "KIT"); q.Known || q.Limiting != "B" {
		t.Errorf("bundle missing B's figure = %+v, want unknown, limited by B", q)
	}
	mustSet(t, l, "B", 10, at(0))
	// walmart (buffer 1 per component): A (9−1)/2 = 4, B (10−1)/1 = 9.
	q := l.Quote("walmart", "KIT")
	if q.Available != 4 || q.Limiting != "A" || !q.Known {
		t.Errorf("KIT on walmart = %+v, want 4 limited by A", q)
	}
	// amazon (buffer 2): A (9−2)/2 = 3.
	wantAvail(t, l, "amazon", "KIT", 3)
	// Selling one kit holds 2 A and 1 B; selling 5 B makes B the limit.
	mustReserve(t, l, "o1", at(1), inventory.Line{SKU: "KIT", Qty: 1})
	wantAvail(t, l, "walmart", "A", 6)
	wantAvail(t, l, "walmart", "B", 8)
	wantAvail(t, l, "walmart", "KIT", 3)
	mustReserve(t, l, "o2", at(1), inventory.Line{SKU: "B", Qty: 7})
	if q := l.Quote("walmart", "KIT"); q.Available != 1 || q.Limiting != "B" {
		t.Errorf("KIT on walmart = %+v, want 1 limited by B", q)
	}
}

func TestBundle_CapAppliesToTheBundleNotItsComponents(t *testing.T) {
	t.Parallel()
	l := newLedger(t)
	mustSet(t, l, "A", 100, at(0))
	mustSet(t, l, "B", 100, at(0))
	wantAvail(t, l, "ebay", "A", 5)
	wantAvail(t, l, "ebay", "KIT", 5) // 50 kits, capped at 5, not (5/2)
}

func TestChangedSince_MarksSKUsAndTheBundlesBuiltFromThem(t *testing.T) {
	t.Parallel()
	l := newLedger(t)
	skus, seq := l.ChangedSince(0)
	if len(skus) != 0 || seq != 0 {
		t.Fatalf("fresh ledger: %v at %d", skus, seq)
	}
	mustSet(t, l, "A", 10, at(0))
	mustSet(t, l, "C", 1, at(0))
	skus, seq = l.ChangedSince(seq)
	if diff := cmp.Diff([]string{"A", "C", "KIT"}, skus); diff != "" {
		t.Errorf("after SetERP (-want +got):\n%s", diff)
	}
	mustReserve(t, l, "o1", at(1), inventory.Line{SKU: "C", Qty: 1})
	skus, seq = l.ChangedSince(seq)
	if diff := cmp.Diff([]string{"C"}, skus); diff != "" {
		t.Errorf("after Reserve (-want +got):\n%s", diff)
	}
	// The same figure again moves nothing.
	mustSet(t, l, "A", 10, at(2))
	if skus, _ = l.ChangedSince(seq); len(skus) != 0 {
		t.Errorf("after an unchanged figure: %v, want none", skus)
	}
	// A refresh that shows an acknowledged order marks its SKU, though the
	// figure nets out the same; a pusher skips an unchanged figure itself.
	if err := l.Acknowledge("o1", at(3)); err != nil {
		t.Fatal(err)
	}
	_, seq = l.ChangedSince(seq)
	mustSet(t, l, "C", 0, at(4))
	skus, _ = l.ChangedSince(seq)
	if diff := cmp.Diff([]string{"C"}, skus); diff != "" {
		t.Errorf("after the refresh (-want +got):\n%s", diff)
	}
	if got := l.Available("ebay", "C"); got != 0 {
		t.Errorf("Available(C) = %d, want 0", got)
	}
}

func TestNew_BadConfigNamesTheField(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		cfg  inventory.Config
		want string
	}{
		{"channel without name", inventory.Config{Channels: []inventory.Channel{{}}}, "channels[0].name: required"},
		{"channel twice", inventory.Config{Channels: []inventory.Channel{{Name: "a"}, {Name: "a"}}}, "channels[1].name"},
		{"negative buffer", inventory.Config{Channels: []inventory.Channel{{Name: "a", Buffer: -1}}}, "channels[0].buffer"},
		{"negative cap", inventory.Config{Channels: []inventory.Channel{{Name: "a", Cap: -1}}}, "channels[0].cap"},
		{"bundle without components", inventory.Config{Bundles: []inventory.Bundle{{SKU: "K"}}}, "bundles[0].components: required"},
		{"bundle of itself", inventory.Config{Bundles: []inventory.Bundle{{SKU: "K", Components: map[string]int{"K": 1}}}}, "cannot be a component"},
		{"zero units", inventory.Config{Bundles: []inventory.Bundle{{SKU: "K", Components: map[string]int{"A": 0}}}}, "bundles[0].components[A]"},
		{"nested bundle", inventory.Config{Bundles: []inventory.Bundle{
			{SKU: "K", Components: map[string]int{"J": 1}},
			{SKU: "J", Components: map[string]int{"A": 1}},
		}}, "is a component of \"K\" and a bundle itself"},
		{"negative lag", inventory.Config{ERPLag: -time.Second}, "erp_lag"},
		{"negative channel lag", inventory.Config{Channels: []inventory.Channel{{Name: "a", Lag: -time.Second}}}, "channels[0].lag"},
		{"negative share", inventory.Config{Channels: []inventory.Channel{{Name: "a"}, {Name: "b", Share: -1}}}, "channels[1].share: must not be negative"},
		{"negative idle after", inventory.Config{IdleAfter: -time.Second}, "idle_after: must not be negative"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := inventory.New(c.cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("New = %v, want an error containing %q", err, c.want)
			}
		})
	}
}
