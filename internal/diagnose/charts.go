package diagnose

import (
	"fmt"
	"html/template"
	"math"
	"time"
)

// legBar draws the mean gap split into its two legs.
func legBar(webhook, erp Leg) template.HTML {
	s := newSVG(960, 74, "share of the mean gap by leg")
	if webhook.Orders == 0 || erp.Orders == 0 {
		s.text(0, 40, "start", "note", "No delivered times: the gap cannot be split into its legs.")
		return s.done()
	}
	w := math.Min(math.Max(webhook.ShareOfMean, 0), 1)
	const x0, width, y, h = 0.0, 960.0, 8.0, 34.0
	s.rect(x0, y, width*w, h, "leg-webhook", fmt.Sprintf("webhook leg: %s of the mean gap (mean %s)", pct(webhook.ShareOfMean), human(int64(webhook.MeanMS))))
	s.rect(x0+width*w, y, width*(1-w), h, "leg-erp", fmt.Sprintf("ERP leg: %s of the mean gap (mean %s)", pct(erp.ShareOfMean), human(int64(erp.MeanMS))))
	s.text(x0, 62, "start", "label", "webhook: triggered → delivered  "+pct(webhook.ShareOfMean)+", mean "+human(int64(webhook.MeanMS)))
	s.text(width, 62, "end", "label", "ERP: delivered → received  "+pct(erp.ShareOfMean)+", mean "+human(int64(erp.MeanMS)))
	return s.done()
}

// histogramChart draws the whole gap's distribution, with its
// percentiles marked.
func histogramChart(bins []Bin, q Percentiles, total int) template.HTML {
	s := newSVG(960, 300, "distribution of the whole gap")
	pl := plot{left: 56, top: 40, right: 944, bottom: 252}
	most := 0
	for _, b := range bins {
		most = max(most, b.Count)
	}
	ticks := countTicks(most)
	top := float64(ticks[len(ticks)-1])
	for _, t := range ticks {
		y := pl.bottom - pl.height()*float64(t)/top
		s.line(pl.left, y, pl.right, y, "grid")
		s.text(pl.left-8, y+4, "end", "tick", commas(t))
	}
	bw := pl.width() / float64(len(bins))
	for i, b := range bins {
		h := pl.height() * float64(b.Count) / top
		s.rect(pl.left+float64(i)*bw+1, pl.bottom-h, bw-2, h, "bar", fmt.Sprintf("%s – %s: %s orders (%s)", human(b.FromMS), human(b.ToMS), commas(b.Count), pct(ratio(b.Count, total))))
	}
	every := 1 + len(bins)/14
	for i, b := range bins {
		if i%every == 0 {
			s.text(pl.left+float64(i)*bw, pl.bottom+18, "middle", "tick", human(b.FromMS))
		}
	}
	s.text(pl.right, pl.bottom+18, "end", "tick", human(bins[len(bins)-1].ToMS))
	// x of a delay: its bin, and linearly within it.
	at := func(ms int64) float64 {
		for i, b := range bins {
			if ms < b.ToMS {
				f := float64(ms-b.FromMS) / float64(b.ToMS-b.FromMS)
				return pl.left + (float64(i)+math.Min(math.Max(f, 0), 1))*bw
			}
		}
		return pl.right
	}
	row := 0.0
	for _, m := range []struct {
		name string
		ms   int64
	}{{"p50", q.P50}, {"p95", q.P95}, {"p99", q.P99}} {
		x := at(m.ms)
		s.line(x, pl.top+row*15-10, x, pl.bottom, "marker")
		if x > pl.right-110 {
			s.text(x-4, pl.top+row*15, "end", "marker-label", m.name+" "+human(m.ms))
		} else {
			s.text(x+4, pl.top+row*15, "start", "marker-label", m.name+" "+human(m.ms))
		}
		row++
	}
	s.text(pl.left-8, 12, "end", "axis", "orders")
	s.text(pl.right, 296, "end", "axis", "triggered → ERP received (bins widen as the delay grows)")
	return s.done()
}

// timelineChart draws the gap over the window: each interval's order
// volume as bars (peaks darker), its p50 and p95 as lines, and the
// oversells near peaks as ticks below.
func timelineChart(r *Report, loc *time.Location) template.HTML {
	s := newSVG(960, 320, "the gap and order volume over time")
	pl := plot{left: 64, top: 24, right: 900, bottom: 262}
	pts := mergePoints(r.Intervals.Points, 320)
	if len(pts) == 0 {
		return s.done()
	}
	var topDelay int64
	maxVol := 0
	for _, p := range pts {
		topDelay = max(topDelay, p.P95MS)
		maxVol = max(maxVol, p.Orders)
	}
	dt := durationTicks(topDelay)
	top := float64(dt[len(dt)-1])
	vt := countTicks(maxVol)
	vtop := float64(vt[len(vt)-1])
	for _, t := range dt {
		y := pl.bottom - pl.height()*float64(t)/top
		s.line(pl.left, y, pl.right, y, "grid")
		s.text(pl.left-8, y+4, "end", "tick", axisDuration(t))
	}
	for _, t := range vt {
		y := pl.bottom - pl.height()*float64(t)/vtop
		s.text(pl.right+8, y+4, "start", "tick vol", commas(t))
	}
	from := r.Intervals.Points[0].Start
	width := time.Duration(r.Intervals.WidthMS) * time.Millisecond
	to := r.Intervals.Points[len(r.Intervals.Points)-1].Start.Add(width)
	xOf := func(t time.Time) float64 {
		return pl.left + pl.width()*float64(t.Sub(from))/float64(to.Sub(from))
	}
	bw := pl.width() / float64(len(pts))
	xs, p50, p95 := make([]float64, len(pts)), make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		x := pl.left + float64(i)*bw
		h := pl.height() * float64(p.Orders) / vtop
		class := "vol"
		if p.Peak {
			class = "vol peak"
		}
		s.rect(x+0.5, pl.bottom-h, math.Max(bw-1, 0.5), h, class, fmt.Sprintf("%s: %s orders, %s joined; p50 %s, p95 %s",
			stamp(p.Start, loc), commas(p.Orders), commas(p.Joined), dashIf(p.Joined, p.P50MS), dashIf(p.Joined, p.P95MS)))
		xs[i] = x + bw/2
		p50[i], p95[i] = math.NaN(), math.NaN()
		if p.Joined > 0 {
			p50[i] = pl.bottom - pl.height()*float64(p.P50MS)/top
			p95[i] = pl.bottom - pl.height()*float64(p.P95MS)/top
		}
	}
	s.polyline(xs, p95, "line p95")
	s.polyline(xs, p50, "line p50")
	for _, e := range r.Signals.Oversells.List {
		x := xOf(e.At)
		s.rect(x-1, pl.bottom+3, 2, 9, "oversell", fmt.Sprintf("oversell %s %s at %s", e.Marketplace, e.SKU, stamp(e.At, loc)))
	}
	ticks, layout := timeTicks(from, to, loc)
	for _, t := range ticks {
		x := xOf(t)
		s.line(x, pl.bottom, x, pl.bottom+4, "axisline")
		s.text(x, pl.bottom+28, "middle", "tick", t.In(loc).Format(layout))
	}
	s.line(pl.left, pl.bottom, pl.right, pl.bottom, "axisline")
	s.text(pl.left-8, 12, "end", "axis", "gap")
	s.text(pl.right+8, 14, "start", "axis vol", "orders")
	return s.done()
}

// mergePoints joins neighbouring intervals until there are at most n:
// orders and joined add up, the p50 is the joined-weighted mean of the
// p50s and the p95 the largest p95 (both approximations, for the chart
// only).
func mergePoints(pts []Interval, n int) []Interval {
	if len(pts) <= n {
		return pts
	}
	k := (len(pts) + n - 1) / n
	var out []Interval
	for i := 0; i < len(pts); i += k {
		m := Interval{Start: pts[i].Start}
		var w float64
		for _, p := range pts[i:min(i+k, len(pts))] {
			m.Orders += p.Orders
			m.Joined += p.Joined
			m.Peak = m.Peak || p.Peak
			m.P95MS = max(m.P95MS, p.P95MS)
			w += float64(p.Joined) * float64(p.P50MS)
		}
		if m.Joined > 0 {
			m.P50MS = int64(w / float64(m.Joined))
		}
		out = append(out, m)
	}
	return out
}

// hourChart draws the profile of a day: volume per hour as bars, the
// gap's p50 and p95 as lines.
func hourChart(hours []Hour, tz string) template.HTML {
	s := newSVG(960, 290, "the gap and order volume by hour of day")
	pl := plot{left: 64, top: 24, right: 900, bottom: 246}
	var topDelay int64
	maxVol := 0
	for _, h := range hours {
		topDelay = max(topDelay, h.P95MS)
		maxVol = max(maxVol, h.Orders)
	}
	dt := durationTicks(topDelay)
	top := float64(dt[len(dt)-1])
	vt := countTicks(maxVol)
	vtop := float64(vt[len(vt)-1])
	for _, t := range dt {
		y := pl.bottom - pl.height()*float64(t)/top
		s.line(pl.left, y, pl.right, y, "grid")
		s.text(pl.left-8, y+4, "end", "tick", axisDuration(t))
	}
	for _, t := range vt {
		y := pl.bottom - pl.height()*float64(t)/vtop
		s.text(pl.right+8, y+4, "start", "tick vol", commas(t))
	}
	bw := pl.width() / 24
	xs, p50, p95 := make([]float64, 24), make([]float64, 24), make([]float64, 24)
	for i, h := range hours {
		x := pl.left + float64(i)*bw
		bh := pl.height() * float64(h.Orders) / vtop
		s.rect(x+3, pl.bottom-bh, bw-6, bh, "vol", fmt.Sprintf("%02d:00–%02d:59: %s orders; p50 %s, p95 %s", h.Hour, h.Hour, commas(h.Orders), dashIf(h.Joined, h.P50MS), dashIf(h.Joined, h.P95MS)))
		xs[i] = x + bw/2
		p50[i], p95[i] = math.NaN(), math.NaN()
		if h.Joined > 0 {
			p50[i] = pl.bottom - pl.height()*float64(h.P50MS)/top
			p95[i] = pl.bottom - pl.height()*float64(h.P95MS)/top
		}
		s.text(x+bw/2, pl.bottom+18, "middle", "tick", fmt.Sprintf("%02d", h.Hour))
	}
	s.polyline(xs, p95, "line p95")
	s.polyline(xs, p50, "line p50")
	for i := range hours {
		if !math.IsNaN(p50[i]) {
			s.circle(xs[i], p50[i], 3, "dot p50", fmt.Sprintf("%02d h p50 %s", hours[i].Hour, human(hours[i].P50MS)))
			s.circle(xs[i], p95[i], 3, "dot p95", fmt.Sprintf("%02d h p95 %s", hours[i].Hour, human(hours[i].P95MS)))
		}
	}
	s.line(pl.left, pl.bottom, pl.right, pl.bottom, "axisline")
	s.text(pl.left-8, 12, "end", "axis", "gap")
	s.text(pl.right+8, 14, "start", "axis vol", "orders")
	s.text((pl.left+pl.right)/2, 282, "middle", "axis", "hour the order was triggered ("+tz+")")
	return s.done()
}

// axisDuration labels a duration axis: 0 without a unit.
func axisDuration(ms int64) string {
	if ms == 0 {
		return "0"
	}
	return human(ms)
}
