package cin7_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/erp/cin7/cin7fake"
	"github.com/ordergate/ordergate/internal/order"
)

// saleBodies records the raw body of every POST /sale.
type saleBodies struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (s *saleBodies) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.EqualFold(r.URL.Path, cin7fake.Prefix+"/sale") {
			raw, _ := io.ReadAll(r.Body)
			s.mu.Lock()
			s.bodies = append(s.bodies, raw)
			s.mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(raw))
		}
		next.ServeHTTP(w, r)
	})
}

func (s *saleBodies) all() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bodies
}

// The ship-to goes as the sale's ShippingAddress, this sale's alone
// (ShipToOther), the person as Contact.
func TestSubmit_SendsTheShipToAsTheSalesShippingAddress(t *testing.T) {
	t.Parallel()
	var rec saleBodies
	b := setupWrapped(t, rec.wrap)
	b.erp.SetStock("A", 5)
	o := testOrder("1001", "A", 1)
	o.ShipTo = &order.Address{
		Name: "Steve Shipper", Company: "Shipping Company", Line1: "123 Shipping Street", Line2: "Suite 4",
		City: "Shippington", Region: "Kentucky", RegionCode: "KY", PostalCode: "40003",
		Country: "United States", CountryCode: "US", Phone: "555-555-0199",
	}
	o.NeedsShipping = true
	if _, err := b.client.Submit(t.Context(), o); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	want := &cin7fake.Address{
		Line1: "123 Shipping Street", Line2: "Suite 4", City: "Shippington", State: "KY", Postcode: "40003",
		Country: "United States", Company: "Shipping Company", Contact: "Steve Shipper", ShipToOther: true,
	}
	if diff := cmp.Diff(want, b.erp.Sales()[0].ShippingAddress); diff != "" {
		t.Errorf("shipping address Cin7 holds (-want +got):\n%s", diff)
	}
	var body struct{ ShippingAddress map[string]any }
	if err := json.Unmarshal(rec.all()[0], &body); err != nil {
		t.Fatal(err)
	}
	wantBody := map[string]any{
		"Line1": "123 Shipping Street", "Line2": "Suite 4", "City": "Shippington", "State": "KY", "Postcode": "40003",
		"Country": "United States", "Company": "Shipping Company", "Contact": "Steve Shipper", "ShipToOther": true,
	}
	if diff := cmp.Diff(wantBody, body.ShippingAddress); diff != "" {
		t.Errorf("ShippingAddress sent (-want +got):\n%s", diff)
	}
}

// An order without a ship-to makes a sale without a ShippingAddress
// member: no empty address for Cin7 to refuse (it requires Line1 and
// Country) or to file under the customer.
func TestSubmit_WithoutShipToSendsNoShippingAddress(t *testing.T) {
	t.Parallel()
	var rec saleBodies
	b := setupWrapped(t, rec.wrap)
	b.erp.SetStock("A", 5)
	rc, err := b.client.Submit(t.Context(), testOrder("1002", "A", 1))
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if rc.Ref == "" || b.erp.Sales()[0].ShippingAddress != nil {
		t.Errorf("receipt %+v, address %+v; want a sale without an address", rc, b.erp.Sales()[0].ShippingAddress)
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(rec.all()[0], &body); err != nil {
		t.Fatal(err)
	}
	if _, ok := body["ShippingAddress"]; ok {
		t.Errorf("POST /sale body %s carries ShippingAddress", rec.all()[0])
	}
}

// WooCommerce gives a country's code only: it goes as the Country. An
// address Cin7 would refuse (no street, or no country) is left off the
// sale, which still goes in.
func TestSubmit_ShippingAddressCin7WouldRefuseIsLeftOff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   order.Address
		want *cin7fake.Address
	}{
		{"a country's code only, the second line moving up",
			order.Address{Name: "John Doe", Line2: "969 Market", City: "San Francisco", RegionCode: "CA", PostalCode: "94103", CountryCode: "US"},
			&cin7fake.Address{Line1: "969 Market", City: "San Francisco", State: "CA", Postcode: "94103", Country: "US", Contact: "John Doe", ShipToOther: true}},
		{"no street", order.Address{Name: "John Doe", City: "San Francisco", CountryCode: "US"}, nil},
		{"no country", order.Address{Name: "John Doe", Line1: "969 Market", City: "San Francisco"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.erp.SetStock("A", 5)
			o := testOrder("1003", "A", 1)
			o.ShipTo = &tc.in
			if _, err := b.client.Submit(t.Context(), o); err != nil {
				t.Fatalf("Submit: %v", err)
			}
			if diff := cmp.Diff(tc.want, b.erp.Sales()[0].ShippingAddress); diff != "" {
				t.Errorf("shipping address (-want +got):\n%s", diff)
			}
		})
	}
}
