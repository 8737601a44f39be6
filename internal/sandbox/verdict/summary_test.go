package verdict

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
	"github.com/ordergate/ordergate/internal/sandbox/storesim"
)

func TestJudge_PassesOnTheRecordCounts(t *testing.T) {
	t.Parallel()
	erp := erpsim.Records{
		Faults:   erpsim.FaultCounts{Error: 1, Throttle: 2, Timeout: 3, InDoubt: 4},
		Requests: erpsim.RequestCounts{Create: 5, Lookup: 6, Availability: 7},
	}
	hooks := storesim.Stats{Sent: 8, Retries: 1, Status2xx: 7, TransportErrors: 1, DuplicatesSent: 2}

	got := Judge(shop, nil, erp, nil, hooks)

	want := Summary{ERPFaults: erp.Faults, ERPRequests: erp.Requests, Webhooks: hooks}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Judge() mismatch (-want +got):\n%s", diff)
	}
}

func TestSummaryOK_FalseForEachViolationKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		s    Summary
		want bool
	}{
		{"Clean", Summary{Orders: 3, Accepted: 3, Confirmed: 2, Rejected: 1}, true},
		{"UnconfirmedOnly", Summary{Orders: 1, Accepted: 1, Unconfirmed: []string{"shop1/1"}}, true},
		{"ConfirmedBeforeAck", Summary{ConfirmedBeforeAck: 1}, false},
		{"DuplicateERPOrders", Summary{DuplicateERPOrders: 1}, false},
		{"DuplicateConfirmations", Summary{DuplicateConfirmations: 1}, false},
		{"ERPOrdersNotPlaced", Summary{ERPOrdersNotPlaced: 1}, false},
		{"DuplicateMessages", Summary{DuplicateMessages: 1}, false},
		{"ConfirmedAfterERPCancel", Summary{ConfirmedAfterERPCancel: 1}, false},
		{"CancelledButLiveInERP", Summary{CancelledButLiveInERP: 1}, false},
		{"UnsettledUnlisted", Summary{UnsettledUnlisted: 1}, false},
		{"UnsettledButListed", Summary{Unsettled: 2, ListedOverdue: 1, ListedAttention: 1}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.s.OK(); got != tt.want {
				t.Errorf("%+v.OK() = %v, want %v", tt.s, got, tt.want)
			}
		})
	}
}

func TestJudge_LatencyRunsFromTheFirstWebhookAttempt(t *testing.T) {
	t.Parallel()
	// created_at has whole seconds (t0); the storefront captured the order
	// 250ms later, when it sent its first webhook. The attempts are not in
	// time order: the earliest counts, not the first listed.
	retried := placed("1001")
	retried.Attempts = []storesim.Attempt{
		{Topic: "orders/create", Retry: 1, At: at(900), Status: 200},
		{Topic: "orders/create", At: at(250), Status: 503},
		{Topic: "orders/updated", At: at(400), Status: 200},
	}
	// With no attempts recorded the capture time is all there is.
	noAttempts := placed("1002")
	noAttempts.Attempts = nil
	// With neither, the order has no latency.
	unknown := placed("1003")
	unknown.Attempts, unknown.CapturedAt = nil, time.Time{}

	placedOrders := []storesim.OrderRecord{retried, noAttempts, unknown}
	erp := erpsim.Records{Orders: []erpsim.Order{held("1001", "SO-1", 1000), held("1002", "SO-2", 100), held("1003", "SO-3", 100)}}
	mail := []mailbox.Message{
		// The later of two confirmations does not count for latency.
		confirmation("1001", "<m1b@x>", 1500),
		confirmation("1001", "<m1@x>", 1250),
		confirmation("1002", "<m2@x>", 300),
		confirmation("1003", "<m3@x>", 300),
	}

	got := Judge(shop, placedOrders, erp, mail, storesim.Stats{}).ConfirmationLatencyMS

	want := Percentiles{P50: 300, P95: 1000, P99: 1000, Max: 1000, N: 2}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Judge() latency mismatch (-want +got):\n%s", diff)
	}
}

func TestPercentiles_NearestRank(t *testing.T) {
	t.Parallel()
	seq := func(from, to int) []float64 {
		var v []float64
		for i := from; i <= to; i++ {
			v = append(v, float64(i))
		}
		return v
	}
	reversed := func(v []float64) []float64 {
		r := make([]float64, len(v))
		for i, x := range v {
			r[len(v)-1-i] = x
		}
		return r
	}
	tests := []struct {
		name string
		in   []float64
		want Percentiles
	}{
		{"Empty", nil, Percentiles{}},
		{"One", []float64{42.5}, Percentiles{P50: 42.5, P95: 42.5, P99: 42.5, Max: 42.5, N: 1}},
		{"Two", []float64{20, 10}, Percentiles{P50: 10, P95: 20, P99: 20, Max: 20, N: 2}},
		// ceil(0.5*10)=5th, ceil(9.5)=10th, ceil(9.9)=10th.
		{"TenUnsorted", []float64{7, 3, 10, 1, 9, 2, 8, 5, 4, 6}, Percentiles{P50: 5, P95: 10, P99: 10, Max: 10, N: 10}},
		// ceil(10)=10th, ceil(19)=19th, ceil(19.8)=20th.
		{"Twenty", reversed(seq(1, 20)), Percentiles{P50: 10, P95: 19, P99: 20, Max: 20, N: 20}},
		// Exact ranks: the 50th, 95th and 99th of 100.
		{"Hundred", reversed(seq(1, 100)), Percentiles{P50: 50, P95: 95, P99: 99, Max: 100, N: 100}},
		// ceil(100.5)=101st, ceil(190.95)=191st, ceil(198.99)=199th.
		{"TwoHundredOne", seq(1, 201), Percentiles{P50: 101, P95: 191, P99: 199, Max: 201, N: 201}},
		// ceil(500)=500th, ceil(950)=950th, ceil(990)=990th.
		{"Thousand", reversed(seq(1, 1000)), Percentiles{P50: 500, P95: 950, P99: 990, Max: 1000, N: 1000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, percentiles(tt.in)); diff != "" {
				t.Errorf("percentiles(%v) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestRunJudge_TwoShopsShareOneERP(t *testing.T) {
	t.Parallel()
	// The same order id under two storefronts is two orders, each with its
	// own external id; neither is "not placed".
	other := func(id string) string { return order.Key{Storefront: "shop2", ID: id}.ExternalID() }
	run := Run{
		Shops: []Shop{
			{Name: shop, Placed: []storesim.OrderRecord{placed("1001")}, Webhooks: storesim.Stats{Sent: 2, Status2xx: 2}},
			{Name: "shop2", Placed: []storesim.OrderRecord{placed("1001"), placed("1002")}, Webhooks: storesim.Stats{Sent: 3, Status2xx: 2, Status5xx: 1, Retries: 1}},
		},
		ERP: erpsim.Records{
			Orders: []erpsim.Order{
				short(held("1001", "SO-1", 100), erpsim.ShortBackordered),
				{Ref: "SO-2", ExternalID: other("1001"), CreatedAt: at(100), AckedAt: at(100)},
			},
			Rejections: []erpsim.Rejection{{ExternalID: other("1002"), Code: "UNKNOWN_SKU"}},
			Callbacks:  []erpsim.CallbackRecord{{ExternalID: ext("1001"), Status: 200}, {ExternalID: other("1001"), Status: 404}},
		},
		Mail: []mailbox.Message{
			confirmation("1001", "<m1@x>", 300),
			{MessageID: "<m2@x>", Kind: KindConfirmation, Order: "shop2/1001", ReceivedAt: at(300)},
			{MessageID: "<x2@x>", Kind: KindProblem, Order: "shop2/1002", ReceivedAt: at(300)},
		},
	}

	got := run.Judge()

	want := Summary{
		Orders: 3, Accepted: 3, Confirmed: 2, Backordered: 1, Rejected: 1, RejectedBy: map[string]int{"UNKNOWN_SKU": 1}, ProblemNotices: 1,
		ERPCallbacks: CallbackCounts{Announced: 2, Delivered: 1},
		Webhooks:     storesim.Stats{Sent: 5, Status2xx: 4, Status5xx: 1, Retries: 1},
		Storefronts: []ShopSummary{
			{Name: shop, Orders: 1, Accepted: 1, Confirmed: 1, Backordered: 1},
			{Name: "shop2", Orders: 2, Accepted: 2, Confirmed: 1, Rejected: 1},
		},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Summary{}, "ConfirmationLatencyMS")); diff != "" {
		t.Errorf("Run.Judge() mismatch (-want +got):\n%s", diff)
	}
	if !got.OK() {
		t.Errorf("Run.Judge().OK() = false, want true; violations %q", got.Violations)
	}
}

// TestJudge_TakesTheAcknowledgmentFromTheERPsOwnRecords runs a real
// simulated ERP with a late acknowledgment on a hand-moved clock, so that
// the judge is tested on AckedAt as the ERP records it, not as a test
// builds it.
func TestJudge_TakesTheAcknowledgmentFromTheERPsOwnRecords(t *testing.T) {
	t.Parallel()
	clock := erpsim.NewClock(t0)
	sim := erpsim.New(erpsim.Config{AckDelay: 2 * time.Second, Now: clock.Now})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	defer sim.Close()
	create := func(id string) {
		t.Helper()
		body := fmt.Sprintf(`{"external_id":%q,"lines":[{"sku":"MUG","quantity":1}]}`, ext(id))
		resp, err := http.Post(srv.URL+"/v1/sales-orders", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create %s: status %d", id, resp.StatusCode)
		}
	}
	cancel := func(id string) {
		t.Helper()
		resp, err := http.Post(srv.URL+"/v1/sales-orders/cancel?external_id="+ext(id), "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("cancel %s: status %d", id, resp.StatusCode)
		}
	}
	now := func() int { return int(clock.Now().Sub(t0) / time.Millisecond) }

	create("1001") // confirmed too early: 1s after create, 1s before the ack
	create("1002") // confirmed after its ack
	create("1003") // cancelled before its ack, then confirmed anyway
	create("1004") // acknowledged, never confirmed
	clock.Advance(time.Second)
	early := confirmation("1001", "<m1@x>", now())
	cancel("1003")
	clock.Advance(time.Second + time.Millisecond)
	onTime := confirmation("1002", "<m2@x>", now())
	afterCancel := confirmation("1003", "<m3@x>", now())
	clock.Advance(time.Second)
	create("1005") // still pending when the run ends, and confirmed
	pending := confirmation("1005", "<m5@x>", now()+1)

	records := sim.Records()
	got := Judge(shop, []storesim.OrderRecord{placed("1001"), placed("1002"), placed("1003"), placed("1004"), placed("1005")},
		records, []mailbox.Message{early, onTime, afterCancel, pending}, storesim.Stats{})

	wantAcked := map[string]time.Time{ext("1001"): at(2000), ext("1002"): at(2000), ext("1003"): {}, ext("1004"): at(2000), ext("1005"): {}}
	for _, o := range records.Orders {
		if !o.AckedAt.Equal(wantAcked[o.ExternalID]) {
			t.Errorf("erp order %s AckedAt = %v, want %v", o.ExternalID, o.AckedAt, wantAcked[o.ExternalID])
		}
	}
	if got.ConfirmedBeforeAck != 3 || got.ConfirmedAfterERPCancel != 1 || got.OK() {
		t.Errorf("Judge() confirmed_before_ack %d, confirmed_after_erp_cancel %d, OK %v; want 3 (1001 early, 1003 never acknowledged, 1005 pending), 1 (1003), false\n%q",
			got.ConfirmedBeforeAck, got.ConfirmedAfterERPCancel, got.OK(), got.Violations)
	}
	for _, v := range got.Violations {
		if strings.Contains(v, "shop1/1002") {
			t.Errorf("order 1002 was confirmed after its acknowledgment, yet: %s", v)
		}
	}
}
