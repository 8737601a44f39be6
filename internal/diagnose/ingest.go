package diagnose

import (
	"fmt"
	"strconv"
	"strings"
)

// skuDemand is one SKU's units on each side.
type skuDemand struct {
	storefront int64 // on the webhooks of orders captured in the window
	erpAtClose int64 // on ERP receipts of those orders, received by the window's end
	erpTotal   int64 // on ERP receipts of those orders, whenever received
	erpOther   int64 // on ERP receipts of orders not in the webhook export
}

// erpLine is an ERP receipt's SKU line waiting for the window's end.
type erpLine struct {
	sku *skuDemand
	at  int64
	qty int64
}

// oversell is one marketplace oversell event.
type oversell struct {
	at          int64
	units       int32
	marketplace uint16 // index into Diagnosis.marketplaces
	sku         string
}

// line is one SKU line of an order.
type line struct {
	sku string
	qty int64
}

func (d *Diagnosis) webhookRow(r *row) error {
	id := r.vals[colOrderID]
	if id == "" {
		return r.fail(colOrderID, "is empty")
	}
	trig, err := r.time(whTriggered)
	if err != nil {
		return err
	}
	deliv := int64(none)
	if r.vals[whDelivered] != "" {
		if deliv, err = r.time(whDelivered); err != nil {
			return err
		}
	}
	attempt := 0
	if v := r.vals[whAttempt]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 65535 {
			return r.fail(whAttempt, "%q is not an attempt number (1, 2, …)", v)
		}
		attempt = n
	}
	var l line
	if l.sku = r.vals[whSKU]; l.sku != "" {
		if l.qty, err = r.quantity(whQuantity, false); err != nil {
			return err
		}
	}
	st, err := d.orders.get(id)
	if err != nil {
		return r.fail(colOrderID, "%v", err)
	}
	d.webhook(st, trig, deliv, attempt, l)
	return nil
}

// webhook records one delivery attempt: the order's triggered time is its
// earliest, its delivered time the accepted attempt's (the highest
// numbered; without numbers, the latest delivered). The SKU lines of the
// first attempt seen count as the storefront's demand; the same lines on
// a retry's rows are repeats.
func (d *Diagnosis) webhook(st *orderState, trig, deliv int64, attempt int, l line) {
	d.seeTime(trig)
	if st.triggered == none || trig < st.triggered {
		st.triggered = trig
		d.closeDirty = true
	}
	a := uint16(attempt)
	if a > 0 {
		d.numbered = true
	}
	if deliv != none {
		d.seeTime(deliv)
		if a > st.attempt || (a == st.attempt && (st.delivered == none || deliv > st.delivered)) {
			st.delivered, st.attempt = deliv, a
		}
	}
	st.maxAttempt = max(st.maxAttempt, a)
	if l.sku != "" {
		if st.seen&hasLines == 0 {
			st.seen |= hasLines
			st.linesAttempt = a
		}
		if a == st.linesAttempt {
			d.sku(l.sku).storefront += l.qty
			d.storefrontSK = true
		}
	}
	st.seen |= seenWebhook
}

func (d *Diagnosis) erpRow(r *row) error {
	id := r.vals[colOrderID]
	if id == "" {
		return r.fail(colOrderID, "is empty")
	}
	at, err := r.time(erReceived)
	if err != nil {
		return err
	}
	var l line
	if l.sku = r.vals[erSKU]; l.sku != "" {
		if l.qty, err = r.quantity(erQuantity, false); err != nil {
			return err
		}
	}
	st, err := d.orders.get(id)
	if err != nil {
		return r.fail(colOrderID, "%v", err)
	}
	d.erp(st, at, l)
	return nil
}

// erp records an ERP receipt, or one SKU line of it.
func (d *Diagnosis) erp(st *orderState, at int64, l line) {
	d.seeTime(at)
	if st.erp == none || at < st.erp {
		st.erp = at
	}
	st.seen |= seenERP
	if l.sku == "" {
		return
	}
	d.erpSKU = true
	s := d.sku(l.sku)
	if st.seen&seenWebhook == 0 {
		s.erpOther += l.qty
		return
	}
	s.erpTotal += l.qty
	if d.storeMode {
		d.pending = append(d.pending, erpLine{sku: s, at: at, qty: l.qty})
		return
	}
	if at <= d.close() {
		s.erpAtClose += l.qty
	}
}

// close returns the window's end: the latest triggered time of any order
// (each order's earliest).
func (d *Diagnosis) close() int64 {
	if d.closeDirty {
		d.closeAt = none
		for n := range d.orders.len() {
			d.closeAt = max(d.closeAt, d.orders.at(n).triggered)
		}
		d.closeDirty = false
	}
	return d.closeAt
}

// settlePending places the ERP lines that waited for the window's end.
func (d *Diagnosis) settlePending() {
	end := d.close()
	for _, l := range d.pending {
		if l.at <= end {
			l.sku.erpAtClose += l.qty
		}
	}
	d.pending = nil
}

func (d *Diagnosis) confirmationRow(r *row) error {
	id := r.vals[colOrderID]
	if id == "" {
		return r.fail(colOrderID, "is empty")
	}
	at, err := r.time(cfSent)
	if err != nil {
		return err
	}
	st, err := d.orders.get(id)
	if err != nil {
		return r.fail(colOrderID, "%v", err)
	}
	d.confirmation(st, at)
	return nil
}

func (d *Diagnosis) confirmation(st *orderState, at int64) {
	d.seeTime(at)
	if st.confirmed == none || at < st.confirmed {
		st.confirmed = at
	}
	st.seen |= seenConfirmation
}

func (d *Diagnosis) oversellRow(r *row) error {
	at, err := r.time(ovAt)
	if err != nil {
		return err
	}
	units := int64(1)
	if r.vals[ovUnits] != "" {
		if units, err = r.quantity(ovUnits, true); err != nil {
			return err
		}
	}
	mp := r.vals[ovMarketplace]
	if mp == "" {
		mp = "(unnamed)"
	}
	idx := -1
	for i, m := range d.marketplaces {
		if m == mp {
			idx = i
			break
		}
	}
	if idx < 0 {
		if len(d.marketplaces) >= 1<<16-1 {
			return r.fail(ovMarketplace, "more than 65,535 marketplaces")
		}
		idx = len(d.marketplaces)
		d.marketplaces = append(d.marketplaces, strings.Clone(mp))
	}
	d.oversells = append(d.oversells, oversell{at: at, units: int32(min(units, 1<<31-1)), marketplace: uint16(idx), sku: strings.Clone(r.vals[ovSKU])})
	return nil
}

func (d *Diagnosis) sku(name string) *skuDemand {
	s, ok := d.skus[name]
	if !ok {
		s = &skuDemand{}
		d.skus[strings.Clone(name)] = s
	}
	return s
}

// time reads column c as a time.
func (r *row) time(c int) (int64, error) {
	v := r.vals[c]
	if v == "" {
		return 0, r.fail(c, "is empty")
	}
	ms, err := parseTime(v)
	if err != nil {
		return 0, r.fail(c, "%s %v", quote(v), err)
	}
	return ms, nil
}

// quantity reads column c as a whole number of units.
func (r *row) quantity(c int, positive bool) (int64, error) {
	v := r.vals[c]
	if v == "" {
		return 0, r.fail(c, "is empty, but the row has a SKU: give its quantity (or map the column with --map %s.%s=NAME)", r.src.kind, r.src.schema[c].name)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		// 2.0 from a spreadsheet is still 2.
		if f, ferr := strconv.ParseFloat(v, 64); ferr == nil && f == float64(int64(f)) {
			n, err = int64(f), nil
		}
	}
	if err != nil || n < 0 || n > 1e9 || (positive && n == 0) {
		return 0, r.fail(c, "%s is not a whole number of units", quote(v))
	}
	return n, nil
}

// quote quotes a value for an error, cut short if long.
func quote(v string) string {
	if len(v) > 64 {
		v = v[:61] + "..."
	}
	return fmt.Sprintf("%q", v)
}
