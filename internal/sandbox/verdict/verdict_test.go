package verdict

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
	"github.com/ordergate/ordergate/internal/sandbox/shopifysim"
)

const shop = "shop1"

// t0 is a whole second, like Shopify's created_at.
var t0 = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// at is t0 plus ms milliseconds.
func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

// placed is an order the storefront placed and the gateway accepted, with
// one webhook attempt at capture.
func placed(id string) shopifysim.OrderRecord {
	return shopifysim.OrderRecord{
		ID: id, CapturedAt: t0, AcceptedAt: at(20),
		Attempts: []shopifysim.Attempt{{Topic: "orders/create", At: t0, Status: 200}},
	}
}

func cancelled(p shopifysim.OrderRecord) shopifysim.OrderRecord {
	p.Cancelled = true
	p.CancelAcceptedAt = at(500)
	return p
}

func notAccepted(p shopifysim.OrderRecord) shopifysim.OrderRecord {
	p.AcceptedAt = time.Time{}
	p.Attempts[0].Status = 503
	return p
}

func ext(id string) string { return order.Key{Storefront: shop, ID: id}.ExternalID() }

// held is the ERP's order for id, created ms after t0.
func held(id, ref string, ms int) erpsim.Order {
	return erpsim.Order{Ref: ref, ExternalID: ext(id), CreatedAt: at(ms)}
}

func rejection(id string) erpsim.Rejection {
	return erpsim.Rejection{ExternalID: ext(id), Code: "out_of_stock", At: at(100)}
}

// confirmation is the mailbox's confirmation for id, received ms after t0.
func confirmation(id, msgID string, ms int) mailbox.Message {
	return mailbox.Message{MessageID: msgID, Kind: "confirmation", Order: shop + "/" + id, ReceivedAt: at(ms)}
}

func TestJudge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		placed []shopifysim.OrderRecord
		erp    erpsim.Records
		mail   []mailbox.Message
		want   Summary
		// wantViolations are, per violation in order, words its story
		// must contain.
		wantViolations [][]string
		wantOK         bool
	}{
		{
			name:   "EmptyRunIsClean",
			want:   Summary{},
			wantOK: true,
		},
		{
			name: "CleanRunCountsConfirmedRejectedAndCancelled",
			placed: []shopifysim.OrderRecord{
				placed("1001"),            // confirmed
				placed("1002"),            // rejected by the ERP
				cancelled(placed("1003")), // cancelled before the ERP had it
				cancelled(placed("1004")), // confirmed, then cancelled
			},
			erp: erpsim.Records{
				Orders:     []erpsim.Order{held("1001", "SO-1", 100), held("1004", "SO-4", 120)},
				Rejections: []erpsim.Rejection{rejection("1002")},
			},
			mail: []mailbox.Message{
				confirmation("1001", "<m1@x>", 300),
				confirmation("1004", "<m4@x>", 310),
				// Mail that is not a confirmation, or for another
				// storefront, confirms nothing.
				{MessageID: "<c3@x>", Kind: "cancellation", Order: shop + "/1003", ReceivedAt: at(600)},
				{MessageID: "<o1@x>", Kind: "confirmation", Order: "shop2/1002", ReceivedAt: at(300)},
			},
			want:   Summary{Orders: 4, Accepted: 4, Confirmed: 2, Rejected: 1, Cancelled: 2},
			wantOK: true,
		},
		{
			name:   "ConfirmationBeforeERPCreatedTheOrderIsConfirmedBeforeAck",
			placed: []shopifysim.OrderRecord{placed("1001")},
			erp:    erpsim.Records{Orders: []erpsim.Order{held("1001", "SO-1", 300)}},
			mail:   []mailbox.Message{confirmation("1001", "<m1@x>", 299)},
			want:   Summary{Orders: 1, Accepted: 1, Confirmed: 1, ConfirmedBeforeAck: 1},
			wantViolations: [][]string{
				{"shop1/1001", "confirmed before the erp recorded it", "SO-1", "<m1@x>"},
			},
		},
		{
			name:   "ConfirmationForAnOrderTheERPNeverHeldIsConfirmedBeforeAck",
			placed: []shopifysim.OrderRecord{placed("1001")},
			mail:   []mailbox.Message{confirmation("1001", "<m1@x>", 300)},
			want:   Summary{Orders: 1, Accepted: 1, Confirmed: 1, ConfirmedBeforeAck: 1},
			wantViolations: [][]string{
				{"shop1/1001", "confirmed before the erp recorded it", "<m1@x>"},
			},
		},
		{
			name:   "ConfirmationAfterRejectionIsConfirmedBeforeAck",
			placed: []shopifysim.OrderRecord{placed("1001")},
			erp:    erpsim.Records{Rejections: []erpsim.Rejection{rejection("1001")}},
			mail:   []mailbox.Message{confirmation("1001", "<m1@x>", 300)},
			want:   Summary{Orders: 1, Accepted: 1, Confirmed: 1, Rejected: 1, ConfirmedBeforeAck: 1},
			wantViolations: [][]string{
				{"shop1/1001", "confirmed before the erp recorded it"},
			},
		},
		{
			name:   "TwoERPOrdersForOneExternalIDAreADuplicate",
			placed: []shopifysim.OrderRecord{placed("1001"), placed("1002")},
			erp: erpsim.Records{Orders: []erpsim.Order{
				held("1001", "SO-1", 100), held("1002", "SO-2", 110), held("1001", "SO-3", 200),
			}},
			mail: []mailbox.Message{confirmation("1001", "<m1@x>", 300), confirmation("1002", "<m2@x>", 300)},
			want: Summary{Orders: 2, Accepted: 2, Confirmed: 2, DuplicateERPOrders: 1},
			wantViolations: [][]string{
				{"shop1/1001", "held by the erp more than once", "SO-1", "SO-3"},
			},
		},
		{
			name:   "TwoConfirmationsForOneOrderAreADuplicate",
			placed: []shopifysim.OrderRecord{placed("1001")},
			erp:    erpsim.Records{Orders: []erpsim.Order{held("1001", "SO-1", 100)}},
			mail:   []mailbox.Message{confirmation("1001", "<m1@x>", 300), confirmation("1001", "<m2@x>", 900)},
			want:   Summary{Orders: 1, Accepted: 1, Confirmed: 1, DuplicateConfirmations: 1},
			wantViolations: [][]string{
				{"shop1/1001", "confirmed more than once", "<m1@x>", "<m2@x>"},
			},
		},
		{
			name:   "ERPOrderForNoPlacedOrderIsNotPlaced",
			placed: []shopifysim.OrderRecord{placed("1001")},
			erp: erpsim.Records{Orders: []erpsim.Order{
				held("1001", "SO-1", 100),
				{Ref: "SO-9", ExternalID: "og-shop1-9999", CreatedAt: at(100)},
			}},
			mail: []mailbox.Message{confirmation("1001", "<m1@x>", 300)},
			want: Summary{Orders: 1, Accepted: 1, Confirmed: 1, ERPOrdersNotPlaced: 1},
			wantViolations: [][]string{
				{"SO-9", "og-shop1-9999", "matches no placed order"},
			},
		},
		{
			// The ERP order's external id must be this storefront's: the
			// same order id under another storefront was not placed here.
			name:   "ERPOrderForAnotherStorefrontIsNotPlaced",
			placed: []shopifysim.OrderRecord{placed("1001")},
			erp: erpsim.Records{Orders: []erpsim.Order{
				held("1001", "SO-1", 100),
				{Ref: "SO-2", ExternalID: order.Key{Storefront: "shop2", ID: "1001"}.ExternalID(), CreatedAt: at(100)},
			}},
			mail: []mailbox.Message{confirmation("1001", "<m1@x>", 300)},
			want: Summary{Orders: 1, Accepted: 1, Confirmed: 1, ERPOrdersNotPlaced: 1},
			wantViolations: [][]string{
				{"SO-2", "og-shop2-1001"},
			},
		},
		{
			// An unconfirmed order is not an invariant the records can
			// show broken: the gateway may have flagged an in-doubt send.
			// It is listed for the gateway to explain, and OK stays true.
			name: "AcceptedHeldUncancelledOrderWithNoMailIsUnconfirmed",
			placed: []shopifysim.OrderRecord{
				placed("1002"),
				placed("1001"),
				cancelled(placed("1003")), // cancelled: no confirmation owed
				notAccepted(placed("1004")),
			},
			erp: erpsim.Records{Orders: []erpsim.Order{
				held("1001", "SO-1", 100), held("1002", "SO-2", 100), held("1003", "SO-3", 100), held("1004", "SO-4", 100),
			}},
			want:   Summary{Orders: 4, Accepted: 3, Cancelled: 1, Unconfirmed: []string{"shop1/1001", "shop1/1002"}},
			wantOK: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Judge(shop, tt.placed, tt.erp, tt.mail, shopifysim.Stats{})

			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(Summary{}, "Violations", "ConfirmationLatencyMS")); diff != "" {
				t.Errorf("Judge() summary mismatch (-want +got):\n%s", diff)
			}
			if len(got.Violations) != len(tt.wantViolations) {
				t.Fatalf("Judge() violations = %q, want %d", got.Violations, len(tt.wantViolations))
			}
			for i, words := range tt.wantViolations {
				for _, w := range words {
					if !strings.Contains(got.Violations[i], w) {
						t.Errorf("Judge() violation %d = %q, want it to mention %q", i, got.Violations[i], w)
					}
				}
			}
			if got.OK() != tt.wantOK {
				t.Errorf("Summary.OK() = %v, want %v", got.OK(), tt.wantOK)
			}
		})
	}
}

func TestJudge_PassesOnTheRecordCounts(t *testing.T) {
	t.Parallel()
	erp := erpsim.Records{
		Faults:   erpsim.FaultCounts{Error: 1, Throttle: 2, Timeout: 3, InDoubt: 4},
		Requests: erpsim.RequestCounts{Create: 5, Lookup: 6, Availability: 7},
	}
	hooks := shopifysim.Stats{Sent: 8, Retries: 1, Status2xx: 7, TransportErrors: 1, DuplicatesSent: 2}

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
	retried.Attempts = []shopifysim.Attempt{
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

	placedOrders := []shopifysim.OrderRecord{retried, noAttempts, unknown}
	erp := erpsim.Records{Orders: []erpsim.Order{held("1001", "SO-1", 1000), held("1002", "SO-2", 100), held("1003", "SO-3", 100)}}
	mail := []mailbox.Message{
		// The later of two confirmations does not count for latency.
		confirmation("1001", "<m1b@x>", 1500),
		confirmation("1001", "<m1@x>", 1250),
		confirmation("1002", "<m2@x>", 300),
		confirmation("1003", "<m3@x>", 300),
	}

	got := Judge(shop, placedOrders, erp, mail, shopifysim.Stats{}).ConfirmationLatencyMS

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
