package gate

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/cutover"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront"
	"github.com/ordergate/ordergate/internal/storefront/shopify/admin"
	"github.com/ordergate/ordergate/internal/storefront/shopify/admin/shopifyfake"
)

const gatedTag = "ordergate-gated"

// shop is a fake Shopify Admin API over HTTP and a real client of it.
type shop struct {
	fake   *shopifyfake.Server
	client *admin.Client
}

func startShop(t *testing.T) *shop {
	t.Helper()
	f := shopifyfake.New(shopifyfake.Options{Scopes: []string{"read_orders", "write_orders"}})
	t.Cleanup(f.Close)
	c, err := admin.NewClient(admin.Config{Storefront: testStorefront, ShopDomain: "shop1.myshopify.com",
		AccessToken: f.Token(), BaseURL: f.URL()})
	if err != nil {
		t.Fatal(err)
	}
	return &shop{fake: f, client: c}
}

// put stores the order in the fake shop, as Shopify holds it once placed.
func (s *shop) put(t *testing.T, id string) {
	t.Helper()
	if err := s.fake.PutOrder(map[string]any{"id": admin.OrderGID(id), "legacyResourceId": id,
		"updatedAt": t0.Format(time.RFC3339)}); err != nil {
		t.Fatal(err)
	}
}

// tagCalls counts the tagsAdd requests the shop answered for the order,
// throttled ones included.
func (s *shop) tagCalls(id string) int {
	n := 0
	for _, r := range s.fake.Requests() {
		if r.Operation == "TagsAdd" && r.Variables["id"] == admin.OrderGID(id) {
			n++
		}
	}
	return n
}

// tagging rolls out percent of the orders and tags the gated ones in s.
func tagging(s *shop, percent int) func(*Storefront) {
	return func(sf *Storefront) {
		sf.RolloutPercent = &percent
		sf.Tagger, sf.GatedTag = s.client, gatedTag
	}
}

// idIn returns the first numeric order id from from on that falls in
// cohort c at percent.
func idIn(c order.Cohort, percent, from int) string {
	for i := from; ; i++ {
		id := strconv.Itoa(i)
		if cutover.CohortOf(order.Key{Storefront: testStorefront, ID: id}, percent) == c {
			return id
		}
	}
}

// tagEntries returns the tagging job's timeline entries.
func (b *bundle) tagEntries(t *testing.T, key order.Key) []order.Event {
	t.Helper()
	var out []order.Event
	for _, e := range b.timeline(t, key) {
		if e.Source == tagSource {
			out = append(out, e)
		}
	}
	return out
}

func (b *bundle) waitTagEntry(t *testing.T, key order.Key) order.Event {
	t.Helper()
	eventually(t, "a tagging entry on the timeline of "+key.ID, func() bool { return len(b.tagEntries(t, key)) > 0 })
	return b.tagEntries(t, key)[0]
}

func TestTag_GatedOrderTaggedOnceLegacyNot(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := setup(t, options{storefront: tagging(s, 50), stopped: true})
	legacyID, gatedID := idIn(order.CohortLegacy, 50, 5000), idIn(order.CohortGated, 50, 5000)
	s.put(t, legacyID)
	s.put(t, gatedID)

	legacy := testOrder(legacyID, t0, line("SKU-A", 1))
	b.ingest(t, delivery(storefront.OrderCreated, "create-"+legacyID, legacy))
	gated := testOrder(gatedID, t0, line("SKU-A", 1))
	b.ingest(t, delivery(storefront.OrderCreated, "create-"+gatedID, gated))
	if res := b.ingest(t, delivery(storefront.OrderCreated, "create-"+gatedID, gated)); !res.Duplicate {
		t.Fatal("the repeated webhook was not taken as a duplicate")
	}
	b.ingest(t, delivery(storefront.OrderUpdated, "update-"+gatedID, testOrder(gatedID, t0.Add(time.Minute), line("SKU-A", 1))))
	b.start(t)

	e := b.waitTagEntry(t, gated.Key)
	if want := "tagged ordergate-gated in Shopify so the legacy connector skips it"; e.Detail != want || e.Error != "" {
		t.Errorf("timeline entry %q (error %q), want %q", e.Detail, e.Error, want)
	}
	b.waitState(t, gated.Key, order.Confirmed)
	if diff := cmp.Diff([]string{gatedTag}, s.fake.Tags(gatedID)); diff != "" {
		t.Errorf("gated order's tags in the shop (-want +got):\n%s", diff)
	}
	if n := s.tagCalls(gatedID); n != 1 {
		t.Errorf("tagsAdd sent %d times for the gated order, want 1", n)
	}
	if n := len(b.tagEntries(t, gated.Key)); n != 1 {
		t.Errorf("%d tagging entries on the timeline, want 1", n)
	}
	if tags, n := s.fake.Tags(legacyID), s.tagCalls(legacyID); len(tags) != 0 || n != 0 {
		t.Errorf("legacy order: tags %v after %d tagsAdd calls, want none", tags, n)
	}
	if tl := b.tagEntries(t, legacy.Key); len(tl) != 0 {
		t.Errorf("legacy order's tagging entries %+v, want none", tl)
	}
}

func TestTag_ThrottledAndFailedAnswersAreRetried(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := setup(t, options{storefront: tagging(s, 100)})
	answers := func(id string) (throttled, failed int) {
		for _, r := range s.fake.Requests() {
			switch {
			case r.Operation != "TagsAdd" || r.Variables["id"] != admin.OrderGID(id):
			case r.Throttled:
				throttled++
			case r.Status != http.StatusOK:
				failed++
			}
		}
		return throttled, failed
	}
	tagged := func(id string) {
		t.Helper()
		key := order.Key{Storefront: testStorefront, ID: id}
		if e := b.waitTagEntry(t, key); !strings.HasPrefix(e.Detail, "tagged ") {
			t.Errorf("order %s: timeline entry %q, want tagged", id, e.Detail)
		}
		if diff := cmp.Diff([]string{gatedTag}, s.fake.Tags(id)); diff != "" {
			t.Errorf("order %s tags (-want +got):\n%s", id, diff)
		}
	}

	// An empty bucket: Shopify answers 200 with errors[].extensions.code
	// THROTTLED and the cost block the wait is computed from.
	s.put(t, "6001")
	s.fake.ThrottleNext("TagsAdd")
	b.ingest(t, delivery(storefront.OrderCreated, "create-6001", testOrder("6001", t0, line("SKU-A", 1))))
	tagged("6001")
	if th, _ := answers("6001"); th == 0 {
		t.Error("no throttled tagsAdd answer for 6001, want at least one")
	}

	// A 503: the outcome is unknown, and tagsAdd is safe to repeat.
	s.put(t, "6002")
	s.fake.FailNext("TagsAdd", http.StatusServiceUnavailable, nil, "unavailable")
	b.ingest(t, delivery(storefront.OrderCreated, "create-6002", testOrder("6002", t0, line("SKU-A", 1))))
	tagged("6002")
	if _, failed := answers("6002"); failed != 1 {
		t.Errorf("%d failed tagsAdd answers for 6002, want 1", failed)
	}
}

func TestTag_UserErrorsAreFinalAndFlagNothing(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := setup(t, options{storefront: tagging(s, 100)})
	// The shop does not know the order: tagsAdd answers userErrors.
	src := testOrder("6101", t0, line("SKU-A", 1))
	b.ingest(t, delivery(storefront.OrderCreated, "create-6101", src))

	e := b.waitTagEntry(t, src.Key)
	if !strings.HasPrefix(e.Detail, "not tagged ordergate-gated in Shopify: refused") || !strings.Contains(e.Error, "Order does not exist") {
		t.Errorf("timeline entry %q (error %q), want the refusal", e.Detail, e.Error)
	}
	o := b.waitState(t, src.Key, order.Confirmed)
	if o.Attention != "" {
		t.Errorf("order flagged %q, want nothing flagged", o.Attention)
	}
	if n := s.tagCalls("6101"); n != 1 {
		t.Errorf("tagsAdd sent %d times, want 1: a refusal is not retried", n)
	}
}

func TestTag_StorefrontWithoutTaggerEnqueuesNothing(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := setup(t, options{storefront: func(sf *Storefront) { sf.Tagger, sf.GatedTag = s.client, "" }})
	src := testOrder("6201", t0, line("SKU-A", 1))
	s.put(t, "6201")
	b.ingest(t, delivery(storefront.OrderCreated, "create-6201", src))
	b.waitState(t, src.Key, order.Confirmed)
	if n := s.tagCalls("6201"); n != 0 {
		t.Errorf("tagsAdd sent %d times with gated_tag empty, want 0", n)
	}
	if _, ok := b.gate.RiverConfig().Queues[tagQueue]; ok {
		t.Errorf("queue %s registered with no storefront tagging", tagQueue)
	}
}
