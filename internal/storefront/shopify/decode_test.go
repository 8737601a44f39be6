package shopify

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/shopspring/decimal"
)

// orderDiff compares orders by value: decimals by amount and string, times
// by instant.
func orderDiff(want, got order.Order) string {
	return cmp.Diff(want, got,
		cmpopts.IgnoreUnexported(order.Order{}),
		cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) && a.String() == b.String() }),
		cmp.Comparer(time.Time.Equal),
	)
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestDecodeOrder_RealPayloads(t *testing.T) {
	t.Parallel()
	est := time.FixedZone("", -5*3600)
	tests := []struct {
		file string
		want order.Order
	}{
		{
			// Shopify's own orders/create sample: ids above 2^53 must come
			// through exactly; the order email wins over the customer's.
			file: "orders-create-sample-2025.json",
			want: order.Order{
				Key:      order.Key{Storefront: "shop1", ID: "820982911946154508"},
				Name:     "#9999",
				Customer: order.Customer{Name: "John Smith", Email: "jon@example.com", Phone: "555-555-SHIP"},
				Currency: "USD",
				Total:    dec("359.97"),
				Lines: []order.LineItem{
					{LineID: "487817672276298554", SKU: "SKU2006-001", Title: "Aviator sunglasses", Quantity: 1, Price: dec("89.99")},
					{LineID: "976318377106520349", SKU: "SKU2006-020", Title: "Mid-century lounger", Quantity: 1, Price: dec("159.99")},
					{LineID: "315789986012684393", SKU: "SKU2006-035", Title: "Coffee table", Quantity: 1, Price: dec("119.99")},
				},
				// address2 and latitude are null in the sample.
				ShipTo: &order.Address{
					Name: "Steve Shipper", Company: "Shipping Company", Line1: "123 Shipping Street",
					City: "Shippington", Region: "Kentucky", RegionCode: "KY", PostalCode: "40003",
					Country: "United States", CountryCode: "US", Phone: "555-555-SHIP",
				},
				NeedsShipping:   true,
				CapturedAt:      time.Date(2021, 12, 31, 19, 0, 0, 0, est),
				SourceUpdatedAt: time.Date(2021, 12, 31, 19, 0, 0, 0, est),
			},
		},
		{
			// go-shopify's REST fixture: wrapped in {"order": …}, empty SKUs,
			// a "-00:00" offset, created and updated four hours apart.
			file: "go-shopify-order.json",
			want: order.Order{
				Key:      order.Key{Storefront: "shop1", ID: "123456"},
				Name:     "#9999",
				Customer: order.Customer{Name: "John Smith", Email: "jon@doe.ca", Phone: "555-555-BILL"},
				Currency: "USD",
				Total:    dec("10.00"),
				Lines: []order.LineItem{
					{LineID: "254721536", SKU: "", Title: "Soda", Quantity: 1, Price: dec("0.00")},
					{LineID: "5", SKU: "", Title: "Another Beer For Good Times", Quantity: 1, Price: dec("5.00")},
				},
				// A Canadian zip on a Kentucky address, as published.
				ShipTo: &order.Address{
					Name: "Steve Shipper", Company: "Shipping Company", Line1: "123 Shipping Street",
					City: "Shippington", Region: "Kentucky", RegionCode: "KY", PostalCode: "K2P0S0",
					Country: "United States", CountryCode: "US", Phone: "555-555-SHIP",
				},
				NeedsShipping:   true,
				CapturedAt:      time.Date(2016, 5, 17, 4, 14, 36, 0, time.UTC),
				SourceUpdatedAt: time.Date(2016, 5, 17, 8, 14, 36, 0, time.UTC),
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			got, err := DecodeOrder("shop1", readTestdata(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := orderDiff(tc.want, got); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeOrder_ReadsRESTResponses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, id, email, total string
		skus                   []string
	}{
		{"rest-order-get-450789469.json", "450789469", "bob.norman@mail.example.com", "598.94", []string{"IPOD2008GREEN", "IPOD2008RED", "IPOD2008BLACK"}},
		{"rest-order-create-response-1073459970-send_receipt.json", "1073459970", "foo@example.com", "199.00", []string{"IPOD2008BLACK"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			o, err := DecodeOrder("shop1", readTestdata(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			var skus []string
			for _, l := range o.Lines {
				skus = append(skus, l.SKU)
			}
			got := []string{o.Key.ID, o.Customer.Email, o.Total.StringFixed(2)}
			if diff := cmp.Diff([]string{tc.id, tc.email, tc.total}, got); diff != "" {
				t.Errorf("id, email, total (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.skus, skus); diff != "" {
				t.Errorf("skus (-want +got):\n%s", diff)
			}
		})
	}
}

// The REST fixtures: one with a full shipping address (company null,
// address2 ""), one with shipping_address null though its line requires
// shipping; ShipTo says where, NeedsShipping whether, and the gate
// decides what an order that needs shipping and has no address gets.
func TestDecodeOrder_ShipToOfRESTResponses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want *order.Address
	}{
		{"rest-order-get-450789469.json", &order.Address{
			Name: "Bob Norman", Line1: "Chestnut Street 92", City: "Louisville", Region: "Kentucky", RegionCode: "KY",
			PostalCode: "40202", Country: "United States", CountryCode: "US", Phone: "+1(502)-459-2181",
		}},
		{"rest-order-create-response-1073459970-send_receipt.json", nil},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			o, err := DecodeOrder("shop1", readTestdata(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, o.ShipTo); diff != "" {
				t.Errorf("ship-to (-want +got):\n%s", diff)
			}
			if !o.NeedsShipping {
				t.Error("NeedsShipping = false, but every line requires shipping")
			}
		})
	}
}

func TestDecodeOrder_ShipToAndNeedsShipping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		want       *order.Address
		needs      bool
	}{
		{"no address member", `{"id":1}`, nil, false},
		{"null address", `{"id":1,"shipping_address":null}`, nil, false},
		{"every member empty or null", `{"id":1,"shipping_address":{"name":"","first_name":null,"address1":" ","address2":null,"city":"","zip":null,"country":null,"country_code":null,"latitude":null}}`, nil, false},
		{"name from first and last, fields trimmed", `{"id":1,"shipping_address":{"name":null,"first_name":" Ann ","last_name":"Lee","address1":" 1 High St ","city":"Leeds","zip":"LS1 1AA","country_code":"GB"}}`,
			&order.Address{Name: "Ann Lee", Line1: "1 High St", City: "Leeds", PostalCode: "LS1 1AA", CountryCode: "GB"}, false},
		{"gift card only", `{"id":1,"line_items":[{"id":2,"quantity":1,"requires_shipping":false}]}`, nil, false},
		{"one line of two ships", `{"id":1,"line_items":[{"id":2,"quantity":1,"requires_shipping":false},{"id":3,"quantity":1,"requires_shipping":true}]}`, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o, err := DecodeOrder("shop1", []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, o.ShipTo); diff != "" {
				t.Errorf("ship-to (-want +got):\n%s", diff)
			}
			if o.NeedsShipping != tc.needs {
				t.Errorf("NeedsShipping = %v, want %v", o.NeedsShipping, tc.needs)
			}
		})
	}
}

func TestDecodeOrder_EmailFallsBackToContactThenCustomer(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, body, want string }{
		{"order email", `{"id":1,"email":"a@x.test","contact_email":"b@x.test","customer":{"email":"c@x.test"}}`, "a@x.test"},
		{"contact email", `{"id":1,"email":"","contact_email":"b@x.test","customer":{"email":"c@x.test"}}`, "b@x.test"},
		{"customer email", `{"id":1,"email":null,"customer":{"email":"c@x.test"}}`, "c@x.test"},
		{"none", `{"id":1,"email":"","customer":null}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o, err := DecodeOrder("shop1", []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if o.Customer.Email != tc.want {
				t.Errorf("email = %q, want %q", o.Customer.Email, tc.want)
			}
		})
	}
}

func TestDecodeOrder_KeepsIDsAbove2To53Exactly(t *testing.T) {
	t.Parallel()
	// 2^53+1 is the first integer a float64 cannot hold; a quoted id is
	// accepted too.
	tests := []struct{ body, want string }{
		{`{"id": 9007199254740993}`, "9007199254740993"},
		{`{"id": "9007199254740993"}`, "9007199254740993"},
		{`{"id": 9223372036854775807}`, "9223372036854775807"},
	}
	for _, tc := range tests {
		o, err := DecodeOrder("shop1", []byte(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		if o.Key.ID != tc.want {
			t.Errorf("%s: id = %s, want %s", tc.body, o.Key.ID, tc.want)
		}
	}
}

func TestDecodeOrder_UpdatedAtFallsBackToCreatedAt(t *testing.T) {
	t.Parallel()
	o, err := DecodeOrder("shop1", []byte(`{"id":1,"created_at":"2025-01-02T03:04:05+01:00","updated_at":null}`))
	if err != nil {
		t.Fatal(err)
	}
	if !o.SourceUpdatedAt.Equal(o.CapturedAt) || o.CapturedAt.IsZero() {
		t.Errorf("updated %v, captured %v", o.SourceUpdatedAt, o.CapturedAt)
	}
}

func TestDecodeOrder_AcceptsNumericPrices(t *testing.T) {
	t.Parallel()
	o, err := DecodeOrder("shop1", []byte(`{"id":1,"total_price":12.50,"line_items":[{"id":2,"sku":"A","quantity":2,"price":6.25}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if o.Total.String() != "12.5" || o.Lines[0].Price.String() != "6.25" {
		t.Errorf("total %s, price %s", o.Total, o.Lines[0].Price)
	}
}

func TestDecodeOrder_ErrorsWrapErrMalformed(t *testing.T) {
	t.Parallel()
	_, err := DecodeOrder("shop1", []byte(`{"order": {"id": "x"}}`))
	if !errors.Is(err, ErrMalformed) {
		t.Errorf("DecodeOrder = %v, want ErrMalformed", err)
	}
}
