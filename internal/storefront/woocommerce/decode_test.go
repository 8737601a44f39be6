package woocommerce_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront/woocommerce"
)

// The documented example, as published: the line without a SKU is kept;
// prices are numbers (3, 12) read exactly; the variation name's &ndash; is
// decoded; the _gmt dates are UTC though written without a zone, three
// hours ahead of the site-time ones.
func TestDecodeOrder_DocumentedExample(t *testing.T) {
	t.Parallel()
	got, err := woocommerce.DecodeOrder("woo1", readTestdata(t, "rest-v3-order-retrieve-727.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := order.Order{
		Key:      order.Key{Storefront: "woo1", ID: "727"},
		Name:     "#727",
		Customer: order.Customer{Name: "John Doe", Email: "john.doe@example.com", Phone: "(555) 555-5555"},
		Currency: "USD",
		Total:    dec("29.35"),
		Lines: []order.LineItem{
			{LineID: "315", SKU: "", Title: "Woo Single #1", Quantity: 2, Price: dec("3")},
			{LineID: "316", SKU: "Bar3", Title: "Ship Your Idea – Color: Black, Size: M Test", Quantity: 1, Price: dec("12")},
		},
		// The shipping address has company and address_2 "" and no
		// phone; its state is WooCommerce's code, its country ISO's.
		ShipTo: &order.Address{
			Name: "John Doe", Line1: "969 Market", City: "San Francisco",
			RegionCode: "CA", PostalCode: "94103", CountryCode: "US",
		},
		NeedsShipping:   true, // a Flat Rate shipping line
		CapturedAt:      time.Date(2017, 3, 22, 19, 28, 2, 0, time.UTC),
		SourceUpdatedAt: time.Date(2017, 3, 22, 19, 28, 8, 0, time.UTC),
	}
	if diff := orderDiff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

// price is a PHP float in the JSON: it is read from its text, so what the
// shop wrote is what the ERP gets, even where float64 would round it.
func TestDecodeOrder_PriceExactlyAsWritten(t *testing.T) {
	t.Parallel()
	tests := []struct {
		json, want string
	}{
		{`3`, "3"},
		{`3.0`, "3"},
		{`12.5`, "12.5"},
		{`3.3333333333333335`, "3.3333333333333335"},
		{`9007199254740993.5`, "9007199254740993.5"}, // float64: 9007199254740994
		{`0.1000000000000000055511151231257827`, "0.1000000000000000055511151231257827"},
		{`1.0e-5`, "0.00001"}, // how PHP writes a small float
		{`2.5E+3`, "2500"},
		{`"7.25"`, "7.25"},
		{`-4.5`, "-4.5"},
	}
	for _, tc := range tests {
		body := `{"id":1,"line_items":[{"id":2,"sku":"A","quantity":1,"price":` + tc.json + `}]}`
		o, err := woocommerce.DecodeOrder("woo1", []byte(body))
		if err != nil {
			t.Errorf("price %s: %v", tc.json, err)
			continue
		}
		if got := o.Lines[0].Price; !got.Equal(dec(tc.want)) {
			t.Errorf("price %s = %s, want %s", tc.json, got, tc.want)
		}
	}
	// The case above that float64 gets wrong, shown wrong.
	if f, _ := strconv.ParseFloat("9007199254740993.5", 64); strconv.FormatFloat(f, 'f', -1, 64) == "9007199254740993.5" {
		t.Error("float64 holds 9007199254740993.5; the exactness case proves nothing")
	}
}

func TestDecodeOrder_RefusesNumbersThatWouldExplode(t *testing.T) {
	t.Parallel()
	for _, p := range []string{`1e400`, `1e31`, `1e-31`, `1e00001`, `1e`, `1e+`, `"1,5"`, `"NaN"`, `"Infinity"`, `true`, `{}`, `"0x10"`, `".5"`, `"5."`} {
		body := `{"id":1,"line_items":[{"id":2,"price":` + p + `}]}`
		if _, err := woocommerce.DecodeOrder("woo1", []byte(body)); !errors.Is(err, woocommerce.ErrMalformed) {
			t.Errorf("price %s: DecodeOrder = %v, want ErrMalformed", p, err)
		}
	}
}

// Without "price" (an old payload, a plugin's line), the unit price is the
// line total over the quantity.
func TestDecodeOrder_MissingPriceIsTotalOverQuantity(t *testing.T) {
	t.Parallel()
	o, err := woocommerce.DecodeOrder("woo1", []byte(`{"id":1,"line_items":[
		{"id":2,"quantity":3,"total":"10.00"},
		{"id":3,"quantity":2,"total":"9.00","price":null},
		{"id":4,"quantity":0,"total":"0.00"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"3.333333", "4.5", "0"} {
		if got := o.Lines[i].Price; !got.Equal(dec(want)) {
			t.Errorf("line %d price = %s, want %s", i, got, want)
		}
	}
}

// An order without an email or any address decodes: the gate flags it.
// PHP writes an empty associative array as [], which is taken as empty.
func TestDecodeOrder_NoEmailOrAddressIsNotAnError(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"id":5}`,
		`{"id":5,"billing":null,"shipping":null}`,
		`{"id":5,"billing":[],"shipping":[]}`,
		`{"id":5,"billing":{"first_name":"","last_name":"","email":"","phone":""},"line_items":[]}`,
	} {
		o, err := woocommerce.DecodeOrder("woo1", []byte(body))
		if err != nil {
			t.Errorf("%s: %v", body, err)
			continue
		}
		if o.Key.ID != "5" || o.Name != "#5" || o.Customer != (order.Customer{}) {
			t.Errorf("%s: order %+v", body, o)
		}
	}
}

func TestDecodeOrder_ShipToAndNeedsShipping(t *testing.T) {
	t.Parallel()
	full := `{"first_name":"Ann","last_name":"Lee","company":"Lee Ltd","address_1":"1 High St","address_2":"Flat 2",` +
		`"city":"Leeds","state":"West Yorkshire","postcode":"LS1 1AA","country":"GB","phone":"+44 113 496 0000"}`
	tests := []struct {
		name, body string
		want       *order.Address
		needs      bool
	}{
		{"virtual order: no shipping at all", `{"id":5,"shipping":{"first_name":"","last_name":"","company":"","address_1":"","address_2":"","city":"","state":"","postcode":"","country":"","phone":""},"shipping_lines":[]}`, nil, false},
		{"PHP's empty array", `{"id":5,"shipping":[],"shipping_lines":[]}`, nil, false},
		{"null shipping, no shipping lines member", `{"id":5,"shipping":null}`, nil, false},
		{"free text state is the region", `{"id":5,"shipping":` + full + `}`, &order.Address{
			Name: "Ann Lee", Company: "Lee Ltd", Line1: "1 High St", Line2: "Flat 2", City: "Leeds",
			Region: "West Yorkshire", PostalCode: "LS1 1AA", CountryCode: "GB", Phone: "+44 113 496 0000"}, true},
		{"a coded state, a numeric postcode, fields trimmed", `{"id":5,"shipping":{"first_name":" Jo ","address_1":" 9 Rua A ","city":"São Paulo","state":"SP","postcode":1310100,"country":"BR"}}`,
			&order.Address{Name: "Jo", Line1: "9 Rua A", City: "São Paulo", RegionCode: "SP", PostalCode: "1310100", CountryCode: "BR"}, true},
		{"a shipping line without an address", `{"id":5,"shipping_lines":[{"id":9,"method_id":"local_pickup","total":"0.00"}]}`, nil, true},
		{"shipping lines as a PHP object", `{"id":5,"shipping_lines":{"3":{"id":9,"method_id":"flat_rate"}}}`, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o, err := woocommerce.DecodeOrder("woo1", []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if diff := orderDiff(order.Order{ShipTo: tc.want}, order.Order{ShipTo: o.ShipTo}); diff != "" {
				t.Errorf("ship-to (-want +got):\n%s", diff)
			}
			if o.NeedsShipping != tc.needs {
				t.Errorf("NeedsShipping = %v, want %v", o.NeedsShipping, tc.needs)
			}
		})
	}
}

func TestDecodeOrder_RefusesShippingLinesThatAreNotAList(t *testing.T) {
	t.Parallel()
	for _, v := range []string{`"flat_rate"`, `3`, `true`} {
		if _, err := woocommerce.DecodeOrder("woo1", []byte(`{"id":5,"shipping_lines":`+v+`}`)); !errors.Is(err, woocommerce.ErrMalformed) {
			t.Errorf("shipping_lines %s: DecodeOrder = %v, want ErrMalformed", v, err)
		}
	}
}

func TestDecodeOrder_ShippingFillsWhatBillingLacks(t *testing.T) {
	t.Parallel()
	o, err := woocommerce.DecodeOrder("woo1", []byte(`{"id":5,
		"billing":{"first_name":"","last_name":"","email":"ann@example.com","phone":""},
		"shipping":{"first_name":"Ann","last_name":"Lee","phone":"+44 20 7946 0000"}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := order.Customer{Name: "Ann Lee", Email: "ann@example.com", Phone: "+44 20 7946 0000"}
	if o.Customer != want {
		t.Errorf("customer %+v, want %+v", o.Customer, want)
	}
}

func TestDecodeOrder_KeepsIDsExactly(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		`{"id":9007199254740993}`:    "9007199254740993",
		`{"id":"9007199254740993"}`:  "9007199254740993",
		`{"id":9223372036854775807}`: "9223372036854775807",
	} {
		o, err := woocommerce.DecodeOrder("woo1", []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if o.Key.ID != want || o.Name != "#"+want {
			t.Errorf("%s: id %s, name %s", body, o.Key.ID, o.Name)
		}
	}
}

// A plugin may make the number a JSON number, or a SKU null (a deleted
// product): neither is an error.
func TestDecodeOrder_TakesNumericNumberAndNullSKU(t *testing.T) {
	t.Parallel()
	o, err := woocommerce.DecodeOrder("woo1", []byte(`{"id":5,"number":1001,"line_items":[{"id":1,"sku":null,"name":"Gone","quantity":1,"price":2},{"id":2,"sku":12345,"quantity":1,"price":2}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if o.Name != "#1001" || o.Lines[0].SKU != "" || o.Lines[1].SKU != "12345" {
		t.Errorf("name %s, skus %q %q", o.Name, o.Lines[0].SKU, o.Lines[1].SKU)
	}
}

func TestDecodeOrder_TimesAreUTC(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body              string
		captured, updated time.Time
	}{
		{
			// No modification time: the creation time stands in.
			`{"id":1,"date_created_gmt":"2025-01-02T03:04:05","date_modified_gmt":null}`,
			time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		},
		{
			// The site-time fields are ignored; an offset is honoured.
			`{"id":1,"date_created":"2025-01-01T22:04:05","date_created_gmt":"2025-01-02T03:04:05","date_modified_gmt":"2025-01-02T05:00:00+01:00"}`,
			time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), time.Date(2025, 1, 2, 4, 0, 0, 0, time.UTC),
		},
	}
	for _, tc := range tests {
		o, err := woocommerce.DecodeOrder("woo1", []byte(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		if !o.CapturedAt.Equal(tc.captured) || !o.SourceUpdatedAt.Equal(tc.updated) || o.CapturedAt.Location() != time.UTC {
			t.Errorf("%s: captured %v, updated %v", tc.body, o.CapturedAt, o.SourceUpdatedAt)
		}
	}
}
