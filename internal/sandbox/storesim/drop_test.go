package storesim

import (
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront"
	"github.com/ordergate/ordergate/internal/storefront/shopify/admin"
	"github.com/ordergate/ordergate/internal/storefront/shopify/admin/shopifyfake"
	"github.com/ordergate/ordergate/internal/storefront/woocommerce"
	"github.com/ordergate/ordergate/internal/storefront/woocommerce/woocommercefake"
)

// setupLister gives cfg the store its flavor keeps orders in, serves that
// store's API over HTTP and returns the gateway's own client of it, as a
// reconciler would list orders with it.
func setupLister(t *testing.T, g *flavorGateway, cfg *Config) storefront.Lister {
	t.Helper()
	switch cfg.Flavor {
	case Shopify:
		// A bucket big enough that listing never waits for it to refill:
		// the cost model is the admin package's to test.
		api := shopifyfake.New(shopifyfake.Options{MaximumAvailable: 100_000})
		t.Cleanup(api.Close)
		cfg.ShopifyAdmin = api
		c, err := admin.NewClient(admin.Config{Storefront: "shop1", ShopDomain: DefaultShopDomain, AccessToken: api.Token(), BaseURL: api.URL()})
		if err != nil {
			t.Fatal(err)
		}
		return c
	case WooCommerce:
		cfg.WooCommerce = woocommercefake.New(woocommercefake.Config{
			ConsumerKey: "ck_sim", ConsumerSecret: "cs_sim", Location: shopZone, HomeURL: "https://" + DefaultWooCommerceDomain + "/",
		})
		api := httptest.NewTLSServer(cfg.WooCommerce)
		t.Cleanup(api.Close)
		c, err := woocommerce.NewClient(woocommerce.Config{
			Storefront: "shop1", BaseURL: api.URL, ConsumerKey: "ck_sim", ConsumerSecret: "cs_sim", HTTPClient: api.Client(),
		})
		if err != nil {
			t.Fatal(err)
		}
		return c
	case BigCommerce:
		return g.client // the store setupFlavor serves and fetches from
	}
	t.Fatalf("no API for flavor %s", cfg.Flavor)
	return nil
}

// orderDiff compares decoded orders by value: decimals by amount, times by
// instant.
func orderDiff(want, got order.Order) string {
	return cmp.Diff(want, got,
		cmpopts.IgnoreUnexported(order.Order{}),
		cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) }),
		cmp.Comparer(time.Time.Equal),
	)
}

// latest returns each order's newest delivery: the order as the webhooks
// last told it.
func latest(ds []storefront.Delivery) map[string]storefront.Delivery {
	m := map[string]storefront.Delivery{}
	for _, d := range ds {
		id := d.Order.Key.ID
		if prev, ok := m[id]; !ok || !d.Order.SourceUpdatedAt.Before(prev.Order.SourceUpdatedAt) {
			m[id] = d
		}
	}
	return m
}

func TestRun_EachFlavorDropsWebhooksAndItsAPIListsEveryOrder(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(string(f), func(t *testing.T) {
			t.Parallel()
			g, cfg := setupFlavor(t, f)
			lister := setupLister(t, g, &cfg)
			cfg.Orders = 30
			cfg.DropRate = 0.3
			cfg.CancelRate = 0.4
			cfg.OutOfOrderRate = 0.3
			cfg.DuplicateRate = 0.2
			s := New(cfg)
			run(t, s)
			records := s.Orders()

			var dropped, droppedCancelled, droppedOutOfOrder int
			for _, r := range records {
				if r.Dropped {
					dropped++
					if r.Cancelled {
						droppedCancelled++
					}
					if r.OutOfOrder {
						droppedOutOfOrder++
					}
				}
			}
			if dropped == 0 || dropped == len(records) || droppedCancelled == 0 || droppedOutOfOrder == 0 {
				t.Fatalf("seed 42 drops %d of %d orders, %d cancelled, %d reordered: the test would prove little",
					dropped, len(records), droppedCancelled, droppedOutOfOrder)
			}
			st := s.Stats()
			if st.Dropped != dropped || st.GivenUp != 0 {
				t.Errorf("stats %+v: want Dropped %d (the records') and nothing given up", st, dropped)
			}
			if p := s.Progress(); p.Accepted != len(records)-dropped || p.Done != len(records) || p.Started != len(records) {
				t.Errorf("progress %+v: want %d accepted, all %d started and done", p, len(records)-dropped, len(records))
			}

			// What arrived by webhook and what was dropped are apart and
			// together every order placed.
			arrived := latest(g.accepted())
			for _, r := range records {
				_, ok := arrived[r.ID]
				if ok == r.Dropped {
					t.Errorf("order %s: dropped %v, arrived by webhook %v", r.ID, r.Dropped, ok)
				}
				if r.CapturedAt.IsZero() || !r.Done {
					t.Errorf("order %s: captured at %v, done %v: want every order placed and done", r.ID, r.CapturedAt, r.Done)
				}
				if r.Dropped && (len(r.Attempts) != 0 || !r.AcceptedAt.IsZero() || !r.CancelAcceptedAt.IsZero()) {
					t.Errorf("order %s: dropped, yet attempts %+v, accepted at %v, cancel accepted at %v",
						r.ID, r.Attempts, r.AcceptedAt, r.CancelAcceptedAt)
				}
			}
			if len(arrived) != len(records)-dropped {
				t.Errorf("%d orders arrived by webhook, want %d", len(arrived), len(records)-dropped)
			}

			// The storefront's API lists every order, dropped ones too, as
			// the webhooks last told those that arrived.
			listed := map[string]storefront.Delivery{}
			if err := lister.ListDeliveries(t.Context(), time.Time{}, func(d storefront.Delivery) error {
				listed[d.Order.Key.ID] = d
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if len(listed) != len(records) {
				t.Errorf("the API lists %d orders, want %d", len(listed), len(records))
			}
			for _, r := range records {
				d, ok := listed[r.ID]
				if !ok {
					t.Errorf("order %s (dropped %v): not listed by the API", r.ID, r.Dropped)
					continue
				}
				o := d.Order
				if cancelled := d.Topic == storefront.OrderCancelled; cancelled != r.Cancelled || (cancelled && d.CancelledAt.IsZero()) {
					t.Errorf("order %s: listed as %s cancelled at %v, want cancelled %v", r.ID, d.Topic, d.CancelledAt, r.Cancelled)
				}
				if o.Name != r.Name || o.Customer.Email != r.Email || !o.Total.Equal(r.Total) || !o.CapturedAt.Equal(r.CapturedAt) {
					t.Errorf("order %s: listed %s %s %s %v, recorded %s %s %s %v",
						r.ID, o.Name, o.Customer.Email, o.Total, o.CapturedAt, r.Name, r.Email, r.Total, r.CapturedAt)
				}
				if (r.OutOfOrder || r.Cancelled) != o.SourceUpdatedAt.After(o.CapturedAt) {
					t.Errorf("order %s: listed as modified %v, created %v: not its last change", r.ID, o.SourceUpdatedAt, o.CapturedAt)
				}
				var got []LineRecord
				for _, l := range o.Lines {
					got = append(got, LineRecord{LineID: l.LineID, SKU: l.SKU, Quantity: l.Quantity, Price: l.Price})
				}
				want := slices.Clone(r.Lines)
				for i := range want {
					want[i].Title, want[i].Unknown = "", false
				}
				if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" {
					t.Errorf("order %s: listed lines (-recorded +listed):\n%s", r.ID, diff)
				}
				if w, ok := arrived[r.ID]; ok {
					if diff := orderDiff(w.Order, o); diff != "" {
						t.Errorf("order %s: the API and the last webhook differ (-webhook +api):\n%s", r.ID, diff)
					}
					if (w.Topic == storefront.OrderCancelled) != (d.Topic == storefront.OrderCancelled) || !w.CancelledAt.Equal(d.CancelledAt) {
						t.Errorf("order %s: last webhook %s cancelled at %v, listed as %s cancelled at %v",
							r.ID, w.Topic, w.CancelledAt, d.Topic, d.CancelledAt)
					}
				}
			}
		})
	}
}

func TestRun_DropRateOneSendsNoWebhookAndSucceeds(t *testing.T) {
	t.Parallel()
	g := setup(t)
	cfg := g.config()
	cfg.Orders = 5
	cfg.DropRate = 1
	cfg.CancelRate = 1
	cfg.DuplicateRate = 1
	s := New(cfg)
	run(t, s)

	if got := g.accepted(); len(got) != 0 {
		t.Errorf("%d deliveries reached the gateway, want none", len(got))
	}
	if diff := cmp.Diff(Stats{Dropped: cfg.Orders}, s.Stats()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	if p := s.Progress(); p.Started != cfg.Orders || p.Done != cfg.Orders || p.Accepted != 0 {
		t.Errorf("progress %+v: want every order started and done, none accepted", p)
	}
	for _, r := range s.Orders() {
		if !r.Dropped || r.CapturedAt.IsZero() || !r.Done || len(r.Attempts) != 0 {
			t.Errorf("order %s: dropped %v, captured at %v, done %v, %d attempts", r.ID, r.Dropped, r.CapturedAt, r.Done, len(r.Attempts))
		}
	}
}

func TestPlan_DropRateLeavesEveryOtherDrawAlone(t *testing.T) {
	t.Parallel()
	base := Config{Orders: 40, Seed: 5, DuplicateRate: 0.3, OutOfOrderRate: 0.3, CancelRate: 0.3, UnknownSKURate: 0.3}
	want := New(base).Orders()
	cfg := base
	cfg.DropRate = 0.5
	got := New(cfg).Orders()

	dropped := 0
	for i := range got {
		if want[i].Dropped {
			t.Fatalf("order %s dropped at DropRate 0", want[i].ID)
		}
		if got[i].Dropped {
			dropped++
		}
		got[i].Dropped = false
	}
	if dropped == 0 || dropped == len(got) {
		t.Errorf("%d of %d orders dropped at DropRate 0.5", dropped, len(got))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DropRate changed the other draws (-without +with):\n%s", diff)
	}
}
