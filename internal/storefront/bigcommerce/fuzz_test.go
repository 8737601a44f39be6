package bigcommerce

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront"
)

func FuzzVerify(f *testing.F) {
	f.Add("new-secret", DefaultHeader, []byte("new-secret"), []byte("old-secret"))
	f.Add("old-secret", "x-ordergate-token", []byte("new-secret"), []byte("old-secret"))
	f.Add("", "", []byte(""), []byte(nil))
	f.Add(" padded ", "X-Shop-Secret", []byte("padded"), []byte{0xff})
	f.Fuzz(func(t *testing.T, value, name string, current, previous []byte) {
		h := http.Header{}
		key := name
		if key == "" {
			key = DefaultHeader
		}
		h[key] = []string{value}
		secrets := [][]byte{current, previous}
		err := Verify(h, name, secrets)
		// Whatever Verify accepts is one of the non-empty secrets.
		if err == nil {
			v := strings.TrimSpace(value)
			if v == "" || !((len(current) > 0 && v == string(current)) || (len(previous) > 0 && v == string(previous))) {
				t.Fatalf("accepted %q under secrets %q, %q", value, current, previous)
			}
		}
		// And the secret itself is accepted, when it survives header
		// white-space trimming.
		if len(current) > 0 && strings.TrimSpace(string(current)) == string(current) {
			h[key] = []string{string(current)}
			if err := Verify(h, name, [][]byte{previous, current}); err != nil {
				t.Fatalf("own secret %q under header %q refused: %v", current, name, err)
			}
		}
	})
}

func FuzzParseHook(f *testing.F) {
	for _, name := range []string{
		"webhook-store_order_created.json",
		"webhook-store_order_updated.json",
		"webhook-store_order_statusUpdated.json",
		"webhook-store_product_inventory_order_updated.json",
		"webhook-store_sku_inventory_order_updated.json",
	} {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte(`{"scope":"store/order/statusUpdated","store_id":1025646,"data":{"type":"order","id":"9007199254740993","status":{"new_status_id":5}},"hash":"h","created_at":"1561479335"}`))
	f.Add([]byte(`{"scope":"store/order/created","data":{"id":1e3},"hash":""}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		h, err := ParseHook("bc1", body)
		if err != nil {
			return
		}
		if _, ok := topics[h.Scope]; !ok {
			t.Fatalf("accepted scope %q", h.Scope)
		}
		if h.OrderID == "" || strings.Trim(h.OrderID, "0123456789") != "" || h.OrderID[0] == '0' {
			t.Fatalf("accepted order id %q", h.OrderID)
		}
		if h.Hash == "" || h.DedupKey != h.StoreID+"|"+h.Scope+"|"+h.Hash {
			t.Fatalf("hash %q, dedup key %q", h.Hash, h.DedupKey)
		}
		switch h.Topic {
		case storefront.OrderCreated, storefront.OrderUpdated, storefront.OrderCancelled:
		default:
			t.Fatalf("topic %q", h.Topic)
		}
		d := Delivery("bc1", h, order.Order{}, body)
		if d.Order.Key.ID != h.OrderID || d.DedupKey != h.DedupKey {
			t.Fatalf("delivery %+v from hook %+v", d, h)
		}
	})
}

func FuzzDecode(f *testing.F) {
	f.Add(readTestdata(f, "v2-order-get.json"), readTestdata(f, "v2-order-products-get.json"))
	f.Add([]byte(`{"id":7,"status_id":0,"billing_address":null,"total_inc_tax":12.5,"date_created":"Tue, 20 Nov 2012 00:00:00 +0000"}`), []byte(`[{"id":1,"sku":"","quantity":"2","price_inc_tax":"-1.0000"}]`))
	f.Add([]byte(`{"id":"9007199254740993","status_id":5,"total_inc_tax":"1e5"}`), []byte(``))
	f.Fuzz(func(t *testing.T, orderBody, productsBody []byte) {
		s, err := Decode("bc1", orderBody, productsBody)
		if err != nil {
			return
		}
		o := s.Order
		if o.Key.ID == "" || o.Key.ID == "0" || o.Name != "#"+o.Key.ID {
			t.Fatalf("accepted order id %q name %q", o.Key.ID, o.Name)
		}
		_ = o.Total.String()
		for _, l := range o.Lines {
			if l.Quantity < 0 {
				t.Fatalf("negative quantity %d", l.Quantity)
			}
			_ = l.Price.String()
		}
		if o.SourceUpdatedAt.IsZero() && !o.CapturedAt.IsZero() {
			t.Fatal("modified time did not fall back to the created time")
		}
	})
}

func FuzzDecodeShippingAddresses(f *testing.F) {
	f.Add(readTestdata(f, "v2-order-shipping-addresses-get.json"))
	f.Add([]byte(``))
	f.Add([]byte(`[]`))
	f.Add([]byte(`[{"first_name":" ","zip":78751,"country_iso2":null,"phone":1234567890}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := DecodeShippingAddresses(body)
		if err != nil || a == nil {
			return
		}
		if *a == (order.Address{}) {
			t.Fatal("an empty ship-to is not nil")
		}
		for _, v := range []string{a.Name, a.Company, a.Line1, a.Line2, a.City, a.Region, a.RegionCode, a.PostalCode, a.Country, a.CountryCode, a.Phone} {
			if v != strings.TrimSpace(v) {
				t.Fatalf("field %q is not trimmed", v)
			}
		}
	})
}
