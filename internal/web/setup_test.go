package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp/sandbox"
	"github.com/ordergate/ordergate/internal/gate"
	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/notify/smtp"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/store/sqlite"
	"github.com/ordergate/ordergate/internal/storefront/shopify"
)

// The storefronts the test server knows: shop1 takes two secrets (a
// rotation under way), shop2 only deliveries from its own shop, and woo1
// is not a Shopify storefront at all.
const (
	shop1      = "shop1"
	shop2      = "shop2"
	woo1       = "woo1"
	shopDomain = "jsmith.myshopify.com"
	adminToken = "admin-token-1"
	maxBody    = 32 << 10
)

var (
	oldSecret = []byte("shpss_old_secret")
	newSecret = []byte("shpss_new_secret")
)

// options vary the parts setup builds.
type options struct {
	erp erpsim.Config
	// erpPlan, if not empty, scripts the ERP's faults create by create
	// (erpsim.ERP.PlanFaults).
	erpPlan []erpsim.Faults
}

// bundle is the HTTP edge over a real gate, a real SQLite store, a sandbox
// ERP and an SMTP mailbox, served on a real port.
type bundle struct {
	path   string
	store  *sqlite.Store
	sim    *erpsim.ERP
	mail   *mailbox.Mailbox
	srv    *httptest.Server
	closed bool
}

func setup(t *testing.T, opts options) *bundle {
	t.Helper()
	b := &bundle{path: filepath.Join(t.TempDir(), "ordergate.db")}
	quiet := slog.New(slog.DiscardHandler)

	b.sim = erpsim.New(opts.erp)
	if len(opts.erpPlan) > 0 {
		b.sim.PlanFaults(opts.erpPlan...)
	}
	var h http.Handler = b.sim
	erpSrv := httptest.NewServer(h)
	client, err := sandbox.New(sandbox.Config{BaseURL: erpSrv.URL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	b.mail, err = mailbox.Start(mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sender, err := smtp.New(smtp.Config{Addr: b.mail.Addr(), From: "Test Shop <orders@shop.example>", TLS: smtp.TLSNone, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	g, err := gate.New(gate.Config{
		Storefronts: []gate.Storefront{
			{Name: shop1, Kind: shopify.Kind, ERP: "sandbox", Notifier: "mail"},
			{Name: shop2, Kind: shopify.Kind, ERP: "sandbox", Notifier: "mail"},
		},
		ERPs:         map[string]gate.ERP{"sandbox": {Client: client}},
		Notifiers:    map[string]notify.Sender{"mail": sender},
		RetryInitial: 20 * time.Millisecond,
		RetryMax:     200 * time.Millisecond,
		AckPoll:      20 * time.Millisecond,
		Logger:       quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	b.store, err = sqlite.Open(context.Background(), b.path, sqlite.Options{River: g.RiverConfig(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	g.Use(b.store)
	t.Cleanup(func() {
		b.srv.Close()
		b.closeStore(t)
		b.sim.Close()
		erpSrv.Close()
		b.mail.Close()
	})
	if err := b.store.Start(context.Background()); err != nil {
		t.Fatal(err)
	}

	srv := New(g, b.store, Config{
		Storefronts: []Storefront{
			{Name: shop1, Kind: shopify.Kind, Secrets: [][]byte{oldSecret, newSecret}},
			{Name: shop2, Kind: shopify.Kind, Secrets: [][]byte{oldSecret}, ShopDomain: shopDomain},
			{Name: woo1, Kind: "woocommerce", Secrets: [][]byte{oldSecret}},
		},
		AdminTokens:  []string{adminToken},
		MaxBodyBytes: maxBody,
		Logger:       quiet,
	})
	b.srv = httptest.NewServer(srv.Handler())
	return b
}

// closeStore stops the workers and closes the store, as a failed disk or a
// shutdown would leave it under a running HTTP server.
func (b *bundle) closeStore(t *testing.T) {
	t.Helper()
	if b.closed {
		return
	}
	b.closed = true
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.store.Stop(ctx); err != nil {
		t.Errorf("stop workers: %v", err)
	}
	if err := b.store.Close(); err != nil {
		t.Errorf("close store: %v", err)
	}
}

// reader returns a store for reading the database, whether or not the
// bundle's own store is still open.
func (b *bundle) reader(t *testing.T) store.Store {
	t.Helper()
	if !b.closed {
		return b.store
	}
	s, err := sqlite.Open(context.Background(), b.path, sqlite.Options{ReadOnly: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// reply is an HTTP answer as the tests look at it.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// field returns a top-level string field of a JSON object reply.
func (r reply) field(t *testing.T, name string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("reply %d %q is not a JSON object: %v", r.status, r.body, err)
	}
	s, _ := m[name].(string)
	return s
}

func (b *bundle) do(t *testing.T, req *http.Request) reply {
	t.Helper()
	resp, err := b.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read reply: %v", req.Method, req.URL.Path, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: body}
}

// post delivers body to the storefront's webhook with the given headers.
func (b *bundle) post(t *testing.T, storefrontName string, h http.Header, body []byte) reply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, b.srv.URL+"/webhooks/shopify/"+storefrontName, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h.Clone()
	req.Header.Set("Content-Type", "application/json")
	return b.do(t, req)
}

// get sends a GET with the bearer token, if any.
func (b *bundle) get(t *testing.T, path, token string) reply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, b.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return b.do(t, req)
}

// signed returns the headers Shopify sends with body for topic, signed with
// secret; event is the event id every retry of one delivery shares.
func signed(topic, event string, body, secret []byte) http.Header {
	h := http.Header{}
	h.Set(shopify.HeaderHmac, shopify.Sign(body, secret))
	h.Set(shopify.HeaderTopic, topic)
	h.Set(shopify.HeaderShopDomain, shopDomain)
	h.Set(shopify.HeaderAPIVersion, "2025-07")
	h.Set(shopify.HeaderWebhookID, "webhook-"+event)
	h.Set(shopify.HeaderEventID, event)
	h.Set(shopify.HeaderTriggeredAt, "2026-03-02T09:30:00.000000000Z")
	return h
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// keyOf returns the key the order in body is stored under.
func keyOf(t *testing.T, storefrontName string, body []byte) order.Key {
	t.Helper()
	o, err := shopify.DecodeOrder(storefrontName, body)
	if err != nil {
		t.Fatal(err)
	}
	return o.Key
}

// orders returns every stored order.
func orders(t *testing.T, s store.Store) []*order.Order {
	t.Helper()
	list, err := s.List(t.Context(), store.Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// waitSettled polls the store until the order is in a settled state, failing
// the test if that does not happen within a generous deadline (a hang, not
// a slowness being measured).
func (b *bundle) waitSettled(t *testing.T, key order.Key) *order.Order {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for {
		o, err := b.store.Get(ctx, key)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("get %s: %v", key, err)
		}
		if err == nil && o.State().Settled() {
			return o
		}
		select {
		case <-time.After(10 * time.Millisecond):
		case <-ctx.Done():
			t.Fatalf("order %s never settled", key)
		}
	}
}
