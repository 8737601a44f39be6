package marketplace_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/inventory"
	"github.com/ordergate/ordergate/internal/marketplace"
	"github.com/ordergate/ordergate/internal/marketplace/marketplacetest"
	"github.com/ordergate/ordergate/internal/marketplace/sandbox"
)

// TestPusher_SeveralChannelsSellingOneStockNeverOversell is the flash sale
// in small: a storefront and two marketplaces (sandboxes, which sell what
// they were last told) selling ten low-stock SKUs at once, each with its
// own pusher, their orders reaching the ledger up to their channel's Lag
// late. The units sold across the three never exceed the stock.
func TestPusher_SeveralChannelsSellingOneStockNeverOversell(t *testing.T) {
	t.Parallel()
	for seed := range uint64(8) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			flashSale(t, seed)
		})
	}
}

func flashSale(t *testing.T, seed uint64) {
	clk := marketplacetest.NewClock(t0)
	channels := []inventory.Channel{
		{Name: "shop"},
		{Name: "mp1", Lag: 2 * time.Second},
		{Name: "mp2", Lag: 5 * time.Second},
	}
	l, err := inventory.New(inventory.Config{Channels: channels})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 99))
	var skus []string
	onHand := map[string]int{}
	for i := range 10 {
		sku := fmt.Sprintf("LOW-%d", i)
		skus = append(skus, sku)
		onHand[sku] = 1 + rng.IntN(5)
		if _, err := l.SetERP(sku, onHand[sku], clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	type delivery struct {
		at      time.Time
		channel string
		order   sandbox.Order
	}
	var (
		markets    []*sandbox.Marketplace
		pushers    []*marketplace.Pusher
		deliveries []delivery
		seen       = map[string]bool{}
	)
	for _, ch := range channels {
		m := sandbox.New(sandbox.Config{Name: ch.Name, Now: clk.Now})
		p, err := marketplace.NewPusher(marketplace.PusherConfig{
			Channel: ch.Name, Stock: l, Connector: m, Clock: clk, Debounce: 500 * time.Millisecond,
			Logger: slog.New(slog.DiscardHandler),
		})
		if err != nil {
			t.Fatal(err)
		}
		markets, pushers = append(markets, m), append(pushers, p)
	}
	for range 3000 {
		switch i := rng.IntN(len(channels)); rng.IntN(10) {
		case 0: // stock arrives
			sku := skus[rng.IntN(len(skus))]
			onHand[sku] += 1 + rng.IntN(2)
			if _, err := l.SetERP(sku, onHand[sku], clk.Now()); err != nil {
				t.Fatal(err)
			}
		default: // a buyer on channel i
			markets[i].Sell(skus[rng.IntN(len(skus))], 1+rng.IntN(2))
			for _, o := range markets[i].Orders(clk.Now()) {
				if !seen[o.ID] {
					seen[o.ID] = true
					lag := channels[i].Lag
					deliveries = append(deliveries, delivery{clk.Now().Add(time.Duration(rng.Int64N(int64(lag) + 1))), channels[i].Name, o})
				}
			}
		}
		slices.SortStableFunc(deliveries, func(a, b delivery) int { return a.at.Compare(b.at) })
		for len(deliveries) > 0 && !deliveries[0].at.After(clk.Now()) {
			d := deliveries[0]
			deliveries = deliveries[1:]
			lines := []inventory.Line{{SKU: d.order.SKU, Qty: d.order.Quantity}}
			if err := l.ReserveSale(d.order.ID, d.channel, lines, d.order.PlacedAt); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range pushers {
			p.Step(context.Background())
		}
		for _, sku := range skus {
			sold := 0
			for _, m := range markets {
				sold += m.Sold(sku)
			}
			if sold > onHand[sku] {
				t.Fatalf("at %s: %d of %s sold across the channels, the stock was %d", clk.Now().Sub(t0), sold, sku, onHand[sku])
			}
		}
		clk.Advance(time.Duration(rng.IntN(300)) * time.Millisecond)
	}
	total, stock := 0, 0
	for _, sku := range skus {
		stock += onHand[sku]
		for _, m := range markets {
			total += m.Sold(sku)
		}
	}
	if total == 0 {
		t.Errorf("nothing sold of %d units", stock)
	}
	t.Logf("seed %d: %d of %d units sold", seed, total, stock)
}

// TestPusher_StockMovesToTheChannelThatSells is a flash sale where each
// SKU's buyers are on one channel only. The ledger first splits every SKU
// among the three channels; the channels whose buyers do not want a SKU
// hold their share without selling, and once another has sold its share
// out they are lowered to 0 and the stock goes where it sells. Nearly
// every unit the buyers asked for is sold, and never more than the stock.
func TestPusher_StockMovesToTheChannelThatSells(t *testing.T) {
	t.Parallel()
	for seed := range uint64(8) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			homedSale(t, seed)
		})
	}
}

func homedSale(t *testing.T, seed uint64) {
	clk := marketplacetest.NewClock(t0)
	channels := []inventory.Channel{
		{Name: "shop"},
		{Name: "mp1", Lag: 2 * time.Second, Share: 2},
		{Name: "mp2", Lag: 5 * time.Second},
	}
	l, err := inventory.New(inventory.Config{Channels: channels, IdleAfter: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	var skus []string
	stock, demand, home := map[string]int{}, map[string]int{}, map[string]int{}
	for i := range 10 {
		sku := fmt.Sprintf("HOME-%d", i)
		skus = append(skus, sku)
		stock[sku] = 3 + rng.IntN(8)
		home[sku] = rng.IntN(len(channels))
		if _, err := l.SetERP(sku, stock[sku], clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	type delivery struct {
		at      time.Time
		channel string
		order   sandbox.Order
	}
	var (
		markets    []*sandbox.Marketplace
		pushers    []*marketplace.Pusher
		deliveries []delivery
		seen       = map[string]bool{}
	)
	for _, ch := range channels {
		m := sandbox.New(sandbox.Config{Name: ch.Name, Now: clk.Now})
		p, err := marketplace.NewPusher(marketplace.PusherConfig{
			Channel: ch.Name, Stock: l, Connector: m, Clock: clk, Debounce: 500 * time.Millisecond,
			Logger: slog.New(slog.DiscardHandler),
		})
		if err != nil {
			t.Fatal(err)
		}
		markets, pushers = append(markets, m), append(pushers, p)
	}
	for _, p := range pushers { // list everything before the sale opens
		p.Step(context.Background())
	}
	clk.Advance(time.Second)
	for range 2000 {
		sku := skus[rng.IntN(len(skus))]
		i, n := home[sku], 1+rng.IntN(2)
		demand[sku] += n
		markets[i].Sell(sku, n)
		for _, o := range markets[i].Orders(clk.Now()) {
			if !seen[o.ID] {
				seen[o.ID] = true
				lag := channels[i].Lag
				deliveries = append(deliveries, delivery{clk.Now().Add(time.Duration(rng.Int64N(int64(lag) + 1))), channels[i].Name, o})
			}
		}
		slices.SortStableFunc(deliveries, func(a, b delivery) int { return a.at.Compare(b.at) })
		for len(deliveries) > 0 && !deliveries[0].at.After(clk.Now()) {
			d := deliveries[0]
			deliveries = deliveries[1:]
			if err := l.ReserveSale(d.order.ID, d.channel, []inventory.Line{{SKU: d.order.SKU, Qty: d.order.Quantity}}, d.order.PlacedAt); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range pushers {
			p.Step(context.Background())
		}
		clk.Advance(time.Duration(rng.IntN(300)) * time.Millisecond)
	}
	sold, wanted, held := 0, 0, 0
	for _, sku := range skus {
		n := 0
		for _, m := range markets {
			n += m.Sold(sku)
		}
		if n > stock[sku] {
			t.Errorf("%d of %s sold across the channels, the stock was %d", n, sku, stock[sku])
		}
		sold += n
		wanted += min(stock[sku], demand[sku])
		held += stock[sku]
	}
	// First come, first served, a SKU went wholly to whichever channel
	// claimed first, and sold only where that was its buyers' channel.
	if sold*10 < wanted*9 {
		t.Errorf("sold %d units; the buyers asked for %d that the stock of %d could meet; want at least 90%%", sold, wanted, held)
	}
	t.Logf("seed %d: sold %d of %d wanted (stock %d)", seed, sold, wanted, held)
}

// recording is a ledger that notes what the pusher reports back.
type recording struct {
	*inventory.Ledger
	mu    sync.Mutex
	calls []string
}

func (r *recording) Told(channel, sku string, qty int, at time.Time) {
	r.mu.Lock()
	r.calls = append(r.calls, fmt.Sprintf("told %s %d at %s", sku, qty, at.Sub(t0)))
	r.mu.Unlock()
	r.Ledger.Told(channel, sku, qty, at)
}

func (r *recording) Unclaim(channel, sku string) {
	r.mu.Lock()
	r.calls = append(r.calls, "unclaim "+sku)
	r.mu.Unlock()
	r.Ledger.Unclaim(channel, sku)
}

// slow is a connector whose calls take a second on the test's clock, and
// which answers each SKU with the error scripted for it.
type slow struct {
	clk *marketplacetest.Clock
	err map[string]error
}

func (s *slow) Name() string               { return "mp" }
func (s *slow) Limits() marketplace.Limits { return marketplace.Limits{BatchSize: 10} }
func (s *slow) SetQuantities(_ context.Context, u []marketplace.Update) []error {
	s.clk.Advance(time.Second)
	errs := make([]error, len(u))
	for i, x := range u {
		errs[i] = s.err[x.SKU]
	}
	return errs
}

func TestPusher_ReportsEachPushToTheLedgerByWhetherItMayHaveLanded(t *testing.T) {
	t.Parallel()
	clk := marketplacetest.NewClock(t0)
	l, err := inventory.New(inventory.Config{Channels: []inventory.Channel{{Name: "mp"}}})
	if err != nil {
		t.Fatal(err)
	}
	stock := &recording{Ledger: l}
	conn := &slow{clk: clk, err: map[string]error{
		"THROTTLED": &marketplace.Error{Marketplace: "mp", SKU: "THROTTLED", Kind: marketplace.ErrThrottled},
		"REJECTED":  &marketplace.Error{Marketplace: "mp", SKU: "REJECTED", Kind: marketplace.ErrRejected},
		"TIMEOUT":   &marketplace.Error{Marketplace: "mp", SKU: "TIMEOUT", Kind: marketplace.ErrUnavailable, Err: context.DeadlineExceeded},
	}}
	p, err := marketplace.NewPusher(marketplace.PusherConfig{
		Channel: "mp", Stock: stock, Connector: conn, Clock: clk, ApplyDelay: 30 * time.Second,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, sku := range []string{"OK", "REJECTED", "THROTTLED", "TIMEOUT"} {
		if _, err := l.SetERP(sku, 5, t0); err != nil {
			t.Fatal(err)
		}
	}
	p.Step(context.Background())
	clk.Advance(marketplace.DefaultDebounce)
	p.Step(context.Background())
	// Sent at 2 s, answered at 3 s: the ledger is told it landed at the
	// answer plus ApplyDelay. A timeout is neither told nor unclaimed: it
	// may have landed, so its 5 keeps counting.
	want := []string{"told OK 5 at 33s", "unclaim REJECTED", "unclaim THROTTLED"}
	if diff := cmp.Diff(want, stock.calls); diff != "" {
		t.Errorf("ledger calls (-want +got):\n%s", diff)
	}
	if q := l.Claim("mp", "TIMEOUT", clk.Now()); q.Available != 0 || q.Own != 5 {
		t.Errorf("after the timeout, claim %d with own %d, want 0 and 5", q.Available, q.Own)
	}
	if q := l.Claim("mp", "OK", clk.Now()); !q.Keep || q.Available != 5 {
		t.Errorf("after the push, claim %+v, want the 5 kept", q)
	}
}
