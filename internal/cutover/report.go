package cutover

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/ordergate/ordergate/internal/order"
)

// Fact is one order as the report sees it.
type Fact struct {
	Order *order.Order
	// OperatorActions counts the operator's actions on its timeline
	// (retries, releases, cancels, replays): manual interventions.
	OperatorActions int
	// SLA is the storefront's confirmation SLA; 0 takes DefaultSLA.
	SLA time.Duration
}

// DefaultSLA is the window within which an order must be in the ERP when
// its storefront sets no SLA: the config's default confirmation SLA.
const DefaultSLA = 15 * time.Minute

// Thresholds are what the gated cohort must meet for a go.
type Thresholds struct {
	// MinGatedOrders is how many gated orders the run must have seen.
	MinGatedOrders int `json:"min_gated_orders"`
	// MaxGatedConfirmedBeforeERP is how many gated orders may have been
	// confirmed before the ERP held them: 0, the point of the gate.
	MaxGatedConfirmedBeforeERP int `json:"max_gated_confirmed_before_erp"`
	// MaxGatedMissingInERP is how many gated orders may have been missing
	// from the ERP after their SLA.
	MaxGatedMissingInERP int `json:"max_gated_missing_in_erp"`
	// MaxRejectionRateIncrease is how much higher (as a fraction of
	// orders) the gated cohort's rejection rate may be than the legacy
	// cohort's.
	MaxRejectionRateIncrease float64 `json:"max_rejection_rate_increase"`
	// MaxManualRate is the share of gated orders that may have needed an
	// operator.
	MaxManualRate float64 `json:"max_manual_rate"`
	// MaxGatedP95 bounds the gated cohort's capture-to-confirmation p95;
	// 0 does not check it.
	MaxGatedP95 time.Duration `json:"max_gated_p95_ns,omitempty"`
}

// DefaultThresholds are the thresholds the CLI and the API start from.
func DefaultThresholds() Thresholds {
	return Thresholds{MinGatedOrders: 20, MaxRejectionRateIncrease: 0.02, MaxManualRate: 0.05}
}

// Report compares the two cohorts of a parallel run.
type Report struct {
	GeneratedAt time.Time  `json:"generated_at"`
	Since       time.Time  `json:"since,omitzero"`
	Storefronts []string   `json:"storefronts,omitempty"`
	Cohorts     Cohorts    `json:"cohorts"`
	Thresholds  Thresholds `json:"thresholds"`
	Verdict     Verdict    `json:"verdict"`
}

// Cohorts are the two sides of the comparison.
type Cohorts struct {
	Gated  CohortStats `json:"gated"`
	Legacy CohortStats `json:"legacy"`
}

// CohortStats are one cohort's figures. Each count of a discrepancy has
// the orders behind it in Behind.
type CohortStats struct {
	Orders int `json:"orders"`
	// ConfirmedBeforeERP counts orders the customer was told were
	// confirmed before the ERP held them (or that the ERP still does not
	// hold): for the gated cohort the gate's confirmation against its
	// create; for the legacy cohort the legacy confirmation (on capture)
	// against the watch's first sighting in the ERP.
	ConfirmedBeforeERP int `json:"confirmed_before_erp"`
	// MissingInERP counts orders the ERP did not hold when their SLA
	// (from capture) ran out; StillMissing those it does not hold now.
	MissingInERP int `json:"missing_in_erp"`
	StillMissing int `json:"still_missing_in_erp"`
	Confirmed    int `json:"confirmed"`
	Rejections   int `json:"rejections"`
	Cancelled    int `json:"cancelled"`
	// ManualInterventions counts orders an operator acted on.
	ManualInterventions int `json:"manual_interventions"`
	// Latency is capture to the customer's confirmation, in milliseconds.
	Latency Latency `json:"capture_to_confirmation_ms"`
	// CaptureToERP is capture to the ERP holding the order, in
	// milliseconds: the gap.
	CaptureToERP Latency `json:"capture_to_erp_ms"`
	Behind       Behind  `json:"orders_behind"`
}

// Latency is nearest-rank percentiles of a cohort's durations, in
// milliseconds.
type Latency struct {
	N   int   `json:"n"`
	P50 int64 `json:"p50"`
	P95 int64 `json:"p95"`
	P99 int64 `json:"p99"`
	Max int64 `json:"max"`
}

// Behind lists the orders (storefront/id) behind each discrepancy.
type Behind struct {
	ConfirmedBeforeERP  []string `json:"confirmed_before_erp"`
	MissingInERP        []string `json:"missing_in_erp"`
	Rejections          []string `json:"rejections"`
	ManualInterventions []string `json:"manual_interventions"`
}

// Verdict is go or no-go, with every check and why it failed.
type Verdict struct {
	Go       bool     `json:"go"`
	Decision string   `json:"decision"` // "go" or "no-go"
	Checks   []Check  `json:"checks"`
	Reasons  []string `json:"reasons,omitempty"`
}

// Check is one threshold against its figure.
type Check struct {
	Name   string `json:"name"`
	Limit  string `json:"limit"`
	Got    string `json:"got"`
	Passed bool   `json:"passed"`
}

// Compute builds the report of facts at now.
func Compute(facts []Fact, now time.Time, th Thresholds) Report {
	r := Report{GeneratedAt: now, Thresholds: th}
	var gated, legacy cohortAcc
	for _, f := range facts {
		if f.Order.Legacy() {
			legacy.add(f, now)
		} else {
			gated.add(f, now)
		}
	}
	r.Cohorts.Gated, r.Cohorts.Legacy = gated.stats(), legacy.stats()
	r.Verdict = verdict(r.Cohorts, th)
	return r
}

type cohortAcc struct {
	s              CohortStats
	latency, toERP []int64
}

func (a *cohortAcc) add(f Fact, now time.Time) {
	o := f.Order
	id := o.Key.String()
	a.s.Orders++
	switch o.State() {
	case order.Confirmed:
		a.s.Confirmed++
	case order.Rejected:
		a.s.Rejections++
		a.s.Behind.Rejections = append(a.s.Behind.Rejections, id)
	case order.Cancelled:
		a.s.Cancelled++
	}
	if f.OperatorActions > 0 {
		a.s.ManualInterventions++
		a.s.Behind.ManualInterventions = append(a.s.Behind.ManualInterventions, id)
	}
	captured := o.CapturedAt
	if captured.IsZero() {
		captured = o.ReceivedAt
	}
	seen := o.Cutover.ERPSeenAt
	confirmed := o.ConfirmedAt
	if o.Legacy() {
		confirmed = o.Cutover.LegacyConfirmedAt
	}
	if !confirmed.IsZero() {
		if seen.IsZero() || confirmed.Before(seen) {
			a.s.ConfirmedBeforeERP++
			a.s.Behind.ConfirmedBeforeERP = append(a.s.Behind.ConfirmedBeforeERP, id)
		}
		a.latency = append(a.latency, max(0, confirmed.Sub(captured).Milliseconds()))
	}
	if !seen.IsZero() {
		a.toERP = append(a.toERP, max(0, seen.Sub(captured).Milliseconds()))
	}
	// A rejection is the ERP's answer, and an order cancelled before it
	// reached the ERP was never owed to it: neither is missing.
	if o.State() == order.Rejected || (o.State() == order.Cancelled && seen.IsZero()) {
		return
	}
	sla := f.SLA
	if sla <= 0 {
		sla = DefaultSLA
	}
	deadline := captured.Add(sla)
	if (seen.IsZero() && now.After(deadline)) || seen.After(deadline) {
		a.s.MissingInERP++
		a.s.Behind.MissingInERP = append(a.s.Behind.MissingInERP, id)
		if seen.IsZero() {
			a.s.StillMissing++
		}
	}
}

func (a *cohortAcc) stats() CohortStats {
	s := a.s
	s.Latency, s.CaptureToERP = latency(a.latency), latency(a.toERP)
	for _, l := range [][]string{s.Behind.ConfirmedBeforeERP, s.Behind.MissingInERP, s.Behind.Rejections, s.Behind.ManualInterventions} {
		slices.Sort(l)
	}
	return s
}

// latency returns nearest-rank percentiles: pN is the value at position
// ceil(N/100 × n), counting from 1.
func latency(v []int64) Latency {
	if len(v) == 0 {
		return Latency{}
	}
	slices.Sort(v)
	rank := func(p float64) int64 {
		k := int(math.Ceil(p / 100 * float64(len(v))))
		return v[min(max(k, 1), len(v))-1]
	}
	return Latency{N: len(v), P50: rank(50), P95: rank(95), P99: rank(99), Max: v[len(v)-1]}
}

func rate(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

func verdict(c Cohorts, th Thresholds) Verdict {
	g, l := c.Gated, c.Legacy
	var v Verdict
	check := func(name, limit, got string, ok bool, why string) {
		v.Checks = append(v.Checks, Check{Name: name, Limit: limit, Got: got, Passed: ok})
		if !ok {
			v.Reasons = append(v.Reasons, why)
		}
	}
	check("gated orders", fmt.Sprintf(">= %d", th.MinGatedOrders), fmt.Sprint(g.Orders), g.Orders >= th.MinGatedOrders,
		fmt.Sprintf("only %d gated orders seen; at least %d are needed to judge", g.Orders, th.MinGatedOrders))
	check("gated confirmed before erp", fmt.Sprintf("<= %d", th.MaxGatedConfirmedBeforeERP), fmt.Sprint(g.ConfirmedBeforeERP),
		g.ConfirmedBeforeERP <= th.MaxGatedConfirmedBeforeERP,
		fmt.Sprintf("%d gated orders were confirmed before the erp held them", g.ConfirmedBeforeERP))
	check("gated missing in erp after sla", fmt.Sprintf("<= %d", th.MaxGatedMissingInERP), fmt.Sprint(g.MissingInERP),
		g.MissingInERP <= th.MaxGatedMissingInERP,
		fmt.Sprintf("%d gated orders were not in the erp within their sla", g.MissingInERP))
	gr, lr := rate(g.Rejections, g.Orders), rate(l.Rejections, l.Orders)
	check("rejection rate, gated over legacy", fmt.Sprintf("<= +%.1f%%", 100*th.MaxRejectionRateIncrease),
		fmt.Sprintf("%+.1f%% (%.1f%% vs %.1f%%)", 100*(gr-lr), 100*gr, 100*lr), gr-lr <= th.MaxRejectionRateIncrease+1e-9,
		fmt.Sprintf("the gated cohort's rejection rate %.1f%% exceeds the legacy cohort's %.1f%% by more than %.1f points", 100*gr, 100*lr, 100*th.MaxRejectionRateIncrease))
	mr := rate(g.ManualInterventions, g.Orders)
	check("gated manual interventions", fmt.Sprintf("<= %.1f%%", 100*th.MaxManualRate), fmt.Sprintf("%.1f%% (%d)", 100*mr, g.ManualInterventions),
		mr <= th.MaxManualRate+1e-9,
		fmt.Sprintf("%.1f%% of gated orders needed an operator", 100*mr))
	if th.MaxGatedP95 > 0 {
		p95 := time.Duration(g.Latency.P95) * time.Millisecond
		check("gated capture to confirmation p95", "<= "+th.MaxGatedP95.String(), p95.String(), p95 <= th.MaxGatedP95,
			fmt.Sprintf("gated capture-to-confirmation p95 %s is over %s", p95, th.MaxGatedP95))
	}
	v.Go = len(v.Reasons) == 0
	v.Decision = "no-go"
	if v.Go {
		v.Decision = "go"
	}
	return v
}
