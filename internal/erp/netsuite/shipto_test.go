package netsuite_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/erp/netsuite"
	"github.com/ordergate/ordergate/internal/erp/netsuite/netsuitefake"
	"github.com/ordergate/ordergate/internal/order"
)

// The order's ship-to goes as the sales order's shippingAddress subrecord:
// the company as addressee with the person to its attention, the region's
// code as state, the country as NetSuite's two-letter id.
func TestSubmit_SendsTheShipToAsTheShippingAddress(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
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
	want := &netsuitefake.Address{
		Addressee: "Shipping Company", Attention: "Steve Shipper", Addr1: "123 Shipping Street", Addr2: "Suite 4",
		City: "Shippington", State: "KY", Zip: "40003", Country: "US", AddrPhone: "555-555-0199",
	}
	if diff := cmp.Diff(want, b.fake.Orders()[0].ShipTo); diff != "" {
		t.Errorf("shipping address NetSuite holds (-want +got):\n%s", diff)
	}
	var body struct {
		ShippingAddress map[string]any `json:"shippingAddress"`
	}
	if err := json.Unmarshal(b.requests(http.MethodPut, salesOrderPath)[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	wantBody := map[string]any{
		"addressee": "Shipping Company", "attention": "Steve Shipper", "addr1": "123 Shipping Street", "addr2": "Suite 4",
		"city": "Shippington", "state": "KY", "zip": "40003", "country": "US", "addrPhone": "555-555-0199",
	}
	if diff := cmp.Diff(wantBody, body.ShippingAddress); diff != "" {
		t.Errorf("shippingAddress sent (-want +got):\n%s", diff)
	}
}

// An order without a ship-to (gift cards, a download) goes in without a
// shippingAddress member at all: no empty subrecord for NetSuite to refuse
// or to put over the customer's default address.
func TestSubmit_WithoutShipToSendsNoShippingAddress(t *testing.T) {
	t.Parallel()
	for _, async := range []bool{false, true} {
		b := setup(t, opts{client: func(c *netsuite.Config) { c.Async = async }})
		b.fake.SetStock("A", 5)
		rc, err := b.client.Submit(t.Context(), newOrder("1002", line("A", 1)))
		if err != nil {
			t.Fatalf("async %v: Submit: %v", async, err)
		}
		if rc.Ref == "" || len(b.fake.Orders()) != 1 {
			t.Fatalf("async %v: receipt %+v, %d orders", async, rc, len(b.fake.Orders()))
		}
		if a := b.fake.Orders()[0].ShipTo; a != nil {
			t.Errorf("async %v: NetSuite holds shipping address %+v, want none", async, a)
		}
		for _, r := range b.requests(http.MethodPut, salesOrderPath) {
			var body map[string]json.RawMessage
			if err := json.Unmarshal(r.Body, &body); err != nil {
				t.Fatal(err)
			}
			if _, ok := body["shippingAddress"]; ok {
				t.Errorf("async %v: PUT body %s carries shippingAddress", async, r.Body)
			}
		}
	}
}

// What NetSuite would refuse, or a blank line, is left out of the
// subrecord rather than have the order refused.
func TestSubmit_ShippingAddressLeavesOutWhatNetSuiteWouldRefuse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   order.Address
		want *netsuitefake.Address
	}{
		{"person only, second line moves up, state name kept",
			order.Address{Name: "Jane Doe", Line2: "555 East Street", City: "Austin", Region: "Texas", PostalCode: "78108", Country: "United States", CountryCode: "us"},
			&netsuitefake.Address{Addressee: "Jane Doe", Addr1: "555 East Street", City: "Austin", State: "Texas", Zip: "78108", Country: "US"}},
		{"a country's name alone, a phone NetSuite would refuse",
			order.Address{Name: "Ann Lee", Line1: "1 High St", City: "Leeds", Country: "United Kingdom", Phone: "call after 5"},
			&netsuitefake.Address{Addressee: "Ann Lee", Addr1: "1 High St", City: "Leeds"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, opts{})
			b.fake.SetStock("A", 5)
			o := newOrder("1003", line("A", 1))
			o.ShipTo = &tc.in
			if _, err := b.client.Submit(t.Context(), o); err != nil {
				t.Fatalf("Submit: %v", err)
			}
			if diff := cmp.Diff(tc.want, b.fake.Orders()[0].ShipTo); diff != "" {
				t.Errorf("shipping address (-want +got):\n%s", diff)
			}
		})
	}
}
