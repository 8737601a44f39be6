package inventory_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/inventory"
)

func sec(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }

// exposureLedger has marketplaces m1 and m2 (order feeds up to 10 s late)
// and a storefront shop (sales at once), no buffers, and KIT = 2×A + 1×B.
func exposureLedger(t *testing.T) *inventory.Ledger {
	t.Helper()
	l, err := inventory.New(inventory.Config{
		Channels: []inventory.Channel{
			{Name: "m1", Lag: 10 * time.Second},
			{Name: "m2", Lag: 10 * time.Second},
			{Name: "shop"},
		},
		Bundles: []inventory.Bundle{{SKU: "KIT", Components: map[string]int{"A": 2, "B": 1}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// claim is what a Claim said, as the tests compare it.
type claim struct {
	Available int
	Keep      bool
}

func mustClaim(t *testing.T, l *inventory.Ledger, channel, sku string, now time.Time, want claim) {
	t.Helper()
	q := l.Claim(channel, sku, now)
	if got := (claim{q.Available, q.Keep}); got != want {
		t.Errorf("Claim(%s, %s) at %s = %+v, want %+v (quote %+v)", channel, sku, now.Sub(t0), got, want, q)
	}
	if !q.Keep && q.Available > l.Quote(channel, sku).Available {
		t.Errorf("Claim(%s, %s) = %d above Quote's %d", channel, sku, q.Available, l.Quote(channel, sku).Available)
	}
}

func mustSale(t *testing.T, l *inventory.Ledger, key, channel, sku string, qty int, placedAt time.Time) {
	t.Helper()
	if err := l.ReserveSale(key, channel, []inventory.Line{{SKU: sku, Qty: qty}}, placedAt); err != nil {
		t.Fatal(err)
	}
}

// pairLedger has marketplaces m1 and m2 alone, order feeds up to 10 s
// late, equal shares.
func pairLedger(t *testing.T) *inventory.Ledger {
	t.Helper()
	l, err := inventory.New(inventory.Config{Channels: []inventory.Channel{
		{Name: "m1", Lag: 10 * time.Second},
		{Name: "m2", Lag: 10 * time.Second},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestClaim_ChannelsShareTheStockInsteadOfEachGettingAll(t *testing.T) {
	t.Parallel()
	l := exposureLedger(t)
	mustSet(t, l, "A", 10, sec(0))
	// Quote counts each channel alone: each would be told 10.
	wantAvail(t, l, "m1", "A", 10)
	wantAvail(t, l, "m2", "A", 10)
	// Claim splits the 10 three ways; the unit left over goes by a hash
	// of the SKU, here to m1.
	mustClaim(t, l, "m1", "A", sec(1), claim{4, false})
	mustClaim(t, l, "m2", "A", sec(1), claim{3, false})
	mustClaim(t, l, "shop", "A", sec(1), claim{3, false})
	l.Told("m1", "A", 4, sec(2))
	l.Told("m2", "A", 3, sec(2))
	l.Told("shop", "A", 3, sec(2))
	// m1 sells its 4; m2 and shop, which may still sell theirs, keep them.
	mustSale(t, l, "m1/1", "m1", "A", 4, sec(3))
	mustClaim(t, l, "m1", "A", sec(4), claim{4, true}) // sold out: nothing to add, nothing to send
	mustClaim(t, l, "m2", "A", sec(4), claim{3, true})
	// m2 sells 1: it shows 2 and its share of the 5 left is 2 or 3: kept.
	mustSale(t, l, "m2/1", "m2", "A", 1, sec(5))
	mustClaim(t, l, "m2", "A", sec(6), claim{3, true})
	// Restock: 6 more, split by share of what is left, 11. m1 takes its
	// 4 first; m2 shows 2 and could be told at most 2 more than the room
	// left (4 − its 2): no better than what it shows, so nothing is sent.
	mustSet(t, l, "A", 16, sec(7))
	mustClaim(t, l, "m1", "A", sec(8), claim{4, false})
	mustClaim(t, l, "m2", "A", sec(8), claim{3, true})
	mustClaim(t, l, "shop", "A", sec(8), claim{3, true})
}

func TestClaim_SharesFollowTheWeights(t *testing.T) {
	t.Parallel()
	l, err := inventory.New(inventory.Config{Channels: []inventory.Channel{
		{Name: "big", Share: 3}, {Name: "small"}, {Name: "capped", Share: 4, Cap: 2},
	}})
	if err != nil {
		t.Fatal(err)
	}
	mustSet(t, l, "A", 22, sec(0))
	// capped's share, 22 × 4/8 = 11, is over its cap: it gets 2, and the
	// 20 left go 3 : 1.
	mustClaim(t, l, "capped", "A", sec(0), claim{2, false})
	mustClaim(t, l, "big", "A", sec(0), claim{15, false})
	mustClaim(t, l, "small", "A", sec(0), claim{5, false})
}

// A channel that sold out its share gets the stock another channel has
// held without selling for IdleAfter: the idle channel is lowered to 0,
// and once its old figure stops counting (its Lag) the units go to the
// channel that sells.
func TestClaim_IdleStockGoesToTheChannelThatSoldOut(t *testing.T) {
	t.Parallel()
	l, err := inventory.New(inventory.Config{IdleAfter: 30 * time.Second, Channels: []inventory.Channel{
		{Name: "m1", Lag: 10 * time.Second},
		{Name: "m2", Lag: 10 * time.Second},
	}})
	if err != nil {
		t.Fatal(err)
	}
	mustSet(t, l, "A", 10, sec(0))
	mustClaim(t, l, "m1", "A", sec(0), claim{5, false})
	mustClaim(t, l, "m2", "A", sec(0), claim{5, false})
	l.Told("m1", "A", 5, sec(1))
	l.Told("m2", "A", 5, sec(1))
	mustSale(t, l, "m1/1", "m1", "A", 5, sec(2))
	// m2 was opened at 1 s: until 31 s it is not idle, and keeps its 5.
	mustClaim(t, l, "m2", "A", sec(3), claim{5, true})
	mustClaim(t, l, "m1", "A", sec(3), claim{5, true})
	_, seq := l.ChangedSince(0)
	l.Expire(sec(30))
	if skus, _ := l.ChangedSince(seq); len(skus) != 0 {
		t.Errorf("Expire before m2 turned idle changed %v", skus)
	}
	// At 31 s m2 is idle while m1 is sold out: Expire marks A changed so
	// that m2's pusher claims, and m2 is lowered to 0.
	l.Expire(sec(31))
	skus, seq := l.ChangedSince(seq)
	if !cmp.Equal(skus, []string{"A"}) {
		t.Errorf("Expire when m2 turned idle changed %v, want [A]", skus)
	}
	if q := l.Claim("m2", "A", sec(31)); q.Available != 0 || q.Keep || !q.Idle {
		t.Errorf("idle m2 claims %+v, want 0 to send, idle", q)
	}
	l.Told("m2", "A", 0, sec(32))
	// m2 may still sell its 5 until its orders placed before 32 s are in.
	mustClaim(t, l, "m1", "A", sec(32), claim{5, true})
	l.Expire(sec(43))
	if skus, _ := l.ChangedSince(seq); !cmp.Equal(skus, []string{"A"}) {
		t.Errorf("Expire after m2's lag changed %v, want [A]", skus)
	}
	mustClaim(t, l, "m1", "A", sec(43), claim{5, false})
	mustClaim(t, l, "m2", "A", sec(43), claim{0, true})
	// Once m1 shows stock again no channel is sold out: a restock is split
	// by shares again, and m2 reopens.
	l.Told("m1", "A", 5, sec(44))
	mustSet(t, l, "A", 16, sec(45))
	mustClaim(t, l, "m2", "A", sec(46), claim{5, false}) // 11 left, the odd unit to m1
}

func TestClaim_LoweringGoesToWhatTheChannelCannotAlreadyHaveSold(t *testing.T) {
	t.Parallel()
	l := pairLedger(t)
	mustSet(t, l, "A", 20, sec(0))
	mustClaim(t, l, "m1", "A", sec(0), claim{10, false})
	l.Told("m1", "A", 10, sec(1))
	mustClaim(t, l, "m2", "A", sec(1), claim{10, false})
	l.Told("m2", "A", 10, sec(1))
	// An order from outside the channels takes 3: m1, told 10, may sell
	// all 10 before any new figure lands, so the new figure is 0, not 7.
	mustReserve(t, l, "phone/1", sec(2), inventory.Line{SKU: "A", Qty: 3})
	mustClaim(t, l, "m1", "A", sec(2), claim{0, false})
	l.Told("m1", "A", 0, sec(3))
	// Until m1's sales placed before 3 s have surely arrived (3 s + 10 s),
	// its old figure still counts: nothing to send.
	mustClaim(t, l, "m1", "A", sec(12), claim{0, true})
	// An m1 sale placed before the push arrives late and uses up some of it.
	mustSale(t, l, "m1/1", "m1", "A", 2, sec(2))
	_, seq := l.ChangedSince(0)
	l.Expire(sec(13)) // 3 s + 10 s: a sale placed at 3 s may arrive now
	if skus, _ := l.ChangedSince(seq); len(skus) != 0 {
		t.Errorf("Expire before the lag changed %v", skus)
	}
	l.Expire(sec(14))
	if skus, _ := l.ChangedSince(seq); !cmp.Equal(skus, []string{"A", "KIT"}) && !cmp.Equal(skus, []string{"A"}) {
		t.Errorf("Expire after the lag changed %v, want [A]", skus)
	}
	mustClaim(t, l, "m1", "A", sec(14), claim{5, false}) // 20 − 3 − 2 − m2's 10
}

func TestReserveSale_CountsOnceAgainstTheFigureItWasPlacedUnder(t *testing.T) {
	t.Parallel()
	l := pairLedger(t)
	mustSet(t, l, "A", 8, sec(0))
	mustClaim(t, l, "m1", "A", sec(0), claim{4, false}) // its share, half
	l.Told("m1", "A", 4, sec(1))
	mustSet(t, l, "A", 12, sec(1)) // restock
	mustClaim(t, l, "m2", "A", sec(1), claim{6, false})
	l.Told("m2", "A", 6, sec(2))
	// m1 sells 1 under its figure; the feed delivers the order twice.
	mustSale(t, l, "m1/1", "m1", "A", 1, sec(3))
	mustSale(t, l, "m1/1", "m1", "A", 1, sec(3))
	if got := l.Quote("m1", "A").Held; got != 1 {
		t.Errorf("held %d, want 1", got)
	}
	q := l.Claim("m1", "A", sec(4))
	if q.Own != 3 || q.Exposed != 6 || !q.Keep {
		t.Errorf("m1 own %d exposed %d keep %v, want 3 6 true", q.Own, q.Exposed, q.Keep)
	}
	// A sale on a channel the ledger does not know just reserves.
	mustSale(t, l, "etsy/1", "etsy", "A", 3, sec(4))
	if got := l.Quote("m1", "A").Held; got != 4 {
		t.Errorf("held %d, want 4", got)
	}
	// m1 now shows 3, m2 6, the ERP 12 − 4: m1 no longer fits and goes
	// to 0.
	mustClaim(t, l, "m1", "A", sec(5), claim{0, false})
	l.Told("m1", "A", 0, sec(6))
	// A sale placed under the old figure, delivered after the push, and
	// again: it uses up the old figure's remainder once.
	mustSale(t, l, "m1/2", "m1", "A", 1, sec(5))
	mustSale(t, l, "m1/2", "m1", "A", 1, sec(5))
	q = l.Claim("m2", "A", sec(7))
	if q.Exposed != 2 { // m1's old figure: 3 − 1
		t.Errorf("m2 sees m1 exposing %d, want 2 (quote %+v)", q.Exposed, q)
	}
}

func TestUnclaim_GivesBackAPushThatSurelyDidNotLand(t *testing.T) {
	t.Parallel()
	l := pairLedger(t)
	mustSet(t, l, "A", 10, sec(0))
	mustClaim(t, l, "m1", "A", sec(0), claim{5, false})
	l.Unclaim("m1", "A") // throttled
	mustClaim(t, l, "m2", "A", sec(1), claim{5, false})
	// m2's push timed out: it may have landed. Its retry counts it.
	mustClaim(t, l, "m2", "A", sec(2), claim{5, false})
	mustClaim(t, l, "m1", "A", sec(2), claim{0, false})
	// The retry lands: the figure that may have landed counts until the
	// lag has passed, then only what landed.
	l.Told("m2", "A", 5, sec(3))
	l.Unclaim("m1", "A")
	mustClaim(t, l, "m1", "A", sec(13), claim{0, false})
	l.Unclaim("m1", "A")
	l.Expire(sec(14))
	mustClaim(t, l, "m1", "A", sec(14), claim{5, false})
}

func TestClaim_BundleListingsCountAgainstTheirComponents(t *testing.T) {
	t.Parallel()
	l := exposureLedger(t)
	mustSet(t, l, "A", 10, sec(0))
	mustSet(t, l, "B", 3, sec(0))
	// m1's share of B is a third of 3: one kit, 2 A + 1 B.
	mustClaim(t, l, "m1", "KIT", sec(0), claim{1, false})
	l.Told("m1", "KIT", 1, sec(1))
	mustClaim(t, l, "m2", "A", sec(1), claim{3, false})
	mustClaim(t, l, "m2", "B", sec(1), claim{1, false})
	// shop: A has 10 − 2 − 3 = 5 left, its share is 3: one kit; B 1 left.
	q := l.Claim("shop", "KIT", sec(1))
	if q.Available != 1 || q.Limiting != "A" || q.Exposed != 5 {
		t.Errorf("shop KIT = %d limited by %s, exposed %d, want 1 by A, 5 (quote %+v)", q.Available, q.Limiting, q.Exposed, q)
	}
	// A kit sold on m1 holds its components and uses up m1's figure.
	mustSale(t, l, "m1/1", "m1", "KIT", 1, sec(2))
	mustClaim(t, l, "m1", "KIT", sec(3), claim{1, true})
}

func TestSnapshot_CarriesWhatEachChannelWasTold(t *testing.T) {
	t.Parallel()
	l := exposureLedger(t)
	mustSet(t, l, "A", 10, sec(0))
	mustClaim(t, l, "m1", "A", sec(0), claim{4, false})
	l.Told("m1", "A", 4, sec(1))
	mustSale(t, l, "m1/1", "m1", "A", 2, sec(2))
	mustClaim(t, l, "m1", "A", sec(3), claim{3, false}) // its share of the 8 left
	l.Unclaim("m1", "A")
	mustReserve(t, l, "phone/1", sec(3), inventory.Line{SKU: "A", Qty: 7})
	mustClaim(t, l, "m1", "A", sec(3), claim{0, false}) // in flight at the snapshot
	b, err := json.Marshal(l.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	var s inventory.Snapshot
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if s.Version != 2 || len(s.Listings) != 1 {
		t.Fatalf("snapshot %s", b)
	}
	r := exposureLedger(t)
	if err := r.Restore(s); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(l.Snapshot(), r.Snapshot()); diff != "" {
		t.Errorf("restored snapshot differs (-want +got):\n%s", diff)
	}
	// The repeated sale still counts once; m2 sees m1's 2 left, over the 1.
	mustSale(t, r, "m1/1", "m1", "A", 2, sec(2))
	mustClaim(t, r, "m2", "A", sec(4), claim{0, false})
	// A version 1 snapshot (no listings) still restores.
	v1 := inventory.Snapshot{Version: 1, ERP: s.ERP, Orders: s.Orders}
	if err := exposureLedger(t).Restore(v1); err != nil {
		t.Errorf("Restore(v1) = %v", err)
	}
	bad := s
	bad.Listings = []inventory.Listing{{Channel: "etsy", SKU: "A"}}
	if err := exposureLedger(t).Restore(bad); err == nil {
		t.Error("Restore took a listing of an unknown channel")
	}
}
