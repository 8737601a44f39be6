package fishbowl

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/order"
)

// maxSONum is the length of Fishbowl's SONum, "Text (25 chars)".
const maxSONum = 25

// SONumber returns the Fishbowl sales order number an order is filed under:
// its external id, when that fits Fishbowl's 25 characters of letters,
// digits, '-', '_' and '.', and otherwise "og-" and 22 characters of the
// id's SHA-256, which stays the same for the life of the order. The full
// external id is in the sales order's note either way.
func SONumber(externalID string) string {
	if len(externalID) <= maxSONum && plain(externalID) {
		return externalID
	}
	sum := sha256.Sum256([]byte(externalID))
	h := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:]))
	return "og-" + h[:maxSONum-3]
}

func plain(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; !partNumberByte(b) && b != '.' {
			return false
		}
	}
	return true
}

// The columns of Fishbowl's Sales Order import, in its documented order: one
// header row for the order ("SO") and one for its items ("Item"). Fishbowl
// matches columns by these names; every column is sent, blank where
// ordergate has nothing for it.
var (
	soColumns = []string{"Flag", "SONum", "Status", "CustomerName", "CustomerContact",
		"BillToName", "BillToAddress", "BillToCity", "BillToState", "BillToZip", "BillToCountry",
		"ShipToName", "ShipToAddress", "ShipToCity", "ShipToState", "ShipToZip", "ShipToCountry", "ShipToResidential",
		"CarrierName", "TaxRateName", "PriorityId", "PONum", "VendorPONum", "Date", "Salesman",
		"ShippingTerms", "PaymentTerms", "FOB", "Note", "QuickBooksClassName", "LocationGroupName",
		"OrderDateScheduled", "URL", "CarrierService", "DateExpired", "Phone", "Email"}
	itemColumns = []string{"Flag", "SOItemTypeID", "ProductNumber", "ProductDescription", "ProductQuantity",
		"UOM", "ProductPrice", "Taxable", "TaxCode", "Note", "ItemQuickBooksClassName", "ItemDateScheduled",
		"ShowItem", "KitItem", "RevisionLevel"}
)

// Codes of the import: an issued order, and a sale line.
const (
	statusIssued = 20
	itemSale     = 10
)

// salesOrderCSV renders o as the body of POST /api/import/Sales-Order.
func salesOrderCSV(o order.Order, num, customer string) ([]byte, error) {
	buyer := firstNonBlank(o.Customer.Name, o.Customer.Email, "ordergate customer")
	if customer == "" {
		customer = buyer
	}
	note := "ordergate " + o.Key.ExternalID()
	if o.Name != "" {
		note += ", storefront order " + o.Name
	}
	date := ""
	if !o.CapturedAt.IsZero() {
		date = o.CapturedAt.Format("01/02/2006")
	}
	so := map[string]string{
		"Flag":            "SO",
		"SONum":           num,
		"Status":          strconv.Itoa(statusIssued),
		"CustomerName":    truncate(customer, maxCustomerName),
		"CustomerContact": truncate(buyer, 30),
		"BillToName":      truncate(buyer, 60),
		"ShipToName":      truncate(buyer, 60),
		"PONum":           truncate(o.Name, 25),
		"Date":            date,
		"Note":            note,
		"Phone":           o.Customer.Phone,
		"Email":           o.Customer.Email,
	}
	if a := o.ShipTo; a != nil {
		shipTo(so, a, buyer)
	}
	rows := [][]string{soColumns, itemColumns, row(soColumns, so)}
	for _, l := range o.Lines {
		rows = append(rows, row(itemColumns, map[string]string{
			"Flag":               "Item",
			"SOItemTypeID":       strconv.Itoa(itemSale),
			"ProductNumber":      l.SKU,
			"ProductDescription": l.Title,
			"ProductQuantity":    strconv.Itoa(l.Quantity),
			"ProductPrice":       l.Price.String(),
		}))
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	if err := w.WriteAll(rows); err != nil {
		return nil, fmt.Errorf("write import csv: %w", err)
	}
	return buf.Bytes(), nil
}

// shipTo fills the SO row's ShipTo columns from the order's ship-to, each
// cut to the width Fishbowl's import documents:
//
//   - ShipToName is the person, else the company, else the buyer (the
//     import has no column for a company beside a person: it is left out);
//   - ShipToAddress is the street, its two lines joined by a line break,
//     as Fishbowl keeps a multi-line street in its one Address field and
//     writes it so in its own export, which this import reads back;
//   - ShipToState is the region's code (the import asks for a state's
//     abbreviation and creates a state it does not find), else its name;
//   - ShipToCountry is the country's name, which the import asks for, else
//     its ISO code.
func shipTo(so map[string]string, a *order.Address, buyer string) {
	so["ShipToName"] = truncate(firstNonBlank(a.Name, a.Company, buyer), 60)
	so["ShipToAddress"] = truncate(street(a), 90)
	so["ShipToCity"] = truncate(strings.TrimSpace(a.City), 30)
	so["ShipToState"] = firstNonBlank(a.RegionCode, a.Region)
	so["ShipToZip"] = truncate(strings.TrimSpace(a.PostalCode), 10)
	so["ShipToCountry"] = truncate(firstNonBlank(a.Country, a.CountryCode), 30)
}

// street is the address's street lines, the blank ones left out, joined
// by a line break.
func street(a *order.Address) string {
	var lines []string
	for _, l := range []string{a.Line1, a.Line2} {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

func row(columns []string, values map[string]string) []string {
	r := make([]string, len(columns))
	for i, col := range columns {
		r[i] = values[col]
	}
	return r
}

func firstNonBlank(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// truncate cuts s to n characters, Fishbowl's column limits being
// characters.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// salesOrder is what ordergate reads of a Fishbowl sales order.
type salesOrder struct {
	ID     int      `json:"id"`
	Number string   `json:"number"`
	Status soStatus `json:"status"`
	Items  []soItem `json:"items"`
}

type soItem struct {
	ProductNumber string   `json:"productNumber"`
	Quantity      quantity `json:"quantity"`
	ItemType      itemType `json:"itemType"`
}

// page is one page of a Fishbowl search.
type page[T any] struct {
	TotalCount int `json:"totalCount"`
	TotalPages int `json:"totalPages"`
	PageNumber int `json:"pageNumber"`
	PageSize   int `json:"pageSize"`
	Results    []T `json:"results"`
}

// pageSize is what each search asks for: Fishbowl's default.
const pageSize = 100

// maxPages stops a search of a server that pages forever.
const maxPages = 10000

// findSO finds the sales order numbered num: GET /api/sales-orders?number=
// (which may match more than that number, so the results are checked), then
// GET /api/sales-orders/{id} for its items.
func (c *Client) findSO(ctx context.Context, num string, o op) (salesOrder, error) {
	for p := 1; p <= maxPages; p++ {
		q := url.Values{"number": {num}, "pageNumber": {strconv.Itoa(p)}, "pageSize": {strconv.Itoa(pageSize)}}
		var res page[salesOrder]
		if err := c.do(ctx, request{method: http.MethodGet, path: "/api/sales-orders", query: q, what: "sales orders (Sales Order module)"}, o, &res); err != nil {
			return salesOrder{}, err
		}
		for _, so := range res.Results {
			if !strings.EqualFold(so.Number, num) { // Fishbowl's numbers ignore case
				continue
			}
			var full salesOrder
			path := "/api/sales-orders/" + strconv.Itoa(so.ID)
			if err := c.do(ctx, request{method: http.MethodGet, path: path, what: "sales orders (Sales Order module)"}, o, &full); err != nil {
				return salesOrder{}, err
			}
			return full, nil
		}
		if len(res.Results) == 0 || p >= res.TotalPages {
			break
		}
	}
	return salesOrder{}, &erp.Error{Kind: erp.ErrNotFound, Message: fmt.Sprintf("Fishbowl holds no sales order numbered %s", num)}
}

// receipt says what Fishbowl holds for so.
//
// An issued order is acknowledged with its stock validated against Fishbowl's
// part inventory. Fishbowl issues an order whatever its stock and allocates
// its lines, so the quantity it reports for a part already has this order's
// lines taken off: what was there for this order is that quantity plus its
// own lines, and a line gets as much of it as is left after the lines before
// it. A line that gets less is short, backordered.
func (c *Client) receipt(ctx context.Context, externalID string, so salesOrder, o op) (erp.Receipt, error) {
	rc := erp.Receipt{Ref: so.Number, ExternalID: externalID}
	for _, it := range so.Items {
		if !it.ItemType.sale() || it.ProductNumber == "" {
			continue // shipping, tax, discount, note lines
		}
		rc.Lines = append(rc.Lines, erp.Line{SKU: it.ProductNumber, Ordered: int(it.Quantity.Floor().IntPart())})
	}
	switch s := so.Status; {
	case s == 10: // Estimate: recorded, not issued
		rc.Status = erp.StatusPending
	case s == 20 || s == 25: // Issued, In Progress
		rc.Status = erp.StatusAcknowledged
		if err := c.validate(ctx, rc.Lines, o); err != nil {
			return erp.Receipt{}, err
		}
	case s == 60 || s == 70 || s == 95: // Fulfilled, Closed Short, Historical: shipped
		rc.Status = erp.StatusAcknowledged
		for i := range rc.Lines {
			rc.Lines[i].Validated = rc.Lines[i].Ordered
		}
	case s.cancelled():
		rc.Status = erp.StatusCancelled
		rc.Reason = "the sales order is " + s.name() + " in Fishbowl"
	case s == 90:
		rc.Status = erp.StatusRejected
		rc.Reason = "the sales order expired in Fishbowl"
	default:
		return erp.Receipt{}, fmt.Errorf("sales order %s has status %s, which ordergate does not know", so.Number, s)
	}
	return rc, nil
}

// validate sets how much of each line Fishbowl's stock covers.
func (c *Client) validate(ctx context.Context, lines []erp.Line, o op) error {
	own := orderedBySKU(lines)
	skus := make([]string, 0, len(own))
	for sku := range own {
		skus = append(skus, sku)
	}
	avail, err := c.inventory(ctx, skus, op{inDoubt: o.inDoubt})
	if err != nil {
		return err
	}
	left := make(map[string]int, len(own))
	for sku, n := range own {
		q, ok := avail[sku]
		if !ok {
			// A product without a part in the inventory (a service,
			// say): Fishbowl took the line and has no stock to check.
			left[sku] = n
			continue
		}
		left[sku] = int(q.Floor().IntPart()) + n
	}
	for i := range lines {
		l := &lines[i]
		l.Validated = min(max(left[l.SKU], 0), l.Ordered)
		left[l.SKU] -= l.Validated
		if l.Validated < l.Ordered {
			l.Short = erp.ShortBackordered
		}
	}
	return nil
}

func orderedBySKU(lines []erp.Line) map[string]int {
	m := make(map[string]int, len(lines))
	for _, l := range lines {
		m[l.SKU] += l.Ordered
	}
	return m
}

// soStatus is a sales order's status. Fishbowl's import and data speak its
// numbers; its REST objects may name it instead ("Issued"), so both are
// read.
type soStatus int

var soStatusNames = map[soStatus]string{
	10: "Estimate", 20: "Issued", 25: "In Progress", 60: "Fulfilled", 70: "Closed Short",
	80: "Void", 85: "Cancelled", 90: "Expired", 95: "Historical",
}

func (s soStatus) cancelled() bool { return s == 80 || s == 85 }

func (s soStatus) name() string {
	if n, ok := soStatusNames[s]; ok {
		return strings.ToLower(strings.ReplaceAll(n, " ", "_"))
	}
	return strconv.Itoa(int(s))
}

func (s soStatus) String() string {
	if n, ok := soStatusNames[s]; ok {
		return fmt.Sprintf("%d (%s)", int(s), n)
	}
	return strconv.Itoa(int(s))
}

func (s *soStatus) UnmarshalJSON(b []byte) error {
	n, err := codeOrName(b, func(name string) (int, bool) {
		for code, n := range soStatusNames {
			if strings.EqualFold(n, name) {
				return int(code), true
			}
		}
		return 0, false
	})
	*s = soStatus(n)
	return err
}

// itemType is a sales order item's type; 10 is a sale.
type itemType int

var itemTypeNames = map[string]int{"sale": 10, "misc. sale": 11, "drop ship": 12, "credit return": 20,
	"misc. credit": 21, "discount percentage": 30, "discount amount": 31, "subtotal": 40,
	"assoc. price": 50, "shipping": 60, "tax": 70, "kit": 80, "note": 90}

// sale reports whether the item sells a product; an item without a type
// is taken as one.
func (t itemType) sale() bool { return t == 0 || t == itemSale || t == 12 }

func (t *itemType) UnmarshalJSON(b []byte) error {
	n, err := codeOrName(b, func(name string) (int, bool) {
		n, ok := itemTypeNames[strings.ToLower(name)]
		return n, ok
	})
	*t = itemType(n)
	return err
}

// codeOrName reads a JSON number, a string of digits, or a name.
func codeOrName(b []byte, byName func(string) (int, bool)) (int, error) {
	if string(b) == "null" {
		return 0, nil
	}
	var n int
	if err := json.Unmarshal(b, &n); err == nil {
		return n, nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return 0, fmt.Errorf("code %s is neither a number nor a string", b)
	}
	if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
		return n, nil
	}
	if n, ok := byName(strings.TrimSpace(s)); ok {
		return n, nil
	}
	return 0, fmt.Errorf("unknown code %q", s)
}

// quantity is a Fishbowl quantity, which its REST API sends as a string
// ("242") and may send as a number.
type quantity struct{ decimal.Decimal }

func (q *quantity) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		q.Decimal = decimal.Zero
		return nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return fmt.Errorf("quantity %s: %w", b, err)
	}
	q.Decimal = d
	return nil
}
