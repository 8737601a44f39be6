package storesim

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront"
	"github.com/ordergate/ordergate/internal/storefront/bigcommerce"
	"github.com/ordergate/ordergate/internal/storefront/bigcommerce/bigcommercefake"
	"github.com/ordergate/ordergate/internal/storefront/shopify"
	"github.com/ordergate/ordergate/internal/storefront/woocommerce"
	"github.com/ordergate/ordergate/internal/storefront/woocommerce/woocommercefake"
)

var flavors = []Flavor{Shopify, WooCommerce, BigCommerce}

// flavorGateway is a fake ordergate webhook endpoint for one flavor: it
// authenticates and decodes every delivery with the real connector (for
// BigCommerce, fetching the order from the served fake store, as the
// gateway does) and keeps what it accepted.
type flavorGateway struct {
	t      *testing.T
	flavor Flavor
	srv    *httptest.Server
	store  *bigcommercefake.Store // BigCommerce only
	api    string                 // where store is served, with its prefix
	client *bigcommerce.Client    // reads store

	mu sync.Mutex
	// fail, when set, picks a status to answer instead of 200.
	fail       func(d storefront.Delivery, attempt int) int
	attempts   map[string]int // per dedup key
	pings      []string
	deliveries []storefront.Delivery
	hooks      []bigcommerce.Hook // BigCommerce: the callback of each delivery
}

// setupFlavor returns a gateway for f and a config that delivers to it.
func setupFlavor(t *testing.T, f Flavor) (*flavorGateway, Config) {
	t.Helper()
	g := &flavorGateway{t: t, flavor: f, attempts: map[string]int{}}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	cfg := Config{
		Flavor:      f,
		Target:      g.srv.URL + "/webhooks/" + string(f) + "/shop1",
		Secret:      secret,
		Seed:        42,
		Concurrency: 4,
		Retry:       Retry{Initial: time.Millisecond, Max: 5 * time.Millisecond},
		Logger:      slog.New(slog.DiscardHandler),
	}
	switch f {
	case WooCommerce:
		cfg.Retry = Retry{} // WooCommerce's own: none
	case BigCommerce:
		g.store = bigcommercefake.New(bigcommercefake.Config{StoreHash: "sim1", AccessToken: "token", Quota: 1 << 20})
		api := httptest.NewServer(g.store)
		t.Cleanup(api.Close)
		g.api = api.URL + g.store.Prefix()
		c, err := bigcommerce.NewClient(bigcommerce.Config{Storefront: "shop1", AccessToken: "token", BaseURL: g.api})
		if err != nil {
			t.Fatal(err)
		}
		g.client = c
		cfg.BigCommerce = g.store
	}
	return g, cfg
}

func (g *flavorGateway) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var (
		d    storefront.Delivery
		hook bigcommerce.Hook
	)
	switch g.flavor {
	case Shopify:
		if err = shopify.Verify(body, r.Header.Get(shopify.HeaderHmac), [][]byte{[]byte("old"), secret}); err == nil {
			d, err = shopify.Parse("shop1", r.Header, body)
		}
	case WooCommerce:
		if woocommerce.IsPing(r.Header, body) {
			g.mu.Lock()
			g.pings = append(g.pings, string(body))
			g.mu.Unlock()
			w.WriteHeader(http.StatusOK)
			return
		}
		if err = woocommerce.Verify([][]byte{[]byte("old"), secret}, r.Header, body); err == nil {
			d, err = woocommerce.Parse("shop1", r.Header, body)
		}
	case BigCommerce:
		if err = bigcommerce.Verify(r.Header, "", [][]byte{[]byte("old"), secret}); err == nil {
			if hook, err = bigcommerce.ParseHook("shop1", body); err == nil {
				var s bigcommerce.Snapshot
				if s, err = g.client.Fetch(r.Context(), hook.OrderID); err == nil {
					d = bigcommerce.SnapshotDelivery("shop1", hook, s, body)
				}
			}
		}
	}
	if err != nil {
		g.t.Errorf("simulator delivery does not verify and decode: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.attempts[d.DedupKey]++
	if g.fail != nil {
		if code := g.fail(d, g.attempts[d.DedupKey]); code != 0 {
			w.WriteHeader(code)
			return
		}
	}
	g.deliveries = append(g.deliveries, d)
	g.hooks = append(g.hooks, hook)
	w.WriteHeader(http.StatusOK)
}

// decodeDirectly decodes order r as the connector's own decoder reads it:
// the delivered body for WooCommerce, the v2 API's order and products for
// BigCommerce. It returns false for Shopify, whose Parse is the decoder.
func (g *flavorGateway) decodeDirectly(t *testing.T, r OrderRecord, d storefront.Delivery) (order.Order, bool) {
	t.Helper()
	switch g.flavor {
	case WooCommerce:
		o, err := woocommerce.DecodeOrder("shop1", d.Body)
		if err != nil {
			t.Fatalf("order %s: %v", r.ID, err)
		}
		return o, true
	case BigCommerce:
		get := func(path string) []byte {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, g.api+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Auth-Token", "token")
			req.Header.Set("Accept", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d %s %v", path, resp.StatusCode, b, err)
			}
			return b
		}
		sn, err := bigcommerce.Decode("shop1", get("/v2/orders/"+r.ID), get("/v2/orders/"+r.ID+"/products"))
		if err != nil {
			t.Fatalf("order %s: %v", r.ID, err)
		}
		return sn.Order, true
	}
	return order.Order{}, false
}

// sameOrder compares what the records hold of two decoded orders.
func sameOrder(a, b order.Order) bool {
	if a.Key != b.Key || a.Name != b.Name || a.Customer != b.Customer || a.Currency != b.Currency || !a.Total.Equal(b.Total) ||
		!a.CapturedAt.Equal(b.CapturedAt) || !a.SourceUpdatedAt.Equal(b.SourceUpdatedAt) || len(a.Lines) != len(b.Lines) {
		return false
	}
	for i, l := range a.Lines {
		m := b.Lines[i]
		if l.LineID != m.LineID || l.SKU != m.SKU || l.Title != m.Title || l.Quantity != m.Quantity || !l.Price.Equal(m.Price) {
			return false
		}
	}
	return true
}

func (g *flavorGateway) accepted() []storefront.Delivery {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]storefront.Delivery(nil), g.deliveries...)
}

func (g *flavorGateway) pingsSeen() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.pings...)
}

func (g *flavorGateway) acceptedHooks() []bigcommerce.Hook {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]bigcommerce.Hook(nil), g.hooks...)
}

// byOrder groups deliveries by order id, in arrival order.
func byOrder(ds []storefront.Delivery) map[string][]storefront.Delivery {
	m := map[string][]storefront.Delivery{}
	for _, d := range ds {
		m[d.Order.Key.ID] = append(m[d.Order.Key.ID], d)
	}
	return m
}

func TestRun_EachFlavorDeliversOrdersThatDecodeToTheRecords(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(string(f), func(t *testing.T) {
			t.Parallel()
			g, cfg := setupFlavor(t, f)
			cfg.Orders = 30
			cfg.UnknownSKURate = 0.3
			cfg.MaxLinesPerOrder = 4
			s := New(cfg)
			run(t, s)

			created := map[string]storefront.Delivery{}
			for _, d := range g.accepted() {
				if d.Topic != storefront.OrderCreated || d.Kind != string(f) {
					t.Errorf("order %s: delivery %s of kind %s, want only %s creates", d.Order.Key.ID, d.Topic, d.Kind, f)
				}
				created[d.Order.Key.ID] = d
			}
			unknown := 0
			for _, r := range s.Orders() {
				d, ok := created[r.ID]
				if !ok {
					t.Fatalf("order %s: no create accepted", r.ID)
				}
				if r.AcceptedAt.IsZero() || !r.Done {
					t.Errorf("order %s: accepted at %v, done %v", r.ID, r.AcceptedAt, r.Done)
				}
				o := d.Order
				if o.Name != r.Name || o.Customer.Email != r.Email || !o.Total.Equal(r.Total) || !o.CapturedAt.Equal(r.CapturedAt) || o.Currency != "USD" {
					t.Errorf("order %s: decoded %s %s %s %s %v, recorded %s %s %s %v",
						r.ID, o.Name, o.Customer.Email, o.Total, o.Currency, o.CapturedAt, r.Name, r.Email, r.Total, r.CapturedAt)
				}
				if len(o.Lines) != len(r.Lines) {
					t.Fatalf("order %s: %d lines decoded, %d recorded", r.ID, len(o.Lines), len(r.Lines))
				}
				for i, l := range r.Lines {
					got := o.Lines[i]
					if got.LineID != l.LineID || got.SKU != l.SKU || got.Quantity != l.Quantity || !got.Price.Equal(l.Price) {
						t.Errorf("order %s line %d: decoded %+v, recorded %+v", r.ID, i, got, l)
					}
					if l.Unknown {
						unknown++
					}
				}
				if direct, ok := g.decodeDirectly(t, r, d); ok && !sameOrder(o, direct) {
					t.Errorf("order %s: the decoder reads %+v, the delivery carries %+v", r.ID, direct, o)
				}
				for _, a := range r.Attempts {
					if a.Topic != f.topics()[actCreate] {
						t.Errorf("order %s: attempt topic %q, want %q", r.ID, a.Topic, f.topics()[actCreate])
					}
				}
			}
			if unknown == 0 {
				t.Error("no line with an unknown SKU at UnknownSKURate 0.3")
			}
			if got := s.Accepted(); got != cfg.Orders {
				t.Errorf("Accepted = %d, want %d", got, cfg.Orders)
			}
			if f == WooCommerce {
				if diff := cmp.Diff([]string{"webhook_id=1", "webhook_id=2"}, g.pingsSeen()); diff != "" {
					t.Errorf("creation pings (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestRun_EachFlavorNumbersOrdersFromItsFirstID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		flavor Flavor
		want   []string
	}{
		{Shopify, []string{"9007199254740993", "9007199254740994", "9007199254740995"}},
		{WooCommerce, []string{"9007199254740993", "9007199254740994", "9007199254740995"}},
		{BigCommerce, []string{"100", "101", "102"}},
	} {
		t.Run(string(tc.flavor), func(t *testing.T) {
			t.Parallel()
			g, cfg := setupFlavor(t, tc.flavor)
			cfg.Orders = 3
			run(t, New(cfg))
			var got []string
			for _, d := range g.accepted() {
				got = append(got, d.Order.Key.ID)
			}
			slices.Sort(got)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("order ids (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRun_EachFlavorDuplicatesShareADedupKey(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(string(f), func(t *testing.T) {
			t.Parallel()
			g, cfg := setupFlavor(t, f)
			cfg.Orders = 10
			cfg.DuplicateRate = 1
			s := New(cfg)
			run(t, s)

			byKey := map[string][]storefront.Delivery{}
			for _, d := range g.accepted() {
				byKey[d.DedupKey] = append(byKey[d.DedupKey], d)
			}
			if len(byKey) != cfg.Orders {
				t.Errorf("%d distinct dedup keys, want %d", len(byKey), cfg.Orders)
			}
			for k, ds := range byKey {
				if len(ds) != 2 {
					t.Fatalf("%s: %d deliveries, want 2", k, len(ds))
				}
				if !bytes.Equal(ds[0].Body, ds[1].Body) {
					t.Errorf("%s: the duplicate's body differs", k)
				}
				// BigCommerce has no id but the hash, which repeats.
				if f != BigCommerce && ds[0].DeliveryID == ds[1].DeliveryID {
					t.Errorf("%s: both deliveries have id %s, want two", k, ds[0].DeliveryID)
				}
			}
			if st := s.Stats(); st.DuplicatesSent != cfg.Orders || st.Status2xx != 2*cfg.Orders {
				t.Errorf("stats %+v", st)
			}
			for _, r := range s.Orders() {
				if !r.Duplicated || len(r.Attempts) != 2 || r.Attempts[0].EventID != r.Attempts[1].EventID || !r.Attempts[1].Duplicate {
					t.Errorf("order %s: duplicated %v, attempts %+v", r.ID, r.Duplicated, r.Attempts)
				}
			}
		})
	}
}

func TestRun_EachFlavorSendsTheOvertakingUpdateFirst(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(string(f), func(t *testing.T) {
			t.Parallel()
			g, cfg := setupFlavor(t, f)
			cfg.Orders = 10
			cfg.OutOfOrderRate = 1
			s := New(cfg)
			run(t, s)

			seen := byOrder(g.accepted())
			if len(seen) != cfg.Orders {
				t.Errorf("%d orders seen, want %d", len(seen), cfg.Orders)
			}
			for id, ds := range seen {
				if len(ds) != 2 || ds[0].Topic != storefront.OrderUpdated || ds[1].Topic != storefront.OrderCreated {
					t.Fatalf("order %s: topics %v, want updated then created", id, topics(ds))
				}
				up, cr := ds[0], ds[1]
				if up.RawTopic != f.topics()[actUpdate] || cr.RawTopic != f.topics()[actCreate] {
					t.Errorf("order %s: raw topics %s, %s", id, up.RawTopic, cr.RawTopic)
				}
				if len(up.Order.Lines) != len(cr.Order.Lines) || !up.Order.CapturedAt.Equal(cr.Order.CapturedAt) {
					t.Errorf("order %s: the update is not the full order", id)
				}
				switch f {
				case BigCommerce:
					// Both callbacks fetch the order as the store holds
					// it, updated; the callbacks are dated apart.
					if !up.TriggeredAt.After(cr.TriggeredAt) || !cr.Order.SourceUpdatedAt.After(cr.Order.CapturedAt) {
						t.Errorf("order %s: update fired %v, create %v; fetched order modified %v, created %v",
							id, up.TriggeredAt, cr.TriggeredAt, cr.Order.SourceUpdatedAt, cr.Order.CapturedAt)
					}
				default:
					if !up.Order.SourceUpdatedAt.After(cr.Order.SourceUpdatedAt) {
						t.Errorf("order %s: update at %v is not newer than create at %v", id, up.Order.SourceUpdatedAt, cr.Order.SourceUpdatedAt)
					}
				}
			}
		})
	}
}

func TestRun_EachFlavorCancelDecodesAsCancelled(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(string(f), func(t *testing.T) {
			t.Parallel()
			g, cfg := setupFlavor(t, f)
			cfg.Orders = 10
			cfg.CancelRate = 1
			cfg.OutOfOrderRate = 0.5
			s := New(cfg)
			run(t, s)

			hooks := g.acceptedHooks()
			cancels := 0
			created := map[string]time.Time{}
			for i, d := range g.accepted() {
				switch d.Topic {
				case storefront.OrderCreated:
					created[d.Order.Key.ID] = d.Order.SourceUpdatedAt
				case storefront.OrderCancelled:
					cancels++
					at, ok := created[d.Order.Key.ID]
					if !ok {
						t.Errorf("order %s: cancelled before created", d.Order.Key.ID)
					}
					if d.RawTopic != f.topics()[actCancel] || d.CancelReason == "" || d.CancelledAt.IsZero() || !d.Order.SourceUpdatedAt.After(at) {
						t.Errorf("order %s: %s reason %q, cancelled at %v, updated %v after create %v",
							d.Order.Key.ID, d.RawTopic, d.CancelReason, d.CancelledAt, d.Order.SourceUpdatedAt, at)
					}
					if f == BigCommerce {
						want := &bigcommerce.StatusChange{PreviousID: 11, NewID: 5}
						if diff := cmp.Diff(want, hooks[i].Status); diff != "" {
							t.Errorf("order %s: status change (-want +got):\n%s", d.Order.Key.ID, diff)
						}
					}
				}
			}
			if cancels != cfg.Orders {
				t.Errorf("%d cancellations, want %d", cancels, cfg.Orders)
			}
			for _, r := range s.Orders() {
				if !r.Cancelled || r.CancelAcceptedAt.IsZero() {
					t.Errorf("order %s: record cancelled %v, accepted %v", r.ID, r.Cancelled, r.CancelAcceptedAt)
				}
			}
		})
	}
}

func TestRun_WooCommerceDoesNotRetryByDefault(t *testing.T) {
	t.Parallel()
	g, cfg := setupFlavor(t, WooCommerce)
	g.fail = func(storefront.Delivery, int) int { return http.StatusServiceUnavailable }
	cfg.Orders = 3
	s := New(cfg)
	if err := s.Run(t.Context()); err == nil || !strings.Contains(err.Error(), "3 deliveries given up") {
		t.Errorf("Run = %v, want the three deliveries given up", err)
	}
	want := Stats{Sent: 3, Status5xx: 3, GivenUp: 3}
	if diff := cmp.Diff(want, s.Stats()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	if len(g.pingsSeen()) != 2 || s.Accepted() != 0 {
		t.Errorf("%d pings, %d accepted; want 2 and 0", len(g.pingsSeen()), s.Accepted())
	}
}

func TestRun_WooCommerceRetriesWhenAskedWithANewDeliveryID(t *testing.T) {
	t.Parallel()
	g, cfg := setupFlavor(t, WooCommerce)
	g.fail = func(_ storefront.Delivery, attempt int) int {
		if attempt <= 2 {
			return http.StatusServiceUnavailable
		}
		return 0
	}
	cfg.Orders = 3
	cfg.Retry = Retry{Initial: time.Millisecond, Max: 5 * time.Millisecond}
	s := New(cfg)
	run(t, s)

	want := Stats{Sent: 9, Retries: 6, Status2xx: 3, Status5xx: 6}
	if diff := cmp.Diff(want, s.Stats()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	for _, r := range s.Orders() {
		ids := map[string]bool{}
		for _, a := range r.Attempts {
			ids[a.WebhookID] = true
			if a.EventID != r.Attempts[0].EventID {
				t.Errorf("order %s: a retry changed the event", r.ID)
			}
		}
		if len(ids) != 3 {
			t.Errorf("order %s: %d delivery ids over 3 sends, want a new one each", r.ID, len(ids))
		}
	}
}

func TestRun_WooCommercePingRefusedStopsTheRun(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted) // not exactly 200
	}))
	t.Cleanup(srv.Close)
	s := New(Config{Flavor: WooCommerce, Target: srv.URL, Secret: secret, Orders: 2, Logger: slog.New(slog.DiscardHandler)})
	err := s.Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "ping answered 202") {
		t.Errorf("Run = %v, want the ping's 202 named", err)
	}
	if st := s.Stats(); st.Sent != 0 {
		t.Errorf("stats %+v: orders sent after a refused ping", st)
	}
}

// A caller serves the simulator's shop to give a backfill the REST API:
// every order is there as it stands after its last event.
func TestRun_WooCommerceShopServesTheOrdersToABackfill(t *testing.T) {
	t.Parallel()
	_, cfg := setupFlavor(t, WooCommerce)
	cfg.WooCommerce = woocommercefake.New(woocommercefake.Config{ConsumerKey: "ck_sim", ConsumerSecret: "cs_sim"})
	cfg.Orders = 12
	cfg.CancelRate = 0.5
	cfg.OutOfOrderRate = 0.5
	s := New(cfg)
	if s.WooCommerceShop() != cfg.WooCommerce {
		t.Fatal("WooCommerceShop is not the configured shop")
	}
	run(t, s)

	api := httptest.NewTLSServer(s.WooCommerceShop())
	t.Cleanup(api.Close)
	c, err := woocommerce.NewClient(woocommerce.Config{Storefront: "shop1", BaseURL: api.URL, ConsumerKey: "ck_sim", ConsumerSecret: "cs_sim", HTTPClient: api.Client()})
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]woocommerce.Snapshot{}
	if err := c.ListSnapshotsModifiedSince(t.Context(), time.Time{}, func(sn woocommerce.Snapshot) error {
		listed[sn.Order.Key.ID] = sn
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, r := range s.Orders() {
		sn, ok := listed[r.ID]
		if !ok {
			t.Fatalf("order %s: not in the shop's API", r.ID)
		}
		wantStatus := "processing"
		if r.Cancelled {
			wantStatus = "cancelled"
		}
		if sn.Status != wantStatus || len(sn.Order.Lines) != len(r.Lines) || !sn.Order.Total.Equal(r.Total) {
			t.Errorf("order %s: listed %s with %d lines, %s; want %s, %d, %s",
				r.ID, sn.Status, len(sn.Order.Lines), sn.Order.Total, wantStatus, len(r.Lines), r.Total)
		}
		// An order updated or cancelled is held as modified after its
		// creation, even when the update overtook the create.
		if (r.OutOfOrder || r.Cancelled) && !sn.Order.SourceUpdatedAt.After(sn.Order.CapturedAt) {
			t.Errorf("order %s: the shop holds it as created, not as last changed", r.ID)
		}
	}
	if len(listed) != cfg.Orders {
		t.Errorf("%d orders listed, want %d", len(listed), cfg.Orders)
	}
}

func TestRun_BigCommerceRetriesAFailedCallback(t *testing.T) {
	t.Parallel()
	g, cfg := setupFlavor(t, BigCommerce)
	g.fail = func(_ storefront.Delivery, attempt int) int {
		if attempt <= 2 {
			return http.StatusServiceUnavailable
		}
		return 0
	}
	cfg.Orders = 5
	s := New(cfg)
	run(t, s)

	want := Stats{Sent: 15, Retries: 10, Status2xx: 5, Status5xx: 10}
	if diff := cmp.Diff(want, s.Stats()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	for _, r := range s.Orders() {
		var got []int
		for _, a := range r.Attempts {
			got = append(got, a.Status)
			if a.WebhookID != r.Attempts[0].WebhookID || a.EventID != r.Attempts[0].EventID || a.EventID == "" {
				t.Errorf("order %s: a retry changed its hash", r.ID)
			}
		}
		if diff := cmp.Diff([]int{503, 503, 200}, got); diff != "" {
			t.Errorf("order %s statuses (-want +got):\n%s", r.ID, diff)
		}
	}
}

func TestRun_RefusesBigCommerceWithoutAStoreAndUnknownFlavors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Flavor: BigCommerce, Target: "http://127.0.0.1:1/x", Secret: secret}, "storesim: bigcommerce: required"},
		{Config{Flavor: "magento", Target: "http://127.0.0.1:1/x", Secret: secret}, `storesim: flavor: "magento"`},
		{Config{Target: "http://127.0.0.1:1/x", Secret: secret, Retry: Retry{None: true, Forever: true}}, "storesim: retry:"},
	} {
		err := New(tc.cfg).Run(t.Context())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Run(%s) = %v, want an error saying %q", tc.cfg.Flavor, err, tc.want)
		}
	}
}

func TestNew_OneSeedPlansTheSameOrdersInEveryFlavor(t *testing.T) {
	t.Parallel()
	base := Config{Orders: 20, Seed: 11, FirstOrderID: 5000, DuplicateRate: 0.3, OutOfOrderRate: 0.3, CancelRate: 0.3, UnknownSKURate: 0.3}
	want := New(base).Orders()
	for _, f := range flavors[1:] {
		cfg := base
		cfg.Flavor = f
		got := New(cfg).Orders()
		if diff := cmp.Diff(want, got, cmp.FilterPath(func(p cmp.Path) bool {
			return p.Last().String() == ".Name"
		}, cmp.Ignore())); diff != "" {
			t.Errorf("%s plans other orders than shopify (-shopify +%s):\n%s", f, f, diff)
		}
	}
}
