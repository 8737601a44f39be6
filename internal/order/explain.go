package order

import (
	"fmt"
	"strings"
	"time"
)

// Explain says where the order stands in plain language, for a
// customer-service agent: "captured 14:02; waiting for the ERP for 3
// minutes; confirmation expected by 14:17". sla is its storefront's
// confirmation SLA (0: none); times are shown in loc (UTC when nil), with
// the date when it is not now's.
func Explain(o *Order, sla time.Duration, now time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	at := func(t time.Time) string {
		t, n := t.In(loc), now.In(loc)
		if t.Year() == n.Year() && t.YearDay() == n.YearDay() {
			return t.Format("15:04")
		}
		return t.Format("Jan 2 15:04")
	}
	var parts []string
	if !o.CapturedAt.IsZero() {
		parts = append(parts, "captured "+at(o.CapturedAt))
	}
	if o.ReceivedAt.Sub(o.CapturedAt) > time.Minute || o.CapturedAt.IsZero() {
		parts = append(parts, "received by the gateway "+at(o.ReceivedAt))
	}
	expected := func() {
		if sla <= 0 {
			return
		}
		due := o.ReceivedAt.Add(sla)
		if now.After(due) {
			parts = append(parts, "confirmation was due by "+at(due)+": overdue")
		} else {
			parts = append(parts, "confirmation expected by "+at(due))
		}
	}
	switch o.State() {
	case Received:
		what := "waiting for the ERP for " + span(now.Sub(o.ReceivedAt))
		if o.Attempts > 0 {
			what += fmt.Sprintf(" (%d %s so far)", o.Attempts, plural(o.Attempts, "attempt", "attempts"))
		}
		parts = append(parts, what)
		expected()
	case Submitted:
		parts = append(parts, fmt.Sprintf("in the ERP as %s, waiting for it to validate the stock, for %s", orRef(o.ERPRef), span(now.Sub(o.ReceivedAt))))
		expected()
	case Acknowledged:
		parts = append(parts, "the ERP accepted it "+at(o.AcknowledgedAt)+" as "+orRef(o.ERPRef))
		if short := o.ShortLines(); len(short) > 0 {
			parts = append(parts, fmt.Sprintf("%d %s short", len(short), plural(len(short), "line", "lines")))
		}
		if o.Attention == "" {
			parts = append(parts, "the confirmation is on its way")
		}
	case Confirmed:
		parts = append(parts, "the ERP accepted it "+at(o.AcknowledgedAt)+" as "+orRef(o.ERPRef))
		parts = append(parts, "confirmed to the customer "+at(o.SettledAt))
		if !o.ShipBy.IsZero() {
			parts = append(parts, "expected to ship by "+o.ShipBy.In(loc).Format("Jan 2"))
		}
	case Rejected:
		parts = append(parts, "the ERP refused it "+at(o.SettledAt)+reason(o.Reason))
	case Cancelled:
		parts = append(parts, "cancelled "+at(o.SettledAt)+reason(o.Reason))
	}
	if o.Overdue() && !o.State().Settled() {
		parts = append(parts, "past its SLA since "+at(o.OverdueAt))
	}
	if o.Attention != "" {
		parts = append(parts, "needs attention: "+o.Attention)
	}
	return strings.Join(parts, "; ")
}

func orRef(ref string) string {
	if ref == "" {
		return "(no reference yet)"
	}
	return ref
}

func reason(r string) string {
	if r == "" {
		return ""
	}
	return ": " + r
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// span is a duration as a person says it: "40 seconds", "3 minutes",
// "2 hours 5 minutes", "3 days".
func span(d time.Duration) string {
	switch {
	case d < time.Minute:
		s := max(int(d.Seconds()), 0)
		return fmt.Sprintf("%d %s", s, plural(s, "second", "seconds"))
	case d < time.Hour:
		m := int(d.Minutes())
		return fmt.Sprintf("%d %s", m, plural(m, "minute", "minutes"))
	case d < 48*time.Hour:
		h, m := int(d.Hours()), int(d.Minutes())%60
		out := fmt.Sprintf("%d %s", h, plural(h, "hour", "hours"))
		if m > 0 {
			out += fmt.Sprintf(" %d %s", m, plural(m, "minute", "minutes"))
		}
		return out
	}
	days := int(d.Hours() / 24)
	return fmt.Sprintf("%d days", days)
}
