package cutover

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/order"
)

var t0 = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

// orderAt builds an order in state s captured at t0+capture.
func orderAt(id string, c order.Cohort, s order.State, capture time.Duration, edit func(*order.Order)) Fact {
	o := order.Restore(order.Order{Key: order.Key{Storefront: "shop", ID: id}, CapturedAt: t0.Add(capture), ReceivedAt: t0.Add(capture)}, s)
	o.Cutover.Cohort = c
	if c == order.CohortLegacy {
		o.Cutover.LegacyConfirmedAt = o.CapturedAt
	}
	if edit != nil {
		edit(o)
	}
	return Fact{Order: o, SLA: time.Minute}
}

func TestCompute_ComparesCohortsFromFacts(t *testing.T) {
	t.Parallel()
	sec := func(n int) time.Duration { return time.Duration(n) * time.Second }
	seen := func(after time.Duration) func(*order.Order) {
		return func(o *order.Order) { o.Cutover.ERPSeenAt = o.CapturedAt.Add(after) }
	}
	facts := []Fact{
		// Gated: confirmed after the ERP took it, 2s and 4s after capture.
		orderAt("g1", order.CohortGated, order.Confirmed, 0, func(o *order.Order) {
			o.Cutover.ERPSeenAt, o.ConfirmedAt = o.CapturedAt.Add(sec(1)), o.CapturedAt.Add(sec(2))
		}),
		orderAt("g2", order.CohortGated, order.Confirmed, 0, func(o *order.Order) {
			o.Cutover.ERPSeenAt, o.ConfirmedAt = o.CapturedAt.Add(sec(3)), o.CapturedAt.Add(sec(4))
		}),
		// Gated, rejected by the ERP: not missing.
		orderAt("g3", order.CohortGated, order.Rejected, 0, nil),
		// Gated, stuck unsubmitted past its SLA: missing, an operator retried.
		Fact{Order: orderAt("g4", order.CohortGated, order.Received, 0, nil).Order, SLA: time.Minute, OperatorActions: 1},
		// Legacy: confirmed on capture, ERP a few seconds later.
		orderAt("l1", order.CohortLegacy, order.Confirmed, 0, seen(sec(5))),
		// Legacy: the ERP got it after the SLA.
		orderAt("l2", order.CohortLegacy, order.Confirmed, 0, seen(2*time.Minute)),
		// Legacy: never in the ERP, SLA not over yet (captured just now).
		orderAt("l3", order.CohortLegacy, order.Received, 9*time.Minute+50*time.Second, nil),
		// Legacy: cancelled before reaching the ERP: not missing.
		orderAt("l4", order.CohortLegacy, order.Cancelled, 0, nil),
	}
	r := Compute(facts, t0.Add(10*time.Minute), Thresholds{MinGatedOrders: 3, MaxRejectionRateIncrease: 0.5, MaxManualRate: 0.5})

	g, l := r.Cohorts.Gated, r.Cohorts.Legacy
	if g.Orders != 4 || g.ConfirmedBeforeERP != 0 || g.MissingInERP != 1 || g.Rejections != 1 || g.ManualInterventions != 1 {
		t.Errorf("gated %+v", g)
	}
	if diff := cmp.Diff(Latency{N: 2, P50: 2000, P95: 4000, P99: 4000, Max: 4000}, g.Latency); diff != "" {
		t.Errorf("gated latency (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"shop/g4"}, g.Behind.MissingInERP); diff != "" {
		t.Errorf("gated missing (-want +got):\n%s", diff)
	}
	// Every legacy order was confirmed on capture; three were not yet in the ERP then.
	if l.Orders != 4 || l.ConfirmedBeforeERP != 4 || l.MissingInERP != 1 || l.StillMissing != 0 {
		t.Errorf("legacy %+v", l)
	}
	if diff := cmp.Diff([]string{"shop/l2"}, l.Behind.MissingInERP); diff != "" {
		t.Errorf("legacy missing (-want +got):\n%s", diff)
	}
	if r.Verdict.Go || r.Verdict.Decision != "no-go" || len(r.Verdict.Reasons) != 1 {
		t.Errorf("verdict %+v, want no-go for the one gated order missing in the erp", r.Verdict)
	}
}

func TestCompute_Verdict(t *testing.T) {
	t.Parallel()
	confirmed := func(id string) Fact {
		return orderAt(id, order.CohortGated, order.Confirmed, 0, func(o *order.Order) {
			o.Cutover.ERPSeenAt, o.ConfirmedAt = o.CapturedAt.Add(time.Second), o.CapturedAt.Add(2*time.Second)
		})
	}
	many := func(n int, extra ...Fact) []Fact {
		var fs []Fact
		for i := range n {
			fs = append(fs, confirmed(fmt.Sprint("g", i)))
		}
		return append(fs, extra...)
	}
	early := orderAt("early", order.CohortGated, order.Confirmed, 0, func(o *order.Order) {
		o.Cutover.ERPSeenAt, o.ConfirmedAt = o.CapturedAt.Add(2*time.Second), o.CapturedAt.Add(time.Second)
	})
	rejected := orderAt("rej", order.CohortGated, order.Rejected, 0, nil)
	tests := []struct {
		name   string
		facts  []Fact
		th     Thresholds
		wantGo bool
		failed []string
	}{
		{"enough clean gated orders", many(20), DefaultThresholds(), true, nil},
		{"too few gated orders", many(5), DefaultThresholds(), false, []string{"gated orders"}},
		{"a gated order confirmed before the erp", many(20, early), DefaultThresholds(), false, []string{"gated confirmed before erp"}},
		{"rejections above legacy", many(20, rejected), DefaultThresholds(), false, []string{"rejection rate, gated over legacy"}},
		{"p95 over its limit", many(20), Thresholds{MinGatedOrders: 1, MaxGatedP95: time.Second}, false, []string{"gated capture to confirmation p95"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := Compute(tt.facts, t0.Add(time.Hour), tt.th).Verdict
			var failed []string
			for _, c := range v.Checks {
				if !c.Passed {
					failed = append(failed, c.Name)
				}
			}
			if v.Go != tt.wantGo || !cmp.Equal(tt.failed, failed) {
				t.Errorf("go %v failed %v, want go %v failed %v", v.Go, failed, tt.wantGo, tt.failed)
			}
		})
	}
}

func TestCohortOf_StableAndProportional(t *testing.T) {
	t.Parallel()
	gated := 0
	for i := range 10000 {
		key := order.Key{Storefront: "shop", ID: fmt.Sprint(1000 + i)}
		c := CohortOf(key, 10)
		if c != CohortOf(key, 10) {
			t.Fatal("cohort changed between calls")
		}
		if CohortOf(key, 10) == order.CohortGated && CohortOf(key, 50) != order.CohortGated {
			t.Fatalf("%s gated at 10%% but not at 50%%: raising the percentage must only add orders", key)
		}
		if c == order.CohortGated {
			gated++
		}
	}
	if gated < 900 || gated > 1100 {
		t.Errorf("%d of 10000 gated at 10%%, want about 1000", gated)
	}
	if CohortOf(order.Key{Storefront: "s", ID: "1"}, 0) != order.CohortLegacy || CohortOf(order.Key{Storefront: "s", ID: "1"}, 100) != order.CohortGated {
		t.Error("0% must gate nothing and 100% everything")
	}
}
