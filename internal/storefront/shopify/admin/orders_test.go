package admin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront/shopify/admin/shopifyfake"
)

var base = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

func moneyBagOf(amount string) map[string]any {
	m := map[string]any{"amount": amount, "currencyCode": "USD"}
	return map[string]any{"shopMoney": m, "presentmentMoney": m}
}

// syntheticOrder is a GraphQL Order with lines one-unit lines.
func syntheticOrder(id int, updated time.Time, lines int) map[string]any {
	ls := make([]map[string]any, lines)
	for i := range ls {
		ls[i] = map[string]any{
			"id": fmt.Sprintf("gid://shopify/LineItem/%d", id*1000+i+1), "sku": fmt.Sprintf("SKU-%d", i+1),
			"title": "Item", "name": "Item", "quantity": 1, "originalUnitPriceSet": moneyBagOf("1.00"),
		}
	}
	return map[string]any{
		"id": fmt.Sprintf("gid://shopify/Order/%d", id), "legacyResourceId": strconv.Itoa(id), "name": fmt.Sprintf("#%d", id),
		"email": "a@x.test", "phone": nil, "currencyCode": "USD",
		"createdAt": base.Format(time.RFC3339), "updatedAt": updated.UTC().Format(time.RFC3339),
		"cancelledAt": nil, "cancelReason": nil, "totalPriceSet": moneyBagOf(strconv.Itoa(lines) + ".00"),
		"customer": nil, "billingAddress": nil, "shippingAddress": nil, "lineItems": ls,
	}
}

func putOrders(t *testing.T, f *shopifyfake.Server, orders ...map[string]any) {
	t.Helper()
	for _, o := range orders {
		if err := f.PutOrder(o); err != nil {
			t.Fatal(err)
		}
	}
}

func ids(orders []order.Order) []string {
	var out []string
	for _, o := range orders {
		out = append(out, o.Key.ID)
	}
	return out
}

func operations(reqs []shopifyfake.Request) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.Operation)
	}
	return out
}

func TestListOrdersSince_PagesThroughOrdersUpdatedSince(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{RestoreRate: 1000}) // cost is not under test here
	// Stored out of order; order i was last updated i minutes after base.
	for i := 44; i >= 0; i-- {
		putOrders(t, b.fake, syntheticOrder(100+i, base.Add(time.Duration(i)*time.Minute), 1))
	}
	got := listAll(t, b.client, base.Add(5*time.Minute+500*time.Millisecond))

	var want []string
	for i := 5; i < 45; i++ {
		want = append(want, strconv.Itoa(100+i))
	}
	// Since is rounded down to the second: 00:05:00.5 asks from 00:05:00,
	// inclusive, so order 105 is in.
	if diff := cmp.Diff(want, ids(got)); diff != "" {
		t.Errorf("orders (-want +got):\n%s", diff)
	}
	reqs := b.fake.Requests()
	if diff := cmp.Diff([]string{"OrdersSince", "OrdersSince"}, operations(reqs)); diff != "" {
		t.Fatalf("requests (-want +got):\n%s", diff)
	}
	if s := reqs[0].Variables["search"]; s != "updated_at:>='2025-06-01T00:05:00Z'" {
		t.Errorf("search = %v", s)
	}
	if _, ok := reqs[0].Variables["cursor"]; ok {
		t.Error("first page sent a cursor")
	}
	if reqs[1].Variables["cursor"] == nil {
		t.Error("second page sent no cursor")
	}
}

func TestListOrdersSince_FetchesLinesBeyondTheFirstPage(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{RestoreRate: 1000})
	putOrders(t, b.fake, syntheticOrder(7, base, 265), syntheticOrder(8, base.Add(time.Second), 3))
	got := listAll(t, b.client, base)
	if len(got) != 2 {
		t.Fatalf("listed %d orders, want 2", len(got))
	}
	long := got[0]
	if len(long.Lines) != 265 {
		t.Fatalf("order 7 has %d lines, want 265", len(long.Lines))
	}
	for i, l := range long.Lines {
		if want := strconv.Itoa(7000 + i + 1); l.LineID != want {
			t.Fatalf("line %d id = %s, want %s", i, l.LineID, want)
		}
	}
	if len(got[1].Lines) != 3 {
		t.Errorf("order 8 has %d lines, want 3", len(got[1].Lines))
	}
	// 10 lines came with the page, then 250, then the last 5.
	want := []string{"OrdersSince", "OrderLineItems", "OrderLineItems"}
	if diff := cmp.Diff(want, operations(b.fake.Requests())); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// An order updated while the listing runs moves behind the cursor: it is
// seen again, newer, and no other order is skipped.
func TestListOrdersSince_OrderUpdatedDuringListingIsSeenAgain(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{RestoreRate: 1000})
	for i := range 30 {
		putOrders(t, b.fake, syntheticOrder(100+i, base.Add(time.Duration(i)*time.Second), 1))
	}
	var seen []order.Order
	err := b.client.ListOrdersSince(context.Background(), base, func(o order.Order) error {
		seen = append(seen, o)
		if len(seen) == 1 {
			return b.fake.TouchOrder("100", base.Add(time.Hour))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 31 {
		t.Fatalf("saw %d snapshots, want 31 (30 orders, one twice)", len(seen))
	}
	last := seen[30]
	if last.Key.ID != "100" || !last.SourceUpdatedAt.After(seen[0].SourceUpdatedAt) {
		t.Errorf("last snapshot = %s updated %v, want order 100 updated later than %v", last.Key.ID, last.SourceUpdatedAt, seen[0].SourceUpdatedAt)
	}
	distinct := map[string]bool{}
	for _, o := range seen {
		distinct[o.Key.ID] = true
	}
	if len(distinct) != 30 {
		t.Errorf("saw %d distinct orders, want 30", len(distinct))
	}
}

func TestListOrdersSince_CallbackErrorStopsTheListing(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{RestoreRate: 1000})
	for i := range 25 {
		putOrders(t, b.fake, syntheticOrder(100+i, base.Add(time.Duration(i)*time.Second), 1))
	}
	stop := errors.New("store is down")
	calls := 0
	err := b.client.ListOrdersSince(context.Background(), base, func(order.Order) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) {
		t.Fatalf("ListOrdersSince = %v, want the callback's error", err)
	}
	if calls != 1 || len(b.fake.Requests()) != 1 {
		t.Errorf("%d callbacks and %d requests after the error, want 1 and 1", calls, len(b.fake.Requests()))
	}
}

// Shopify sets its own field costs; when it prices a page above the
// single-query limit the client halves the page and asks again.
func TestListOrdersSince_HalvesThePageOnMaxCostExceeded(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{MaxQueryCost: 500, RestoreRate: 1000})
	for i := range 12 {
		putOrders(t, b.fake, syntheticOrder(100+i, base.Add(time.Duration(i)*time.Second), 1))
	}
	got := listAll(t, b.client, base)
	if len(got) != 12 {
		t.Fatalf("listed %d orders, want 12", len(got))
	}
	var firsts []string
	var costs []int
	for _, r := range b.fake.Requests() {
		firsts = append(firsts, fmt.Sprint(r.Variables["first"]))
		costs = append(costs, r.RequestedCost)
	}
	// 802 points is refused, 402 is not; 12 orders are two pages of 10.
	if diff := cmp.Diff([]string{"20", "10", "10"}, firsts); diff != "" {
		t.Errorf("page sizes asked (-want +got):\n%s\ncosts %v", diff, costs)
	}
}

func TestListOrdersSince_HalvesTheLinePageOnMaxCostExceeded(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{MaxQueryCost: 500, RestoreRate: 1000})
	putOrders(t, b.fake, syntheticOrder(7, base, 15))
	got := listAll(t, b.client, base)
	if len(got) != 1 || len(got[0].Lines) != 15 {
		t.Fatalf("listed %v", got)
	}
	var asked []string
	for _, r := range b.fake.Requests() {
		if r.Operation == "OrderLineItems" {
			asked = append(asked, fmt.Sprint(r.Variables["lines"]))
		}
	}
	// 250 lines cost 753 points, refused; 125 cost 378.
	if diff := cmp.Diff([]string{"250", "125"}, asked); diff != "" {
		t.Errorf("line page sizes asked (-want +got):\n%s", diff)
	}
}

// The cost the client budgets for each query is the cost the fake, which
// follows Shopify's published table, charges; and each stays under the
// 1,000-point single-query limit.
func TestQueries_BudgetedCostMatchesChargedCost(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{RestoreRate: 1000})
	putOrders(t, b.fake, syntheticOrder(7, base, 11))
	listAll(t, b.client, base)
	if _, err := b.client.EnsureSubscriptions(context.Background(), "https://gate.example/webhooks/shopify/shop1", []string{"ORDERS_CREATE"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{
		"OrdersSince":               ordersCost(ordersPerPage, linesPerOrder),
		"OrderLineItems":            orderLinesCost(linesPerPage),
		"WebhookSubscriptions":      subscriptionsCost(subscriptionsPerPage),
		"WebhookSubscriptionCreate": mutationCost,
	}
	got := map[string]int{}
	for _, r := range b.fake.Requests() {
		got[r.Operation] = r.RequestedCost
		if r.RequestedCost > 1000 {
			t.Errorf("%s costs %d, above the single-query limit", r.Operation, r.RequestedCost)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requested costs (-budgeted +charged):\n%s", diff)
	}
}

// Whether an order needs shipping is asked of every line, those fetched
// after the first page included: an order of gift cards whose twelfth line
// is a parcel needs shipping.
func TestListOrdersSince_NeedsShippingReadsLinesOfLaterPages(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{RestoreRate: 1000})
	tests := []struct {
		id    int
		ships []int // the lines, from 0, that require shipping
		want  bool
	}{
		{id: 1, ships: nil, want: false},
		{id: 2, ships: []int{11}, want: true}, // linesPerOrder is 10
		{id: 3, ships: []int{0}, want: true},
	}
	for _, tc := range tests {
		o := syntheticOrder(tc.id, base, 12)
		for i, l := range o["lineItems"].([]map[string]any) {
			l["requiresShipping"] = slices.Contains(tc.ships, i)
		}
		putOrders(t, b.fake, o)
	}
	got := map[string]bool{}
	for _, o := range listAll(t, b.client, time.Time{}) {
		if len(o.Lines) != 12 {
			t.Fatalf("order %s has %d lines, want 12", o.Key.ID, len(o.Lines))
		}
		got[o.Key.ID] = o.NeedsShipping
	}
	for _, tc := range tests {
		if id := strconv.Itoa(tc.id); got[id] != tc.want {
			t.Errorf("order %s: NeedsShipping = %v, want %v", id, got[id], tc.want)
		}
	}
}
