package fishbowl

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/order"
)

// FuzzSalesOrderCSV checks that whatever a storefront puts in a name, SKU,
// title or street reaches Fishbowl's import as that one field.
func FuzzSalesOrderCSV(f *testing.F) {
	f.Add("Ada Buyer", "A-1", "Road bike, red", "19.99", "1 High St")
	f.Add(`O'Brien, "Ada"`, `CHAIN,"8"`, "line\nbreak", "0.10", `Flat "2", 3 Rue A`)
	f.Add("", " lead", "", "-1", "")
	f.Fuzz(func(t *testing.T, name, sku, title, price, line1 string) {
		for _, s := range []string{name, sku, title, line1} {
			// encoding/csv reads \r\n inside a field as \n, and
			// Fishbowl's fields are text.
			if strings.Contains(s, "\r") || !utf8.ValidString(s) {
				t.Skip()
			}
		}
		p, err := decimal.NewFromString(price)
		if err != nil {
			t.Skip()
		}
		o := order.Order{Key: order.Key{Storefront: "s", ID: "1"}, Customer: order.Customer{Name: name},
			Lines:  []order.LineItem{{SKU: sku, Title: title, Quantity: 3, Price: p}},
			ShipTo: &order.Address{Line1: line1, Line2: "Suite 4", City: "Leeds"}}
		body, err := salesOrderCSV(o, "og-s-1", "")
		if err != nil {
			t.Fatalf("salesOrderCSV: %v", err)
		}
		r := csv.NewReader(bytes.NewReader(body))
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("import does not read back: %v\n%q", err, body)
		}
		if len(rows) != 4 || len(rows[2]) != len(soColumns) || len(rows[3]) != len(itemColumns) {
			t.Fatalf("rows = %q, want two headers, an SO row and an Item row of their widths", rows)
		}
		if got, want := rows[2][3], truncate(firstNonBlank(name, "ordergate customer"), maxCustomerName); got != want {
			t.Errorf("CustomerName = %q, want %q", got, want)
		}
		if got, want := rows[2][slices.Index(soColumns, "ShipToAddress")], truncate(street(o.ShipTo), 90); got != want {
			t.Errorf("ShipToAddress = %q, want %q", got, want)
		}
		if rows[3][2] != sku || rows[3][3] != title || rows[3][4] != "3" {
			t.Errorf("item row = %q, want SKU %q, title %q, quantity 3", rows[3], sku, title)
		}
		if got, err := decimal.NewFromString(rows[3][6]); err != nil || !got.Equal(p) {
			t.Errorf("ProductPrice = %q, want %s", rows[3][6], p)
		}
	})
}

// FuzzSONumber checks that every external id gets a number Fishbowl takes
// and no two ids the same one by truncation.
func FuzzSONumber(f *testing.F) {
	f.Add("og-shop-1001")
	f.Add("og-erptest-SubmitThenLookupFindsTheOrderWithItsLines-1712345678901234567-1")
	f.Add("og-shop-#1001")
	f.Fuzz(func(t *testing.T, id string) {
		n := SONumber(id)
		if len(n) > maxSONum || !plain(n) {
			t.Errorf("SONumber(%q) = %q, not up to %d plain characters", id, n, maxSONum)
		}
		if n != id && !strings.HasPrefix(n, "og-") {
			t.Errorf("SONumber(%q) = %q, neither the id nor og-hash", id, n)
		}
		if n != SONumber(id) {
			t.Errorf("SONumber(%q) is not stable", id)
		}
	})
}

// FuzzDecodeSalesOrder checks the tolerant decoding of Fishbowl's sales
// order JSON on whatever a server sends.
func FuzzDecodeSalesOrder(f *testing.F) {
	f.Add([]byte(`{"id":7,"number":"og-s-1","status":"Issued","items":[{"productNumber":"B201","quantity":"2","itemType":"Sale"}]}`))
	f.Add([]byte(`{"id":7,"number":"og-s-1","status":20,"items":[{"productNumber":"B201","quantity":2.5,"itemType":10}]}`))
	f.Add([]byte(`{"status":"Bogus","items":[{"quantity":"x"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var so salesOrder
		if err := json.Unmarshal(data, &so); err != nil {
			return
		}
		for _, it := range so.Items {
			_ = it.Quantity.Floor().IntPart() // decoded quantities are usable
		}
		_ = so.Status.String()
	})
}
