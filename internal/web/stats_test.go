package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront/shopify"
)

// statsNow is the stats tests' clock: the hour's window runs in whole
// minutes from 09:31:00 to now, the last minute under way.
var statsNow = time.Date(2026, 3, 2, 10, 30, 30, 0, time.UTC)

func at(hhmmss string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05.000", "2026-03-02 "+hhmmss)
	if err != nil {
		panic(err)
	}
	return t
}

// seedStatsOrders stores orders whose figures the test works out by hand:
// shop1 sends to erp1, shop2 to erp2.
func seedStatsOrders(t *testing.T, e *edge) {
	t.Helper()
	submit := func(ref string, attempts int, when time.Time) func(*order.Order) error {
		return func(o *order.Order) error { o.Attempts = attempts; return o.Submit(ref, when) }
	}
	ack := func(when time.Time) func(*order.Order) error {
		return func(o *order.Order) error { return o.Acknowledge(order.Ack{Ref: o.ERPRef}, when) }
	}
	confirm := func(when time.Time) func(*order.Order) error {
		return func(o *order.Order) error { return o.Confirm(when) }
	}
	sale := func(sf, id, captured string) order.Order {
		return order.Order{Key: order.Key{Storefront: sf, ID: id}, CapturedAt: at(captured)}
	}
	// A: capture → ack 3 s, → confirmation 5 s.
	e.seed(t, sale(shop1, "A", "10:00:00.000"), at("10:00:01.000"), submit("SO-A", 1, at("10:00:02.000")), ack(at("10:00:03.000")), confirm(at("10:00:05.000")))
	// B: two retries; capture → ack 10 s, → confirmation 20 s.
	e.seed(t, sale(shop1, "B", "10:10:00.000"), at("10:10:00.500"), submit("SO-B", 3, at("10:10:05.000")), ack(at("10:10:10.000")), confirm(at("10:10:20.000")))
	// C: rejected, waiting for a person.
	e.seed(t, sale(shop1, "C", "10:20:00.000"), at("10:20:00.000"), func(o *order.Order) error {
		o.Attempts = 1
		if err := o.Reject("UNKNOWN_SKU", at("10:20:04.000")); err != nil {
			return err
		}
		o.Flag("the erp rejected the order: UNKNOWN_SKU", "gate", at("10:20:04.000"))
		return nil
	})
	// H: cancelled before the ERP had it.
	e.seed(t, sale(shop1, "H", "10:24:00.000"), at("10:24:00.000"), func(o *order.Order) error { return o.Cancel("customer", "shopify", at("10:25:00.000")) })
	// F: received before the window, confirmed in it: 105 minutes.
	e.seed(t, sale(shop1, "F", "08:00:00.000"), at("08:00:00.000"), submit("SO-F", 1, at("08:00:00.500")), ack(at("08:00:01.000")), confirm(at("09:45:00.000")))
	// G: two days old, outside what the window's figures read.
	old := statsNow.Add(-48 * time.Hour)
	e.seed(t, order.Order{Key: order.Key{Storefront: shop1, ID: "G"}, CapturedAt: old}, old, submit("SO-G", 1, old), ack(old.Add(time.Second)), confirm(old.Add(2*time.Second)))
	// D: submitted to erp2 8½ minutes ago and never acknowledged.
	e.seed(t, sale(shop2, "D", "10:22:00.000"), at("10:22:00.000"), submit("SO-D", 1, at("10:22:01.000")))
	// E: just received, and past its SLA already.
	e.seed(t, sale(shop2, "E", "10:30:09.000"), at("10:30:10.000"), func(o *order.Order) error {
		o.MarkOverdue(10*time.Second, at("10:30:20.000"))
		return nil
	})
}

func ms(v int64) *int64       { return &v }
func secs(v float64) *float64 { return &v }

func TestStats_FiguresOfKnownOrders(t *testing.T) {
	t.Parallel()
	e := setupEdge(t, edgeOptions{now: statsNow, storefronts: []Storefront{
		{Name: shop1, Kind: shopify.Kind, ERP: "erp1"},
		{Name: shop2, Kind: shopify.Kind, ERP: "erp2"},
	}})
	seedStatsOrders(t, e)

	r := e.do(t, http.MethodGet, "/api/v1/stats", "", bearer(edgeReadOnlyToken))
	if r.status != http.StatusOK {
		t.Fatalf("stats: %d %s", r.status, r.body)
	}
	var got statsJSON
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}

	wantOrders := orderStatsJSON{
		Total:    8,
		ByState:  map[order.State]int{order.Received: 1, order.Submitted: 1, order.Acknowledged: 0, order.Confirmed: 4, order.Rejected: 1, order.Cancelled: 1},
		InFlight: 2, Overdue: 1, Attention: 1,
	}
	if diff := cmp.Diff(wantOrders, got.Orders); diff != "" {
		t.Errorf("orders (-want +got):\n%s", diff)
	}
	wantLatency := latencyStatsJSON{
		CaptureToAck:          latencyJSON{Count: 2, P50Ms: ms(3000), P95Ms: ms(10000), MaxMs: ms(10000)},
		CaptureToConfirmation: latencyJSON{Count: 3, P50Ms: ms(20000), P95Ms: ms(105 * 60 * 1000), MaxMs: ms(105 * 60 * 1000)},
	}
	if diff := cmp.Diff(wantLatency, got.Latency); diff != "" {
		t.Errorf("latency (-want +got):\n%s", diff)
	}
	tp := got.Throughput
	if tp.BucketSeconds != 60 || len(tp.Buckets) != 60 || !tp.From.Equal(at("09:31:00.000")) {
		t.Fatalf("throughput: %d buckets of %ds from %s, want 60 of 60s from 09:31", len(tp.Buckets), tp.BucketSeconds, tp.From)
	}
	if tp.Received != 6 || tp.Confirmed != 3 || tp.PerMinute != 0.1 {
		t.Errorf("throughput: received %d, confirmed %d, %v a minute; want 6, 3, 0.1", tp.Received, tp.Confirmed, tp.PerMinute)
	}
	sum := map[string]int{}
	for _, b := range tp.Buckets {
		sum["received"] += b.Received
		sum["confirmed"] += b.Confirmed
		sum["acknowledged"] += b.Acknowledged
	}
	if diff := cmp.Diff(map[string]int{"received": 6, "confirmed": 3, "acknowledged": 2}, sum); diff != "" {
		t.Errorf("buckets do not add up to the window (-want +got):\n%s", diff)
	}
	wantBuckets := map[int]bucketJSON{
		14: {Start: at("09:45:00.000"), Confirmed: 1, ConfirmationP50Ms: ms(6300000), ConfirmationP95Ms: ms(6300000)},
		29: {Start: at("10:00:00.000"), Received: 1, Acknowledged: 1, Confirmed: 1, ConfirmationP50Ms: ms(5000), ConfirmationP95Ms: ms(5000)},
		39: {Start: at("10:10:00.000"), Received: 1, Acknowledged: 1, Confirmed: 1, ConfirmationP50Ms: ms(20000), ConfirmationP95Ms: ms(20000)},
		59: {Start: at("10:30:00.000"), Received: 1},
	}
	for i, want := range wantBuckets {
		if diff := cmp.Diff(want, tp.Buckets[i]); diff != "" {
			t.Errorf("bucket %d (-want +got):\n%s", i, diff)
		}
	}

	lastAck := at("10:10:10.000")
	wantERPs := []erpHealthJSON{
		{
			Name: "erp1", Storefronts: []string{shop1}, Status: "degraded", Why: "more than 10% of submits were retries",
			Received: 4, SubmitRetries: 2, Acknowledged: 2, Rejected: 1, Attention: 1,
			LastAcknowledgedAt: &lastAck, LastAckAgeSeconds: secs(1220),
		},
		{
			Name: "erp2", Storefronts: []string{shop2}, Status: "failing", Why: "orders wait and nothing was acknowledged for 5m0s",
			Received: 2, Unacknowledged: 2, OldestUnacknowledgedSeconds: secs(510),
		},
	}
	if diff := cmp.Diff(wantERPs, got.ERPs); diff != "" {
		t.Errorf("erps (-want +got):\n%s", diff)
	}
	if want := (sampleJSON{Orders: 7, Since: at("09:31:00.000").Add(-24 * time.Hour), Complete: true}); !cmp.Equal(want, got.Sample) {
		t.Errorf("sample %+v, want %+v", got.Sample, want)
	}
}

func TestStats_WindowAndCache(t *testing.T) {
	t.Parallel()
	e := setupEdge(t, edgeOptions{now: statsNow})
	for _, tt := range []struct {
		window      string
		want        int
		wantBuckets int
		wantBucket  int
	}{
		{"", http.StatusOK, 60, 60},
		{"2h", http.StatusOK, 60, 120},
		{"15m", http.StatusOK, 15, 60},
		{"1m", http.StatusBadRequest, 0, 0},
		{"48h", http.StatusBadRequest, 0, 0},
		{"soon", http.StatusBadRequest, 0, 0},
	} {
		r := e.do(t, http.MethodGet, "/api/v1/stats?window="+tt.window, "", bearer(edgeAdminToken))
		if r.status != tt.want {
			t.Errorf("window %q: %d %s, want %d", tt.window, r.status, r.body, tt.want)
			continue
		}
		if r.status != http.StatusOK {
			continue
		}
		var st statsJSON
		if err := json.Unmarshal(r.body, &st); err != nil {
			t.Fatal(err)
		}
		if len(st.Throughput.Buckets) != tt.wantBuckets || st.Throughput.BucketSeconds != tt.wantBucket {
			t.Errorf("window %q: %d buckets of %ds, want %d of %ds", tt.window, len(st.Throughput.Buckets), st.Throughput.BucketSeconds, tt.wantBuckets, tt.wantBucket)
		}
	}

	// One computation serves every caller for a moment, then the next
	// request sees a new order.
	get := func() statsJSON {
		var st statsJSON
		if err := json.Unmarshal(e.do(t, http.MethodGet, "/api/v1/stats", "", bearer(edgeAdminToken)).body, &st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	first := get()
	e.seed(t, order.Order{Key: order.Key{Storefront: shop1, ID: "new"}}, statsNow)
	if again := get(); again.Orders.Total != first.Orders.Total {
		t.Errorf("within %s: total %d, want the cached %d", statsFresh, again.Orders.Total, first.Orders.Total)
	}
	e.clock.Add(statsFresh)
	if later := get(); later.Orders.Total != first.Orders.Total+1 {
		t.Errorf("after %s: total %d, want %d", statsFresh, later.Orders.Total, first.Orders.Total+1)
	}
}

func TestSearch_FindsByIDNameAndEmail(t *testing.T) {
	t.Parallel()
	e := setupEdge(t, edgeOptions{})
	now := time.Now()
	mk := func(sf, id, name, email string, ago time.Duration) order.Key {
		return e.seed(t, order.Order{Key: order.Key{Storefront: sf, ID: id}, Name: name, Customer: order.Customer{Email: email}}, now.Add(-ago))
	}
	mk(shop1, "5001", "#1042", "alice@example.com", 3*time.Minute)
	mk(shop1, "5002", "#10420", "bob@example.com", 2*time.Minute)
	mk(shop2, "1042", "#2001", "carol@example.com", time.Minute)
	mk(shop2, "5003", "#2002", "alice@example.com", 0)
	tests := []struct {
		q     string
		extra string
		want  []string
	}{
		// Exact id or name first, then partial matches newest first.
		{"#1042", "", []string{"shop1/5001", "shop2/1042", "shop1/5002"}},
		{"1042", "", []string{"shop1/5001", "shop2/1042", "shop1/5002"}},
		{"shop2/1042", "", []string{"shop2/1042"}},
		{"alice@example.com", "", []string{"shop2/5003", "shop1/5001"}},
		{"ALICE@", "", []string{"shop2/5003", "shop1/5001"}},
		{"alice@example.com", "&storefront=shop1", []string{"shop1/5001"}},
		{"#1042", "&state=rejected", []string{}},
		{"nobody", "", []string{}},
	}
	for _, tt := range tests {
		r := e.do(t, http.MethodGet, "/api/v1/search?q="+url.QueryEscape(tt.q)+tt.extra, "", bearer(edgeReadOnlyToken))
		if r.status != http.StatusOK {
			t.Errorf("search %q: %d %s", tt.q, r.status, r.body)
			continue
		}
		var out struct {
			Orders []struct {
				Storefront string `json:"storefront"`
				OrderID    string `json:"order_id"`
			} `json:"orders"`
			Complete bool `json:"complete"`
		}
		if err := json.Unmarshal(r.body, &out); err != nil {
			t.Fatal(err)
		}
		got := []string{}
		for _, o := range out.Orders {
			got = append(got, o.Storefront+"/"+o.OrderID)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("search %q%s (-want +got):\n%s", tt.q, tt.extra, diff)
		}
		if !out.Complete {
			t.Errorf("search %q: not complete over 4 orders", tt.q)
		}
	}
	if r := e.do(t, http.MethodGet, "/api/v1/search?q=", "", bearer(edgeReadOnlyToken)); r.status != http.StatusBadRequest {
		t.Errorf("empty search: %d, want 400", r.status)
	}
}
