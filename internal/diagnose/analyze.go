package diagnose

import (
	"math"
	"slices"
	"time"
)

// Sizes below which a group says too little to be compared.
const (
	minPerInterval  = 5  // joined orders for an interval's median to count
	minIntervals    = 8  // intervals for a volume correlation
	minPerHour      = 20 // joined orders (or 1% of them, if more) for an hour's median to count
	minHours        = 4  // hours for an hour-of-day swing
	maxAutoPoints   = 300
	maxIntervals    = 100_000
	decomposedShare = 0.5 // of joined orders with a delivered time, to split the gap into legs
)

// autoWidths are the interval widths Options.Interval 0 picks from.
var autoWidths = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour}

// grid cuts the window into intervals of one width, aligned to the
// width in the report's time zone (hours on the hour, days at midnight).
type grid struct {
	origin, width int64 // Unix ms
	n             int
}

func (g grid) index(ms int64) int { return int(floorDiv(ms-g.origin, g.width)) }
func (g grid) start(i int) int64  { return g.origin + int64(i)*g.width }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func (d *Diagnosis) grid(first, last int64) (grid, []string) {
	_, off := time.UnixMilli(first).In(d.opts.Location).Zone()
	offMS := int64(off) * 1000
	cut := func(w int64) grid {
		origin := floorDiv(first+offMS, w)*w - offMS
		return grid{origin: origin, width: w, n: int(floorDiv(last-origin, w)) + 1}
	}
	var warn []string
	if w := d.opts.Interval; w > 0 {
		g := cut(max(w.Milliseconds(), 1))
		for g.n > maxIntervals {
			g = cut(g.width * 2)
		}
		if g.width != w.Milliseconds() {
			warn = append(warn, "--interval "+w.String()+" cuts the window into more than 100,000 intervals; widened to "+(time.Duration(g.width)*time.Millisecond).String())
		}
		return g, warn
	}
	var g grid
	for _, w := range autoWidths {
		if g = cut(w.Milliseconds()); g.n <= maxAutoPoints {
			break
		}
	}
	for g.n > maxIntervals {
		g = cut(g.width * 2)
	}
	return g, warn
}

// joined holds the delays of the joined orders, one slot per order in
// each slice; missing where an order lacks a leg.
type joined struct {
	total, webhook, erp []int32
	interval, hour      []int32
	sumW, sumE          float64 // over orders with both legs
	both                int
	negative, clamped   [3]int
}

// Report works out the findings from what was read so far.
func (d *Diagnosis) Report() Report {
	o := d.opts
	th := o.Thresholds
	rep := Report{
		GeneratedAt: o.Now().UTC(), Timezone: o.Location.String(),
		Sources: slices.Clone(d.sources), Warnings: slices.Clone(d.warnings),
		Rule: Rule{MinOrders: th.MinOrders, HealthyP95MS: th.HealthyP95.Milliseconds(),
			MaxCV: th.MaxCV, MinVolumeCorr: th.MinVolumeCorr, MaxHourSwing: th.MaxHourSwing, NearMS: o.Near.Milliseconds()},
		Evidence: []string{}, Checks: []Check{}, Legs: []Leg{}, ByHour: []Hour{}, loc: o.Location,
	}
	first, last := d.coverage(&rep)
	if d.dataStart != none {
		rep.Window.DataStart, rep.Window.DataEnd = fromMillis(d.dataStart), fromMillis(d.dataEnd)
	}
	if first == none {
		rep.Verdict = VerdictInsufficient
		rep.Evidence = append(rep.Evidence, "no webhook orders were read, so there is no gap to measure")
		rep.Intervals.Points = []Interval{}
		d.signals(&rep, grid{}, nil)
		return rep
	}
	rep.Window.From, rep.Window.To = fromMillis(first), fromMillis(last)
	g, warn := d.grid(first, last)
	rep.Warnings = append(rep.Warnings, warn...)
	rep.Rule.IntervalMS = g.width
	rep.Intervals.WidthMS, rep.Intervals.Width = g.width, shortDuration(time.Duration(g.width)*time.Millisecond)

	volume := make([]int, g.n)
	hourVol := make([]int, 24)
	j := d.join(g, volume, hourVol, rep.Coverage.Joined)
	rep.JoinedOrders = len(j.total)

	webhook := d.leg(LegWebhook, "triggered", "delivered", j.webhook, j, volume, g.n)
	erp := d.leg(LegERP, "delivered", "ERP received", j.erp, j, volume, g.n)
	total := d.leg(LegTotal, "triggered", "ERP received", j.total, j, volume, g.n)
	for i, l := range []*legResult{webhook, erp, total} {
		l.Leg.Negative, l.Leg.Clamped = j.negative[i], j.clamped[i]
	}
	if den := j.sumW + j.sumE; j.both > 0 && den > 0 {
		webhook.Leg.ShareOfMean, erp.Leg.ShareOfMean = j.sumW/den, j.sumE/den
	}
	total.Leg.ShareOfMean = 1
	rep.Legs = []Leg{webhook.Leg, erp.Leg, total.Leg}
	rep.PercentilesMS, rep.MeanMS, rep.CV = total.Leg.PercentilesMS, total.Leg.MeanMS, total.Leg.CV
	rep.Histogram = total.Leg.Histogram
	if total.Leg.Negative > 0 {
		rep.Warnings = append(rep.Warnings, itoa(int64(total.Leg.Negative))+" joined orders reached the ERP before they were triggered: the clocks of the two systems disagree (or the ids match different orders)")
	}

	for h := range 24 {
		rep.ByHour = append(rep.ByHour, Hour{Hour: h, Orders: hourVol[h], Joined: total.hourCount[h],
			P50MS: total.hourP50[h], P95MS: total.hourP95[h], WebhookP50: webhook.hourP50[h], ERPP50: erp.hourP50[h]})
	}
	rep.Intervals.PeakOrders = peakThreshold(volume)
	rep.Intervals.Points = make([]Interval, g.n)
	for i := range g.n {
		rep.Intervals.Points[i] = Interval{Start: fromMillis(g.start(i)), Orders: volume[i], Joined: total.ivCount[i],
			P50MS: total.ivP50[i], P95MS: total.ivP95[i], Peak: volume[i] >= rep.Intervals.PeakOrders}
	}

	decomposed := j.both > 0 && float64(j.both) >= decomposedShare*float64(len(j.total))
	if !decomposed && len(j.total) > 0 {
		rep.Warnings = append(rep.Warnings, "fewer than half the joined orders have a delivered time: the gap is judged whole, not by leg")
	}
	decide(&rep, th, webhook.Leg, erp.Leg, total.Leg, decomposed)
	d.signals(&rep, g, volume)
	return rep
}

// coverage counts how the sources join, and returns the first and last
// triggered times (none if there are no webhook orders).
func (d *Diagnosis) coverage(rep *Report) (first, last int64) {
	first, last = none, none
	c := &rep.Coverage
	r := &rep.Retries
	r.Counted = d.numbered
	for n := range d.orders.len() {
		st := d.orders.at(n)
		web, erp, conf := st.seen&seenWebhook != 0, st.seen&seenERP != 0, st.seen&seenConfirmation != 0
		if web {
			c.WebhookOrders++
			if first == none || st.triggered < first {
				first = st.triggered
			}
			last = max(last, st.triggered)
			if st.delivered == none {
				c.Undelivered++
			}
			if !erp {
				c.WebhookNotInERP++
			}
			if st.maxAttempt > 1 {
				r.OrdersRetried++
				r.Retries += int(st.maxAttempt) - 1
			}
			r.MaxAttempt = max(r.MaxAttempt, int(st.maxAttempt))
		}
		if erp {
			c.ERPOrders++
			if !web {
				c.ERPNotInWebhooks++
			}
		}
		if conf {
			c.ConfirmedOrders++
			if !web {
				c.ConfirmedNoWebhook++
			}
		}
		if web && erp {
			c.Joined++
		}
	}
	return first, last
}

// join collects the delays of the joined orders and counts the volume of
// all webhook orders per interval and per hour.
func (d *Diagnosis) join(g grid, volume, hourVol []int, n int) joined {
	j := joined{
		total: make([]int32, 0, n), webhook: make([]int32, 0, n), erp: make([]int32, 0, n),
		interval: make([]int32, 0, n), hour: make([]int32, 0, n),
	}
	loc := d.opts.Location
	var hc hourCache
	for k := range d.orders.len() {
		st := d.orders.at(k)
		if st.seen&seenWebhook == 0 {
			continue
		}
		iv := g.index(st.triggered)
		h := hc.hour(st.triggered, loc)
		volume[iv]++
		hourVol[h]++
		if st.seen&seenERP == 0 {
			continue
		}
		t := j.delay(0, st.erp-st.triggered)
		w, e := int32(missing), int32(missing)
		if st.delivered != none {
			w = j.delay(1, st.delivered-st.triggered)
			e = j.delay(2, st.erp-st.delivered)
			j.sumW += float64(w)
			j.sumE += float64(e)
			j.both++
		}
		j.total = append(j.total, t)
		j.webhook = append(j.webhook, w)
		j.erp = append(j.erp, e)
		j.interval = append(j.interval, int32(iv))
		j.hour = append(j.hour, int32(h))
	}
	return j
}

// delay fits a delay into an int32, counting negatives and clamps for
// leg i (0 total, 1 webhook, 2 erp; stored in Leg order later).
func (j *joined) delay(i int, ms int64) int32 {
	v, clamped := clamp32(ms)
	slot := [3]int{2, 0, 1}[i]
	if clamped {
		j.clamped[slot]++
	}
	if v < 0 {
		j.negative[slot]++
	}
	return v
}

// hourCache remembers the local hour that last contained a time: the
// time-zone lookup behind Hour costs more than the rest of an order's
// work, and neighbouring orders share their hour. Zones change their
// offset on the hour, so an hour that starts at a local :00 lasts 60
// minutes.
type hourCache struct {
	from, to int64
	h        int
}

func (c *hourCache) hour(ms int64, loc *time.Location) int {
	if ms >= c.from && ms < c.to {
		return c.h
	}
	t := time.UnixMilli(ms).In(loc)
	c.h = t.Hour()
	c.from = ms - int64(t.Minute())*60_000 - int64(t.Second())*1000 - int64(t.Nanosecond()/1e6)
	c.to = c.from + 3_600_000
	return c.h
}

// legResult is a Leg and its grouped figures for the charts.
type legResult struct {
	Leg
	ivCount          []int
	ivP50, ivP95     []int64
	hourCount        []int
	hourP50, hourP95 []int64
}

func (d *Diagnosis) leg(name, from, to string, values []int32, j joined, volume []int, nIntervals int) *legResult {
	r := &legResult{Leg: Leg{Name: name, From: from, To: to, Histogram: []Bin{}}}
	sorted := make([]int32, 0, len(values))
	for _, v := range values {
		if v != missing {
			sorted = append(sorted, v)
		}
	}
	slices.Sort(sorted)
	r.Orders = len(sorted)
	r.PercentilesMS = percentiles(sorted)
	r.MeanMS, r.CV = moments(sorted)
	_, r.TrimmedCV = moments(trimmed(sorted))
	if h := histogram(sorted); h != nil {
		r.Histogram = h
	}
	sorted = nil

	r.ivCount, r.ivP50, r.ivP95 = groups(values, j.interval, nIntervals)
	var x, y []float64
	for i, c := range r.ivCount {
		if c >= minPerInterval {
			x = append(x, float64(volume[i]))
			y = append(y, float64(r.ivP50[i]))
		}
	}
	if len(x) >= minIntervals {
		if rho, ok := spearman(x, y); ok {
			r.Volume = Correlation{Assessed: true, Rho: rho, Intervals: len(x), Z: rho * math.Sqrt(float64(len(x)-1))}
		}
	}
	if !r.Volume.Assessed {
		r.Volume.Intervals = len(x)
	}

	r.hourCount, r.hourP50, r.hourP95 = groups(values, j.hour, 24)
	need := max(minPerHour, r.Orders/100)
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for h, c := range r.hourCount {
		if c >= need {
			r.Hours.Hours++
			lo, hi = min(lo, r.hourP50[h]), max(hi, r.hourP50[h])
		}
	}
	if r.Hours.Hours >= minHours && r.PercentilesMS.P50 > 0 {
		r.Hours.Assessed = true
		r.Hours.MinMedianMS, r.Hours.MaxMedianMS = lo, hi
		r.Hours.Swing = float64(hi-lo) / float64(r.PercentilesMS.P50)
	}
	return r
}

// peakThreshold returns the volume at or above which an interval is a
// peak: the smallest volume among the top tenth of intervals (at least
// one order).
func peakThreshold(volume []int) int {
	if len(volume) == 0 {
		return 1
	}
	v := slices.Clone(volume)
	slices.Sort(v)
	slices.Reverse(v)
	top := int(math.Ceil(float64(len(v)) / 10))
	return max(v[top-1], 1)
}
