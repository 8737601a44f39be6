package reconcile

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
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
	"github.com/ordergate/ordergate/internal/storefront"
	"github.com/ordergate/ordergate/internal/storefront/bigcommerce"
	"github.com/ordergate/ordergate/internal/storefront/bigcommerce/bigcommercefake"
)

const shop = "bc1"

// world is a BigCommerce store served over HTTP, the real gate on a real
// SQLite store, a sandbox ERP and a mailbox.
type world struct {
	bc     *bigcommercefake.Store
	client *bigcommerce.Client
	gate   *gate.Gate
	store  *sqlite.Store
	erp    *erpsim.ERP
	erpURL string
	mail   *mailbox.Mailbox
	runner *Runner
}

func newWorld(t *testing.T, sla time.Duration) *world {
	t.Helper()
	w := &world{}
	quiet := slog.New(slog.DiscardHandler)
	w.bc = bigcommercefake.New(bigcommercefake.Config{StoreHash: "abc123", AccessToken: "tok", Quota: 100000})
	api := httptest.NewServer(w.bc)
	t.Cleanup(api.Close)
	var err error
	w.client, err = bigcommerce.NewClient(bigcommerce.Config{Storefront: shop, AccessToken: "tok", BaseURL: api.URL + w.bc.Prefix()})
	if err != nil {
		t.Fatal(err)
	}
	w.erp = erpsim.New(erpsim.Config{})
	erpSrv := httptest.NewServer(w.erp)
	t.Cleanup(erpSrv.Close)
	w.erpURL = erpSrv.URL
	erpClient, err := sandbox.New(sandbox.Config{BaseURL: erpSrv.URL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	w.mail, err = mailbox.Start(mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.mail.Close() })
	sender, err := smtp.New(smtp.Config{Addr: w.mail.Addr(), From: "Shop <o@shop.example>", TLS: smtp.TLSNone, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	w.gate, err = gate.New(gate.Config{
		Storefronts:  []gate.Storefront{{Name: shop, Kind: bigcommerce.Kind, ERP: "erp", Notifier: "mail", SLA: sla}},
		ERPs:         map[string]gate.ERP{"erp": {Client: erpClient}},
		Notifiers:    map[string]notify.Sender{"mail": sender},
		Fetchers:     map[string]storefront.Fetcher{shop: &bigcommerce.Fetcher{Storefront: shop, Client: w.client}},
		RetryInitial: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond, AckPoll: 20 * time.Millisecond,
		Logger: quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	w.store, err = sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "og.db"), sqlite.Options{River: w.gate.RiverConfig(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	w.gate.Use(w.store)
	if err := w.store.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		w.store.Stop(ctx)
		w.store.Close()
		w.erp.Close()
	})
	w.runner = New(Config{
		Storefronts: []Storefront{{Name: shop, Lister: w.client, ERP: w.gate.ERPClient(shop), SLA: sla}},
		Store:       w.store, Ingest: w.gate.Ingest, Logger: quiet,
	})
	return w
}

var t0 = time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)

// put stores order id in the BigCommerce store with the given status.
func (w *world) put(t *testing.T, id int64, status int, modified time.Time) {
	t.Helper()
	body := fmt.Sprintf(`{"id":%d,"customer_id":11,"date_created":%q,"date_modified":%q,"status_id":%d,"status":%q,`+
		`"total_inc_tax":"25.0000","currency_code":"USD","is_deleted":false,"billing_address":{"first_name":"Ada","last_name":"Lovelace",`+
		`"street_1":"12 Harbor Lane","city":"Portland","state":"Maine","zip":"04101","country":"United States","country_iso2":"US","email":"ada@example.com"}}`,
		id, t0.Format(time.RFC1123Z), modified.Format(time.RFC1123Z), status, bigcommerce.StatusName(status))
	products := fmt.Sprintf(`[{"id":%d,"order_id":%d,"product_id":77,"name":"T-shirt","sku":"TSHIRT-M","type":"digital",`+
		`"base_price":"12.5000","price_inc_tax":"12.5000","total_inc_tax":"25.0000","quantity":2}]`, id*10, id)
	if err := w.bc.PutOrder([]byte(body), []byte(products)); err != nil {
		t.Fatal(err)
	}
}

// hook delivers order id's callback to the gate, as the webhook would.
func (w *world) hook(t *testing.T, id int64) {
	t.Helper()
	body := w.bc.Webhook(bigcommerce.ScopeOrderCreated, id, t0)
	h, err := bigcommerce.ParseHook(shop, body)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.gate.IngestNotice(t.Context(), h.Notice(body)); err != nil {
		t.Fatal(err)
	}
}

func (w *world) waitState(t *testing.T, id string, st order.State) *order.Order {
	t.Helper()
	key := order.Key{Storefront: shop, ID: id}
	deadline := time.Now().Add(30 * time.Second)
	for {
		o, err := w.store.Get(t.Context(), key)
		if err == nil && o.State() == st {
			return o
		}
		if time.Now().After(deadline) {
			t.Fatalf("order %s not %s within 30s (last: %v %v)", key, st, o, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (w *world) run(t *testing.T, opts Options) Report {
	t.Helper()
	if opts.Since.IsZero() {
		opts.Since = t0.Add(-time.Hour)
	}
	rep, err := w.runner.Run(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) > 0 {
		t.Fatalf("run errors: %v", rep.Errors)
	}
	return rep
}

func ids(rep Report, kind string) []string {
	var out []string
	for _, f := range rep.Findings {
		if f.Kind == kind {
			out = append(out, f.OrderID)
		}
	}
	return out
}

func TestRun_BackfillsLostWebhooksOnceAndStoresTheRun(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0)
	for id := int64(101); id <= 106; id++ {
		w.put(t, id, 11, t0)
	}
	for id := int64(101); id <= 103; id++ { // 104–106: the webhooks were lost
		w.hook(t, id)
		w.waitState(t, fmt.Sprint(id), order.Confirmed)
	}

	dry := w.run(t, Options{DryRun: true, Trigger: "test"})
	if got := strings.Join(ids(dry, MissingInGateway), " "); got != "104 105 106" {
		t.Errorf("dry run missing_in_gateway %q, want 104 105 106", got)
	}
	if dry.Recovered != 0 {
		t.Errorf("dry run recovered %d", dry.Recovered)
	}
	if _, err := w.store.Get(t.Context(), order.Key{Storefront: shop, ID: "104"}); err == nil {
		t.Fatal("a dry run backfilled an order")
	}

	rep := w.run(t, Options{Trigger: "test"})
	if rep.Counts[MissingInGateway] != 3 || rep.Recovered != 3 {
		t.Errorf("counts %v, recovered %d; want 3 missing, 3 recovered", rep.Counts, rep.Recovered)
	}
	if len(rep.Storefronts) != 1 || rep.Storefronts[0].Listed != 6 {
		t.Errorf("storefront coverage %+v, want 6 listed", rep.Storefronts)
	}
	for _, id := range []string{"104", "105", "106"} {
		o := w.waitState(t, id, order.Confirmed)
		tl, err := w.store.Timeline(t.Context(), o.Key)
		if err != nil {
			t.Fatal(err)
		}
		if tl[0].Kind != order.EventReceived || tl[0].Source != Source {
			t.Errorf("order %s first event %+v, want received from %s", id, tl[0], Source)
		}
		if n := len(w.erp.Records().OrdersFor(o.Key.ExternalID())); n != 1 {
			t.Errorf("erp holds %d orders for %s, want 1", n, id)
		}
	}

	// The late webhook of a backfilled order changes nothing.
	w.hook(t, 105)
	again := w.run(t, Options{Trigger: "test"})
	for _, k := range Kinds {
		if again.Counts[k] != 0 {
			t.Errorf("after recovery, %s = %d: %v", k, again.Counts[k], again.Findings)
		}
	}
	if n := len(w.erp.Records().OrdersFor(order.Key{Storefront: shop, ID: "105"}.ExternalID())); n != 1 {
		t.Errorf("erp holds %d orders for 105 after its late webhook, want 1", n)
	}

	runs, err := w.store.Runs(t.Context(), RunKind, 10)
	if err != nil || len(runs) != 3 || runs[0].ID != again.ID {
		t.Fatalf("stored runs %d (%v), want 3, newest first", len(runs), err)
	}
	if !strings.Contains(string(runs[1].Summary), `"missing_in_gateway":3`) {
		t.Errorf("stored summary lacks the counts: %s", runs[1].Summary)
	}
}

func TestRun_CancellationTheGatewayMissedIsApplied(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0)
	w.put(t, 201, 11, t0)
	w.hook(t, 201)
	w.waitState(t, "201", order.Confirmed)
	w.put(t, 201, bigcommerce.StatusCancelled, t0.Add(time.Minute)) // its statusUpdated was lost

	rep := w.run(t, Options{Trigger: "test"})
	if got := ids(rep, Mismatch); len(got) != 1 || got[0] != "201" || !rep.Findings[0].Recovered {
		t.Fatalf("findings %+v, want 201's cancellation as a recovered mismatch", rep.Findings)
	}
	w.waitState(t, "201", order.Cancelled)
}

func TestRun_ERPSideAndSLA(t *testing.T) {
	t.Parallel()
	w := newWorld(t, time.Millisecond)
	w.put(t, 301, 11, t0)
	w.hook(t, 301)
	w.waitState(t, "301", order.Confirmed)

	// The ERP is restored from a backup taken before 301: the gateway
	// confirmed an order the ERP no longer has.
	restored := erpsim.New(erpsim.Config{})
	srv := httptest.NewServer(restored)
	t.Cleanup(srv.Close)
	t.Cleanup(restored.Close)
	client, err := sandbox.New(sandbox.Config{BaseURL: srv.URL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	runner := New(Config{Storefronts: []Storefront{{Name: shop, ERP: client, SLA: time.Millisecond}},
		Store: w.store, Ingest: w.gate.Ingest, Logger: slog.New(slog.DiscardHandler)})
	rep, err := runner.Run(t.Context(), Options{Since: t0.Add(-time.Hour), Trigger: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(rep, MissingInERP); len(got) != 1 || got[0] != "301" {
		t.Errorf("missing_in_erp %v, want [301]: %+v", got, rep.Findings)
	}
	sr := rep.Storefronts[0]
	if sr.Listed != -1 || sr.ERPChecked != 1 || !strings.Contains(strings.Join(sr.NotChecked, "|"), "no api configured") {
		t.Errorf("coverage %+v, want the storefront side named as not checked and 1 erp lookup", sr)
	}

	// An order the gate could not hand on stays unsettled: stuck past
	// the SLA.
	if _, err := w.store.Ingest(t.Context(), store.Delivery{DedupKey: "x", Storefront: shop, OrderID: "302", Topic: "test",
		ReceivedAt: time.Now().Add(-time.Hour), Body: []byte("{}")}, func(store.Tx, *order.Order) (*order.Order, error) {
		return order.New(order.Order{Key: order.Key{Storefront: shop, ID: "302"}}, time.Now().Add(-time.Hour), "test", ""), nil
	}); err != nil {
		t.Fatal(err)
	}
	rep = w.run(t, Options{Trigger: "test", Since: time.Now().Add(-2 * time.Hour)})
	if got := ids(rep, Stuck); len(got) != 1 || got[0] != "302" {
		t.Errorf("stuck %v, want [302]: %+v", got, rep.Findings)
	}
}

func TestRun_UnknownStorefrontIsRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0)
	if _, err := w.runner.Run(t.Context(), Options{Storefronts: []string{"nope"}}); err == nil || !strings.Contains(err.Error(), `unknown storefront "nope"`) {
		t.Errorf("error %v, want unknown storefront", err)
	}
}

func TestLineDiff(t *testing.T) {
	t.Parallel()
	l := func(sku string, q int) order.LineItem { return order.LineItem{SKU: sku, Quantity: q} }
	for _, tc := range []struct {
		a, b []order.LineItem
		want string
	}{
		{[]order.LineItem{l("A", 1)}, []order.LineItem{l("A", 1)}, ""},
		{[]order.LineItem{l("A", 1), l("A", 1)}, []order.LineItem{l("A", 2)}, ""},
		{[]order.LineItem{l("A", 2), l("B", 1)}, []order.LineItem{l("A", 1), l("C", 3)}, "A 2 vs 1; B 1 vs none; C none vs 3"},
	} {
		if got := lineDiff(tc.a, tc.b); got != tc.want {
			t.Errorf("lineDiff = %q, want %q", got, tc.want)
		}
	}
}
