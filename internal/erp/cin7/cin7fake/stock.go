package cin7fake

import (
	"maps"
	"net/http"
	"slices"
	"strings"
)

// MainWarehouse is the location SetStock stocks.
const MainWarehouse = "Main Warehouse"

type product struct {
	ID, SKU, Name string
	stock         map[string]*stockAt // by location
}

// stockAt is a product's stock at one location: Available is OnHand less
// Allocated.
type stockAt struct{ onHand, allocated int }

// SetStock makes sku a product with qty units available at MainWarehouse.
func (e *ERP) SetStock(sku string, qty int) { e.SetStockAt(sku, MainWarehouse, qty) }

// SetStockAt makes sku a product with qty units available at location,
// whatever its orders have allocated there.
func (e *ERP) SetStockAt(sku, location string, qty int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.products[sku]
	if p == nil {
		p = &product{ID: newGUID(), SKU: sku, Name: "Product " + sku, stock: map[string]*stockAt{}}
		e.products[sku] = p
	}
	st := p.stock[location]
	if st == nil {
		st = &stockAt{}
		p.stock[location] = st
	}
	st.onHand = st.allocated + qty
}

// Available returns the units of sku available over all locations, and
// whether the product exists.
func (e *ERP) Available(sku string) (int, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.products[sku]
	if p == nil {
		return 0, false
	}
	n := 0
	for _, st := range p.stock {
		n += st.onHand - st.allocated
	}
	return n, true
}

func (e *ERP) productFor(id, sku string) *product {
	if id != "" {
		for _, p := range e.products {
			if strings.EqualFold(p.ID, id) {
				return p
			}
		}
		return nil
	}
	return e.products[sku]
}

// allocate reserves what it can of the line across the product's
// locations, in name order, and returns the units allocated.
func (e *ERP) allocate(l *line) int {
	p := e.products[l.SKU]
	want := l.Quantity
	for _, loc := range slices.Sorted(maps.Keys(p.stock)) {
		st := p.stock[loc]
		take := min(want, max(0, st.onHand-st.allocated))
		st.allocated += take
		l.alloc[loc] += take
		want -= take
	}
	return l.Quantity - want
}

// release gives back what the line allocated.
func (e *ERP) release(l *line) {
	p := e.products[l.SKU]
	for loc, n := range l.alloc {
		p.stock[loc].allocated -= n
	}
	clear(l.alloc)
}

// productList is GET /product, filtered by Sku (equal).
func (e *ERP) productList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sku := param(q, "Sku")
	e.mu.Lock()
	var rows []map[string]any
	for _, k := range slices.Sorted(maps.Keys(e.products)) {
		if p := e.products[k]; sku == "" || p.SKU == sku {
			rows = append(rows, map[string]any{"ID": p.ID, "SKU": p.SKU, "Name": p.Name, "Type": "Stock", "Status": "Active", "UOM": "Item"})
		}
	}
	e.mu.Unlock()
	from, to, p := page(q, len(rows))
	writeJSON(w, http.StatusOK, map[string]any{"Total": len(rows), "Page": p, "Products": nonNil(rows[from:to])})
}

// availability is GET /ref/productavailability, filtered by Sku (equal):
// one row per product and location, in the shape of its example.
func (e *ERP) availability(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sku := param(q, "Sku")
	e.mu.Lock()
	var rows []map[string]any
	for _, k := range slices.Sorted(maps.Keys(e.products)) {
		p := e.products[k]
		if sku != "" && p.SKU != sku {
			continue
		}
		for _, loc := range slices.Sorted(maps.Keys(p.stock)) {
			st := p.stock[loc]
			rows = append(rows, map[string]any{
				"ID": p.ID, "SKU": p.SKU, "Name": p.Name, "Barcode": nil, "Location": loc, "Bin": nil, "Batch": nil, "ExpiryDate": nil,
				"OnHand": st.onHand, "StockOnHand": st.onHand, "Allocated": st.allocated, "Available": st.onHand - st.allocated,
				"OnOrder": 0, "InTransit": 0,
			})
		}
	}
	e.mu.Unlock()
	from, to, p := page(q, len(rows))
	writeJSON(w, http.StatusOK, map[string]any{"Total": len(rows), "Page": p, "ProductAvailabilityList": nonNil(rows[from:to])})
}
