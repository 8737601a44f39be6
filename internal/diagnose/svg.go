package diagnose

import (
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"
)

// svg writes one hand-made chart. Its classes are styled by the page's
// stylesheet; every mark has a <title>, which browsers show on hover.
type svg struct {
	b    strings.Builder
	w, h float64
}

func newSVG(w, h float64, label string) *svg {
	s := &svg{w: w, h: h}
	s.b.WriteString(`<svg class="chart" viewBox="0 0 ` + num(w) + ` ` + num(h) + `" role="img" aria-label="` + html.EscapeString(label) + `">`)
	return s
}

func num(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "0"
	}
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

func (s *svg) rect(x, y, w, h float64, class, title string) {
	s.b.WriteString(`<rect class="` + class + `" x="` + num(x) + `" y="` + num(y) + `" width="` + num(math.Max(w, 0)) + `" height="` + num(math.Max(h, 0)) + `"`)
	s.close("rect", title)
}

func (s *svg) line(x1, y1, x2, y2 float64, class string) {
	s.b.WriteString(`<line class="` + class + `" x1="` + num(x1) + `" y1="` + num(y1) + `" x2="` + num(x2) + `" y2="` + num(y2) + `"/>`)
}

func (s *svg) circle(x, y, r float64, class, title string) {
	s.b.WriteString(`<circle class="` + class + `" cx="` + num(x) + `" cy="` + num(y) + `" r="` + num(r) + `"`)
	s.close("circle", title)
}

// polyline draws a line through the points; a NaN y breaks it.
func (s *svg) polyline(xs, ys []float64, class string) {
	var d strings.Builder
	pen := false
	for i := range xs {
		if math.IsNaN(ys[i]) {
			pen = false
			continue
		}
		if pen {
			d.WriteString("L")
		} else {
			d.WriteString("M")
		}
		d.WriteString(num(xs[i]) + " " + num(ys[i]))
		pen = true
	}
	if d.Len() > 0 {
		s.b.WriteString(`<path class="` + class + `" d="` + d.String() + `"/>`)
	}
}

func (s *svg) text(x, y float64, anchor, class, text string) {
	s.b.WriteString(`<text class="` + class + `" x="` + num(x) + `" y="` + num(y) + `" text-anchor="` + anchor + `">` + html.EscapeString(text) + `</text>`)
}

// close ends the open tag of element, with a title if one is given.
func (s *svg) close(element, title string) {
	if title == "" {
		s.b.WriteString(`/>`)
		return
	}
	s.b.WriteString(`><title>` + html.EscapeString(title) + `</title></` + element + `>`)
}

func (s *svg) done() template.HTML {
	s.b.WriteString(`</svg>`)
	return template.HTML(s.b.String())
}

// plot is a chart's drawing area inside its margins.
type plot struct{ left, top, right, bottom float64 }

func (p plot) width() float64  { return p.right - p.left }
func (p plot) height() float64 { return p.bottom - p.top }

// durationTicks returns round durations in milliseconds from 0 up to at
// least top, at most about five of them.
func durationTicks(top int64) []int64 {
	steps := []int64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000,
		60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000,
		21_600_000, 43_200_000, 86_400_000, 172_800_000, 604_800_000}
	top = max(top, 1)
	step := steps[len(steps)-1]
	for _, st := range steps {
		if top/st < 5 {
			step = st
			break
		}
	}
	var ticks []int64
	for v := int64(0); ; v += step {
		ticks = append(ticks, v)
		if v >= top {
			return ticks
		}
	}
}

// countTicks returns round counts from 0 up to at least top, at most
// about five.
func countTicks(top int) []int {
	top = max(top, 1)
	step := 1
search:
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if top/(p*m) < 5 {
				step = p * m
				break search
			}
		}
	}
	var ticks []int
	for v := 0; ; v += step {
		ticks = append(ticks, v)
		if v >= top {
			return ticks
		}
	}
}

// timeTicks returns round times within [from, to] in loc, at most about
// eight, and how to label them.
func timeTicks(from, to time.Time, loc *time.Location) ([]time.Time, string) {
	span := to.Sub(from)
	steps := []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour,
		12 * time.Hour, 24 * time.Hour, 48 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 28 * 24 * time.Hour}
	step := steps[len(steps)-1]
	for _, st := range steps {
		if span/st <= 8 {
			step = st
			break
		}
	}
	layout := "Jan 2 15:04"
	if step >= 24*time.Hour {
		layout = "Jan 2"
	}
	f := from.In(loc)
	var t time.Time
	if step >= 24*time.Hour {
		t = time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, loc)
	} else {
		t = time.Date(f.Year(), f.Month(), f.Day(), f.Hour(), 0, 0, 0, loc)
		for t.Before(from) || (t.Hour()*60+t.Minute())%int(step.Minutes()) != 0 {
			t = t.Add(15 * time.Minute)
		}
	}
	var ticks []time.Time
	for ; !t.After(to); t = t.Add(step) {
		if !t.Before(from) {
			ticks = append(ticks, t)
		}
	}
	return ticks, layout
}
