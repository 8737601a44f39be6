package fishbowl_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/erp/fishbowl"
	"github.com/ordergate/ordergate/internal/erp/fishbowl/fishbowlfake"
	"github.com/ordergate/ordergate/internal/order"
)

func TestSubmit_ImportsTheDocumentedSalesOrderCSV(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.SetStock("BIKE-1", 5)
	b.fake.SetStock(`CHAIN,"8"`, 5)
	o := newOrder("1001",
		order.LineItem{SKU: "BIKE-1", Title: "Road bike, red", Quantity: 2, Price: decimal.RequireFromString("1299.99")},
		order.LineItem{SKU: `CHAIN,"8"`, Title: `Chain "8 speed"`, Quantity: 1, Price: decimal.RequireFromString("0.10")},
	)
	o.Customer = order.Customer{Name: `O'Brien, "Ada"`, Email: "ada@example.com", Phone: "+1 555 0100"}
	o.CapturedAt = t0

	rc, err := b.client.Submit(t.Context(), o)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	want := erp.Receipt{Ref: "og-shop-1001", ExternalID: "og-shop-1001", Status: erp.StatusAcknowledged, Lines: []erp.Line{
		{SKU: "BIKE-1", Ordered: 2, Validated: 2}, {SKU: `CHAIN,"8"`, Ordered: 1, Validated: 1}}}
	if diff := cmp.Diff(want, rc); diff != "" {
		t.Errorf("receipt (-want +got):\n%s", diff)
	}

	imps := b.fake.Imports()
	if len(imps) != 1 {
		t.Fatalf("imports = %d, want 1", len(imps))
	}
	if ct := imps[0].ContentType; ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type = %q, want text/csv", ct)
	}
	rows := imps[0].Rows
	if len(rows) != 5 || rows[0][0] != "Flag" || rows[0][1] != "SONum" || rows[1][1] != "SOItemTypeID" {
		t.Fatalf("import rows = %q, want the SO and Item header rows, one SO row, two Item rows", rows)
	}
	so := b.fake.Orders()[0]
	wantSO := fishbowlfake.SalesOrder{
		ID: 1, Number: "og-shop-1001", Status: 20,
		CustomerName: `O'Brien, "Ada"`, Contact: `O'Brien, "Ada"`, BillToName: `O'Brien, "Ada"`, ShipToName: `O'Brien, "Ada"`,
		PONum: "#1001", Date: "03/02/2026", Note: "ordergate og-shop-1001, storefront order #1001",
		Phone: "+1 555 0100", Email: "ada@example.com",
		Items: []fishbowlfake.Item{
			{ProductNumber: "BIKE-1", Description: "Road bike, red", Quantity: decimal.NewFromInt(2), Price: decimal.RequireFromString("1299.99")},
			{ProductNumber: `CHAIN,"8"`, Description: `Chain "8 speed"`, Quantity: decimal.NewFromInt(1), Price: decimal.RequireFromString("0.1")},
		},
	}
	if diff := cmp.Diff(wantSO, so, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("sales order Fishbowl holds (-want +got):\n%s", diff)
	}
	for _, price := range []string{",1299.99,", ",0.1,"} {
		if !strings.Contains(imps[0].Body, price) {
			t.Errorf("import %q lacks the price %s as a decimal", imps[0].Body, price)
		}
	}
}

func TestSubmit_LongExternalIDGetsAStableShortNumber(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.SetStock("A", 5)
	o := newOrder("820982911946154508-with-a-long-tail", line("A", 1))
	id := o.Key.ExternalID()
	num := fishbowl.SONumber(id)
	if len(num) != 25 || !strings.HasPrefix(num, "og-") || num != fishbowl.SONumber(id) {
		t.Fatalf("SONumber(%q) = %q, want a stable og- number of 25 characters", id, num)
	}
	if fishbowl.SONumber("og-shop-1") != "og-shop-1" {
		t.Errorf("a short plain id is not used as it is")
	}

	rc, err := b.client.Submit(t.Context(), o)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if rc.Ref != num || rc.ExternalID != id {
		t.Errorf("receipt ref %q, external id %q; want %q, %q", rc.Ref, rc.ExternalID, num, id)
	}
	found, err := b.client.Lookup(t.Context(), id)
	if err != nil || found.Ref != num {
		t.Fatalf("Lookup: %+v, %v", found, err)
	}
	if note := b.fake.Orders()[0].Note; !strings.Contains(note, id) {
		t.Errorf("note %q lacks the full external id", note)
	}
}

func TestSubmit_ConfiguredCustomerHoldsEveryOrder(t *testing.T) {
	t.Parallel()
	b := setup(t, func(_ *fishbowlfake.Config, cc *fishbowl.Config) { cc.CustomerName = "Web Store" })
	b.fake.SetStock("A", 5)
	for _, id := range []string{"1", "2"} {
		if _, err := b.client.Submit(t.Context(), newOrder(id, line("A", 1))); err != nil {
			t.Fatalf("Submit: %v", err)
		}
	}
	if diff := cmp.Diff([]string{"Web Store"}, b.fake.Customers()); diff != "" {
		t.Errorf("customers (-want +got):\n%s", diff)
	}
	if so := b.fake.Orders()[0]; so.ShipToName != "Ada Buyer" {
		t.Errorf("ship-to name = %q, want the buyer", so.ShipToName)
	}
}

func TestSubmit_StockShortfallIsBackorderedNeverClean(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.SetStock("A", 4)
	b.fake.SetStock("B", 9)

	first, err := b.client.Submit(t.Context(), newOrder("1", line("A", 2), line("B", 1)))
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if len(first.Shortfall()) != 0 {
		t.Errorf("first order short: %+v", first.Shortfall())
	}
	// Two left of A; this order asks for three over two lines.
	second, err := b.client.Submit(t.Context(), newOrder("2", line("A", 1), line("A", 2), line("B", 1)))
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	want := []erp.Line{
		{SKU: "A", Ordered: 1, Validated: 1},
		{SKU: "A", Ordered: 2, Validated: 1, Short: erp.ShortBackordered},
		{SKU: "B", Ordered: 1, Validated: 1},
	}
	if second.Status != erp.StatusAcknowledged {
		t.Errorf("status = %q, want acknowledged (Fishbowl issued it)", second.Status)
	}
	if diff := cmp.Diff(want, second.Lines); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	// Looked up later, the first order is still covered in full: the
	// shortfall is the second's.
	again, err := b.client.Lookup(t.Context(), "og-shop-2")
	if err != nil || !cmp.Equal(want, again.Lines) {
		t.Errorf("Lookup of the second order: %+v, %v; want the same lines", again.Lines, err)
	}
	got, err := b.client.Availability(t.Context(), []string{"A"})
	if err != nil || got["A"] != 0 {
		t.Errorf("availability of A = %v, %v; want 0, never negative", got, err)
	}
}

func TestSubmit_StockIsSummedOverLocations(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.SetStockAt("A", map[string]int{"Main": 2, "Back room": 3})
	rc, err := b.client.Submit(t.Context(), newOrder("1", line("A", 4)))
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if l := rc.Lines[0]; l.Validated != 4 || l.Short != "" {
		t.Errorf("line = %+v, want all 4 validated from the two locations", l)
	}
	if got, _ := b.client.Availability(t.Context(), []string{"A"}); got["A"] != 1 {
		t.Errorf("availability = %d, want 1", got["A"])
	}
}

func TestSubmit_OrderAlreadyInFishbowlIsReturnedNotImportedAgain(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.SetStock("A", 5)
	b.fake.AddSalesOrder(fishbowlfake.SalesOrder{Number: "og-shop-1", Status: 20, CustomerName: "Ada Buyer",
		Items: []fishbowlfake.Item{{ProductNumber: "A", Quantity: decimal.NewFromInt(2)}}})

	rc, err := b.client.Submit(t.Context(), newOrder("1", line("A", 2)))
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if rc.Ref != "og-shop-1" || rc.Status != erp.StatusAcknowledged {
		t.Errorf("receipt = %+v, want the order Fishbowl holds", rc)
	}
	if n := len(b.fake.Imports()); n != 0 {
		t.Errorf("imports = %d, want none", n)
	}
}

// When the lookup before the import misses an order that is there (another
// replica created it meanwhile), Fishbowl refuses the duplicate number and
// Submit returns that order.
func TestSubmit_DuplicateNumberRefusedReturnsTheOrderFishbowlHolds(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.SetStock("A", 5)
	b.fake.AddSalesOrder(fishbowlfake.SalesOrder{Number: "og-shop-1", Status: 20, CustomerName: "Ada Buyer",
		Items: []fishbowlfake.Item{{ProductNumber: "A", Quantity: decimal.NewFromInt(2)}}})
	b.fake.FailNext(http.MethodGet, "/api/sales-orders", http.StatusNotFound, "Sales order not found.", nil)

	rc, err := b.client.Submit(t.Context(), newOrder("1", line("A", 2)))
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if rc.Ref != "og-shop-1" {
		t.Errorf("receipt = %+v, want the order Fishbowl holds", rc)
	}
	if n := len(b.fake.Orders()); n != 1 {
		t.Errorf("Fishbowl holds %d orders, want 1", n)
	}
}

func TestSubmit_OrderUnderOurNumberWithOtherLinesIsNoAcknowledgment(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.SetStock("A", 5)
	b.fake.AddSalesOrder(fishbowlfake.SalesOrder{Number: "og-shop-1", Status: 20, CustomerName: "Someone",
		Items: []fishbowlfake.Item{{ProductNumber: "A", Quantity: decimal.NewFromInt(1)}}})

	_, err := b.client.Submit(t.Context(), newOrder("1", line("A", 2)))
	if err == nil {
		t.Fatal("Submit succeeded over a sales order with other lines")
	}
	var e *erp.Error
	if errors.As(err, &e) {
		t.Errorf("got %v, want a plain error: no kind the gate could act on", err)
	}
	if !strings.Contains(err.Error(), "og-shop-1 holds map[A:1]") {
		t.Errorf("error %q does not say what Fishbowl holds", err)
	}
}

func TestSubmit_VoidedOrderUnderOurNumberIsRejected(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.SetStock("A", 5)
	b.fake.AddSalesOrder(fishbowlfake.SalesOrder{Number: "og-shop-1", Status: 80, CustomerName: "Ada Buyer",
		Items: []fishbowlfake.Item{{ProductNumber: "A", Quantity: decimal.NewFromInt(2)}}})

	_, err := b.client.Submit(t.Context(), newOrder("1", line("A", 2)))
	if !errors.Is(err, erp.ErrRejected) || erpError(t, err).Code != "so_void" {
		t.Fatalf("Submit: %v, want a rejection coded so_void", err)
	}
}

func TestSubmit_OrderFishbowlCannotTakeIsRejectedWithoutCallingIt(t *testing.T) {
	t.Parallel()
	cases := map[string]order.Order{
		"NoLines":      newOrder("1"),
		"NoSKU":        newOrder("2", line("", 1)),
		"ZeroQuantity": newOrder("3", line("A", 0)),
	}
	for name, o := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			_, err := b.client.Submit(t.Context(), o)
			if !errors.Is(err, erp.ErrRejected) {
				t.Fatalf("Submit: %v, want ErrRejected", err)
			}
			if reqs := b.fake.Requests(); len(reqs) != 0 {
				t.Errorf("Submit sent %d requests, want none (and no seat taken)", len(reqs))
			}
		})
	}
}
