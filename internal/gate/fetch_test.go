package gate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/storefront"
	"github.com/ordergate/ordergate/internal/storefront/bigcommerce"
	"github.com/ordergate/ordergate/internal/storefront/bigcommerce/bigcommercefake"
)

// bcShop is a BigCommerce store's v2 API over real HTTP and the gate's
// fetcher for it.
type bcShop struct {
	fake    *bigcommercefake.Store
	fetcher *bigcommerce.Fetcher
}

func newBCShop(t *testing.T) *bcShop {
	t.Helper()
	fake := bigcommercefake.New(bigcommercefake.Config{StoreHash: "abc123", StoreID: "1025646", AccessToken: "bc-token"})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	client, err := bigcommerce.NewClient(bigcommerce.Config{Storefront: testStorefront, AccessToken: "bc-token",
		BaseURL: srv.URL + fake.Prefix(), MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return &bcShop{fake: fake, fetcher: &bigcommerce.Fetcher{Storefront: testStorefront, Client: client}}
}

// put stores BigCommerce's sample order 218 with the given status and
// modification time.
func (s *bcShop) put(t *testing.T, status int, modified time.Time) {
	t.Helper()
	var o map[string]any
	dec := json.NewDecoder(bytes.NewReader(readTestdata(t, "bigcommerce-v2-order-get.json")))
	dec.UseNumber()
	if err := dec.Decode(&o); err != nil {
		t.Fatal(err)
	}
	o["status_id"] = status
	o["status"] = bigcommerce.StatusName(status)
	o["date_modified"] = modified.UTC().Format(time.RFC1123Z)
	body, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	var products []map[string]any
	dec = json.NewDecoder(bytes.NewReader(readTestdata(t, "bigcommerce-v2-order-products-get.json")))
	dec.UseNumber()
	if err := dec.Decode(&products); err != nil {
		t.Fatal(err)
	}
	for _, p := range products {
		p["order_id"] = 218
	}
	pb, err := json.Marshal(products)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.fake.PutOrder(body, pb); err != nil {
		t.Fatal(err)
	}
}

// notice is the verified callback BigCommerce sends for scope about order
// 218, fired at at.
func (s *bcShop) notice(t *testing.T, scope string, at time.Time) storefront.Notice {
	t.Helper()
	body := s.fake.Webhook(scope, 218, at)
	h, err := bigcommerce.ParseHook(testStorefront, body)
	if err != nil {
		t.Fatal(err)
	}
	return h.Notice(body)
}

func bcStorefront(sf *Storefront) { sf.Kind = bigcommerce.Kind }

func TestIngestNotice_FetchesTheOrderThenConfirmsIt(t *testing.T) {
	t.Parallel()
	shop := newBCShop(t)
	b := setup(t, options{fetcher: shop.fetcher, storefront: bcStorefront})
	shop.put(t, 11, t0) // Awaiting Fulfillment
	n := shop.notice(t, bigcommerce.ScopeOrderCreated, t0)
	key := order.Key{Storefront: testStorefront, ID: "218"}

	res, err := b.gate.IngestNotice(t.Context(), n)
	if err != nil {
		t.Fatal(err)
	}
	if res.Duplicate || res.Saved {
		t.Errorf("IngestNotice = %+v, want the notice stored and no order yet", res)
	}
	o := b.waitState(t, key, order.Confirmed)
	if o.Customer.Email != "janedoe@example.com" || len(o.Lines) == 0 {
		t.Errorf("order as fetched: email %q, %d lines; want the sample's", o.Customer.Email, len(o.Lines))
	}
	if held := b.sim.Records().OrdersFor(key.ExternalID()); len(held) != 1 {
		t.Errorf("erp holds %d orders for %s, want 1", len(held), key.ExternalID())
	}
	tl := b.timeline(t, key)
	if tl[0].Kind != order.EventReceived || tl[0].Source != bigcommerce.Kind || !strings.Contains(tl[0].Detail, n.DeliveryID) {
		t.Errorf("first timeline entry %+v, want received from bigcommerce naming the callback's hash", tl[0])
	}

	// BigCommerce repeats a callback it thinks failed: same hash, ignored.
	res, err = b.gate.IngestNotice(t.Context(), n)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Duplicate {
		t.Errorf("repeated notice: %+v, want a duplicate", res)
	}
	if got := len(b.mail.Messages()); got != 1 {
		t.Errorf("mailbox holds %d messages, want 1", got)
	}
}

func TestIngestNotice_ThrottledFetchWaitsAndGoesOn(t *testing.T) {
	t.Parallel()
	shop := newBCShop(t)
	b := setup(t, options{fetcher: shop.fetcher, storefront: bcStorefront})
	shop.put(t, 11, t0)
	shop.fake.Throttle(3, false) // a bare 429, BigCommerce under load
	if _, err := b.gate.IngestNotice(t.Context(), shop.notice(t, bigcommerce.ScopeOrderCreated, t0)); err != nil {
		t.Fatal(err)
	}
	b.waitState(t, order.Key{Storefront: testStorefront, ID: "218"}, order.Confirmed)
	throttled := 0
	for _, r := range shop.fake.Requests() {
		if r.Status == 429 {
			throttled++
		}
	}
	if throttled != 3 {
		t.Errorf("the store answered 429 %d times, want the 3 forced", throttled)
	}
}

// logLines collects the messages of a gate's log.
type logLines struct {
	mu   sync.Mutex
	msgs []string
}

func (l *logLines) Enabled(context.Context, slog.Level) bool { return true }
func (l *logLines) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, r.Message)
	return nil
}
func (l *logLines) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logLines) WithGroup(string) slog.Handler      { return l }
func (l *logLines) has(msg string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.msgs {
		if m == msg {
			return true
		}
	}
	return false
}

func TestIngestNotice_IncompleteCheckoutWaitsForItsStatusChange(t *testing.T) {
	t.Parallel()
	shop := newBCShop(t)
	logs := &logLines{}
	b := setup(t, options{fetcher: shop.fetcher, storefront: bcStorefront, log: logs})
	key := order.Key{Storefront: testStorefront, ID: "218"}

	// BigCommerce fires store/order/created for a checkout that never
	// completed (status 0): it is no order, and nothing reaches the ERP.
	shop.put(t, bigcommerce.StatusIncomplete, t0)
	if _, err := b.gate.IngestNotice(t.Context(), shop.notice(t, bigcommerce.ScopeOrderCreated, t0)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the incomplete order's notice skipped", func() bool { return logs.has("notice skipped") })
	if _, err := b.store.Get(t.Context(), key); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after an incomplete checkout: Get = %v, want no order", err)
	}

	// The payment goes through: the status change brings the order.
	shop.put(t, 11, t0.Add(time.Minute))
	if _, err := b.gate.IngestNotice(t.Context(), shop.notice(t, bigcommerce.ScopeOrderStatusUpdated, t0.Add(time.Minute))); err != nil {
		t.Fatal(err)
	}
	b.waitState(t, key, order.Confirmed)
}

func TestIngestNotice_CancelledWhenFetchedIsNeverSent(t *testing.T) {
	t.Parallel()
	shop := newBCShop(t)
	b := setup(t, options{fetcher: shop.fetcher, storefront: bcStorefront})
	// The callback said "created", but by the time the order is read the
	// merchant has cancelled it: the order as it stands wins.
	shop.put(t, bigcommerce.StatusCancelled, t0)
	if _, err := b.gate.IngestNotice(t.Context(), shop.notice(t, bigcommerce.ScopeOrderCreated, t0)); err != nil {
		t.Fatal(err)
	}
	key := order.Key{Storefront: testStorefront, ID: "218"}
	b.waitState(t, key, order.Cancelled)
	if held := b.sim.Records().OrdersFor(key.ExternalID()); len(held) != 0 {
		t.Errorf("erp holds %d orders for a cancelled order, want 0", len(held))
	}
}

func TestIngestNotice_WithoutFetcherStoresNothing(t *testing.T) {
	t.Parallel()
	shop := newBCShop(t)
	b := setup(t, options{})
	n := shop.notice(t, bigcommerce.ScopeOrderCreated, t0)
	if _, err := b.gate.IngestNotice(t.Context(), n); err == nil {
		t.Fatal("IngestNotice without a fetcher: no error")
	}
	// Nothing was stored: the same notice is new once a fetcher exists.
	res, err := b.store.Ingest(t.Context(), store.Delivery{DedupKey: n.DedupKey, Storefront: n.Storefront, OrderID: n.OrderID,
		Topic: n.RawTopic, ReceivedAt: time.Now(), Body: n.Body}, func(store.Tx, *order.Order) (*order.Order, error) { return nil, nil })
	if err != nil || res.Duplicate {
		t.Errorf("the notice's key after a refusal: %+v, %v; want it unseen", res, err)
	}
}
