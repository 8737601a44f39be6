package admin

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront/shopify/admin/shopifyfake"
)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// The second page is sent only once the bucket, as the first reply left
// it, has refilled to the page's cost: deficit / restore rate.
func TestListOrdersSince_WaitsForTheBucketBeforeTheNextPage(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{})
	for i := range 25 {
		putOrders(t, b.fake, syntheticOrder(100+i, base.Add(time.Duration(i)*time.Second), 1))
	}
	b.fake.SetAvailable(900)
	listAll(t, b.client, base)

	reqs := b.fake.Requests()
	if len(reqs) != 2 || reqs[0].Throttled || reqs[1].Throttled {
		t.Fatalf("requests = %+v, want two pages, neither throttled", reqs)
	}
	// The first page charged 802 and refunded down to its actual cost.
	left := math.Floor(900 - float64(reqs[0].ActualCost))
	want := time.Duration(math.Ceil((802-left)/50*1000)) * time.Millisecond
	if diff := cmp.Diff([]time.Duration{want}, b.clock.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

// THROTTLED: wait (requested − available) / restore rate, then retry.
func TestDo_ThrottledWaitsTheDeficitOverTheRestoreRate(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{})
	putOrders(t, b.fake, syntheticOrder(1, base, 1))
	b.fake.SetAvailable(100)
	if got := listAll(t, b.client, base); len(got) != 1 {
		t.Fatalf("listed %d orders, want 1", len(got))
	}
	// (802 − 100) / 50 = 14.04 s.
	if diff := cmp.Diff([]time.Duration{ms(14040)}, b.clock.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	reqs := b.fake.Requests()
	if len(reqs) != 2 || !reqs[0].Throttled || reqs[1].Throttled {
		t.Errorf("requests = %+v, want one throttled then one answered", reqs)
	}
}

const throttledBody = `{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED","documentation":"https://shopify.dev/api/usage/rate-limits"}}],` +
	`"extensions":{"cost":{"requestedQueryCost":802,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":1000.0,"currentlyAvailable":2,"restoreRate":50.0}}}}`

// An older reply shape: the message alone, no code.
const throttledOldBody = `{"errors":[{"message":"Throttled"}],` +
	`"extensions":{"cost":{"requestedQueryCost":202,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":1000.0,"currentlyAvailable":118,"restoreRate":50.0}}}}`

func TestDo_ThrottledRetriesAreBounded(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{})
	for range maxAttempts {
		b.fake.FailNext("", http.StatusOK, nil, throttledBody)
	}
	err := b.client.ListOrdersSince(context.Background(), base, func(order.Order) error { return nil })
	if !errors.Is(err, ErrThrottled) {
		t.Fatalf("ListOrdersSince = %v, want ErrThrottled", err)
	}
	// (802 − 2) / 50 = 16 s before each of the 5 retries; the bucket as
	// reported then has refilled, so no wait of its own.
	want := []time.Duration{16 * time.Second, 16 * time.Second, 16 * time.Second, 16 * time.Second, 16 * time.Second}
	if diff := cmp.Diff(want, b.clock.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	if n := len(b.fake.Requests()); n != maxAttempts {
		t.Errorf("%d requests, want %d", n, maxAttempts)
	}
}

func TestDo_ThrottledWithoutCodeIsRecognised(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{})
	b.fake.FailNext("", http.StatusOK, nil, throttledOldBody)
	if _, err := b.client.EnsureSubscriptions(context.Background(), "https://gate.example/h", []string{"ORDERS_CREATE"}); err != nil {
		t.Fatal(err)
	}
	// (202 − 118) / 50 = 1.68 s.
	if diff := cmp.Diff([]time.Duration{ms(1680)}, b.clock.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestDo_429HonoursRetryAfter(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{})
	b.fake.FailNext("", http.StatusTooManyRequests, http.Header{"Retry-After": {"2.0"}}, `{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}`)
	date := b.clock.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)
	b.fake.FailNext("", http.StatusTooManyRequests, http.Header{"Retry-After": {date}}, "")
	b.fake.FailNext("", http.StatusTooManyRequests, nil, "")
	listAll(t, b.client, base)
	// 2.0 seconds; an HTTP date 3 s ahead (after the first 2 s passed: 1 s);
	// no header: 1 s.
	want := []time.Duration{2 * time.Second, time.Second, time.Second}
	if diff := cmp.Diff(want, b.clock.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestDo_5xxBacksOffAndGivesUp(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{})
	for range maxAttempts {
		b.fake.FailNext("", http.StatusBadGateway, nil, "<html>bad gateway</html>")
	}
	err := b.client.ListOrdersSince(context.Background(), base, func(order.Order) error { return nil })
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("ListOrdersSince = %v, want ErrUnavailable", err)
	}
	if !strings.Contains(err.Error(), "502") || !strings.Contains(err.Error(), "fake-request") {
		t.Errorf("error %q should give the status and Shopify's request id", err)
	}
	want := []time.Duration{ms(500), time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}
	if diff := cmp.Diff(want, b.clock.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestDo_5xxThenSuccess(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{})
	putOrders(t, b.fake, syntheticOrder(1, base, 1))
	b.fake.FailNext("", http.StatusServiceUnavailable, nil, "")
	b.fake.FailNext("", http.StatusInternalServerError, nil, "")
	if got := listAll(t, b.client, base); len(got) != 1 {
		t.Fatalf("listed %d orders, want 1", len(got))
	}
	if diff := cmp.Diff([]time.Duration{ms(500), time.Second}, b.clock.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

// A create whose outcome is unknown is not sent again: the next
// EnsureSubscriptions lists first and so cannot create a duplicate.
func TestEnsureSubscriptions_MutationNotRetriedWhenOutcomeUnknown(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{})
	b.fake.FailNext("WebhookSubscriptionCreate", http.StatusBadGateway, nil, "")
	r, err := b.client.EnsureSubscriptions(context.Background(), "https://gate.example/h", []string{"ORDERS_CREATE"})
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "not retried") {
		t.Fatalf("EnsureSubscriptions = %v, want an unretried ErrUnavailable", err)
	}
	if len(r.Created) != 0 || len(b.clock.Waits()) != 0 {
		t.Errorf("created %v, waited %v; want neither", r.Created, b.clock.Waits())
	}
	if diff := cmp.Diff([]string{"WebhookSubscriptions", "WebhookSubscriptionCreate"}, operations(b.fake.Requests())); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestDo_WrongTokenNamesTheConfigKeyAndScope(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{})
	c, err := NewClient(Config{Storefront: "shop1", ShopDomain: "northwind.myshopify.com", AccessToken: "shpat_wrong", BaseURL: b.fake.URL(), Sleep: b.clock.Sleep, Now: b.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	err = c.ListOrdersSince(context.Background(), base, func(order.Order) error { return nil })
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("ListOrdersSince = %v, want ErrUnauthorized", err)
	}
	for _, want := range []string{"auth.access_token", "read_orders", "Invalid API key or access token"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "shpat_wrong") {
		t.Errorf("error %q leaks the token", err)
	}
}

func TestDo_403NamesTheMissingScope(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{})
	b.fake.FailNext("", http.StatusForbidden, nil, `{"errors":"[API] This action requires merchant approval for read_orders scope."}`)
	err := b.client.ListOrdersSince(context.Background(), base, func(order.Order) error { return nil })
	if !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), "grant the app the read_orders access scope") {
		t.Fatalf("ListOrdersSince = %v, want ErrForbidden naming read_orders", err)
	}
	if n := len(b.fake.Requests()); n != 1 {
		t.Errorf("%d requests, want 1 (no retry)", n)
	}
}

func TestListOrdersSince_AccessDeniedNamesTheMissingScope(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{Scopes: []string{"read_products"}})
	err := b.client.ListOrdersSince(context.Background(), base, func(order.Order) error { return nil })
	if !errors.Is(err, ErrForbidden) {
		t.Fatalf("ListOrdersSince = %v, want ErrForbidden", err)
	}
	if !strings.Contains(err.Error(), "Required access: `read_orders` access scope") {
		t.Errorf("error %q does not quote Shopify's required access", err)
	}
}

func TestDo_GraphQLErrorsAreReturnedWithTheirMessages(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{})
	b.fake.FailNext("", http.StatusOK, nil, `{"errors":[{"message":"Field 'x' doesn't exist on type 'Order'","extensions":{"code":"undefinedField"}},{"message":"Internal error. Looks like something went wrong on our end."}]}`)
	err := b.client.ListOrdersSince(context.Background(), base, func(order.Order) error { return nil })
	var ge *GraphQLError
	if !errors.As(err, &ge) {
		t.Fatalf("ListOrdersSince = %v, want a *GraphQLError", err)
	}
	want := []string{"Field 'x' doesn't exist on type 'Order' (undefinedField)", "Internal error. Looks like something went wrong on our end."}
	if diff := cmp.Diff(want, ge.Messages); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	if ge.Operation != "OrdersSince" || len(b.fake.Requests()) != 1 {
		t.Errorf("operation %q after %d requests, want OrdersSince after 1", ge.Operation, len(b.fake.Requests()))
	}
}

func TestDo_ContextCancelledDuringAWaitStops(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{})
	b.fake.FailNext("", http.StatusServiceUnavailable, nil, "")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := b.client.ListOrdersSince(ctx, base, func(order.Order) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("ListOrdersSince = %v, want context.Canceled", err)
	}
}

func TestBudgetWait(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		bucket  bucket
		elapsed time.Duration
		cost    int
		want    time.Duration
	}{
		{"nothing known yet", bucket{}, 0, 802, 0},
		{"fits", bucket{true, 1000, 900, 50, t0}, 0, 802, 0},
		{"deficit over restore rate", bucket{true, 1000, 100, 50, t0}, 0, 802, ms(14040)},
		{"refilled meanwhile", bucket{true, 1000, 100, 50, t0}, 10 * time.Second, 802, ms(4040)},
		{"refill capped at the bucket size", bucket{true, 1000, 0, 50, t0}, time.Hour, 1000, 0},
		{"faster restore rate", bucket{true, 2000, 0, 100, t0}, 0, 753, ms(7530)},
		{"larger than the bucket: Shopify will refuse it, waiting cannot help", bucket{true, 1000, 0, 50, t0}, 0, 1001, 0},
		{"no restore rate reported", bucket{true, 1000, 0, 0, t0}, 0, 10, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			now := t0.Add(tc.elapsed)
			c := &Client{cfg: Config{Now: func() time.Time { return now }}, bucket: tc.bucket}
			if got := c.budgetWait(tc.cost); got != tc.want {
				t.Errorf("budgetWait(%d) = %v, want %v", tc.cost, got, tc.want)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		header string
		want   time.Duration
	}{
		{"2.0", 2 * time.Second},
		{"0.25", ms(250)},
		{"7", 7 * time.Second},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"", time.Second},
		{"soon", time.Second},
		{"-3", time.Second},
		{"86400", maxRetryAfter},
	}
	for _, tc := range tests {
		if got := retryAfter(tc.header, now); got != tc.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}
