package stock_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/erp/sandbox"
	"github.com/ordergate/ordergate/internal/gate"
	"github.com/ordergate/ordergate/internal/inventory"
	"github.com/ordergate/ordergate/internal/marketplace"
	mpsandbox "github.com/ordergate/ordergate/internal/marketplace/sandbox"
	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/stock"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/store/sqlite"
	"github.com/ordergate/ordergate/internal/storefront"
)

// world is the real gate on a real SQLite store (its workers not started:
// the test moves orders itself), a sandbox ERP over HTTP, a sandbox
// marketplace whose sales are a feed, and a keeper.
type world struct {
	store  *sqlite.Store
	gate   *gate.Gate
	erp    erp.Client
	ledger *inventory.Ledger
	market *mpsandbox.Marketplace
	keeper *stock.Keeper
}

const (
	shop   = "shop1"
	market = "market1"
)

func newWorld(t *testing.T, stockOf map[string]int) *world {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	sim := erpsim.New(erpsim.Config{Stock: stockOf})
	srv := httptest.NewServer(sim)
	t.Cleanup(func() { srv.Close(); sim.Close() })
	client, err := sandbox.New(sandbox.Config{BaseURL: srv.URL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{erp: client, market: mpsandbox.New(mpsandbox.Config{Name: market})}
	w.gate, err = gate.New(gate.Config{
		Storefronts: []gate.Storefront{
			{Name: shop, Kind: "shopify", ERP: "erp", Notifier: "none"},
			{Name: market, Kind: stock.KindMarketplace, ERP: "erp", Silent: true},
		},
		ERPs:      map[string]gate.ERP{"erp": {Client: client}},
		Notifiers: map[string]notify.Sender{"none": nil},
		Logger:    quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	w.store, err = sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "og.db"), sqlite.Options{River: w.gate.RiverConfig(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.store.Close() })
	w.gate.Use(w.store)
	w.ledger, err = inventory.New(inventory.Config{Channels: []inventory.Channel{{Name: market, Buffer: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	w.keeper, err = stock.New(stock.Config{
		Ledger: w.ledger, Store: w.store, ERP: client, SKUs: []string{"A", "B"},
		Feeds: []stock.Feed{feed{w.market}}, Ingest: w.gate.Ingest,
		MinRefresh: time.Nanosecond, Logger: quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// feed is the sandbox marketplace's orders as a keeper's feed.
type feed struct{ m *mpsandbox.Marketplace }

func (f feed) Channel() string { return f.m.Name() }

func (f feed) Sales(_ context.Context, since time.Time) ([]stock.Sale, error) {
	var out []stock.Sale
	for _, o := range f.m.Orders(since) {
		out = append(out, stock.Sale{ID: o.ID, PlacedAt: o.PlacedAt, Lines: []inventory.Line{{SKU: o.SKU, Qty: o.Quantity}}})
	}
	return out, nil
}

func (w *world) step(t *testing.T, feeds bool) {
	t.Helper()
	if err := w.keeper.Step(t.Context(), feeds); err != nil {
		t.Fatalf("Step: %v", err)
	}
}

func (w *world) available(sku string) int { return w.ledger.Available(market, sku) }

// place stores a storefront order of qty units of sku, as a webhook would.
func (w *world) place(t *testing.T, id, sku string, qty int) order.Order {
	t.Helper()
	o := order.Order{Key: order.Key{Storefront: shop, ID: id}, Name: "#" + id, Currency: "USD",
		Customer: order.Customer{Email: "ada@example.com"}, CapturedAt: time.Now(),
		Lines: []order.LineItem{{LineID: "1", SKU: sku, Quantity: qty}}}
	if _, err := w.gate.Ingest(t.Context(), storefront.Delivery{Storefront: shop, Kind: "shopify", Topic: storefront.OrderCreated,
		RawTopic: "orders/create", DedupKey: "create-" + id, DeliveryID: id, Body: []byte("{}"), Order: o}); err != nil {
		t.Fatal(err)
	}
	return o
}

// settle moves the order as the gate's workers would: fn changes it.
func (w *world) settle(t *testing.T, id string, fn func(o *order.Order) error) {
	t.Helper()
	if err := w.store.Update(t.Context(), order.Key{Storefront: shop, ID: id}, func(_ store.Tx, o *order.Order) error { return fn(o) }); err != nil {
		t.Fatal(err)
	}
}

func TestKeeper_HoldsOrdersUntilTheERPFigureShowsThem(t *testing.T) {
	t.Parallel()
	w := newWorld(t, map[string]int{"A": 10, "B": 5})
	w.step(t, false)
	if got := w.available("A"); got != 9 {
		t.Fatalf("before any order: A available %d, want 10 − buffer 1 = 9", got)
	}

	o := w.place(t, "1001", "A", 3)
	w.step(t, false)
	if got := w.available("A"); got != 6 {
		t.Fatalf("order received, not yet in the ERP: A available %d, want 10 − 3 held − 1 = 6", got)
	}

	// The ERP takes the order (its availability drops to 7) and
	// acknowledges it; the keeper reads the ERP again once it sees the
	// acknowledgment, and from then on the order is in the ERP's figure.
	rcpt, err := w.erp.Submit(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	w.settle(t, "1001", func(o *order.Order) error {
		if err := o.Submit(rcpt.Ref, time.Now()); err != nil {
			return err
		}
		return o.Acknowledge(order.Ack{Ref: rcpt.Ref}, time.Now())
	})
	w.step(t, false)
	q := w.ledger.Quote(market, "A")
	if q.ERP != 7 || q.Held != 0 || q.Available != 6 {
		t.Fatalf("after the acknowledgment and a fresh read: erp %d held %d available %d, want 7, 0, 6 (counted once, never twice or not at all)", q.ERP, q.Held, q.Available)
	}

	// A rejected order lets go of what it held.
	w.place(t, "1002", "B", 2)
	w.step(t, false)
	if got := w.available("B"); got != 2 {
		t.Fatalf("B held by a received order: available %d, want 5 − 2 − 1 = 2", got)
	}
	w.settle(t, "1002", func(o *order.Order) error { return o.Reject("insufficient stock", time.Now()) })
	w.step(t, false)
	if got := w.available("B"); got != 4 {
		t.Fatalf("after the rejection: B available %d, want 5 − 1 = 4", got)
	}
	if st := w.keeper.Status(); st.Held != 0 || st.LastRefresh.IsZero() || st.SKUs != 2 {
		t.Errorf("status = %+v, want no order held (one rejected, one in the ERP's figure), 2 SKUs read and a refresh time", st)
	}
}

func TestKeeper_TakesMarketplaceSalesInAsOrders(t *testing.T) {
	t.Parallel()
	w := newWorld(t, map[string]int{"A": 10, "B": 5})
	w.step(t, false)
	// The marketplace is told what the ledger allows, as a pusher would.
	q := w.ledger.Claim(market, "A", time.Now())
	if errs := w.market.SetQuantities(t.Context(), []marketplace.Update{{SKU: "A", Quantity: q.Available}}); errs[0] != nil {
		t.Fatal(errs[0])
	}
	w.ledger.Told(market, "A", q.Available, time.Now())
	if n := w.market.Sell("A", 4); n != 4 {
		t.Fatalf("sandbox sold %d, want 4", n)
	}
	w.step(t, true)
	w.step(t, true) // a second read of the feed takes nothing twice

	orders, err := w.store.List(t.Context(), store.Filter{Storefront: market})
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 1 || orders[0].Lines[0].SKU != "A" || orders[0].Lines[0].Quantity != 4 || orders[0].Attention != "" {
		t.Fatalf("marketplace orders = %+v, want one order of A×4, not flagged (the marketplace tells its buyer)", orders)
	}
	q = w.ledger.Quote(market, "A")
	if q.Held != 4 {
		t.Errorf("the sale holds %d units of A, want 4: it is in flight until the ERP acknowledges it", q.Held)
	}
	if got := w.keeper.Status().SalesTaken; got != 1 {
		t.Errorf("sales taken = %d, want 1", got)
	}
}
