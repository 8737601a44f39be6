package gate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp/sandbox"
	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/notify/smtp"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/store/sqlite"
	"github.com/ordergate/ordergate/internal/storefront"
	"github.com/ordergate/ordergate/internal/storefront/shopify"
)

// The names the test gate is configured with.
const (
	testStorefront = "shop1"
	testERP        = "sandbox"
	testNotifier   = "mail"
)

// options vary the parts setup builds. The zero value is a well-behaved
// ERP and mailbox, with the workers started.
type options struct {
	erp erpsim.Config
	// erpPlan, if not empty, scripts the ERP's faults create by create
	// (erpsim.ERP.PlanFaults).
	erpPlan []erpsim.Faults
	// wrapERP, if set, wraps the ERP's HTTP handler, to hold or watch
	// requests on their way in.
	wrapERP func(http.Handler) http.Handler
	mailbox mailbox.Options
	// maxAttempts is the gate's MaxAttempts; 0 means its default.
	maxAttempts int
	// stopped leaves the workers stopped until the test calls start, so
	// that deliveries can be ingested before any job runs.
	stopped bool
	// storefront, if set, changes the test storefront's settings.
	storefront func(*Storefront)
	// alerts is the gate's alert hook.
	alerts Alerter
	// ackPoll is how often pending acknowledgments are polled; 0 means
	// 20ms.
	ackPoll time.Duration
	// sweepInterval and instance are the gate's; zero means their
	// defaults.
	sweepInterval time.Duration
	instance      string
	// log, if set, receives the gate's log; by default it is discarded.
	log slog.Handler
	// fetcher, if set, fetches the orders the test storefront's notices
	// name.
	fetcher storefront.Fetcher
}

// bundle is a gate on a real SQLite store, a sandbox ERP over HTTP and a
// real SMTP mailbox.
type bundle struct {
	path  string // the database file
	gate  *Gate
	store *sqlite.Store
	sim   *erpsim.ERP
	mail  *mailbox.Mailbox
	// relay stands between the sender and the mailbox, so that a test can
	// move the mail server under a running gate.
	relay *relay

	startOnce sync.Once
}

func setup(t *testing.T, opts options) *bundle {
	t.Helper()
	b := &bundle{path: filepath.Join(t.TempDir(), "ordergate.db")}

	b.sim = erpsim.New(opts.erp)
	if len(opts.erpPlan) > 0 {
		b.sim.PlanFaults(opts.erpPlan...)
	}
	var h http.Handler = b.sim
	if opts.wrapERP != nil {
		h = opts.wrapERP(h)
	}
	erpSrv := httptest.NewServer(h)
	client, err := sandbox.New(sandbox.Config{BaseURL: erpSrv.URL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}

	b.mail, err = mailbox.Start(opts.mailbox)
	if err != nil {
		t.Fatal(err)
	}
	b.relay = startRelay(t, b.mail.Addr())
	sender, err := smtp.New(smtp.Config{Addr: b.relay.Addr(), From: "Test Shop <orders@shop.example>", TLS: smtp.TLSNone, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}

	sf := Storefront{Name: testStorefront, Kind: shopify.Kind, ERP: testERP, Notifier: testNotifier}
	if opts.storefront != nil {
		opts.storefront(&sf)
	}
	var fetchers map[string]storefront.Fetcher
	if opts.fetcher != nil {
		fetchers = map[string]storefront.Fetcher{testStorefront: opts.fetcher}
	}
	b.gate, err = New(Config{
		Storefronts:   []Storefront{sf},
		Fetchers:      fetchers,
		Alerts:        opts.alerts,
		ERPs:          map[string]ERP{testERP: {Client: client}},
		Notifiers:     map[string]notify.Sender{testNotifier: sender},
		RetryInitial:  20 * time.Millisecond,
		RetryMax:      200 * time.Millisecond,
		AckPoll:       cmp.Or(opts.ackPoll, 20*time.Millisecond),
		MaxAttempts:   opts.maxAttempts,
		SweepInterval: opts.sweepInterval,
		Instance:      opts.instance,
		Logger:        slog.New(cmp.Or[slog.Handler](opts.log, slog.DiscardHandler)),
	})
	if err != nil {
		t.Fatal(err)
	}
	b.store, err = sqlite.Open(context.Background(), b.path,
		sqlite.Options{River: b.gate.RiverConfig(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	b.gate.Use(b.store)

	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := b.store.Stop(ctx); err != nil {
			t.Errorf("stop workers: %v", err)
		}
		b.store.Close()
		b.sim.Close()
		erpSrv.Close()
		b.relay.Close()
		b.mail.Close()
	})
	if !opts.stopped {
		b.start(t)
	}
	return b
}

// start starts the workers.
func (b *bundle) start(t *testing.T) {
	t.Helper()
	b.startOnce.Do(func() {
		if err := b.store.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

// ingest ingests d and fails the test if it is not stored.
func (b *bundle) ingest(t *testing.T, d storefront.Delivery) store.IngestResult {
	t.Helper()
	res, err := b.gate.Ingest(t.Context(), d)
	if err != nil {
		t.Fatalf("Ingest %s %s: %v", d.RawTopic, d.DeliveryID, err)
	}
	return res
}

// waitFor polls the store until the order satisfies ok, and returns it. It
// fails the test if that does not happen within a generous deadline, which
// is a hang, not a slowness being measured.
func (b *bundle) waitFor(t *testing.T, key order.Key, what string, ok func(*order.Order) bool) *order.Order {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	var last *order.Order
	for {
		o, err := b.store.Get(ctx, key)
		switch {
		case err == nil:
			last = o
			if ok(o) {
				return o
			}
		case !errors.Is(err, store.ErrNotFound):
			t.Fatalf("get %s: %v", key, err)
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			tl, _ := b.store.Timeline(context.Background(), key)
			state := "absent"
			if last != nil {
				state = string(last.State())
			}
			t.Fatalf("order %s never %s (state %s); timeline:\n%s", key, what, state, formatTimeline(tl))
		}
	}
}

// waitState waits until the order is in state s.
func (b *bundle) waitState(t *testing.T, key order.Key, s order.State) *order.Order {
	t.Helper()
	return b.waitFor(t, key, "reached "+string(s), func(o *order.Order) bool { return o.State() == s })
}

func (b *bundle) timeline(t *testing.T, key order.Key) []order.Event {
	t.Helper()
	tl, err := b.store.Timeline(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

func kinds(tl []order.Event) []order.EventKind {
	out := make([]order.EventKind, 0, len(tl))
	for _, e := range tl {
		out = append(out, e.Kind)
	}
	return out
}

func ofKind(tl []order.Event, k order.EventKind) []order.Event {
	var out []order.Event
	for _, e := range tl {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

func formatTimeline(tl []order.Event) string {
	var sb strings.Builder
	for _, e := range tl {
		sb.WriteString("  " + string(e.Kind) + " [" + e.Source + "] " + e.Detail)
		if e.Error != "" {
			sb.WriteString(" error: " + e.Error)
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

// relay forwards TCP connections to a target that can be changed while it
// runs: new connections go to the new target.
type relay struct {
	ln     net.Listener
	target atomic.Pointer[string]
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

func startRelay(t *testing.T, target string) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &relay{ln: ln, conns: make(map[net.Conn]struct{})}
	r.target.Store(&target)
	r.wg.Add(1)
	go r.serve()
	return r
}

func (r *relay) Addr() string { return r.ln.Addr().String() }

// To sends new connections to target.
func (r *relay) To(target string) { r.target.Store(&target) }

func (r *relay) serve() {
	defer r.wg.Done()
	for {
		in, err := r.ln.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", *r.target.Load())
		if err != nil {
			in.Close()
			continue
		}
		if !r.track(in, out) {
			return
		}
		r.wg.Add(2)
		go r.pipe(out, in)
		go r.pipe(in, out)
	}
}

func (r *relay) track(cs ...net.Conn) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.conns == nil {
		for _, c := range cs {
			c.Close()
		}
		return false
	}
	for _, c := range cs {
		r.conns[c] = struct{}{}
	}
	return true
}

// pipe copies until either side ends, then closes both, so that a mail
// server dropping the connection is seen by the sender as a drop.
func (r *relay) pipe(dst, src net.Conn) {
	defer r.wg.Done()
	io.Copy(dst, src)
	dst.Close()
	src.Close()
}

func (r *relay) Close() {
	r.ln.Close()
	r.mu.Lock()
	for c := range r.conns {
		c.Close()
	}
	r.conns = nil
	r.mu.Unlock()
	r.wg.Wait()
}

// readTestdata returns a payload from testdata/ (see testdata/SOURCES.md).
func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// shopifyDelivery parses body as Shopify would deliver it under topic, with
// the event id naming the event (repeats of one event share it).
func shopifyDelivery(t *testing.T, topic, event string, body []byte) storefront.Delivery {
	t.Helper()
	h := http.Header{}
	h.Set(shopify.HeaderTopic, topic)
	h.Set(shopify.HeaderShopDomain, "jsmith.myshopify.com")
	h.Set(shopify.HeaderAPIVersion, "2025-07")
	h.Set(shopify.HeaderWebhookID, "webhook-"+event)
	h.Set(shopify.HeaderEventID, event)
	d, err := shopify.Parse(testStorefront, h, body)
	if err != nil {
		t.Fatalf("parse %s: %v", topic, err)
	}
	return d
}

// testOrder is a small order as a storefront would send it; updated is its
// source timestamp.
func testOrder(id string, updated time.Time, lines ...order.LineItem) order.Order {
	return order.Order{
		Key:             order.Key{Storefront: testStorefront, ID: id},
		Name:            "#" + id,
		Customer:        order.Customer{Name: "Ada Lovelace", Email: "ada@example.com"},
		Currency:        "USD",
		Lines:           lines,
		CapturedAt:      updated,
		SourceUpdatedAt: updated,
	}
}

func line(sku string, qty int) order.LineItem {
	return order.LineItem{SKU: sku, Title: sku, Quantity: qty}
}

var rawTopics = map[storefront.Topic]string{
	storefront.OrderCreated:   "orders/create",
	storefront.OrderUpdated:   "orders/updated",
	storefront.OrderCancelled: "orders/cancelled",
}

// delivery is a verified delivery of o under topic; event is its dedup
// identity.
func delivery(topic storefront.Topic, event string, o order.Order) storefront.Delivery {
	raw := rawTopics[topic]
	d := storefront.Delivery{
		Storefront: testStorefront, Kind: shopify.Kind, Topic: topic, RawTopic: raw,
		DedupKey: "jsmith.myshopify.com|" + raw + "|" + event, DeliveryID: "webhook-" + event,
		Body: []byte(`{"id":` + o.Key.ID + `}`), Order: o,
	}
	if topic == storefront.OrderCancelled {
		d.CancelReason = "customer"
	}
	return d
}

// t0 is a source timestamp for deliveries built by hand.
var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// eventually polls cond until it holds, failing the test if it does not
// within a generous deadline (a hang, not a slowness being measured).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-tick.C:
		case <-ctx.Done():
			t.Fatalf("never happened: %s", what)
		}
	}
}

// waitTimeline waits until the order's timeline has an entry of kind k.
func (b *bundle) waitTimeline(t *testing.T, key order.Key, k order.EventKind) {
	t.Helper()
	eventually(t, fmt.Sprintf("a %s entry on the timeline of %s", k, key), func() bool {
		tl, err := b.store.Timeline(t.Context(), key)
		return err == nil && len(ofKind(tl, k)) > 0
	})
}

// confirmation is the confirmation's message kind, as the store records it.
const confirmation = string(notify.Confirmation)

// notification returns the order's confirmation record.
func (b *bundle) notification(t *testing.T, key order.Key) store.Notification {
	t.Helper()
	n, err := b.store.Notification(t.Context(), key, confirmation)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
