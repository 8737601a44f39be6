package diagnose

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	"time"
)

// htmlList is how many orders, events and SKUs the page lists.
const htmlList = 15

// WriteHTML writes the report as one self-contained page: inline CSS,
// hand-made SVG charts, no script and nothing fetched, so that it can be
// mailed as it is. It is well-formed XML as well as HTML.
func (r *Report) WriteHTML(w io.Writer) error {
	return pageTemplate.Execute(w, r.page())
}

// page is what the template shows, worked out in Go.
type page struct {
	R            *Report
	Title        string
	VerdictClass string
	VerdictLabel string
	Window       string
	Generated    string
	Tiles        []tile
	Checks       []checkView
	Legs         []legView
	LegBar       template.HTML
	Histogram    template.HTML
	Timeline     template.HTML
	Hours        template.HTML
	Confirmed    confirmedView
	Oversells    oversellView
	Demand       demandView
	Sources      []SourceSummary
	Coverage     []tile
	Thresholds   []string
}

type tile struct{ Label, Value, Note string }

type checkView struct {
	Name, Detail, State string // State: pass, flag, skip
}

type legView struct {
	Name, Orders, P50, P90, P95, P99, Max, Mean, CV, TrimmedCV, Share string
	Main                                                              bool
}

type confirmedView struct {
	Assessed                      bool
	Reason                        string
	Headline, Closed, Open, Share string
	Rows                          [][]string
	More                          string
}

type oversellView struct {
	Assessed                  bool
	Reason                    string
	Headline, Chance          string
	Lift                      string
	ShareWidth, CoverageWidth string // percentages for the meters
	ByMarketplace             [][]string
	Rows                      [][]string
	More                      string
	SharePct, CovePct         string
}

type demandView struct {
	Assessed                 bool
	Reason                   string
	Headline, End, Other     string
	Rows                     [][]string
	More                     string
	ShortAtClose, ShortInEnd string
}

var verdictLabels = map[Verdict]string{
	VerdictERPQueue:         "ERP processing queue",
	VerdictIntegrationQueue: "Webhook delivery or integration queue",
	VerdictHealthy:          "Healthy",
	VerdictInsufficient:     "Not enough data",
}

func (r *Report) page() page {
	loc := r.location()
	p := page{R: r, VerdictLabel: verdictLabels[r.Verdict], VerdictClass: strings.ReplaceAll(string(r.Verdict), "_", "-"),
		Generated: stamp(r.GeneratedAt, loc), Sources: r.Sources}
	p.Title = "Capture → ERP gap: " + p.VerdictLabel
	if !r.Window.From.IsZero() {
		p.Window = fmt.Sprintf("%s → %s (%s), intervals of %s", stamp(r.Window.From, loc), stamp(r.Window.To, loc),
			human(r.Window.To.Sub(r.Window.From).Milliseconds()), r.Intervals.Width)
	}
	c := r.Coverage
	q := r.PercentilesMS
	p.Tiles = []tile{
		{"joined orders", commas(r.JoinedOrders), pct(ratio(c.Joined, c.WebhookOrders)) + " of " + commas(c.WebhookOrders) + " triggered"},
		{"p50", dashIf(r.JoinedOrders, q.P50), "half reach the ERP within"},
		{"p95", dashIf(r.JoinedOrders, q.P95), "healthy at or below " + human(r.Rule.HealthyP95MS)},
		{"p99", dashIf(r.JoinedOrders, q.P99), "p90 " + dashIf(r.JoinedOrders, q.P90)},
		{"max", dashIf(r.JoinedOrders, q.Max), "mean " + dashIf(r.JoinedOrders, int64(r.MeanMS))},
		{"spread (CV)", fmt.Sprintf("%.2f", r.CV), "trimmed " + fmt.Sprintf("%.2f", r.Leg(LegTotal).TrimmedCV)},
	}
	// The evidence in order, each marked by the check it reports on.
	for i, e := range r.Evidence {
		v := checkView{Detail: e, State: "note"}
		if i == 1 && r.DominantLeg != "" {
			v.Name = "Dominant leg"
		}
		for _, ch := range r.Checks {
			if ch.Detail != e {
				continue
			}
			v.Name, v.State = checkNames[ch.Name], "pass"
			switch {
			case !ch.Assessed:
				v.State = "skip"
			case ch.Flagged:
				v.State = "flag"
			}
		}
		p.Checks = append(p.Checks, v)
	}
	for _, l := range r.Legs {
		if l.Orders == 0 {
			continue
		}
		q := l.PercentilesMS
		p.Legs = append(p.Legs, legView{Name: legLabel(l), Orders: commas(l.Orders), P50: human(q.P50), P90: human(q.P90), P95: human(q.P95),
			P99: human(q.P99), Max: human(q.Max), Mean: human(int64(l.MeanMS)), CV: fmt.Sprintf("%.2f", l.CV), TrimmedCV: fmt.Sprintf("%.2f", l.TrimmedCV),
			Share: pct(l.ShareOfMean), Main: l.Name == r.DominantLeg})
	}
	if r.JoinedOrders > 0 {
		p.LegBar = legBar(r.Leg(LegWebhook), r.Leg(LegERP))
		p.Histogram = histogramChart(r.Histogram, q, r.JoinedOrders)
		p.Timeline = timelineChart(r, loc)
		p.Hours = hourChart(r.ByHour, r.Timezone)
	}
	p.Confirmed = r.confirmedView(loc)
	p.Oversells = r.oversellView(loc)
	p.Demand = r.demandView(loc)
	p.Coverage = []tile{
		{"triggered (webhooks)", commas(c.WebhookOrders), ""},
		{"in the ERP", commas(c.ERPOrders), ""},
		{"confirmed", commas(c.ConfirmedOrders), ""},
		{"not in the ERP", commas(c.WebhookNotInERP), "triggered, never received"},
		{"only in the ERP", commas(c.ERPNotInWebhooks), "no webhook row"},
		{"never delivered", commas(c.Undelivered), "no delivered time"},
	}
	if rt := r.Retries; rt.Counted {
		p.Coverage = append(p.Coverage, tile{"retried", commas(rt.OrdersRetried), fmt.Sprintf("%s retries, up to %d attempts", commas(rt.Retries), rt.MaxAttempt)})
	}
	t := r.Rule
	p.Thresholds = []string{
		fmt.Sprintf("at least %s joined orders", commas(t.MinOrders)),
		"healthy when p95 ≤ " + human(t.HealthyP95MS),
		fmt.Sprintf("steady when trimmed CV ≤ %.2f", t.MaxCV),
		fmt.Sprintf("follows volume when Spearman ρ ≥ %.2f and z ≥ %.2f", t.MinVolumeCorr, zCritical),
		"varies by hour when hourly medians swing > " + pct(t.MaxHourSwing) + " of the median",
		"oversell near a peak: within " + human(t.NearMS) + " after a top-tenth interval",
	}
	return p
}

var checkNames = map[string]string{
	"healthy_p95": "Whole gap p95",
	"spread":      "Spread",
	"volume":      "Order volume",
	"hour_of_day": "Time of day",
}

func (r *Report) confirmedView(loc *time.Location) confirmedView {
	s := r.Signals.ConfirmedBeforeERP
	v := confirmedView{Assessed: s.Assessed, Reason: s.Reason}
	if !s.Assessed {
		return v
	}
	n := s.BeforeReceipt + s.WithoutReceipt
	v.Headline = commas(n)
	v.Share = fmt.Sprintf("of %s confirmed orders (%s) were confirmed before the ERP had them", commas(s.Confirmed), pct(ratio(n, s.Confirmed)))
	if s.BeforeReceipt > 0 {
		e := s.ExposureMS
		v.Closed = fmt.Sprintf("%s reached the ERP later, exposed p50 %s, p95 %s, max %s.", commas(s.BeforeReceipt), human(e.P50), human(e.P95), human(e.Max))
	}
	if s.WithoutReceipt > 0 {
		e := s.OpenExposureMS
		v.Open = fmt.Sprintf("%s are not in the ERP at all, exposed at least p50 %s, max %s (to the data's end).", commas(s.WithoutReceipt), human(e.P50), human(e.Max))
	}
	for _, o := range s.Orders[:min(len(s.Orders), htmlList)] {
		received := "never"
		if o.ERPReceivedAt != nil {
			received = stamp(*o.ERPReceivedAt, loc)
		}
		v.Rows = append(v.Rows, []string{o.OrderID, stamp(o.ConfirmedAt, loc), received, human(o.ExposureMS)})
	}
	if n > len(v.Rows) {
		v.More = fmt.Sprintf("and %s more; the JSON report lists %d, and --exposed FILE writes them all", commas(n-len(v.Rows)), len(s.Orders))
	}
	return v
}

func (r *Report) oversellView(loc *time.Location) oversellView {
	s := r.Signals.Oversells
	v := oversellView{Assessed: s.Assessed, Reason: s.Reason}
	if !s.Assessed {
		return v
	}
	v.Headline = pct(s.Share)
	v.SharePct, v.CovePct = pct(s.Share), pct(s.Coverage)
	v.ShareWidth = fmt.Sprintf("%.1f", 100*math.Min(s.Share, 1))
	v.CoverageWidth = fmt.Sprintf("%.1f", 100*math.Min(s.Coverage, 1))
	v.Chance = fmt.Sprintf("of the oversells in the window (%s of %s) came within %s after a volume peak (an interval of %s or more orders: the top tenth, %d intervals). Those stretches cover %s of the window.",
		commas(s.NearPeaks), commas(s.InWindow), human(s.NearMS), commas(s.PeakOrders), s.PeakIntervals, pct(s.Coverage))
	v.Lift = fmt.Sprintf("%.1f×", s.Lift)
	for _, m := range s.ByMarketplace {
		v.ByMarketplace = append(v.ByMarketplace, []string{m.Marketplace, commas(m.Events), commas(m.NearPeaks)})
	}
	for _, e := range s.List[:min(len(s.List), htmlList)] {
		after := human(e.AfterPeakMS)
		if e.AfterPeakMS < 0 {
			after = "during it"
		}
		v.Rows = append(v.Rows, []string{stamp(e.At, loc), e.Marketplace, e.SKU, itoa(int64(e.Units)), stamp(e.PeakStart, loc), commas(e.PeakOrders), after})
	}
	if s.NearPeaks > len(v.Rows) {
		v.More = fmt.Sprintf("and %s more near peaks; the JSON report lists %d", commas(s.NearPeaks-len(v.Rows)), len(s.List))
	}
	return v
}

func (r *Report) demandView(loc *time.Location) demandView {
	s := r.Signals.Demand
	v := demandView{Assessed: s.Assessed, Reason: s.Reason}
	if !s.Assessed {
		return v
	}
	v.ShortAtClose = commas(s.StorefrontUnits - s.ERPUnitsAtClose)
	v.Headline = fmt.Sprintf("units short in the ERP at the window's close (%s): it showed %s of the storefront's %s, and %s of %s SKUs differed.",
		stamp(s.Close, loc), commas(s.ERPUnitsAtClose), commas(s.StorefrontUnits), commas(s.SKUsShortAtClose), commas(s.SKUs))
	v.End = fmt.Sprintf("In the end the ERP had %s units (%s short); %s SKUs still differ.", commas(s.ERPUnitsInEnd), commas(s.StorefrontUnits-s.ERPUnitsInEnd), commas(s.SKUsShortInEnd))
	if s.ERPUnitsOther > 0 {
		v.Other = fmt.Sprintf("The ERP also holds %s units on orders that are not in the webhook export.", commas(s.ERPUnitsOther))
	}
	for _, d := range s.Rows[:min(len(s.Rows), htmlList)] {
		v.Rows = append(v.Rows, []string{d.SKU, commas(d.StorefrontUnits), commas(d.ERPUnitsAtClose), commas(d.ShortAtClose), commas(d.ERPUnitsInEnd), commas(d.ShortInEnd)})
	}
	if n := max(s.SKUsShortAtClose, s.SKUsShortInEnd); n > len(v.Rows) {
		v.More = fmt.Sprintf("and more SKUs; the JSON report lists %d", len(s.Rows))
	}
	return v
}

var pageTemplate = template.Must(template.New("page").Parse(pageHTML))

const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>{{.Title}}</title>
<style>
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --panel: #f6f8fa; --blue: #0969da; --orange: #d4680b; --red: #cf222e; --green: #1a7f37; --amber: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; background: #eef1f4; color: var(--ink); font: 15px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Helvetica, Arial, sans-serif; }
main { max-width: 1040px; margin: 24px auto; padding: 0 16px; }
header h1 { font-size: 26px; margin: 0 0 2px; letter-spacing: -0.01em; }
header p { margin: 0; color: var(--muted); }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 20px 24px; margin: 16px 0; }
h2 { font-size: 17px; margin: 0 0 4px; }
p.lead { margin: 0 0 12px; color: var(--muted); }
.verdict { border-left: 8px solid var(--muted); }
.verdict.erp-processing-queue { border-left-color: var(--amber); }
.verdict.webhook-or-integration-queue { border-left-color: var(--red); }
.verdict.healthy { border-left-color: var(--green); }
.verdict .kicker { text-transform: uppercase; font-size: 12px; letter-spacing: 0.08em; color: var(--muted); margin: 0; }
.verdict .name { font-size: 30px; font-weight: 700; margin: 0; line-height: 1.2; }
.verdict.erp-processing-queue .name { color: var(--amber); }
.verdict.webhook-or-integration-queue .name { color: var(--red); }
.verdict.healthy .name { color: var(--green); }
.verdict code { font-size: 13px; color: var(--muted); }
.verdict .summary { font-size: 17px; margin: 8px 0 12px; }
ul.checks { list-style: none; padding: 0; margin: 0; }
ul.checks li { padding: 6px 0 6px 30px; border-top: 1px solid var(--panel); position: relative; }
ul.checks li::before { position: absolute; left: 0; top: 6px; width: 20px; height: 20px; border-radius: 50%; text-align: center; font-size: 12px; line-height: 20px; color: #fff; font-weight: 700; }
ul.checks li.pass::before { content: "✓"; background: var(--green); }
ul.checks li.flag::before { content: "!"; background: var(--red); }
ul.checks li.skip::before { content: "–"; background: #8c959f; }
ul.checks li.note::before { content: "i"; background: var(--blue); }
ul.checks b { font-weight: 600; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(128px, 1fr)); gap: 12px; }
.tile { background: var(--panel); border-radius: 8px; padding: 10px 14px; }
.tile .label { font-size: 12px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); }
.tile .value { font-size: 26px; font-weight: 700; font-variant-numeric: tabular-nums; }
.tile .note { font-size: 12px; color: var(--muted); }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; font-variant-numeric: tabular-nums; }
th, td { text-align: right; padding: 5px 8px; border-bottom: 1px solid var(--panel); white-space: nowrap; }
th { color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); }
th:first-child, td:first-child { text-align: left; }
td.text, th.text { text-align: left; }
tr.main td { font-weight: 700; }
svg.chart { width: 100%; height: auto; display: block; margin: 8px 0 4px; }
svg.chart text { font-size: 12px; fill: var(--muted); }
svg.chart .axis { font-size: 12px; fill: var(--ink); font-weight: 600; }
svg.chart .vol { fill: #a5b3c2; }
svg.chart text.vol { fill: #7d8a99; }
svg.chart rect.vol { fill: #d8dee4; }
svg.chart rect.vol.peak { fill: #a5b3c2; }
svg.chart .grid { stroke: #eaeef2; stroke-width: 1; }
svg.chart .axisline { stroke: #8c959f; stroke-width: 1; }
svg.chart .bar { fill: var(--blue); }
svg.chart .bar:hover, svg.chart rect.vol:hover { opacity: 0.75; }
svg.chart .marker { stroke: var(--ink); stroke-width: 1.2; stroke-dasharray: 4 3; }
svg.chart .marker-label { fill: var(--ink); font-weight: 600; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
svg.chart .line { fill: none; stroke-width: 2.2; stroke-linejoin: round; }
svg.chart .line.p50 { stroke: var(--blue); }
svg.chart .line.p95 { stroke: var(--orange); }
svg.chart .dot.p50 { fill: var(--blue); }
svg.chart .dot.p95 { fill: var(--orange); }
svg.chart .oversell { fill: var(--red); }
svg.chart .leg-webhook { fill: var(--orange); }
svg.chart .leg-erp { fill: var(--blue); }
svg.chart .label { fill: var(--ink); font-size: 13px; }
svg.chart .note { fill: var(--muted); font-size: 14px; }
.legend { font-size: 13px; color: var(--muted); margin: 0; }
.legend span { display: inline-block; margin-right: 16px; }
.legend i { display: inline-block; width: 14px; height: 4px; vertical-align: middle; margin-right: 5px; border-radius: 2px; }
.signals { display: grid; gap: 16px; }
.signal h3 { margin: 0 0 6px; font-size: 15px; }
.signal + .signal { border-top: 1px solid var(--line); padding-top: 16px; }
table.narrow { width: auto; min-width: 45%; margin: 8px 0; }
.signal .big { font-size: 30px; font-weight: 700; margin-right: 8px; }
.signal .big.bad { color: var(--red); }
.signal p { margin: 4px 0; }
.meter { height: 10px; background: var(--panel); border-radius: 5px; position: relative; margin: 6px 0; overflow: hidden; }
.meter .fill { position: absolute; left: 0; top: 0; bottom: 0; background: var(--red); }
.meter .fill.chance { background: #8c959f; }
.muted { color: var(--muted); }
.warn { color: var(--amber); }
footer { color: var(--muted); font-size: 12.5px; margin: 8px 0 32px; }
@media print { body { background: #fff; } section { break-inside: avoid; border-color: #bbb; } main { margin: 0; } }
</style>
</head>
<body>
<main>
<header>
<h1>Where the capture → ERP receipt gap comes from</h1>
<p>{{if .Window}}{{.Window}}{{else}}no webhook orders read{{end}} · generated {{.Generated}}</p>
</header>

<section class="verdict {{.VerdictClass}}">
<p class="kicker">Verdict</p>
<p class="name">{{.VerdictLabel}}</p>
<code>{{.R.Verdict}}</code>
<p class="summary">{{.R.Summary}}</p>
<ul class="checks">
{{- range .Checks}}
<li class="{{.State}}">{{if .Name}}<b>{{.Name}}:</b> {{end}}{{.Detail}}</li>
{{- end}}
</ul>
</section>

<section>
<div class="tiles">
{{- range .Tiles}}
<div class="tile"><div class="label">{{.Label}}</div><div class="value">{{.Value}}</div><div class="note">{{.Note}}</div></div>
{{- end}}
</div>
</section>

{{if .Legs}}
<section>
<h2>Where the time goes</h2>
<p class="lead">Each order's gap split at the webhook's delivery: the webhook leg (triggered → delivered) and the integration/ERP leg (delivered → ERP received). The verdict judges the leg with the larger share, in bold.</p>
{{.LegBar}}
<table>
<tr><th>leg</th><th>orders</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>max</th><th>mean</th><th>CV</th><th>trimmed CV</th><th>share of mean</th></tr>
{{- range .Legs}}
<tr{{if .Main}} class="main"{{end}}><td>{{.Name}}</td><td>{{.Orders}}</td><td>{{.P50}}</td><td>{{.P90}}</td><td>{{.P95}}</td><td>{{.P99}}</td><td>{{.Max}}</td><td>{{.Mean}}</td><td>{{.CV}}</td><td>{{.TrimmedCV}}</td><td>{{.Share}}</td></tr>
{{- end}}
</table>
</section>

<section>
<h2>Distribution of the whole gap</h2>
<p class="lead">How many orders took how long from trigger to ERP receipt. A tight hump is a steady queue; a long smear to the right is a queue that backs up.</p>
{{.Histogram}}
</section>

<section>
<h2>Over time, against order volume</h2>
<p class="lead">Bars: orders triggered per {{.R.Intervals.Width}} (darker: the top tenth, the peaks). Lines: the gap of those orders. A gap that rises with the bars is a queue that backs up under load.</p>
<p class="legend"><span><i style="background:#0969da"></i>p50</span><span><i style="background:#d4680b"></i>p95</span><span><i style="background:#d8dee4;height:10px"></i>orders</span>{{if .Oversells.Assessed}}<span><i style="background:#cf222e;width:3px;height:10px"></i>oversell near a peak</span>{{end}}</p>
{{.Timeline}}
</section>

<section>
<h2>By hour of day</h2>
<p class="lead">The same, folded onto one day ({{.R.Timezone}}). A flat line over changing bars is an ERP that keeps its pace; a line that follows the bars is not.</p>
<p class="legend"><span><i style="background:#0969da"></i>p50</span><span><i style="background:#d4680b"></i>p95</span><span><i style="background:#d8dee4;height:10px"></i>orders</span></p>
{{.Hours}}
</section>
{{end}}

<section>
<h2>The three signals</h2>
<div class="signals">
<div class="signal">
<h3>Orders confirmed before the ERP had them</h3>
{{- with .Confirmed}}{{if .Assessed}}
<p><span class="big{{if ne .Headline "0"}} bad{{end}}">{{.Headline}}</span>{{.Share}}.</p>
{{if .Closed}}<p>{{.Closed}}</p>{{end}}
{{if .Open}}<p class="warn">{{.Open}}</p>{{end}}
{{if .Rows}}<table>
<tr><th>order</th><th class="text">confirmed</th><th class="text">ERP received</th><th>exposed</th></tr>
{{- range .Rows}}
<tr><td>{{index . 0}}</td><td class="text">{{index . 1}}</td><td class="text">{{index . 2}}</td><td>{{index . 3}}</td></tr>
{{- end}}
</table>{{end}}
{{if .More}}<p class="muted">… {{.More}}.</p>{{end}}
{{- else}}<p class="muted">Not checked: {{.Reason}}.</p>{{end}}{{end}}
</div>

<div class="signal">
<h3>Marketplace oversells after busy periods</h3>
{{- with .Oversells}}{{if .Assessed}}
<p><span class="big">{{.Headline}}</span>{{.Chance}}</p>
<div class="meter" title="oversells near peaks: {{.SharePct}}"><div class="fill" style="width: {{.ShareWidth}}%"></div></div>
<div class="meter" title="share of the window near peaks: {{.CovePct}}"><div class="fill chance" style="width: {{.CoverageWidth}}%"></div></div>
<p>That is <b>{{.Lift}}</b> what chance would give (red: oversells near peaks; grey: the part of the window near peaks).</p>
{{if .ByMarketplace}}<table class="narrow">
<tr><th>marketplace</th><th>oversells</th><th>near peaks</th></tr>
{{- range .ByMarketplace}}
<tr><td>{{index . 0}}</td><td>{{index . 1}}</td><td>{{index . 2}}</td></tr>
{{- end}}
</table>{{end}}
{{if .Rows}}<table>
<tr><th>at</th><th class="text">marketplace</th><th class="text">SKU</th><th>units</th><th class="text">peak</th><th>peak orders</th><th>after its end</th></tr>
{{- range .Rows}}
<tr><td>{{index . 0}}</td><td class="text">{{index . 1}}</td><td class="text">{{index . 2}}</td><td>{{index . 3}}</td><td class="text">{{index . 4}}</td><td>{{index . 5}}</td><td>{{index . 6}}</td></tr>
{{- end}}
</table>{{end}}
{{if .More}}<p class="muted">… {{.More}}.</p>{{end}}
{{- else}}<p class="muted">Not checked: {{.Reason}}.</p>{{end}}{{end}}
</div>

<div class="signal">
<h3>Demand that differs between storefront and ERP</h3>
{{- with .Demand}}{{if .Assessed}}
<p><span class="big{{if ne .ShortAtClose "0"}} bad{{end}}">{{.ShortAtClose}}</span>{{.Headline}}</p>
<p>{{.End}}{{if .Other}} {{.Other}}{{end}}</p>
{{if .Rows}}<table>
<tr><th>SKU</th><th>storefront</th><th>ERP at close</th><th>short</th><th>ERP in the end</th><th>short</th></tr>
{{- range .Rows}}
<tr><td>{{index . 0}}</td><td>{{index . 1}}</td><td>{{index . 2}}</td><td>{{index . 3}}</td><td>{{index . 4}}</td><td>{{index . 5}}</td></tr>
{{- end}}
</table>{{end}}
{{if .More}}<p class="muted">… {{.More}}.</p>{{end}}
{{- else}}<p class="muted">Not checked: {{.Reason}}.</p>{{end}}{{end}}
</div>
</div>
</section>

<section>
<h2>The data</h2>
<div class="tiles">
{{- range .Coverage}}
<div class="tile"><div class="label">{{.Label}}</div><div class="value">{{.Value}}</div><div class="note">{{.Note}}</div></div>
{{- end}}
</div>
<table>
<tr><th>source</th><th class="text">file</th><th class="text">format</th><th>rows</th><th>bad rows skipped</th></tr>
{{- range .Sources}}
<tr><td>{{.Source}}</td><td class="text">{{.File}}</td><td class="text">{{.Format}}{{if .Gzip}}, gzip{{end}}</td><td>{{.Rows}}</td><td>{{.Skipped}}</td></tr>
{{- range .Errors}}
<tr><td></td><td class="text muted" colspan="4">{{.}}</td></tr>
{{- end}}
{{- end}}
</table>
{{- if .R.Warnings}}
<ul>
{{- range .R.Warnings}}
<li class="warn">{{.}}</li>
{{- end}}
</ul>
{{- end}}
</section>

<footer>
Rule: {{range $i, $t := .Thresholds}}{{if $i}} · {{end}}{{$t}}{{end}}.
Percentiles are nearest-rank over every joined order. Made by ordergate diagnose; docs/DIAGNOSE.md explains each figure.
</footer>
</main>
</body>
</html>
`
