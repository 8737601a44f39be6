package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/ordergate/ordergate/internal/erp/sandbox"
	"github.com/ordergate/ordergate/internal/gate"
	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/notify/smtp"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store/postgres"
	"github.com/ordergate/ordergate/internal/store/postgres/pgtest"
	"github.com/ordergate/ordergate/internal/storefront/shopify"
)

// PostgreSQL's jsonb cannot hold a NUL (\u0000): an order whose name held
// one could not be stored at all, so its webhook failed with 503 until the
// storefront gave up. The decoders now make every control character a
// space, and the order is stored.
func TestHostile_ControlCharactersAreStorableOnPostgres(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	quiet := slog.New(slog.DiscardHandler)
	client, err := sandbox.New(sandbox.Config{BaseURL: "http://127.0.0.1:9"})
	if err != nil {
		t.Fatal(err)
	}
	sender, err := smtp.New(smtp.Config{Addr: "127.0.0.1:9", From: "Test Shop <orders@shop.example>", TLS: smtp.TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	g, err := gate.New(gate.Config{Storefronts: []gate.Storefront{{Name: shop1, Kind: shopify.Kind, ERP: hostileERP, Notifier: "mail"}},
		ERPs: map[string]gate.ERP{hostileERP: {Client: client}}, Notifiers: map[string]notify.Sender{"mail": sender}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	st, err := postgres.Open(context.Background(), dsn, postgres.Options{River: g.RiverConfig(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	g.Use(st)
	srv := New(g, st, Config{Storefronts: []Storefront{{Name: shop1, Kind: shopify.Kind, ERP: hostileERP, Secrets: [][]byte{newSecret}}}, Logger: quiet})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)

	now := time.Now()
	body := mustJSON(t, shopifyOrder(7001, now, set("name", "#7001\x00"),
		set("customer", map[string]any{"first_name": "Zoë\x00", "last_name": "山田", "email": "zoe@example.com"}),
		line("title", "Mug\x00\x1b")))
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, hs.URL+"/webhooks/shopify/"+shop1, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	shopifyHeaders("orders/create", "evt-7001", body, newSecret, now)(req)
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", resp.StatusCode)
	}
	o, err := st.Get(t.Context(), order.Key{Storefront: shop1, ID: "7001"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{o.Name, o.Customer.Name, o.Lines[0].Title} {
		if strings.IndexFunc(s, unicode.IsControl) >= 0 {
			t.Errorf("stored %q holds a control character", s)
		}
	}
	if o.Customer.Name != "Zoë  山田" {
		t.Errorf("customer name %q, want the letters kept", o.Customer.Name)
	}
}
