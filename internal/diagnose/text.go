package diagnose

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"
)

// textList is how many orders, events and SKUs the text lists.
const textList = 10

// WriteText writes the report for a terminal: the verdict and its
// evidence first, then the figures, then the signals.
func (r *Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	loc := r.location()
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }

	p("ordergate diagnose: where the capture → ERP receipt gap comes from\n\n")
	if !r.Window.From.IsZero() {
		p("  window   %s → %s, %s (intervals of %s)\n", stamp(r.Window.From, loc), stamp(r.Window.To, loc),
			human(r.Window.To.Sub(r.Window.From).Milliseconds()), r.Intervals.Width)
	}
	for i, s := range r.Sources {
		label := "         "
		if i == 0 {
			label = "  read   "
		}
		extra := ""
		if s.Skipped > 0 {
			extra = fmt.Sprintf(", %s bad rows skipped", commas(s.Skipped))
		}
		gz := ""
		if s.Gzip {
			gz = ", gzip"
		}
		p("%s %-13s %s (%s%s): %s rows%s\n", label, s.Source, s.File, s.Format, gz, commas(s.Rows), extra)
		for _, e := range s.Errors {
			p("              skipped: %s\n", e)
		}
	}
	c := r.Coverage
	p("  orders   %s triggered, %s joined with an ERP receipt (%s); %s not in the ERP, %s only in the ERP, %s never delivered\n",
		commas(c.WebhookOrders), commas(c.Joined), pct(ratio(c.Joined, c.WebhookOrders)), commas(c.WebhookNotInERP), commas(c.ERPNotInWebhooks), commas(c.Undelivered))
	switch rt := r.Retries; {
	case !rt.Counted:
		p("  retries  not counted: the webhook rows carry no attempt numbers\n")
	case rt.Retries == 0:
		p("  retries  none: every order was delivered on its first attempt\n")
	default:
		p("  retries  %s retries on %s orders (%s of them; at most %d attempts)\n", commas(rt.Retries), commas(rt.OrdersRetried), pct(ratio(rt.OrdersRetried, c.WebhookOrders)), rt.MaxAttempt)
	}

	p("\nVERDICT  %s\n  %s\n", r.Verdict, r.Summary)
	for _, e := range r.Evidence {
		p("  - %s\n", e)
	}

	if r.JoinedOrders > 0 {
		p("\nGAP BY LEG\n")
		tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "  %s\torders\tp50\tp90\tp95\tp99\tmax\tmean\tCV\ttrimmed CV\tshare of mean\t\n", padRight("leg", legWidth))
		for _, l := range r.Legs {
			if l.Orders == 0 {
				continue
			}
			q := l.PercentilesMS
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%.2f\t%s\t\n", padRight(legLabel(l), legWidth), commas(l.Orders),
				human(q.P50), human(q.P90), human(q.P95), human(q.P99), human(q.Max), human(int64(l.MeanMS)), l.CV, l.TrimmedCV, pct(l.ShareOfMean))
		}
		tw.Flush()

		p("\nDISTRIBUTION OF THE WHOLE GAP\n")
		writeBars(bw, r.Histogram, r.JoinedOrders)

		p("\nBY HOUR OF DAY (%s)\n", r.Timezone)
		tw = tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  hour\torders\tjoined\tp50\tp95\twebhook p50\tERP p50\t")
		var maxP95 int64
		for _, h := range r.ByHour {
			maxP95 = max(maxP95, h.P95MS)
		}
		for _, h := range r.ByHour {
			if h.Orders == 0 && h.Joined == 0 {
				continue
			}
			fmt.Fprintf(tw, "  %02d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", h.Hour, commas(h.Orders), commas(h.Joined), dashIf(h.Joined, h.P50MS), dashIf(h.Joined, h.P95MS),
				dashIf(h.Joined, h.WebhookP50), dashIf(h.Joined, h.ERPP50), bar(h.P95MS, maxP95, 24))
		}
		tw.Flush()
	}

	p("\nSIGNALS\n")
	r.writeConfirmed(bw, loc)
	r.writeOversells(bw, loc)
	r.writeDemand(bw, loc)

	if len(r.Warnings) > 0 {
		p("\nWARNINGS\n")
		for _, w := range r.Warnings {
			p("  ! %s\n", w)
		}
	}
	return bw.Flush()
}

func (r *Report) writeConfirmed(w io.Writer, loc *time.Location) {
	s := r.Signals.ConfirmedBeforeERP
	fmt.Fprintf(w, "  confirmed before ERP receipt\n")
	if !s.Assessed {
		fmt.Fprintf(w, "    not checked: %s\n", s.Reason)
		return
	}
	fmt.Fprintf(w, "    %s of %s confirmed orders (%s) were confirmed before the ERP had them\n",
		commas(s.BeforeReceipt+s.WithoutReceipt), commas(s.Confirmed), pct(ratio(s.BeforeReceipt+s.WithoutReceipt, s.Confirmed)))
	if s.BeforeReceipt > 0 {
		e := s.ExposureMS
		fmt.Fprintf(w, "    %s reached the ERP later: exposed p50 %s, p95 %s, max %s\n", commas(s.BeforeReceipt), human(e.P50), human(e.P95), human(e.Max))
	}
	if s.WithoutReceipt > 0 {
		e := s.OpenExposureMS
		fmt.Fprintf(w, "    %s are not in the ERP at all: exposed at least p50 %s, max %s (to the data's end)\n", commas(s.WithoutReceipt), human(e.P50), human(e.Max))
	}
	if len(s.Orders) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "    order\tconfirmed\tERP received\texposed")
		for _, o := range s.Orders[:min(len(s.Orders), textList)] {
			received := "never"
			if o.ERPReceivedAt != nil {
				received = stamp(*o.ERPReceivedAt, loc)
			}
			fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\n", o.OrderID, stamp(o.ConfirmedAt, loc), received, human(o.ExposureMS))
		}
		tw.Flush()
		if n := s.BeforeReceipt + s.WithoutReceipt; n > textList {
			fmt.Fprintf(w, "    … and %s more (--json lists %d, --exposed FILE writes them all)\n", commas(n-textList), len(s.Orders))
		}
	}
}

func (r *Report) writeOversells(w io.Writer, loc *time.Location) {
	s := r.Signals.Oversells
	fmt.Fprintf(w, "  marketplace oversells near volume peaks\n")
	if !s.Assessed {
		fmt.Fprintf(w, "    not checked: %s\n", s.Reason)
		return
	}
	fmt.Fprintf(w, "    %s of %s oversells in the window (%s) came within %s after a peak (an interval of %s or more orders, the top tenth: %d intervals)\n",
		commas(s.NearPeaks), commas(s.InWindow), pct(s.Share), human(s.NearMS), commas(s.PeakOrders), s.PeakIntervals)
	fmt.Fprintf(w, "    those stretches cover %s of the window, so chance alone would put %s there: %.1f× chance\n", pct(s.Coverage), pct(s.Coverage), s.Lift)
	for _, m := range s.ByMarketplace {
		fmt.Fprintf(w, "      %-16s %s events, %s near peaks\n", m.Marketplace, commas(m.Events), commas(m.NearPeaks))
	}
	for _, e := range s.List[:min(len(s.List), textList)] {
		sku := ""
		if e.SKU != "" {
			sku = " " + e.SKU
		}
		when := human(e.AfterPeakMS) + " after"
		if e.AfterPeakMS < 0 {
			when = "during"
		}
		fmt.Fprintf(w, "      %s %s%s ×%d, %s the peak of %s orders at %s\n", stamp(e.At, loc), e.Marketplace, sku, e.Units, when, commas(e.PeakOrders), stamp(e.PeakStart, loc))
	}
}

func (r *Report) writeDemand(w io.Writer, loc *time.Location) {
	s := r.Signals.Demand
	fmt.Fprintf(w, "  demand per SKU, storefront vs ERP\n")
	if !s.Assessed {
		fmt.Fprintf(w, "    not checked: %s\n", s.Reason)
		return
	}
	fmt.Fprintf(w, "    at the window's close (%s) the ERP showed %s of the storefront's %s units (%s short); %s of %s SKUs differ\n",
		stamp(s.Close, loc), commas(s.ERPUnitsAtClose), commas(s.StorefrontUnits), commas(s.StorefrontUnits-s.ERPUnitsAtClose), commas(s.SKUsShortAtClose), commas(s.SKUs))
	fmt.Fprintf(w, "    in the end it had %s units (%s short); %s SKUs still differ\n",
		commas(s.ERPUnitsInEnd), commas(s.StorefrontUnits-s.ERPUnitsInEnd), commas(s.SKUsShortInEnd))
	if s.ERPUnitsOther > 0 {
		fmt.Fprintf(w, "    (the ERP also holds %s units on orders not in the webhook export)\n", commas(s.ERPUnitsOther))
	}
	if len(s.Rows) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		width := len("SKU")
		for _, d := range s.Rows[:min(len(s.Rows), textList)] {
			width = max(width, utf8.RuneCountInString(d.SKU))
		}
		fmt.Fprintf(tw, "    %s\tstorefront\tERP at close\tshort\tERP in the end\tshort\t\n", padRight("SKU", width))
		for _, d := range s.Rows[:min(len(s.Rows), textList)] {
			fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t%s\t%s\t\n", padRight(d.SKU, width), commas(d.StorefrontUnits), commas(d.ERPUnitsAtClose), commas(d.ShortAtClose), commas(d.ERPUnitsInEnd), commas(d.ShortInEnd))
		}
		tw.Flush()
	}
}

// writeBars draws a histogram with one bar a bin.
func writeBars(w io.Writer, bins []Bin, total int) {
	most := 0
	for _, b := range bins {
		most = max(most, b.Count)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	for _, b := range bins {
		fmt.Fprintf(tw, "  %s\t– %s\t%s\t%s\t%s\n", human(b.FromMS), human(b.ToMS), bar(int64(b.Count), int64(most), 40), commas(b.Count), pct(ratio(b.Count, total)))
	}
	tw.Flush()
}

// bar draws v of most as up to width eighths-resolution blocks.
func bar(v, most int64, width int) string {
	if most <= 0 || v <= 0 {
		return ""
	}
	eighths := int(v * int64(width) * 8 / most)
	if eighths == 0 {
		eighths = 1
	}
	return strings.Repeat("█", eighths/8) + []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}[eighths%8]
}

// legWidth is the widest legLabel.
const legWidth = 31

func padRight(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s
}

func legLabel(l Leg) string {
	switch l.Name {
	case LegWebhook:
		return "webhook (triggered → delivered)"
	case LegERP:
		return "ERP (delivered → received)"
	}
	return "whole (triggered → received)"
}

func dashIf(n int, ms int64) string {
	if n == 0 {
		return "-"
	}
	return human(ms)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func (r *Report) location() *time.Location {
	if r.loc != nil {
		return r.loc
	}
	if loc, err := time.LoadLocation(r.Timezone); err == nil {
		return loc
	}
	return time.UTC
}
