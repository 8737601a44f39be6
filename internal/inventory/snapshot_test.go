package inventory_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/inventory"
)

func TestSnapshot_JSONRoundTripGivesTheSameLedger(t *testing.T) {
	t.Parallel()
	l := newLedger(t)
	mustSet(t, l, "A", 10, at(0))
	mustSet(t, l, "B", 4, at(0))
	mustReserve(t, l, "shop/1", at(1), inventory.Line{SKU: "KIT", Qty: 1})
	mustReserve(t, l, "amazon/2", at(2), inventory.Line{SKU: "B", Qty: 1})
	if err := l.Acknowledge("shop/1", at(3)); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(l.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	var s inventory.Snapshot
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	r := newLedger(t)
	if err := r.Restore(s); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if diff := cmp.Diff(l.Snapshot(), r.Snapshot()); diff != "" {
		t.Errorf("restored snapshot differs (-want +got):\n%s", diff)
	}
	for _, ch := range []string{"amazon", "ebay", "walmart"} {
		for _, sku := range []string{"A", "B", "KIT"} {
			if got, want := r.Quote(ch, sku), l.Quote(ch, sku); got != want {
				t.Errorf("Quote(%s, %s) = %+v, want %+v", ch, sku, got, want)
			}
		}
	}
	skus, _ := r.ChangedSince(0)
	if diff := cmp.Diff([]string{"A", "B", "KIT"}, skus); diff != "" {
		t.Errorf("changed after Restore (-want +got):\n%s", diff)
	}
	// The acknowledged order still waits for a newer figure.
	mustSet(t, r, "A", 8, at(4))
	mustSet(t, r, "B", 2, at(4))
	if got := r.Quote("ebay", "B").Held; got != 1 {
		t.Errorf("held B = %d after the ack is shown, want 1 (the amazon order)", got)
	}
}

func TestRestore_BadSnapshotIsRefusedAndLeavesTheLedger(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		json string
		want string
	}{
		{"version", `{"version":3}`, "version 3"},
		{"erp twice", `{"version":1,"erp":[{"sku":"A","qty":1,"as_of":"2026-01-01T00:00:00Z"},{"sku":"A","qty":1,"as_of":"2026-01-01T00:00:00Z"}]}`, "erp[1].sku"},
		{"bundle figure", `{"version":1,"erp":[{"sku":"KIT","qty":1,"as_of":"2026-01-01T00:00:00Z"}]}`, "bundle"},
		{"bad line", `{"version":1,"orders":[{"key":"o","lines":[{"sku":"A","qty":0}]}]}`, "orders[0].lines[0]"},
		{"key twice", `{"version":1,"orders":[{"key":"o","lines":[]},{"key":"o","lines":[]}]}`, "orders[1].key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			l := newLedger(t)
			mustSet(t, l, "A", 10, at(0))
			var s inventory.Snapshot
			if err := json.Unmarshal([]byte(c.json), &s); err != nil {
				t.Fatal(err)
			}
			err := l.Restore(s)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Restore = %v, want an error containing %q", err, c.want)
			}
			wantAvail(t, l, "ebay", "A", 5)
		})
	}
}
