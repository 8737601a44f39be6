package web

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp/sandbox"
	"github.com/ordergate/ordergate/internal/inventory"
	"github.com/ordergate/ordergate/internal/marketplace"
	mpsandbox "github.com/ordergate/ordergate/internal/marketplace/sandbox"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/stock"
)

func TestStock_ReportsEachChannelsFigureWithItsWorking(t *testing.T) {
	t.Parallel()
	e := setupEdge(t, edgeOptions{})
	admin := func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+edgeAdminToken) }
	if rep := e.do(t, http.MethodGet, "/api/v1/stock", "", admin); rep.status != http.StatusNotFound {
		t.Fatalf("without marketplaces: %d %s, want 404", rep.status, rep.body)
	}

	sim := erpsim.New(erpsim.Config{Stock: map[string]int{"MUG-1": 10}})
	srv := httptest.NewServer(sim)
	t.Cleanup(func() { srv.Close(); sim.Close() })
	client, err := sandbox.New(sandbox.Config{BaseURL: srv.URL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ledger, err := inventory.New(inventory.Config{Channels: []inventory.Channel{{Name: "amazon-us", Buffer: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	market := mpsandbox.New(mpsandbox.Config{Name: "amazon-us"})
	pusher, err := marketplace.NewPusher(marketplace.PusherConfig{Channel: "amazon-us", Stock: ledger, Connector: market, Debounce: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	k, err := stock.New(stock.Config{Ledger: ledger, Store: e.store, ERP: client, SKUs: []string{"MUG-1"},
		Pushers: map[string]*marketplace.Pusher{"amazon-us": pusher}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.stock = k
	e.seed(t, order.Order{Key: order.Key{Storefront: shop1, ID: "1001"}}, time.Now()) // MUG-1 × 2, not yet in the ERP
	if err := k.Step(t.Context(), false); err != nil {
		t.Fatal(err)
	}
	for range 3 { // collect the change, then send it once due
		pusher.Step(t.Context())
		time.Sleep(time.Millisecond)
	}
	if listed, ok := market.Listed("MUG-1"); !ok || listed != 7 {
		t.Fatalf("the marketplace lists %d (pushed: %v), want 10 − 2 held − 1 buffer = 7", listed, ok)
	}

	rep := e.do(t, http.MethodGet, "/api/v1/stock?sku=MUG-1", "", admin)
	if rep.status != http.StatusOK {
		t.Fatalf("GET /api/v1/stock: %d %s", rep.status, rep.body)
	}
	var got stock.Report
	if err := json.Unmarshal(rep.body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.SKUs) != 1 || len(got.SKUs[0].Channels) != 1 {
		t.Fatalf("report = %s, want MUG-1 on amazon-us", rep.body)
	}
	f := got.SKUs[0].Channels[0]
	if q := f.Quote; f.Channel != "amazon-us" || q.ERP != 10 || q.Held != 2 || q.Buffer != 1 || q.Available != 7 || f.Sent == nil || *f.Sent != 7 {
		t.Errorf("amazon-us MUG-1 = %s, want erp 10, held 2, buffer 1, available 7, sent 7", rep.body)
	}
	if got.Status.Held != 1 || got.Status.LastRefresh.IsZero() {
		t.Errorf("status = %+v, want the one order held and a refresh time", got.Status)
	}
	if rep := e.do(t, http.MethodGet, "/api/v1/stock", "", nil); rep.status != http.StatusUnauthorized {
		t.Errorf("without a token: %d, want 401", rep.status)
	}
}
