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
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp/callback"
	"github.com/ordergate/ordergate/internal/erp/sandbox"
	"github.com/ordergate/ordergate/internal/gate"
	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/notify/smtp"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/reconcile"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/store/sqlite"
	"github.com/ordergate/ordergate/internal/storefront"
	"github.com/ordergate/ordergate/internal/storefront/bigcommerce"
	"github.com/ordergate/ordergate/internal/storefront/bigcommerce/bigcommercefake"
	"github.com/ordergate/ordergate/internal/storefront/shopify"
	"github.com/ordergate/ordergate/internal/storefront/woocommerce"
)

// The storefronts the test server knows: shop1 takes two secrets (a
// rotation under way), shop2 only deliveries from its own shop, and woo1
// and bc1 are the WooCommerce and BigCommerce storefronts.
const (
	shop1      = "shop1"
	shop2      = "shop2"
	woo1       = "woo1"
	bc1        = "bc1"
	shopDomain = "jsmith.myshopify.com"
	adminToken = "admin-token-1"
	// readOnlyToken may read the API and take no action.
	readOnlyToken = "read-only-token-1"
	maxBody       = 32 << 10
)

var (
	oldSecret = []byte("shpss_old_secret")
	newSecret = []byte("shpss_new_secret")
	// The sandbox ERP's callbacks may be signed with either (a rotation).
	oldCallbackSecret = []byte("erp_cb_old_secret")
	newCallbackSecret = []byte("erp_cb_new_secret")
)

// options vary the parts setup builds.
type options struct {
	erp erpsim.Config
	// erpPlan, if not empty, scripts the ERP's faults create by create
	// (erpsim.ERP.PlanFaults).
	erpPlan []erpsim.Faults
	// callbackSecret, if set, makes the sandbox ERP announce each
	// acknowledgment by a callback to the server under test, signed with
	// it.
	callbackSecret []byte
	// ackPoll is how often the gate polls a pending acknowledgment;
	// default 20ms. An hour leaves acknowledging to the callback.
	ackPoll time.Duration
	// sla is the storefronts' confirmation SLA; 0 means none.
	sla time.Duration
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
	// bc is bc1's v2 API, served over HTTP for the gate's fetches, and
	// bcClient the gateway's client of it.
	bc       *bigcommercefake.Store
	bcClient *bigcommerce.Client
}

// bcFetcher serves a fake BigCommerce store for bc1 and returns the gate's
// fetcher for it.
func (b *bundle) bcFetcher(t *testing.T) storefront.Fetcher {
	t.Helper()
	b.bc = bigcommercefake.New(bigcommercefake.Config{StoreHash: "abc123", StoreID: "1025646", AccessToken: "bc-token"})
	api := httptest.NewServer(b.bc)
	t.Cleanup(api.Close)
	client, err := bigcommerce.NewClient(bigcommerce.Config{Storefront: bc1, AccessToken: "bc-token", BaseURL: api.URL + b.bc.Prefix()})
	if err != nil {
		t.Fatal(err)
	}
	b.bcClient = client
	return &bigcommerce.Fetcher{Storefront: bc1, Client: client}
}

func setup(t *testing.T, opts options) *bundle {
	t.Helper()
	b := &bundle{path: filepath.Join(t.TempDir(), "ordergate.db")}
	quiet := slog.New(slog.DiscardHandler)
	// The server's address is fixed before anything is built, so that the
	// ERP can be told where to call back; it starts serving at the end.
	b.srv = httptest.NewUnstartedServer(nil)

	erpCfg := opts.erp
	if len(opts.callbackSecret) > 0 {
		erpCfg.Callback = erpsim.Callback{URL: "http://" + b.srv.Listener.Addr().String() + "/erp/sandbox/ack", Secret: string(opts.callbackSecret)}
	}
	b.sim = erpsim.New(erpCfg)
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
	ackPoll := 20 * time.Millisecond
	if opts.ackPoll > 0 {
		ackPoll = opts.ackPoll
	}
	g, err := gate.New(gate.Config{
		Storefronts: []gate.Storefront{
			{Name: shop1, Kind: shopify.Kind, ERP: "sandbox", Notifier: "mail", SLA: opts.sla},
			{Name: shop2, Kind: shopify.Kind, ERP: "sandbox", Notifier: "mail", SLA: opts.sla},
			{Name: woo1, Kind: woocommerce.Kind, ERP: "sandbox", Notifier: "mail", SLA: opts.sla},
			{Name: bc1, Kind: bigcommerce.Kind, ERP: "sandbox", Notifier: "mail", SLA: opts.sla},
		},
		Fetchers:     map[string]storefront.Fetcher{bc1: b.bcFetcher(t)},
		ERPs:         map[string]gate.ERP{"sandbox": {Client: client}},
		Notifiers:    map[string]notify.Sender{"mail": sender},
		RetryInitial: 20 * time.Millisecond,
		RetryMax:     200 * time.Millisecond,
		AckPoll:      ackPoll,
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
			{Name: woo1, Kind: woocommerce.Kind, Secrets: [][]byte{oldSecret, newSecret}},
			{Name: bc1, Kind: bigcommerce.Kind, Secrets: [][]byte{oldSecret, newSecret}},
		},
		AdminTokens:    []string{adminToken},
		ReadOnlyTokens: []string{readOnlyToken},
		MaxBodyBytes:   maxBody,
		ERPCallbacks:   map[string][][]byte{"sandbox": {oldCallbackSecret, newCallbackSecret}},
		Reconciler: reconcile.New(reconcile.Config{
			Storefronts: []reconcile.Storefront{{Name: bc1, Lister: b.bcClient, ERP: g.ERPClient(bc1)}},
			Store:       b.store, Ingest: g.Ingest, Logger: quiet,
		}),
		Logger: quiet,
	})
	b.srv.Config.Handler = srv.Handler()
	b.srv.Start()
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
	return b.waitFor(t, key, "settled", func(o *order.Order) bool { return o.State().Settled() })
}

// waitState polls the store until the order is in state st.
func (b *bundle) waitState(t *testing.T, key order.Key, st order.State) *order.Order {
	t.Helper()
	return b.waitFor(t, key, string(st), func(o *order.Order) bool { return o.State() == st })
}

// waitFor polls the store until ok holds for the order, failing the test if
// that does not happen within a generous deadline (a hang, not a slowness
// being measured); what says what was awaited.
func (b *bundle) waitFor(t *testing.T, key order.Key, what string, ok func(*order.Order) bool) *order.Order {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var last *order.Order
	for {
		o, err := b.store.Get(ctx, key)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("get %s: %v", key, err)
		}
		if err == nil {
			last = o
			if ok(o) {
				return o
			}
		}
		select {
		case <-time.After(10 * time.Millisecond):
		case <-ctx.Done():
			state := "not stored"
			if last != nil {
				state = string(last.State())
			}
			t.Fatalf("order %s never %s (last %s)", key, what, state)
		}
	}
}

// timeline returns the order's stored timeline.
func (b *bundle) timeline(t *testing.T, key order.Key) []order.Event {
	t.Helper()
	tl, err := b.reader(t).Timeline(t.Context(), key)
	if err != nil {
		t.Fatalf("timeline of %s: %v", key, err)
	}
	return tl
}

// postAck posts body to the ERP's callback endpoint with the headers h.
func (b *bundle) postAck(t *testing.T, erpName string, h http.Header, body []byte) reply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, b.srv.URL+"/erp/"+erpName+"/ack", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h.Clone()
	req.Header.Set("Content-Type", "application/json")
	return b.do(t, req)
}

// signedAck returns the headers an ERP sends with a callback body signed
// with secret at time at.
func signedAck(secret []byte, at time.Time, body []byte) http.Header {
	h := http.Header{}
	h.Set(callback.HeaderTimestamp, strconv.FormatInt(at.Unix(), 10))
	h.Set(callback.HeaderSignature, callback.Sign(secret, at, body))
	return h
}

// postAction asks for an operator action on an order through the admin
// API; actor and body are sent when not empty.
func (b *bundle) postAction(t *testing.T, path, token, actor, body string) reply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, b.srv.URL+"/api/v1/orders/"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if actor != "" {
		req.Header.Set(HeaderActor, actor)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return b.do(t, req)
}
