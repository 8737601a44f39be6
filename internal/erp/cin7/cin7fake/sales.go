package cin7fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Sale statuses and order statuses, from Cin7's tables.
const (
	statusDraft       = "DRAFT"
	statusVoided      = "VOIDED"
	statusEstimated   = "ESTIMATED"
	statusOrdering    = "ORDERING"
	statusOrdered     = "ORDERED"
	statusBackordered = "BACKORDERED"

	notAvailable = "NOT AVAILABLE"
	authorised   = "AUTHORISED"
)

type sale struct {
	ID, Customer, Contact, Email, Phone string
	ExternalID, CustomerReference       string
	TaxRule                             string
	SkipQuote                           bool
	Status, QuoteStatus, OrderStatus    string
	OrderNumber                         string
	ShippingAddress                     *Address
	Lines                               []*line
	Created, Updated                    time.Time
}

type line struct {
	ProductID, SKU, Name string
	Quantity             int
	Price, Total         decimal.Decimal
	TaxRule              string
	Backorder            int
	alloc                map[string]int // location → units allocated
}

// Sale is a snapshot of one sale, for tests.
type Sale struct {
	ID, ExternalID, Status, OrderStatus string
	Lines                               map[string]int // SKU → quantity
	Backordered                         map[string]int // SKU → BackorderQuantity
	// ShippingAddress is the one the sale was created with; nil if none.
	ShippingAddress *Address
}

// Address is a sale's ShippingAddress, as Cin7's Sale Shipping Address
// Model names its fields (ID and the two DisplayAddressLines, which Cin7
// derives, are not kept).
type Address struct {
	Line1, Line2, City, State, Postcode, Country string
	Company, Contact                             string
	ShipToOther                                  bool
}

// Sales returns every sale, in order of creation.
func (e *ERP) Sales() []Sale {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Sale, 0, len(e.sales))
	for _, s := range e.sales {
		v := Sale{ID: s.ID, ExternalID: s.ExternalID, Status: s.Status, OrderStatus: s.OrderStatus, Lines: map[string]int{}, Backordered: map[string]int{}}
		if s.ShippingAddress != nil {
			a := *s.ShippingAddress
			v.ShippingAddress = &a
		}
		for _, l := range s.Lines {
			v.Lines[l.SKU] += l.Quantity
			v.Backordered[l.SKU] += l.Backorder
		}
		out = append(out, v)
	}
	return out
}

// Advance moves a sale on to a later status, as picking, packing or
// invoicing in Cin7 would.
func (e *ERP) Advance(saleID, status string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if s := e.sale(saleID); s != nil {
		s.Status = status
	}
}

func (e *ERP) sale(id string) *sale {
	for _, s := range e.sales {
		if strings.EqualFold(s.ID, id) {
			return s
		}
	}
	return nil
}

// createSale is POST /sale.
func (e *ERP) createSale(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Customer, CustomerID, Contact, Email, Phone string
		SkipQuote                                   bool
		ExternalID, CustomerReference, TaxRule      string
		ShippingAddress                             *Address
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeErrors(w, http.StatusInternalServerError, "The object passed to the API could not be parsed: "+err.Error())
		return
	}
	if req.Customer == "" && req.CustomerID == "" {
		writeErrors(w, http.StatusBadRequest, "Customer or CustomerID is required")
		return
	}
	if a := req.ShippingAddress; a != nil && (strings.TrimSpace(a.Line1) == "" || strings.TrimSpace(a.Country) == "") {
		// The Sale Shipping Address Model marks Line1 and Country
		// required; the words are the fake's own.
		writeErrors(w, http.StatusBadRequest, "ShippingAddress: Line1 and Country are required")
		return
	}
	e.mu.Lock()
	now := e.cfg.Now().UTC()
	s := &sale{
		ID: newGUID(), Customer: req.Customer, Contact: req.Contact, Email: req.Email, Phone: req.Phone,
		ExternalID: req.ExternalID, CustomerReference: req.CustomerReference, TaxRule: req.TaxRule,
		SkipQuote: req.SkipQuote, Status: statusDraft, QuoteStatus: notAvailable, OrderStatus: notAvailable,
		ShippingAddress: req.ShippingAddress, Created: now, Updated: now,
	}
	if s.SkipQuote {
		s.Status = statusEstimated
	}
	e.sales = append(e.sales, s)
	body := s.json()
	e.mu.Unlock()
	if e.loseReply(w, PathSale) {
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// getSale is GET /sale?ID=.
func (e *ERP) getSale(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	s := e.sale(param(r.URL.Query(), "ID"))
	var body map[string]any
	if s != nil {
		body = s.json()
	}
	e.mu.Unlock()
	if s == nil {
		writeErrors(w, http.StatusBadRequest, "Sale not found")
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// createOrder is POST /sale/order: it places the sale's order, and with
// Status AUTHORISED allocates stock, backordering silently what is short.
func (e *ERP) createOrder(w http.ResponseWriter, r *http.Request) {
	var req struct {
		SaleID, Status string
		Lines          []struct {
			ProductID, SKU, Name, TaxRule string
			Quantity, Price, Total        decimal.Decimal
		}
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeErrors(w, http.StatusInternalServerError, "The object passed to the API could not be parsed: "+err.Error())
		return
	}
	e.mu.Lock()
	s := e.sale(req.SaleID)
	problem := ""
	switch {
	case s == nil:
		problem = "Sale not found"
	case s.Status == statusVoided:
		problem = "Sale is voided"
	case !s.SkipQuote && s.QuoteStatus != authorised:
		problem = "Quote status is not AUTHORISED"
	case s.OrderStatus != notAvailable && s.OrderStatus != statusDraft:
		problem = "Order status is not DRAFT or NOT AVAILABLE"
	case req.Status != statusDraft && req.Status != authorised:
		problem = fmt.Sprintf("Order status %q is not DRAFT or AUTHORISED", req.Status)
	case len(req.Lines) == 0:
		problem = "Order has no lines"
	}
	var lines []*line
	for _, l := range req.Lines {
		if problem != "" {
			break
		}
		p := e.productFor(l.ProductID, l.SKU)
		switch {
		case p == nil:
			problem = fmt.Sprintf("Product not found: SKU '%s'", l.SKU)
		case !l.Quantity.IsInteger() || !l.Quantity.IsPositive():
			problem = fmt.Sprintf("Quantity %s of SKU '%s' is not a positive whole number", l.Quantity, l.SKU)
		default:
			lines = append(lines, &line{ProductID: p.ID, SKU: p.SKU, Name: p.Name, Quantity: int(l.Quantity.IntPart()),
				Price: l.Price, Total: l.Total, TaxRule: l.TaxRule, alloc: map[string]int{}})
		}
	}
	if problem != "" {
		e.mu.Unlock()
		writeErrors(w, http.StatusBadRequest, problem)
		return
	}
	s.Lines = lines
	if s.OrderNumber == "" {
		e.nextSO++
		s.OrderNumber = fmt.Sprintf("SO-%05d", e.nextSO)
	}
	s.Updated = e.cfg.Now().UTC()
	if req.Status == statusDraft {
		s.OrderStatus, s.Status = statusDraft, statusOrdering
	} else {
		s.OrderStatus, s.Status = authorised, statusOrdered
		for _, l := range s.Lines {
			if l.Backorder = l.Quantity - e.allocate(l); l.Backorder > 0 {
				s.Status = statusBackordered
			}
		}
	}
	body := s.orderJSON()
	e.mu.Unlock()
	if e.loseReply(w, PathSaleOrder) {
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// voidable are the statuses a sale can be voided in; later ones have
// stock picked or an invoice, which Cin7 makes you undo first.
var voidable = map[string]bool{statusDraft: true, statusEstimated: true, "ESTIMATING": true, statusOrdering: true, statusOrdered: true, statusBackordered: true}

// voidSale is DELETE /sale?ID=&Void=true.
func (e *ERP) voidSale(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !strings.EqualFold(param(q, "Void"), "true") {
		writeErrors(w, http.StatusBadRequest, "Undo (Void=false) is not modelled by this fake")
		return
	}
	e.mu.Lock()
	s := e.sale(param(q, "ID"))
	problem := ""
	switch {
	case s == nil:
		problem = "Sale not found"
	case s.Status == statusVoided:
		problem = "Sale is already voided"
	case !voidable[s.Status]:
		problem = fmt.Sprintf("Sale in status %s cannot be voided: undo its fulfilment and invoice first", s.Status)
	}
	if problem != "" {
		e.mu.Unlock()
		writeErrors(w, http.StatusBadRequest, problem)
		return
	}
	for _, l := range s.Lines {
		e.release(l)
	}
	s.Status = statusVoided
	if s.OrderStatus != notAvailable {
		s.OrderStatus = statusVoided
	}
	s.Updated = e.cfg.Now().UTC()
	body := s.json()
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, body)
}

// saleList is GET /saleList, filtered by ExternalID (equal), Search
// (contained in the order number, status, customer or customer reference)
// and Status.
func (e *ERP) saleList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ext, search, status := param(q, "ExternalID"), strings.ToLower(param(q, "Search")), param(q, "Status")
	e.mu.Lock()
	var rows []map[string]any
	for _, s := range e.sales {
		if ext != "" && s.ExternalID != ext || status != "" && !strings.EqualFold(s.Status, status) {
			continue
		}
		if search != "" && !strings.Contains(strings.ToLower(strings.Join([]string{s.OrderNumber, s.Status, s.Customer, s.CustomerReference}, "\x00")), search) {
			continue
		}
		rows = append(rows, s.listJSON())
	}
	e.mu.Unlock()
	from, to, p := page(q, len(rows))
	writeJSON(w, http.StatusOK, map[string]any{"Total": len(rows), "Page": p, "SaleList": nonNil(rows[from:to])})
}

// json renders a sale in the shape of GET /sale (see the POST /sale
// example in testdata): the fields the fake keeps, under Cin7's names.
func (s *sale) json() map[string]any {
	var ext any
	if s.ExternalID != "" {
		ext = s.ExternalID
	}
	return map[string]any{
		"ID": s.ID, "Customer": s.Customer, "CustomerID": "", "Contact": s.Contact, "Email": s.Email, "Phone": s.Phone,
		"ExternalID": ext, "CustomerReference": s.CustomerReference, "SkipQuote": s.SkipQuote,
		"Status": s.Status, "TaxRule": s.TaxRule, "Type": "Simple Sale", "Location": "Main Warehouse",
		"ShipBy": nil, "SaleOrderDate": cin7Date(s.Created), "LastModifiedOn": cin7Date(s.Updated),
		"Quote":    map[string]any{"Status": s.QuoteStatus, "Lines": []any{}, "Memo": ""},
		"Order":    s.orderBody(),
		"Invoices": []any{}, "Fulfilments": []any{}, "CreditNotes": []any{}, "Attachments": []any{},
		"ShippingAddress": s.ShippingAddress,
	}
}

// orderBody is the sale's Order.
func (s *sale) orderBody() map[string]any {
	lines := make([]map[string]any, 0, len(s.Lines))
	total := decimal.Zero
	for _, l := range s.Lines {
		lines = append(lines, map[string]any{
			"ProductID": l.ProductID, "SKU": l.SKU, "Name": l.Name, "Quantity": l.Quantity,
			"Price": number(l.Price), "Discount": 0, "Tax": 0, "TaxRule": l.TaxRule, "Total": number(l.Total),
			"BackorderQuantity": l.Backorder, "Backorder": l.Backorder > 0, "Comment": "", "DropShip": false, "AverageCost": 0,
		})
		total = total.Add(l.Total)
	}
	return map[string]any{
		"SaleOrderNumber": s.OrderNumber, "Status": s.OrderStatus, "Lines": lines, "Memo": "",
		"AdditionalCharges": []any{}, "TotalBeforeTax": number(total), "Tax": 0, "Total": number(total),
	}
}

// orderJSON is the reply of POST /sale/order.
func (s *sale) orderJSON() map[string]any {
	o := s.orderBody()
	o["SaleID"] = s.ID
	for _, l := range o["Lines"].([]map[string]any) {
		delete(l, "Backorder") // only GET /sale has it
	}
	return o
}

// listJSON is the sale's row in GET /saleList.
func (s *sale) listJSON() map[string]any {
	var ext any
	if s.ExternalID != "" {
		ext = s.ExternalID
	}
	return map[string]any{
		"SaleID": s.ID, "OrderNumber": s.OrderNumber, "Status": s.Status, "OrderStatus": s.OrderStatus,
		"QuoteStatus": s.QuoteStatus, "Customer": s.Customer, "CustomerReference": s.CustomerReference,
		"ExternalID": ext, "OrderDate": cin7Date(s.Created), "Updated": s.Updated.Format("2006-01-02T15:04:05.000Z"),
		"ShipBy": nil, "Type": "Simple Sale",
	}
}

// number renders a decimal as a JSON number, as Cin7 sends money.
func number(d decimal.Decimal) json.Number { return json.Number(d.String()) }

// cin7Date renders a time as Cin7 does: UTC, no zone.
func cin7Date(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05") }

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
