package chaos

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
)

// story tells everything the round recorded of one order, each side in
// time order: what the storefront sent and was answered, every ERP call
// and what the ERP holds, the mail and the mail faults, the kills, and
// what the gateway's API shows, timeline included.
func (c *checker) story(key string) string {
	var b strings.Builder
	po, ok := c.placed[key]
	if !ok {
		fmt.Fprintf(&b, "    (no placed order %s)\n", key)
		return b.String()
	}
	p := po.rec
	fmt.Fprintf(&b, "    storefront %s (%s): %s %s, %d lines", po.shop, po.flavor, p.Name, p.Email, len(p.Lines))
	for _, l := range p.Lines {
		fmt.Fprintf(&b, " %s×%d", l.SKU, l.Quantity)
	}
	fmt.Fprintf(&b, "; accepted %s", optStamp(p.AcceptedAt))
	if p.Cancelled {
		fmt.Fprintf(&b, ", cancelled (%s), cancel accepted %s", p.CancelReason, optStamp(p.CancelAcceptedAt))
	}
	flags := []string{}
	for _, f := range []struct {
		on   bool
		name string
	}{{p.Duplicated, "duplicated"}, {p.OutOfOrder, "reordered"}, {p.Late, "late redelivery"}, {p.Dropped, "dropped"}} {
		if f.on {
			flags = append(flags, f.name)
		}
	}
	if len(flags) > 0 {
		fmt.Fprintf(&b, " [%s]", strings.Join(flags, ", "))
	}
	b.WriteString("\n")
	for _, a := range p.Attempts {
		reply := fmt.Sprint(a.Status)
		if a.Err != "" {
			reply = "error: " + a.Err
		}
		extra := ""
		if a.Duplicate {
			extra = " (duplicate)"
		}
		if a.Retry > 0 {
			extra += fmt.Sprintf(" (retry %d)", a.Retry)
		}
		fmt.Fprintf(&b, "      %s webhook %s event %s%s → %s in %s\n", stamp(a.At), a.Topic, short(a.EventID), extra, reply, a.Took.Round(time.Millisecond))
	}
	ext := po.ext
	for _, call := range c.calls[ext] {
		fault := ""
		if call.Fault != "" {
			fault = " fault " + call.Fault
		}
		status := fmt.Sprint(call.Status)
		if call.Status == 0 {
			status = "no reply"
		}
		fmt.Fprintf(&b, "      %s erp %s → %s%s\n", stamp(call.At), call.Op, status, fault)
	}
	for _, o := range c.h.ERP.Orders {
		if o.ExternalID != ext {
			continue
		}
		fmt.Fprintf(&b, "      erp holds %s: created %s, acknowledged %s", o.Ref, stamp(o.CreatedAt), optStamp(o.AckedAt))
		if o.Cancelled() {
			fmt.Fprintf(&b, ", cancelled %s (%s)", stamp(o.CancelledAt), o.CancelReason)
		}
		if o.InDoubt {
			b.WriteString(", created under an in-doubt fault")
		}
		if slices.ContainsFunc(o.Lines, func(l erpsim.Line) bool { return l.Short != "" }) {
			b.WriteString(", short")
		}
		b.WriteString("\n")
	}
	for _, r := range c.h.ERP.Rejections {
		if r.ExternalID == ext {
			fmt.Fprintf(&b, "      %s erp rejected: %s %s\n", stamp(r.At), r.Code, r.Message)
		}
	}
	for _, m := range c.mail[key] {
		fmt.Fprintf(&b, "      %s mail %s %s\n", stamp(m.ReceivedAt), m.Kind, m.MessageID)
	}
	for _, r := range c.refusals[strings.ToLower(p.Email)] {
		fmt.Fprintf(&b, "      %s mail fault %s %s\n", stamp(r.At), r.Fault, r.MessageID)
	}
	for _, k := range c.h.Kills {
		fmt.Fprintf(&b, "      %s gateway SIGKILLed\n", stamp(k))
	}
	g, held := c.h.Gateway[key]
	if !held {
		b.WriteString("    gateway: does not hold the order\n")
		return b.String()
	}
	fmt.Fprintf(&b, "    gateway: %s, erp ref %q, attention %q, overdue %t\n", g.State, g.ERPRef, g.Attention, g.Overdue)
	for _, e := range g.Timeline {
		fmt.Fprintf(&b, "      %s %s", stamp(e.At), e.Kind)
		if e.Source != "" {
			fmt.Fprintf(&b, " [%s]", e.Source)
		}
		if e.Attempt > 0 {
			fmt.Fprintf(&b, " #%d", e.Attempt)
		}
		if e.Detail != "" {
			fmt.Fprintf(&b, " %s", e.Detail)
		}
		if e.Error != "" {
			fmt.Fprintf(&b, " error: %s", e.Error)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func optStamp(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return stamp(t)
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
