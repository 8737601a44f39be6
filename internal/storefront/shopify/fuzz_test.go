package shopify

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ordergate/ordergate/internal/order"
)

func FuzzVerify(f *testing.F) {
	for _, v := range shopifyVectors(f) {
		f.Add([]byte(v.Body), v.Expected, []byte(v.Secret), []byte("previous"))
	}
	body := readTestdata(f, "orders-create-sample-2025.json")
	f.Add(body, Sign(body, []byte("s3cret")), []byte("s3cret"), []byte(nil))
	f.Add([]byte{}, "", []byte{}, []byte{})
	f.Fuzz(func(t *testing.T, body []byte, header string, current, previous []byte) {
		err := Verify(body, header, [][]byte{current, previous})
		// Whatever Verify accepts must be a real signature under one of
		// the secrets.
		if err == nil && header == "" {
			t.Fatal("accepted an empty header")
		}
		if len(current) > 0 && len(body) > 0 {
			if err := Verify(body, Sign(body, current), [][]byte{previous, current}); err != nil {
				t.Fatalf("own signature rejected: %v", err)
			}
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{
		"orders-create-sample-2025.json",
		"go-shopify-order.json",
		"rest-order-get-450789469.json",
		"rest-order-create-response-1073459970-send_receipt.json",
	} {
		f.Add(readTestdata(f, name), "orders/create", "evt-1")
	}
	f.Add([]byte(`{"id": 9007199254740993, "total_price": "1.00", "line_items": [{"id": 1, "sku": "", "quantity": 1, "price": "1"}]}`), "orders/cancelled", "")
	f.Add([]byte(`{"id": 1e3}`), "orders/updated", "x")
	f.Add([]byte(`{"id": 5, "shipping_address": {"name": null, "first_name": " A ", "address1": "", "country_code": "US"}, "line_items": [{"id": 1, "quantity": 1, "requires_shipping": true}]}`), "orders/create", "e")
	f.Fuzz(func(t *testing.T, body []byte, topic, event string) {
		h := http.Header{}
		h.Set(HeaderTopic, topic)
		h.Set(HeaderShopDomain, "fuzz.myshopify.com")
		h.Set(HeaderAPIVersion, "2025-07")
		h.Set(HeaderWebhookID, "wh-1")
		h.Set(HeaderEventID, event)
		d, err := Parse("shop1", h, body)
		if err != nil {
			return
		}
		if d.Order.Key.ID == "" || d.Order.Key.ID == "0" {
			t.Fatalf("accepted order without id: %q", body)
		}
		if a := d.Order.ShipTo; a != nil {
			if *a == (order.Address{}) {
				t.Fatalf("an empty ship-to is not nil: %q", body)
			}
			for _, v := range []string{a.Name, a.Company, a.Line1, a.Line2, a.City, a.Region, a.RegionCode, a.PostalCode, a.Country, a.CountryCode, a.Phone} {
				if v != strings.TrimSpace(v) {
					t.Fatalf("ship-to field %q is not trimmed", v)
				}
			}
		}
		_ = d.Order.Total.String()
		for _, l := range d.Order.Lines {
			_ = l.Price.String()
		}
	})
}
