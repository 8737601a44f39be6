package cutover

import (
	"fmt"
	"io"
	"strings"
)

// listed is how many orders the text report names behind a discrepancy;
// the JSON report names them all.
const listed = 10

// WriteText writes the report for a person: the cohorts side by side, the
// orders behind each discrepancy, and the verdict with its checks.
func WriteText(w io.Writer, r Report) error {
	var b strings.Builder
	g, l := r.Cohorts.Gated, r.Cohorts.Legacy
	fmt.Fprintf(&b, "%-34s %12s %12s\n", "", "gated", "legacy")
	row := func(name string, gv, lv any) { fmt.Fprintf(&b, "%-34s %12v %12v\n", name, gv, lv) }
	row("orders", g.Orders, l.Orders)
	row("confirmed before erp receipt", g.ConfirmedBeforeERP, l.ConfirmedBeforeERP)
	row("missing in erp after sla", g.MissingInERP, l.MissingInERP)
	row("  still missing now", g.StillMissing, l.StillMissing)
	row("confirmed", g.Confirmed, l.Confirmed)
	row("rejections", g.Rejections, l.Rejections)
	row("cancelled", g.Cancelled, l.Cancelled)
	row("manual interventions", g.ManualInterventions, l.ManualInterventions)
	ms := func(v int64, n int) string {
		if n == 0 {
			return "-"
		}
		return fmt.Sprintf("%d ms", v)
	}
	row("capture → confirmation p50", ms(g.Latency.P50, g.Latency.N), ms(l.Latency.P50, l.Latency.N))
	row("capture → confirmation p95", ms(g.Latency.P95, g.Latency.N), ms(l.Latency.P95, l.Latency.N))
	row("capture → confirmation p99", ms(g.Latency.P99, g.Latency.N), ms(l.Latency.P99, l.Latency.N))
	row("capture → erp receipt p50", ms(g.CaptureToERP.P50, g.CaptureToERP.N), ms(l.CaptureToERP.P50, l.CaptureToERP.N))
	row("capture → erp receipt p95", ms(g.CaptureToERP.P95, g.CaptureToERP.N), ms(l.CaptureToERP.P95, l.CaptureToERP.N))
	for _, c := range []struct {
		cohort string
		s      CohortStats
	}{{"gated", g}, {"legacy", l}} {
		for _, d := range []struct {
			what string
			ids  []string
		}{
			{"confirmed before erp", c.s.Behind.ConfirmedBeforeERP},
			{"missing in erp after sla", c.s.Behind.MissingInERP},
			{"rejected", c.s.Behind.Rejections},
			{"manual intervention", c.s.Behind.ManualInterventions},
		} {
			if len(d.ids) == 0 {
				continue
			}
			more := ""
			ids := d.ids
			if len(ids) > listed {
				ids, more = ids[:listed], fmt.Sprintf(" … and %d more", len(d.ids)-listed)
			}
			fmt.Fprintf(&b, "  %s, %s: %s%s\n", c.cohort, d.what, strings.Join(ids, " "), more)
		}
	}
	fmt.Fprintf(&b, "verdict: %s\n", strings.ToUpper(r.Verdict.Decision))
	for _, c := range r.Verdict.Checks {
		mark := "ok  "
		if !c.Passed {
			mark = "FAIL"
		}
		fmt.Fprintf(&b, "  %s %-36s %-10s got %s\n", mark, c.Name, c.Limit, c.Got)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
