package bigcommerce

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/order"
)

func TestDecode_RealPayloads(t *testing.T) {
	t.Parallel()
	got, err := Decode("bc1", readTestdata(t, "v2-order-get.json"), readTestdata(t, "v2-order-products-get.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := Snapshot{
		Order: order.Order{
			Key:      order.Key{Storefront: "bc1", ID: "218"},
			Name:     "#218",
			Customer: order.Customer{Name: "Jane Doe", Email: "janedoe@example.com", Phone: "1234567890"},
			Currency: "USD",
			Total:    dec("69.8400"),
			Lines: []order.LineItem{
				{LineID: "65", SKU: "S-ORAN", Title: "Fog Linen Chambray Towel - Beige Stripe", Quantity: 1, Price: dec("65.2300")},
				// The bundled pick-list item: kept, at its own price.
				{LineID: "66", SKU: "ABS", Title: "Able Brewing System", Quantity: 1, Price: dec("0.0000")},
			},
			// Both products are of type physical; the ship-to is not in
			// the order (DecodeShippingAddresses).
			NeedsShipping:   true,
			CapturedAt:      time.Date(2019, 3, 5, 21, 40, 11, 0, time.UTC),
			SourceUpdatedAt: time.Date(2019, 3, 11, 15, 17, 25, 0, time.UTC),
		},
		StatusID: 7,
		Status:   "Awaiting Payment",
	}
	if diff := orderDiff(want, got); diff != "" {
		t.Errorf("snapshot (-want +got):\n%s", diff)
	}
	// Four decimal places, as sent: nothing rounded on the way.
	if got.Order.Total.StringFixed(4) != "69.8400" || got.Order.Lines[0].Price.StringFixed(4) != "65.2300" {
		t.Errorf("total %s, price %s", got.Order.Total, got.Order.Lines[0].Price)
	}
}

// BigCommerce's example collection: the first address is the ship-to; its
// state is a name, the country both a name and a code; "" fields are empty.
func TestDecodeShippingAddresses_FirstIsTheShipTo(t *testing.T) {
	t.Parallel()
	got, err := DecodeShippingAddresses(readTestdata(t, "v2-order-shipping-addresses-get.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := &order.Address{
		Name: "Trishy Smith", Company: "Acme Pty Ltd", Line1: "666 Sussex St", City: "San Antonio",
		Region: "Texas", PostalCode: "78251", Country: "United States", CountryCode: "US",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ship-to (-want +got):\n%s", diff)
	}
}

func TestDecodeShippingAddresses_NoneIsNil(t *testing.T) {
	t.Parallel()
	for _, body := range []string{``, " \n", `[]`, `null`, `[{"first_name":"","last_name":" ","street_1":"","country":"","form_fields":[]}]`} {
		got, err := DecodeShippingAddresses([]byte(body))
		if err != nil || got != nil {
			t.Errorf("DecodeShippingAddresses(%q) = %v, %v; want nil, nil", body, got, err)
		}
	}
}

func TestDecodeShippingAddresses_RefusesWhatIsNotAList(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`{"id":1}`, `[{"street_1":{"a":1}}]`, `[`} {
		if _, err := DecodeShippingAddresses([]byte(body)); !errors.Is(err, ErrMalformed) {
			t.Errorf("DecodeShippingAddresses(%s) = %v, want ErrMalformed", body, err)
		}
	}
}

// NeedsShipping is a product of type physical (or of no type); digital
// products and gift certificates ship nothing.
func TestDecode_NeedsShippingByProductType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, products string
		want           bool
	}{
		{"no products", ``, false},
		{"digital and gift certificate", `[{"id":1,"quantity":1,"type":"digital"},{"id":2,"quantity":1,"type":"giftcertificate"}]`, false},
		{"one physical", `[{"id":1,"quantity":1,"type":"digital"},{"id":2,"quantity":1,"type":"physical"}]`, true},
		{"no type", `[{"id":1,"quantity":1}]`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := Decode("bc1", []byte(`{"id":7,"status_id":11}`), []byte(tc.products))
			if err != nil {
				t.Fatal(err)
			}
			if s.Order.NeedsShipping != tc.want || s.Order.ShipTo != nil {
				t.Errorf("NeedsShipping = %v, ShipTo = %v; want %v, nil", s.Order.NeedsShipping, s.Order.ShipTo, tc.want)
			}
		})
	}
}

func TestDecode_ProductWithNoSKUIsKeptAsALine(t *testing.T) {
	t.Parallel()
	products := `[{"id":1,"sku":"","name":"Custom engraving","quantity":2,"price_inc_tax":"5.0000"},{"id":2,"sku":"MUG-GRY","name":"Mug","quantity":1,"price_inc_tax":"12.4500"}]`
	s, err := Decode("bc1", []byte(`{"id":7,"status_id":11,"total_inc_tax":"22.4500"}`), []byte(products))
	if err != nil {
		t.Fatal(err)
	}
	var skus []string
	for _, l := range s.Order.Lines {
		skus = append(skus, l.SKU)
	}
	if diff := cmp.Diff([]string{"", "MUG-GRY"}, skus); diff != "" {
		t.Errorf("skus (-want +got):\n%s", diff)
	}
	if s.Order.Units() != 3 {
		t.Errorf("units = %d, want 3", s.Order.Units())
	}
}

func TestDecode_MissingContactIsNotAnError(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, body string }{
		{"no billing address", `{"id":7,"status_id":11}`},
		{"null billing address", `{"id":7,"status_id":11,"billing_address":null}`},
		{"empty email", `{"id":7,"status_id":11,"billing_address":{"first_name":"","last_name":"","email":"","phone":""}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := Decode("bc1", []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if s.Order.Customer != (order.Customer{}) {
				t.Errorf("customer = %+v, want empty", s.Order.Customer)
			}
		})
	}
}

// currency_code is the display currency; the amounts are in the
// transactional one, default_currency_code.
func TestDecode_CurrencyIsTheTransactionalOne(t *testing.T) {
	t.Parallel()
	tests := []struct{ body, want string }{
		{`{"id":7,"status_id":11,"currency_code":"USD","default_currency_code":"EUR"}`, "EUR"},
		{`{"id":7,"status_id":11,"currency_code":"USD","default_currency_code":""}`, "USD"},
		{`{"id":7,"status_id":11,"currency_code":"GBP"}`, "GBP"},
	}
	for _, tc := range tests {
		s, err := Decode("bc1", []byte(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		if s.Order.Currency != tc.want {
			t.Errorf("%s: currency %q, want %q", tc.body, s.Order.Currency, tc.want)
		}
	}
}

func TestDecode_MoneyIsReadFromTheTextNeverAFloat(t *testing.T) {
	t.Parallel()
	tests := []struct{ total, want string }{
		{`"0.1000"`, "0.1"},
		{`"12345678901234567890.1234"`, "12345678901234567890.1234"},
		{`12.50`, "12.5"},
		{`"-3.0000"`, "-3"},
		{`""`, "0"},
		{`null`, "0"},
	}
	for _, tc := range tests {
		s, err := Decode("bc1", []byte(`{"id":7,"status_id":11,"total_inc_tax":`+tc.total+`}`))
		if err != nil {
			t.Fatalf("%s: %v", tc.total, err)
		}
		if !s.Order.Total.Equal(dec(tc.want)) {
			t.Errorf("%s: total %s, want %s", tc.total, s.Order.Total, tc.want)
		}
	}
}

func TestDecode_DatesAreRFC2822(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body        string
		captured, updated time.Time
	}{
		{"documented shape", `{"id":7,"status_id":11,"date_created":"Tue, 20 Nov 2012 00:00:00 +0000","date_modified":"Wed, 21 Nov 2012 10:00:01 -0500"}`,
			time.Date(2012, 11, 20, 0, 0, 0, 0, time.UTC), time.Date(2012, 11, 21, 15, 0, 1, 0, time.UTC)},
		{"no modified date: the created one", `{"id":7,"status_id":11,"date_created":"Tue, 20 Nov 2012 00:00:00 +0000","date_modified":""}`,
			time.Date(2012, 11, 20, 0, 0, 0, 0, time.UTC), time.Date(2012, 11, 20, 0, 0, 0, 0, time.UTC)},
		{"ISO 8601", `{"id":7,"status_id":11,"date_created":"2012-11-20T00:00:00Z","date_modified":"2012-11-20T00:00:05+00:00"}`,
			time.Date(2012, 11, 20, 0, 0, 0, 0, time.UTC), time.Date(2012, 11, 20, 0, 0, 5, 0, time.UTC)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := Decode("bc1", []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if !s.Order.CapturedAt.Equal(tc.captured) || !s.Order.SourceUpdatedAt.Equal(tc.updated) {
				t.Errorf("captured %v updated %v, want %v %v", s.Order.CapturedAt, s.Order.SourceUpdatedAt, tc.captured, tc.updated)
			}
		})
	}
}

func TestDecode_MalformedPayloads(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, order, products string }{
		{"not json", `<order/>`, ``},
		{"no id", `{"status_id":11}`, ``},
		{"no status_id", `{"id":7}`, ``},
		{"exponent in a price", `{"id":7,"status_id":11,"total_inc_tax":"1e999999999"}`, ``},
		{"words for a price", `{"id":7,"status_id":11,"total_inc_tax":"ten"}`, ``},
		{"unreadable date", `{"id":7,"status_id":11,"date_created":"20/11/2012"}`, ``},
		{"products not an array", `{"id":7,"status_id":11}`, `{"id":1}`},
		{"negative quantity", `{"id":7,"status_id":11}`, `[{"id":1,"sku":"A","quantity":-1,"price_inc_tax":"1"}]`},
		{"fractional quantity", `{"id":7,"status_id":11}`, `[{"id":1,"sku":"A","quantity":1.5,"price_inc_tax":"1"}]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Decode("bc1", []byte(tc.order), []byte(tc.products))
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("Decode = %v, want ErrMalformed", err)
			}
		})
	}
}

func TestDecode_StatusesAndArchive(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body                            string
		cancelled, incomplete, archived bool
	}{
		{`{"id":7,"status_id":0,"status":"Incomplete"}`, false, true, false},
		{`{"id":7,"status_id":5,"status":"Cancelled"}`, true, false, false},
		{`{"id":7,"status_id":6,"status":"Declined"}`, true, false, false},
		{`{"id":7,"status_id":4,"status":"Refunded"}`, false, false, false},
		{`{"id":7,"status_id":10,"status":"Completed","is_deleted":true}`, false, false, true},
	}
	for _, tc := range tests {
		s, err := Decode("bc1", []byte(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		got := []bool{s.Cancelled(), s.Incomplete(), s.Archived}
		if diff := cmp.Diff([]bool{tc.cancelled, tc.incomplete, tc.archived}, got); diff != "" {
			t.Errorf("%s: cancelled, incomplete, archived (-want +got):\n%s", tc.body, diff)
		}
	}
}

// The connector's table of status names is BigCommerce's, as GET
// /v2/order_statuses returns it.
func TestStatusName_MatchesTheAPIsStatuses(t *testing.T) {
	t.Parallel()
	var statuses []struct {
		ID          int    `json:"id"`
		SystemLabel string `json:"system_label"`
	}
	if err := json.Unmarshal(readTestdata(t, "v2-order-statuses.json"), &statuses); err != nil {
		t.Fatal(err)
	}
	if len(statuses) != len(statusNames) {
		t.Errorf("%d statuses in the fixture, %d in the table", len(statuses), len(statusNames))
	}
	for _, s := range statuses {
		if got := StatusName(s.ID); got != s.SystemLabel {
			t.Errorf("StatusName(%d) = %q, want %q", s.ID, got, s.SystemLabel)
		}
	}
	if got := StatusName(99); got != "status 99" {
		t.Errorf("StatusName(99) = %q", got)
	}
}
