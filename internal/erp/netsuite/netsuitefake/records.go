package netsuitefake

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

type item struct {
	id, sku string
	stock   map[string]int // location id → quantity available
}

func (it *item) available() int {
	n := 0
	for _, q := range it.stock {
		n += q
	}
	return n
}

type salesOrder struct {
	id, externalID, status string
	entity                 string // customer internal id
	otherRefNum, email     string
	shipDate               string
	shipTo                 *Address
	lines                  []*orderLine
	nextLine               int
}

type orderLine struct {
	line      int
	itemID    string
	qty       int
	rate      json.Number
	committed map[string]int // location id → units
	closed    bool
	fulfilled int
}

func (l *orderLine) committedQty() int {
	n := 0
	for _, q := range l.committed {
		n += q
	}
	return n
}

// Order is a sales order as the fake holds it, for tests to inspect.
type Order struct {
	ID, ExternalID, Status string
	Entity                 string // the customer's internal id
	// ShipTo is the shippingAddress subrecord the order was written with;
	// nil when no write carried one.
	ShipTo *Address
	Lines  []Line
}

// Address is a sales order's shippingAddress subrecord, field by field as
// NetSuite names them.
type Address struct {
	Addressee string `json:"addressee"`
	Attention string `json:"attention"`
	Addr1     string `json:"addr1"`
	Addr2     string `json:"addr2"`
	Addr3     string `json:"addr3"`
	City      string `json:"city"`
	State     string `json:"state"`
	Zip       string `json:"zip"`
	Country   string `json:"country"`
	AddrPhone string `json:"addrPhone"`
}

// Line is one item line of an Order.
type Line struct {
	Line      int
	SKU       string
	Quantity  int
	Committed int
	Closed    bool
}

// SetStock makes sku an item with qty available at location 1 and none
// elsewhere.
func (f *Fake) SetStock(sku string, qty int) { f.SetStockAt(sku, "1", qty) }

// SetStockAt sets what is available of sku at one location, making the
// item if it does not exist.
func (f *Fake) SetStockAt(sku, location string, qty int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	it := f.itemBySKU(sku)
	if it == nil {
		it = &item{id: strconv.Itoa(f.nextItem), sku: sku, stock: map[string]int{}}
		f.nextItem++
		f.items[it.id] = it
	}
	if location == "1" {
		clear(it.stock)
	}
	it.stock[location] = qty
}

// Available returns what is available of sku over all locations.
func (f *Fake) Available(sku string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if it := f.itemBySKU(sku); it != nil {
		return it.available()
	}
	return 0
}

// ReplaceItem deletes sku's item and makes a new one under the same name
// with the same stock, as someone rebuilding an item in NetSuite would:
// the old internal id is gone.
func (f *Fake) ReplaceItem(sku string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	old := f.itemBySKU(sku)
	if old == nil {
		return
	}
	delete(f.items, old.id)
	it := &item{id: strconv.Itoa(f.nextItem), sku: sku, stock: old.stock}
	f.nextItem++
	f.items[it.id] = it
}

// Approve moves an order from Pending Approval to Pending Fulfillment,
// committing its stock, as a person approving it in NetSuite would.
func (f *Fake) Approve(externalID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	so := f.orderByExternalID(externalID)
	if so == nil || so.status != "A" {
		return fmt.Errorf("no order pending approval under %q", externalID)
	}
	so.status = "B"
	f.commit(so)
	return nil
}

// CloseLine closes one line of an order, releasing what it committed, as
// a person closing it in NetSuite would.
func (f *Fake) CloseLine(externalID string, line int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	so := f.orderByExternalID(externalID)
	if so == nil {
		return fmt.Errorf("no order under %q", externalID)
	}
	for _, l := range so.lines {
		if l.line == line {
			f.release(l)
			l.closed = true
			return nil
		}
	}
	return fmt.Errorf("order %q has no line %d", externalID, line)
}

// Fulfill ships everything committed of an order and bills it (status
// F), as the warehouse and finance would.
func (f *Fake) Fulfill(externalID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	so := f.orderByExternalID(externalID)
	if so == nil || so.status != "B" {
		return fmt.Errorf("no order pending fulfillment under %q", externalID)
	}
	for _, l := range so.lines {
		l.fulfilled += l.committedQty()
		clear(l.committed)
	}
	so.status = "F"
	return nil
}

// Orders returns every sales order, in the order they were made.
func (f *Fake) Orders() []Order {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Order
	for _, so := range f.orders {
		o := Order{ID: so.id, ExternalID: so.externalID, Status: so.status, Entity: so.entity}
		if so.shipTo != nil {
			a := *so.shipTo
			o.ShipTo = &a
		}
		for _, l := range so.lines {
			sku := ""
			if it := f.items[l.itemID]; it != nil {
				sku = it.sku
			}
			o.Lines = append(o.Lines, Line{Line: l.line, SKU: sku, Quantity: l.qty, Committed: l.committedQty(), Closed: l.closed})
		}
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b Order) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func (f *Fake) itemBySKU(sku string) *item {
	for _, it := range f.items {
		if it.sku == sku {
			return it
		}
	}
	return nil
}

func (f *Fake) orderByExternalID(eid string) *salesOrder {
	for _, so := range f.orders {
		if so.externalID == eid {
			return so
		}
	}
	return nil
}

// orderByKey finds an order by internal id or eid:<external id>.
func (f *Fake) orderByKey(key string) *salesOrder {
	if eid, ok := strings.CutPrefix(key, "eid:"); ok {
		return f.orderByExternalID(eid)
	}
	return f.orders[key]
}

// commit reserves what is available for each open line of an approved
// order; the rest is backordered.
func (f *Fake) commit(so *salesOrder) {
	for _, l := range so.lines {
		it := f.items[l.itemID]
		if l.closed || it == nil {
			continue
		}
		want := l.qty - l.fulfilled - l.committedQty()
		locs := slices.Sorted(maps.Keys(it.stock))
		for _, loc := range locs {
			take := min(want, it.stock[loc])
			if take <= 0 {
				continue
			}
			it.stock[loc] -= take
			l.committed[loc] += take
			want -= take
		}
	}
}

// release gives back what a line committed.
func (f *Fake) release(l *orderLine) {
	if it := f.items[l.itemID]; it != nil {
		for loc, q := range l.committed {
			it.stock[loc] += q
		}
	}
	clear(l.committed)
}

// writeBody is a sales order as written by PUT or PATCH.
type writeBody struct {
	Entity      *struct{ ID json.RawMessage } `json:"entity"`
	Location    *struct{ ID json.RawMessage } `json:"location"`
	OrderStatus *string                       `json:"orderStatus"`
	OtherRefNum *string                       `json:"otherRefNum"`
	Email       *string                       `json:"email"`
	// ShippingAddress is the subrecord; its country is an enum, sent as
	// its id ("US") or as {"id": "US"}.
	ShippingAddress *struct {
		Address
		Country json.RawMessage `json:"country"`
	} `json:"shippingAddress"`
	Item *struct {
		Items []struct {
			Line     *int                          `json:"line"`
			Item     *struct{ ID json.RawMessage } `json:"item"`
			Quantity *float64                      `json:"quantity"`
			Rate     json.Number                   `json:"rate"`
			IsClosed *bool                         `json:"isClosed"`
		} `json:"items"`
	} `json:"item"`
}

// rawID reads a reference id sent as a string or a number.
func rawID(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(raw))
}

var externalIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// enumID reads a select field's value sent as its id or as {"id": …}.
func enumID(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var r struct{ ID string }
	if json.Unmarshal(raw, &r) == nil {
		return r.ID
	}
	return strings.TrimSpace(string(raw))
}

// upsert is PUT …/salesOrder/eid:{id}: create the order, or update the
// one with that external id. The item sublist is keyed by line: with
// ?replace=item the lines sent replace all lines; without, lines sent
// without a line key are added to those there.
func (f *Fake) upsert(w http.ResponseWriter, r *http.Request, key string) {
	eid, ok := strings.CutPrefix(key, "eid:")
	if !ok {
		writeError(w, http.StatusBadRequest, "Bad Request", detail{Detail: "The upsert operation needs an external ID in the request URL.", Code: "INVALID_REQUEST"})
		return
	}
	if !externalIDPattern.MatchString(eid) {
		writeError(w, http.StatusBadRequest, "Bad Request", detail{Detail: "Invalid external ID " + eid + ".", Code: "INVALID_ID"})
		return
	}
	var body writeBody
	if err := json.Unmarshal(mustBody(r), &body); err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request", detail{Detail: "Invalid JSON: " + err.Error(), Code: "INVALID_CONTENT"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	so := f.orderByExternalID(eid)
	if ds := f.validate(body, so == nil); len(ds) > 0 {
		writeError(w, http.StatusBadRequest, "Bad Request", ds...)
		return
	}
	if so == nil {
		so = &salesOrder{id: strconv.Itoa(f.nextOrder), externalID: eid, status: f.cfg.DefaultOrderStatus, nextLine: 1}
		f.nextOrder++
		if f.cfg.ShipDays > 0 {
			so.shipDate = f.today().AddDate(0, 0, f.cfg.ShipDays).Format(time.DateOnly)
		}
		f.orders[so.id] = so
	}
	if body.OrderStatus != nil {
		so.status = *body.OrderStatus
	}
	if body.Entity != nil {
		so.entity = rawID(body.Entity.ID)
	}
	if body.OtherRefNum != nil {
		so.otherRefNum = *body.OtherRefNum
	}
	if body.Email != nil {
		so.email = *body.Email
	}
	if a := body.ShippingAddress; a != nil {
		so.shipTo = &a.Address
		so.shipTo.Country = enumID(a.Country)
	}
	if body.Item != nil {
		if slices.Contains(strings.Split(r.URL.Query().Get("replace"), ","), "item") {
			for _, l := range so.lines {
				f.release(l)
			}
			so.lines = nil
		}
		f.applyLines(so, body)
	}
	if so.status == "B" {
		f.commit(so)
	}
	w.Header().Set("Location", link(r, salesOrderPath+so.id))
	w.WriteHeader(http.StatusNoContent)
}

// validate checks a write the way NetSuite refuses one, before anything
// changes.
func (f *Fake) validate(body writeBody, create bool) []detail {
	var ds []detail
	if body.Entity == nil && create {
		ds = append(ds, detail{Detail: "Please enter value(s) for: Customer", Code: "USER_ERROR", Path: "entity"})
	} else if body.Entity != nil && !f.activeCustomer(rawID(body.Entity.ID)) {
		ds = append(ds, detail{Detail: "Error while accessing resource: You have entered an Invalid Field Value " + rawID(body.Entity.ID) + " for the following field: entity", Code: "INVALID_CONTENT", Path: "entity"})
	}
	if a := body.ShippingAddress; a != nil && enumID(a.Country) != "" && !countryCode.MatchString(enumID(a.Country)) {
		// The country field is a select of NetSuite's countries, keyed by
		// their two-letter codes: a name is not one of its values.
		ds = append(ds, detail{Detail: "Error while accessing resource: You have entered an Invalid Field Value " + enumID(a.Country) + " for the following field: country", Code: "INVALID_CONTENT", Path: "shippingAddress.country"})
	}
	if s := body.OrderStatus; s != nil && *s != "A" && *s != "B" {
		ds = append(ds, detail{Detail: "Error while accessing resource: You have entered an Invalid Field Value " + *s + " for the following field: orderStatus", Code: "INVALID_CONTENT", Path: "orderStatus"})
	}
	if create && (body.Item == nil || len(body.Item.Items) == 0) {
		ds = append(ds, detail{Detail: "You must enter at least one line item for this transaction.", Code: "USER_ERROR", Path: "item"})
	}
	if body.Item != nil {
		for i, l := range body.Item.Items {
			if l.Line != nil {
				continue
			}
			id := ""
			if l.Item != nil {
				id = rawID(l.Item.ID)
			}
			if f.items[id] == nil {
				// The published reply for an invalid item
				// (../testdata/error-400-invalid-content-salesorder-item.json).
				ds = append(ds, detail{Detail: "Error while accessing resource: You have entered an Invalid Field Value " + id + " for the following field: item", Code: "INVALID_CONTENT", Path: fmt.Sprintf("item.items[%d].item", i)})
			}
			if l.Quantity != nil && *l.Quantity <= 0 { // absent, it is 1
				ds = append(ds, detail{Detail: "Error while accessing resource: You have entered an Invalid Field Value for the following field: quantity", Code: "INVALID_CONTENT", Path: fmt.Sprintf("item.items[%d].quantity", i)})
			}
		}
	}
	return ds
}

// applyLines adds lines sent without a key and changes those sent with one.
func (f *Fake) applyLines(so *salesOrder, body writeBody) {
	for _, in := range body.Item.Items {
		if in.Line != nil {
			for _, l := range so.lines {
				if l.line == *in.Line && in.IsClosed != nil && *in.IsClosed && !l.closed {
					f.release(l)
					l.closed = true
				}
			}
			continue
		}
		qty := 1
		if in.Quantity != nil {
			qty = int(*in.Quantity)
		}
		l := &orderLine{line: so.nextLine, itemID: rawID(in.Item.ID), qty: qty, rate: in.Rate, committed: map[string]int{}}
		so.nextLine++
		so.lines = append(so.lines, l)
	}
}

// patch is PATCH …/salesOrder/{id}: change fields and keyed lines.
// Closing every line closes the order (H).
func (f *Fake) patch(w http.ResponseWriter, r *http.Request, key string) {
	var body writeBody
	if err := json.Unmarshal(mustBody(r), &body); err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request", detail{Detail: "Invalid JSON: " + err.Error(), Code: "INVALID_CONTENT"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	so := f.orderByKey(key)
	if so == nil {
		writeNotFound(w)
		return
	}
	if ds := f.validate(body, false); len(ds) > 0 {
		writeError(w, http.StatusBadRequest, "Bad Request", ds...)
		return
	}
	if body.Item != nil {
		if so.status != "A" && so.status != "B" {
			writeError(w, http.StatusBadRequest, "Bad Request", detail{Detail: "You cannot change the lines of an order that has been fulfilled or billed.", Code: "USER_ERROR", Path: "item"})
			return
		}
		f.applyLines(so, body)
	}
	if body.OrderStatus != nil && *body.OrderStatus == "B" && so.status == "A" {
		so.status = "B"
		f.commit(so)
	}
	allClosed := len(so.lines) > 0
	for _, l := range so.lines {
		allClosed = allClosed && l.closed
	}
	if allClosed {
		so.status = "H"
	}
	w.Header().Set("Location", link(r, salesOrderPath+so.id))
	w.WriteHeader(http.StatusNoContent)
}

var statusNames = map[string]string{
	"A": "Pending Approval", "B": "Pending Fulfillment", "C": "Cancelled", "D": "Partially Fulfilled",
	"E": "Pending Billing/Partially Fulfilled", "F": "Pending Billing", "G": "Billed", "H": "Closed",
}

// getOrder is GET …/salesOrder/{id or eid:…}. The item sublist is only
// links unless expandSubResources=true.
func (f *Fake) getOrder(w http.ResponseWriter, r *http.Request, key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	so := f.orderByKey(key)
	if so == nil {
		writeNotFound(w)
		return
	}
	self := salesOrderPath + so.id
	itemLinks := []map[string]string{{"rel": "self", "href": link(r, self+"/item")}}
	sublist := map[string]any{"links": itemLinks}
	if r.URL.Query().Get("expandSubResources") == "true" {
		var items []map[string]any
		for _, l := range so.lines {
			ref := map[string]any{"links": []any{}, "id": l.itemID}
			if it := f.items[l.itemID]; it != nil {
				ref["refName"] = it.sku
			}
			committed := l.committedQty()
			backordered := 0
			if (so.status == "B" || so.status == "D" || so.status == "E") && !l.closed {
				backordered = l.qty - l.fulfilled - committed
			}
			items = append(items, map[string]any{
				"links":               []any{},
				"line":                l.line,
				"item":                ref,
				"quantity":            float64(l.qty),
				"quantityCommitted":   float64(committed),
				"quantityBackOrdered": float64(backordered),
				"quantityFulfilled":   float64(l.fulfilled),
				"isClosed":            l.closed,
				"rate":                l.rate,
			})
		}
		sublist = map[string]any{"links": itemLinks, "items": items, "count": len(items), "hasMore": false, "offset": 0, "totalResults": len(items)}
	}
	rec := map[string]any{
		"links":       []map[string]string{{"rel": "self", "href": link(r, self)}},
		"id":          so.id,
		"externalId":  so.externalID,
		"tranId":      "SO" + so.id,
		"entity":      map[string]any{"links": []any{}, "id": so.entity, "refName": f.customers[so.entity].name()},
		"orderStatus": map[string]string{"id": so.status, "refName": statusNames[so.status]},
		"status":      map[string]string{"id": statusNames[so.status], "refName": statusNames[so.status]},
		"item":        sublist,
	}
	if so.otherRefNum != "" {
		rec["otherRefNum"] = so.otherRefNum
	}
	if so.email != "" {
		rec["email"] = so.email
	}
	if so.shipDate != "" {
		rec["shipDate"] = so.shipDate
	}
	writeJSON(w, http.StatusOK, rec)
}

func writeNotFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, "Not Found", detail{Detail: "The record instance does not exist. Provide a valid record instance ID.", Code: "NONEXISTENT_ID"})
}

func mustBody(r *http.Request) []byte {
	b, _ := io.ReadAll(r.Body)
	return b
}
