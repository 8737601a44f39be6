package fishbowlfake

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// The columns Fishbowl's Sales Order import marks required. The address
// columns must be there but, in the fake, may be blank.
var (
	soRequired = []string{"Flag", "SONum", "Status", "CustomerName",
		"BillToName", "BillToAddress", "BillToCity", "BillToState", "BillToZip", "BillToCountry",
		"ShipToName", "ShipToAddress", "ShipToCity", "ShipToState", "ShipToZip", "ShipToCountry"}
	itemRequired = []string{"Flag", "SOItemTypeID", "ProductNumber", "ProductQuantity", "ProductPrice"}
)

// importError is a refused import: 400 for a file Fishbowl cannot read, 402
// for one it reads but cannot carry out.
type importError struct {
	status int
	msg    string
}

func badFile(format string, args ...any) *importError {
	return &importError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

func (f *Fake) handleImport(w http.ResponseWriter, r *http.Request, _ string) {
	if name := r.PathValue("name"); name != "Sales-Order" {
		f.fail(w, r, http.StatusBadRequest, fmt.Sprintf("The fake knows no import named %q.", name))
		return
	}
	ct := r.Header.Get("Content-Type")
	if mt, _, _ := mime.ParseMediaType(ct); mt != "text/csv" && mt != "text/plain" {
		f.fail(w, r, http.StatusBadRequest, fmt.Sprintf("Imports are sent as text/csv, not %q.", ct))
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	cr := csv.NewReader(bytes.NewReader(body))
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil {
		f.fail(w, r, http.StatusBadRequest, "The CSV could not be read: "+err.Error())
		return
	}
	orders, ierr := parseSalesOrders(rows)
	if ierr == nil {
		ierr = f.commit(orders, Import{ContentType: ct, Body: string(body), Rows: rows})
	}
	if ierr != nil {
		f.fail(w, r, ierr.status, ierr.msg)
		return
	}
	f.mu.Lock()
	lose := f.loseNext
	f.loseNext = false
	f.mu.Unlock()
	if lose {
		// Committed; now the reply is lost, as when Fishbowl or the
		// network fails after the commit.
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
		return
	}
	w.WriteHeader(http.StatusOK)
}

// commit files the orders of one import, all or none.
func (f *Fake) commit(orders []*SalesOrder, imp Import) *importError {
	f.mu.Lock()
	defer f.mu.Unlock()
	seen := map[string]bool{}
	for _, so := range orders {
		k := strings.ToLower(so.Number)
		if f.byNumber(so.Number) != nil || seen[k] {
			return &importError{status: http.StatusPaymentRequired, msg: fmt.Sprintf("A sales order with the number %s already exists.", so.Number)}
		}
		seen[k] = true
		for _, it := range so.Items {
			if f.parts[it.ProductNumber] == nil {
				return &importError{status: http.StatusPaymentRequired, msg: fmt.Sprintf("Product '%s' was not found.", it.ProductNumber)}
			}
		}
	}
	for _, so := range orders {
		if k := strings.ToLower(so.CustomerName); f.customers[k] == "" {
			f.customers[k] = so.CustomerName // created if not found
		}
		so.ID = len(f.orders) + 1
		f.orders = append(f.orders, so)
	}
	f.imports = append(f.imports, imp)
	return nil
}

// parseSalesOrders reads the rows of a Sales Order import: header rows
// flagged "Flag", then "SO" rows each followed by its "Item" rows.
func parseSalesOrders(rows [][]string) ([]*SalesOrder, *importError) {
	var (
		soCols, itemCols map[string]int
		soLen, itemLen   int
		out              []*SalesOrder
		cur              *SalesOrder
	)
	for i, rec := range rows {
		line := i + 1
		if len(rec) == 1 && rec[0] == "" {
			continue
		}
		switch rec[0] {
		case "Flag":
			if len(rec) < 2 {
				return nil, badFile("Line %d: a header row names no columns.", line)
			}
			cols := index(rec)
			var missing []string
			switch rec[1] {
			case "SONum":
				soCols, soLen = cols, len(rec)
				missing = absent(cols, soRequired)
			case "SOItemTypeID":
				itemCols, itemLen = cols, len(rec)
				missing = absent(cols, itemRequired)
			default:
				return nil, badFile("Line %d: unknown header row starting %q.", line, rec[1])
			}
			if len(missing) > 0 {
				return nil, badFile("Line %d: the header lacks the required columns %s.", line, strings.Join(missing, ", "))
			}
		case "SO":
			if soCols == nil {
				return nil, badFile("Line %d: an SO row before the SO header row.", line)
			}
			if len(rec) != soLen {
				return nil, badFile("Line %d has %d columns; its header has %d.", line, len(rec), soLen)
			}
			so, err := parseSO(line, func(c string) string { return field(rec, soCols, c) })
			if err != nil {
				return nil, err
			}
			out = append(out, so)
			cur = so
		case "Item":
			if itemCols == nil || cur == nil {
				return nil, badFile("Line %d: an Item row before its header row or its SO row.", line)
			}
			if len(rec) != itemLen {
				return nil, badFile("Line %d has %d columns; its header has %d.", line, len(rec), itemLen)
			}
			it, err := parseItem(line, func(c string) string { return field(rec, itemCols, c) })
			if err != nil {
				return nil, err
			}
			cur.Items = append(cur.Items, it)
		default:
			return nil, badFile("Line %d: unknown flag %q.", line, rec[0])
		}
	}
	if len(out) == 0 {
		return nil, badFile("The file holds no sales order.")
	}
	for _, so := range out {
		if len(so.Items) == 0 {
			return nil, badFile("Sales order %s has no items.", so.Number)
		}
	}
	return out, nil
}

func index(header []string) map[string]int {
	m := make(map[string]int, len(header))
	for i, c := range header {
		m[c] = i
	}
	return m
}

func absent(cols map[string]int, required []string) []string {
	var missing []string
	for _, c := range required {
		if _, ok := cols[c]; !ok {
			missing = append(missing, c)
		}
	}
	return missing
}

func field(rec []string, cols map[string]int, name string) string {
	if i, ok := cols[name]; ok {
		return strings.TrimSpace(rec[i])
	}
	return ""
}

func parseSO(line int, get func(string) string) (*SalesOrder, *importError) {
	num := get("SONum")
	switch n := utf8.RuneCountInString(num); {
	case n == 0:
		return nil, badFile("Line %d: SONum is required.", line)
	case n > 25:
		return nil, badFile("Line %d: SONum %q is longer than 25 characters.", line, num)
	}
	status, err := strconv.Atoi(get("Status"))
	if err != nil || (status != 10 && status != statusIssued) {
		return nil, badFile("Line %d: Status must be 10 (Estimate) or 20 (Issued), not %q.", line, get("Status"))
	}
	customer := get("CustomerName")
	switch n := utf8.RuneCountInString(customer); {
	case n == 0:
		return nil, badFile("Line %d: CustomerName is required.", line)
	case n > 40:
		return nil, badFile("Line %d: CustomerName is longer than 40 characters.", line)
	}
	return &SalesOrder{
		Number: num, Status: status, CustomerName: customer, Contact: get("CustomerContact"),
		BillToName: get("BillToName"), ShipToName: get("ShipToName"),
		ShipToAddress: get("ShipToAddress"), ShipToCity: get("ShipToCity"), ShipToState: get("ShipToState"),
		ShipToZip: get("ShipToZip"), ShipToCountry: get("ShipToCountry"), PONum: get("PONum"),
		Date: get("Date"), Note: get("Note"), Phone: get("Phone"), Email: get("Email"),
	}, nil
}

func parseItem(line int, get func(string) string) (Item, *importError) {
	if t := get("SOItemTypeID"); t != "10" {
		return Item{}, badFile("Line %d: the fake imports sale items (SOItemTypeID 10) only, not %q.", line, t)
	}
	num := get("ProductNumber")
	if num == "" {
		return Item{}, badFile("Line %d: ProductNumber is required.", line)
	}
	qty, err := decimal.NewFromString(get("ProductQuantity"))
	if err != nil || !qty.IsPositive() {
		return Item{}, badFile("Line %d: ProductQuantity %q is not a positive number.", line, get("ProductQuantity"))
	}
	price := decimal.Zero
	if p := get("ProductPrice"); p != "" {
		if price, err = decimal.NewFromString(p); err != nil {
			return Item{}, badFile("Line %d: ProductPrice %q is not a number.", line, p)
		}
	}
	return Item{ProductNumber: num, Description: get("ProductDescription"), Quantity: qty, Price: price}, nil
}
