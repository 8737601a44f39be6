package reconcile

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Fprint writes the report for a terminal: what was compared, the counts,
// then each finding. At most maxFindings findings are listed (0: all).
func Fprint(w io.Writer, r Report, maxFindings int) {
	mode := ""
	if r.DryRun {
		mode = " (dry run: nothing backfilled or applied)"
	}
	fmt.Fprintf(w, "reconciliation %s%s\n", r.ID, mode)
	fmt.Fprintf(w, "  window     since %s, run %s by %s in %s\n", r.Since.Format(time.RFC3339), r.StartedAt.Format(time.RFC3339),
		r.Trigger, r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond))
	for _, s := range r.Storefronts {
		listed := "storefront api not configured"
		if s.Listed >= 0 {
			listed = fmt.Sprintf("%d listed by the storefront", s.Listed)
		}
		fmt.Fprintf(w, "  %-10s %s, %d in the gateway, %d looked up in the erp\n", s.Name, listed, s.Gateway, s.ERPChecked)
		for _, n := range s.NotChecked {
			fmt.Fprintf(w, "  %-10s   not checked: %s\n", "", n)
		}
	}
	parts := make([]string, 0, len(Kinds))
	for _, k := range Kinds {
		parts = append(parts, fmt.Sprintf("%s %d", k, r.Counts[k]))
	}
	fmt.Fprintf(w, "  findings   %s\n", strings.Join(parts, " | "))
	fmt.Fprintf(w, "  recovered  %d\n", r.Recovered)
	for i, f := range r.Findings {
		if maxFindings > 0 && i == maxFindings {
			fmt.Fprintf(w, "  … and %d more (--json for all)\n", len(r.Findings)-i)
			break
		}
		mark := ""
		if f.Recovered {
			mark = " [recovered]"
		}
		fmt.Fprintf(w, "  %-22s %s/%s: %s%s\n", f.Kind, f.Storefront, f.OrderID, f.Detail, mark)
	}
	for _, e := range r.Errors {
		fmt.Fprintf(w, "  ERROR      %s\n", e)
	}
}
