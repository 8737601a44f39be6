package diagnose

import (
	"cmp"
	"container/heap"
	"encoding/csv"
	"io"
	"slices"
	"strings"
	"time"
)

// signals fills in the three signals; volume is nil when there are no
// webhook orders.
func (d *Diagnosis) signals(rep *Report, g grid, volume []int) {
	rep.Signals.ConfirmedBeforeERP = d.confirmedBeforeERP()
	rep.Signals.Oversells = d.oversellsNearPeaks(g, volume, rep.Intervals.PeakOrders)
	rep.Signals.Demand = d.demand()
}

// exposure is one order confirmed before, or without, ERP receipt.
type exposure struct {
	n    uint32
	ms   int64
	open bool
}

// longer orders exposures: longer first, open before closed, then the
// order they were read in.
func longer(a, b exposure) bool {
	if a.ms != b.ms {
		return a.ms > b.ms
	}
	if a.open != b.open {
		return a.open
	}
	return a.n < b.n
}

// topExposures keeps the k longest exposures: a heap whose root is the
// shortest kept.
type topExposures []exposure

func (h topExposures) Len() int           { return len(h) }
func (h topExposures) Less(i, j int) bool { return longer(h[j], h[i]) }
func (h topExposures) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *topExposures) Push(x any)        { *h = append(*h, x.(exposure)) }
func (h *topExposures) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// exposureOf says whether order st was confirmed before (or without) an
// ERP receipt, and for how long it was exposed: until the receipt, or
// until the data's end when there is none.
func (d *Diagnosis) exposureOf(st *orderState) (ms int64, open, ok bool) {
	switch {
	case st.confirmed == none:
		return 0, false, false
	case st.erp == none:
		return d.dataEnd - st.confirmed, true, true
	case st.confirmed < st.erp:
		return st.erp - st.confirmed, false, true
	}
	return 0, false, false
}

func (d *Diagnosis) confirmedBeforeERP() ConfirmedSignal {
	var s ConfirmedSignal
	s.Orders = []ExposedOrder{}
	switch {
	case !d.read[Confirmations]:
		s.Reason = "no confirmations export was given (--confirmations)"
		return s
	case !d.read[ERPReceipts]:
		s.Reason = "no ERP receipts were read"
		return s
	}
	s.Assessed = true
	var closed, open []int64
	top := make(topExposures, 0, d.opts.List+1)
	for n := range d.orders.len() {
		st := d.orders.at(n)
		if st.confirmed != none {
			s.Confirmed++
		}
		ms, isOpen, ok := d.exposureOf(st)
		if !ok {
			continue
		}
		if isOpen {
			open = append(open, ms)
		} else {
			closed = append(closed, ms)
		}
		e := exposure{n: n, ms: ms, open: isOpen}
		if len(top) < d.opts.List {
			heap.Push(&top, e)
		} else if longer(e, top[0]) {
			top[0] = e
			heap.Fix(&top, 0)
		}
	}
	s.BeforeReceipt, s.WithoutReceipt = len(closed), len(open)
	s.ExposureMS, s.OpenExposureMS = percentiles64(closed), percentiles64(open)
	slices.SortFunc(top, func(a, b exposure) int {
		if longer(a, b) {
			return -1
		}
		return 1
	})
	for _, e := range top {
		st := d.orders.at(e.n)
		o := ExposedOrder{OrderID: d.orders.id(e.n), ConfirmedAt: fromMillis(st.confirmed), ExposureMS: e.ms, Open: e.open}
		if !e.open {
			t := fromMillis(st.erp)
			o.ERPReceivedAt = &t
		}
		s.Orders = append(s.Orders, o)
	}
	return s
}

// oversellsNearPeaks places each oversell against the volume peaks. A peak
// is an interval whose volume is at or above peak (the top tenth); an
// oversell is near one when it falls from the peak's start to Near after
// its end.
func (d *Diagnosis) oversellsNearPeaks(g grid, volume []int, peak int) OversellSignal {
	near := d.opts.Near.Milliseconds()
	s := OversellSignal{NearMS: near, PeakOrders: peak, ByMarketplace: []MarketplaceCount{}, List: []OversellEvent{}}
	for _, e := range d.oversells {
		s.Events++
		s.Units += int64(e.units)
	}
	switch {
	case !d.read[Oversells]:
		s.Reason = "no oversells export was given (--oversells)"
		return s
	case len(volume) < 10:
		s.Reason = "the window has fewer than 10 intervals, too few for a top tenth"
		return s
	}
	s.Assessed = true
	// latest[i] is the last peak interval at or before i, or -1.
	latest := make([]int, len(volume))
	last := -1
	for i, v := range volume {
		if v >= peak {
			last = i
			s.PeakIntervals++
		}
		latest[i] = last
	}
	// The window, and the part of it near a peak.
	from, to := g.start(0), g.start(g.n)+near
	var covered, reach int64 = 0, from
	for i, v := range volume {
		if v < peak {
			continue
		}
		a, b := max(g.start(i), reach), g.start(i)+g.width+near
		if b > a {
			covered += b - a
			reach = b
		}
	}
	s.Coverage = float64(covered) / float64(to-from)

	byMP := make([]MarketplaceCount, len(d.marketplaces))
	for i, m := range d.marketplaces {
		byMP[i].Marketplace = m
	}
	events := slices.Clone(d.oversells)
	slices.SortStableFunc(events, func(a, b oversell) int { return cmp.Compare(a.at, b.at) })
	for _, e := range events {
		byMP[e.marketplace].Events++
		if e.at < from || e.at >= to {
			continue
		}
		s.InWindow++
		p := latest[min(g.index(e.at), g.n-1)]
		if p < 0 || e.at >= g.start(p)+g.width+near {
			continue
		}
		s.NearPeaks++
		byMP[e.marketplace].NearPeaks++
		if len(s.List) < d.opts.List {
			s.List = append(s.List, OversellEvent{At: fromMillis(e.at), Marketplace: d.marketplaces[e.marketplace], SKU: e.sku,
				Units: int(e.units), PeakStart: fromMillis(g.start(p)), PeakOrders: volume[p], AfterPeakMS: e.at - (g.start(p) + g.width)})
		}
	}
	if s.InWindow > 0 {
		s.Share = float64(s.NearPeaks) / float64(s.InWindow)
	}
	if s.Coverage > 0 {
		s.Lift = s.Share / s.Coverage
	}
	slices.SortFunc(byMP, func(a, b MarketplaceCount) int {
		return cmp.Or(cmp.Compare(b.Events, a.Events), strings.Compare(a.Marketplace, b.Marketplace))
	})
	s.ByMarketplace = byMP
	return s
}

// demand compares each SKU's units on the storefront's webhooks with the
// ERP's receipts: at the window's close, and in the end.
func (d *Diagnosis) demand() DemandSignal {
	s := DemandSignal{Rows: []SKUDemand{}}
	switch {
	case !d.storefrontSK:
		s.Reason = "the webhook export has no sku and quantity columns, so the storefront's demand per SKU is unknown; add them (one row per SKU line) to compare"
		return s
	case !d.erpSKU:
		s.Reason = "the ERP receipts have no sku and quantity columns, so the ERP's demand per SKU is unknown; add them (one row per SKU line) to compare"
		return s
	}
	s.Assessed = true
	s.Close = fromMillis(d.close())
	for sku, q := range d.skus {
		s.SKUs++
		s.StorefrontUnits += q.storefront
		s.ERPUnitsAtClose += q.erpAtClose
		s.ERPUnitsInEnd += q.erpTotal
		s.ERPUnitsOther += q.erpOther
		r := SKUDemand{SKU: sku, StorefrontUnits: q.storefront, ERPUnitsAtClose: q.erpAtClose, ERPUnitsInEnd: q.erpTotal,
			ShortAtClose: q.storefront - q.erpAtClose, ShortInEnd: q.storefront - q.erpTotal}
		if r.ShortAtClose != 0 {
			s.SKUsShortAtClose++
		}
		if r.ShortInEnd != 0 {
			s.SKUsShortInEnd++
		}
		if r.ShortAtClose != 0 || r.ShortInEnd != 0 {
			s.Rows = append(s.Rows, r)
		}
	}
	slices.SortFunc(s.Rows, func(a, b SKUDemand) int {
		return cmp.Or(cmp.Compare(abs(b.ShortAtClose), abs(a.ShortAtClose)), cmp.Compare(abs(b.ShortInEnd), abs(a.ShortInEnd)), strings.Compare(a.SKU, b.SKU))
	})
	if len(s.Rows) > d.opts.List {
		s.Rows = s.Rows[:d.opts.List]
	}
	return s
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// WriteExposed writes every order confirmed before or without an ERP
// receipt as CSV, the longest exposure first: order_id, confirmed_at,
// erp_received_at (empty if never), exposure_ms, status (before_receipt
// or without_receipt).
func (d *Diagnosis) WriteExposed(w io.Writer) error {
	var all []exposure
	for n := range d.orders.len() {
		if ms, open, ok := d.exposureOf(d.orders.at(n)); ok {
			all = append(all, exposure{n: n, ms: ms, open: open})
		}
	}
	slices.SortFunc(all, func(a, b exposure) int {
		if longer(a, b) {
			return -1
		}
		return 1
	})
	cw := csv.NewWriter(w)
	cw.Write([]string{"order_id", "confirmed_at", "erp_received_at", "exposure_ms", "status"})
	for _, e := range all {
		st := d.orders.at(e.n)
		received, status := "", "without_receipt"
		if !e.open {
			received, status = fromMillis(st.erp).Format(time.RFC3339Nano), "before_receipt"
		}
		cw.Write([]string{d.orders.id(e.n), fromMillis(st.confirmed).Format(time.RFC3339Nano), received, itoa(e.ms), status})
	}
	cw.Flush()
	return cw.Error()
}
