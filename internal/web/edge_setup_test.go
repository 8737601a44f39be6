package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/erp/sandbox"
	"github.com/ordergate/ordergate/internal/gate"
	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/notify/smtp"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/store/sqlite"
	"github.com/ordergate/ordergate/internal/storefront/shopify"
)

// The tokens of the edge under test: one admin, one read-only.
const (
	edgeAdminToken    = "og-admin-7f3c9e1d5b2a4f60"
	edgeReadOnlyToken = "og-readonly-2b8d4e6f1a3c5e70"
)

// testClock is a clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// edge is the HTTP edge with an admin and a read-only token over a real
// gate and SQLite store whose workers do not run, so that orders stay
// exactly where a test puts them and an action's effect is only what it
// commits.
type edge struct {
	srv   *Server
	http  *httptest.Server
	store *sqlite.Store
	clock *testClock
}

// edgeOptions vary setupEdge.
type edgeOptions struct {
	storefronts []Storefront // default shop1 and shop2, both to erp1
	now         time.Time    // default the current time
}

func setupEdge(t *testing.T, opts edgeOptions) *edge {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	if opts.storefronts == nil {
		opts.storefronts = []Storefront{
			{Name: shop1, Kind: shopify.Kind, ERP: "erp1"},
			{Name: shop2, Kind: shopify.Kind, ERP: "erp1"},
		}
	}
	if opts.now.IsZero() {
		opts.now = time.Now()
	}
	// Nothing is ever sent: the workers do not run.
	client, err := sandbox.New(sandbox.Config{BaseURL: "http://127.0.0.1:9"})
	if err != nil {
		t.Fatal(err)
	}
	sender, err := smtp.New(smtp.Config{Addr: "127.0.0.1:9", From: "Test Shop <orders@shop.example>", TLS: smtp.TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	erps := map[string]gate.ERP{}
	var sfs []gate.Storefront
	for _, sf := range opts.storefronts {
		erps[sf.ERP] = gate.ERP{Client: client}
		sfs = append(sfs, gate.Storefront{Name: sf.Name, Kind: sf.Kind, ERP: sf.ERP, Notifier: "mail"})
	}
	g, err := gate.New(gate.Config{Storefronts: sfs, ERPs: erps, Notifiers: map[string]notify.Sender{"mail": sender}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "ordergate.db"), sqlite.Options{River: g.RiverConfig(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	g.Use(st)
	e := &edge{store: st, clock: &testClock{t: opts.now}}
	e.srv = New(g, st, Config{Storefronts: opts.storefronts, AdminTokens: []string{edgeAdminToken}, ReadOnlyTokens: []string{edgeReadOnlyToken}, Logger: quiet})
	e.srv.now = e.clock.Now
	e.http = httptest.NewServer(e.srv.Handler())
	t.Cleanup(func() {
		e.http.Close()
		st.Close()
	})
	return e
}

// seed stores an order received at at, then applies each step to it, each
// in its own transaction as the gate would.
func (e *edge) seed(t *testing.T, o order.Order, at time.Time, steps ...func(o *order.Order) error) order.Key {
	t.Helper()
	if o.Name == "" {
		o.Name = "#" + o.Key.ID
	}
	if o.Total.IsZero() {
		o.Total, o.Currency = decimal.RequireFromString("42.50"), "EUR"
		o.Lines = []order.LineItem{{SKU: "MUG-1", Title: "Mug", Quantity: 2, Price: decimal.RequireFromString("21.25")}}
	}
	_, err := e.store.Ingest(t.Context(), store.Delivery{DedupKey: "seed-" + o.Key.String(), Storefront: o.Key.Storefront, Topic: "orders/create",
		OrderID: o.Key.ID, ReceivedAt: at, Body: []byte("{}")}, func(store.Tx, *order.Order) (*order.Order, error) {
		return order.New(o, at, "shopify", "seeded by the test"), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, step := range steps {
		if err := e.store.Update(t.Context(), o.Key, func(_ store.Tx, o *order.Order) error { return step(o) }); err != nil {
			t.Fatalf("seed %s step %d: %v", o.Key, i, err)
		}
	}
	return o.Key
}

// do sends a request to the edge, following no redirect; with, if not
// nil, changes it first.
func (e *edge) do(t *testing.T, method, path, body string, with func(r *http.Request)) reply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, e.http.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if with != nil {
		with(req)
	}
	client := &http.Client{Transport: e.http.Client().Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// login signs in with token through the form and returns the session
// cookie.
func (e *edge) login(t *testing.T, token, name string) *http.Cookie {
	t.Helper()
	form := fmt.Sprintf("token=%s&name=%s&next=/", token, name)
	r := e.do(t, http.MethodPost, "/login", form, func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Origin", e.http.URL)
		r.Header.Set("Sec-Fetch-Site", "same-origin")
	})
	if r.status != http.StatusSeeOther {
		t.Fatalf("sign in: %d %s", r.status, r.body)
	}
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == cookieName && c.Value != "" {
			return c
		}
	}
	t.Fatalf("sign in set no session cookie: %v", r.header)
	return nil
}

// bearer returns a request option that sends token.
func bearer(token string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
}

// withCookie returns a request option that sends the session cookie and,
// if not empty, the CSRF token, as the dashboard's own page would.
func withCookie(c *http.Cookie, csrf string) func(*http.Request) {
	return func(r *http.Request) {
		r.AddCookie(c)
		if csrf != "" {
			r.Header.Set(HeaderCSRF, csrf)
		}
		if r.Method == http.MethodPost {
			r.Header.Set("Sec-Fetch-Site", "same-origin")
			r.Header.Set("Content-Type", "application/json")
		}
	}
}

// csrfOf reads the session's CSRF token from GET /api/v1/session.
func (e *edge) csrfOf(t *testing.T, c *http.Cookie) string {
	t.Helper()
	r := e.do(t, http.MethodGet, "/api/v1/session", "", withCookie(c, ""))
	if r.status != http.StatusOK {
		t.Fatalf("session: %d %s", r.status, r.body)
	}
	tok := r.field(t, "csrf_token")
	if tok == "" {
		t.Fatalf("session gave no CSRF token: %s", r.body)
	}
	return tok
}

// snapshot is what an action could change about an order.
type snapshot struct {
	State     order.State
	Attention string
	Events    int
}

func (e *edge) snapshot(t *testing.T, key order.Key) snapshot {
	t.Helper()
	o, err := e.store.Get(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	tl, err := e.store.Timeline(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	return snapshot{State: o.State(), Attention: o.Attention, Events: len(tl)}
}
