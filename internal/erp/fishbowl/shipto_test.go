package fishbowl_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/order"
)

// shipTo is what the fake holds in a sales order's ShipTo columns.
type shipTo struct{ Name, Address, City, State, Zip, Country string }

// The ship-to fills the import's ShipTo columns: the street's two lines
// in ShipToAddress with a line break between them, the region's code as
// the state, the country's name.
func TestSubmit_FillsTheShipToColumnsFromTheShipTo(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.SetStock("A", 5)
	o := newOrder("1001", line("A", 1))
	o.ShipTo = &order.Address{
		Name: "Steve Shipper", Company: "Shipping Company", Line1: "123 Shipping Street", Line2: "Suite 4",
		City: "Shippington", Region: "Kentucky", RegionCode: "KY", PostalCode: "40003",
		Country: "United States", CountryCode: "US", Phone: "555-555-0199",
	}
	o.NeedsShipping = true
	if _, err := b.client.Submit(t.Context(), o); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	so := b.fake.Orders()[0]
	got := shipTo{so.ShipToName, so.ShipToAddress, so.ShipToCity, so.ShipToState, so.ShipToZip, so.ShipToCountry}
	want := shipTo{"Steve Shipper", "123 Shipping Street\nSuite 4", "Shippington", "KY", "40003", "United States"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ship-to Fishbowl holds (-want +got):\n%s", diff)
	}
	if so.BillToName != "Ada Buyer" {
		t.Errorf("bill-to name = %q, want the buyer", so.BillToName)
	}
	// On the wire the street is one quoted CSV field.
	if body := b.fake.Imports()[0].Body; !strings.Contains(body, `,"123 Shipping Street`+"\r\n"+`Suite 4",Shippington,KY,40003,United States,`) {
		t.Errorf("import %q lacks the ship-to as one quoted street field and its columns", body)
	}
}

// An order without a ship-to is imported with the buyer as ship-to name
// and the address columns blank, as before there were addresses.
func TestSubmit_WithoutShipToLeavesTheAddressColumnsBlank(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.SetStock("A", 5)
	rc, err := b.client.Submit(t.Context(), newOrder("1002", line("A", 1)))
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	so := b.fake.Orders()[0]
	got := shipTo{so.ShipToName, so.ShipToAddress, so.ShipToCity, so.ShipToState, so.ShipToZip, so.ShipToCountry}
	if want := (shipTo{Name: "Ada Buyer"}); got != want || rc.Ref == "" {
		t.Errorf("receipt %+v, ship-to %+v; want the order imported with ship-to %+v", rc, got, want)
	}
}

func TestSubmit_ShipToColumnsFallBackAndFitFishbowlsWidths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   order.Address
		want shipTo
	}{
		{"company without a person, a country's code only, a state's name only",
			order.Address{Company: "Acme Pty Ltd", Line2: "666 Sussex St", City: "Austin", Region: "Texas", PostalCode: "78751", CountryCode: "US"},
			shipTo{"Acme Pty Ltd", "666 Sussex St", "Austin", "Texas", "78751", "US"}},
		{"no name at all: the buyer",
			order.Address{Line1: "1 High St", City: "Leeds", Country: "United Kingdom"},
			shipTo{Name: "Ada Buyer", Address: "1 High St", City: "Leeds", Country: "United Kingdom"}},
		{"cut to the widths",
			order.Address{Name: strings.Repeat("n", 70), Line1: strings.Repeat("s", 100), City: strings.Repeat("c", 40), PostalCode: "12345-67890", Country: "United Kingdom of Great Britain and Northern Ireland"},
			shipTo{strings.Repeat("n", 60), strings.Repeat("s", 90), strings.Repeat("c", 30), "", "12345-6789", "United Kingdom of Great Britai"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.fake.SetStock("A", 5)
			o := newOrder("1003", line("A", 1))
			o.ShipTo = &tc.in
			if _, err := b.client.Submit(t.Context(), o); err != nil {
				t.Fatalf("Submit: %v", err)
			}
			so := b.fake.Orders()[0]
			got := shipTo{so.ShipToName, so.ShipToAddress, so.ShipToCity, so.ShipToState, so.ShipToZip, so.ShipToCountry}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ship-to (-want +got):\n%s", diff)
			}
		})
	}
}
