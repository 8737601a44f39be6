package cin7

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/erp"
)

// What each state of a sale means for the gate.
func TestReceipt_SaleStatuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		sale string // GET /sale reply
		want erp.Receipt
	}{
		{"fresh sale, quote skipped", `{"ID":"s1","Status":"ESTIMATED","Order":{"Status":"NOT AVAILABLE","Lines":[]}}`,
			erp.Receipt{Ref: "s1", Status: erp.StatusIncomplete, Lines: []erp.Line{}}},
		{"draft with no order", `{"ID":"s1","Status":"DRAFT","Order":null}`,
			erp.Receipt{Ref: "s1", Status: erp.StatusIncomplete, Lines: []erp.Line{}}},
		{"order drafted, not authorised", `{"ID":"s1","Status":"ORDERING","Order":{"Status":"DRAFT","Lines":[{"SKU":"A","Quantity":2,"BackorderQuantity":0}]}}`,
			erp.Receipt{Ref: "s1", Status: erp.StatusIncomplete, Lines: []erp.Line{{SKU: "A", Ordered: 2}}}},
		{"ordered", `{"ID":"s1","Status":"ORDERED","ShipBy":"2025-03-20T00:00:00","Order":{"Status":"AUTHORISED","Lines":[{"SKU":"A","Quantity":2.0000,"BackorderQuantity":0}]}}`,
			erp.Receipt{Ref: "s1", Status: erp.StatusAcknowledged, ShipBy: time.Date(2025, 3, 20, 0, 0, 0, 0, time.UTC),
				Lines: []erp.Line{{SKU: "A", Ordered: 2, Validated: 2}}}},
		{"backordered", `{"ID":"s1","Status":"BACKORDERED","Order":{"Status":"AUTHORISED","Lines":[{"SKU":"A","Quantity":5,"BackorderQuantity":3},{"SKU":"B","Quantity":1,"BackorderQuantity":null}]}}`,
			erp.Receipt{Ref: "s1", Status: erp.StatusAcknowledged, Lines: []erp.Line{
				{SKU: "A", Ordered: 5, Validated: 2, Short: erp.ShortBackordered}, {SKU: "B", Ordered: 1, Validated: 1}}}},
		{"backorder larger than the line", `{"ID":"s1","Status":"BACKORDERED","Order":{"Status":"AUTHORISED","Lines":[{"SKU":"A","Quantity":2,"BackorderQuantity":9}]}}`,
			erp.Receipt{Ref: "s1", Status: erp.StatusAcknowledged, Lines: []erp.Line{{SKU: "A", Ordered: 2, Validated: 0, Short: erp.ShortBackordered}}}},
		{"authorised without allocation", `{"ID":"s1","Status":"ORDERED","Order":{"Status":"AUTH_NO_ALLOC","Lines":[{"SKU":"A","Quantity":2,"BackorderQuantity":0}]}}`,
			erp.Receipt{Ref: "s1", Status: erp.StatusAcknowledged, Lines: []erp.Line{{SKU: "A", Ordered: 2, Validated: 0, Short: erp.ShortBackordered}}}},
		{"moved on to invoicing", `{"ID":"s1","Status":"INVOICED","Order":{"Status":"AUTHORISED","Lines":[{"SKU":"A","Quantity":2,"BackorderQuantity":0}]}}`,
			erp.Receipt{Ref: "s1", Status: erp.StatusAcknowledged, Lines: []erp.Line{{SKU: "A", Ordered: 2, Validated: 2}}}},
		{"voided with its order: cancelled", `{"ID":"s1","Status":"VOIDED","Order":{"Status":"VOIDED","Lines":[{"SKU":"A","Quantity":2,"BackorderQuantity":0}]}}`,
			erp.Receipt{Ref: "s1", Status: erp.StatusCancelled, Lines: []erp.Line{{SKU: "A", Ordered: 2}}}},
		{"voided before any order: rejected", `{"ID":"s1","Status":"VOIDED","Order":{"Status":"NOT AVAILABLE","Lines":[]}}`,
			erp.Receipt{Ref: "s1", Status: erp.StatusRejected,
				Reason: "Cin7 holds the sale voided with no order lines: its order was refused (an unknown SKU) or it was voided before its order was authorised"}},
		{"a status this client does not know", `{"ID":"s1","Status":"SOMETHING NEW","Order":{"Status":"AUTHORISED","Lines":[{"SKU":"A","Quantity":2}]}}`,
			erp.Receipt{Ref: "s1", Status: erp.StatusPending, Lines: []erp.Line{{SKU: "A", Ordered: 2}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var s sale
			if err := json.Unmarshal([]byte(c.sale), &s); err != nil {
				t.Fatalf("decode: %v", err)
			}
			c.want.ExternalID = "og-shop-1"
			if diff := cmp.Diff(c.want, receipt("og-shop-1", s)); diff != "" {
				t.Errorf("receipt (-want +got):\n%s", diff)
			}
		})
	}
}

// The vendor's own examples decode, quirks and all.
func TestReceipt_VendorExamples(t *testing.T) {
	t.Parallel()
	var s sale
	readJSON(t, "testdata/sale-post-response.json", &s)
	want := erp.Receipt{Ref: "916ab4c0-6ccb-4c93-873d-0603859050e4", ExternalID: "og-shop-1", Status: erp.StatusAcknowledged,
		ShipBy: time.Date(2017, 11, 30, 0, 0, 0, 0, time.UTC), Lines: []erp.Line{{SKU: "Bread", Ordered: 1, Validated: 1}}}
	if diff := cmp.Diff(want, receipt("og-shop-1", s)); diff != "" {
		t.Errorf("receipt of the POST /sale example (-want +got):\n%s", diff)
	}

	var o struct {
		SaleID string      `json:"SaleID"`
		Status string      `json:"Status"`
		Lines  []orderLine `json:"Lines"`
	}
	readJSON(t, "testdata/sale-order-post-response.json", &o)
	if o.SaleID != want.Ref || o.Status != "DRAFT" || len(o.Lines) != 1 || !o.Lines[0].BackorderQuantity.IsZero() || o.Lines[0].SKU != "Bread" {
		t.Errorf("POST /sale/order example decoded as %+v", o)
	}

	var l saleList
	readJSON(t, "testdata/salelist-get-response.json", &l)
	wantRows := []saleListRow{
		{SaleID: "6222cb47-0e1e-450d-af6d-0cefcee9eef7", Status: "ORDERED", OrderStatus: "AUTHORISED", OrderNumber: "SO-00092"},
		{SaleID: "a6558396-8893-479b-bca9-f89ea3e54633", Status: "BACKORDERED", OrderStatus: "AUTHORISED", OrderNumber: "SO-00091"},
	}
	if diff := cmp.Diff(wantRows, l.SaleList); diff != "" || l.Total != 2 {
		t.Errorf("saleList example (total %d) (-want +got):\n%s", l.Total, diff)
	}

	var a availabilityList
	readJSON(t, "testdata/productavailability-get-response.json", &a)
	if len(a.Rows) != 4 || a.Total != 4 || a.Rows[3].SKU != "test product 4" || a.Rows[3].Available.IntPart() != 2 || a.Rows[3].Location != "Main Warehouse" {
		t.Errorf("productavailability example decoded as %+v", a)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
}
