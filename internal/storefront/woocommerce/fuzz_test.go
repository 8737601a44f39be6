package woocommerce

import (
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront"
	"github.com/ordergate/ordergate/internal/storefront/woocommerce/woocommercefake"
)

func fuzzTestdata(f *testing.F, name string) []byte {
	f.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// phpFixture is the documented order as WooCommerce sends it: PHP's JSON.
func phpFixture(f *testing.F) []byte {
	f.Helper()
	b, err := woocommercefake.Recode(fuzzTestdata(f, "rest-v3-order-retrieve-727.json"))
	if err != nil {
		f.Fatal(err)
	}
	return b
}

func FuzzVerify(f *testing.F) {
	body := phpFixture(f)
	f.Add(body, Sign(body, []byte("s3cret")), []byte("s3cret"), []byte(nil))
	f.Add(body, Sign(body, []byte("p&s")), []byte("p&amp;s"), []byte("old"))
	f.Add([]byte("secret"), "GBDo00G55h6IiV+6CxqivQPLbI//KzaOZm747971tPs=", []byte(""), []byte("x"))
	f.Add([]byte("webhook_id=1"), "", []byte("k"), []byte("&#x27;&#0039;&quot;"))
	f.Fuzz(func(t *testing.T, body []byte, sig string, current, previous []byte) {
		h := http.Header{}
		h.Set(HeaderSignature, sig)
		secrets := [][]byte{current, previous}
		if err := Verify(secrets, h, body); err == nil {
			// Whatever Verify accepts is a real signature under one of the
			// secrets, as written or as WordPress decodes it.
			ok := false
			for _, s := range secrets {
				if len(s) > 0 && (sig == Sign(body, s) || sig == Sign(body, specialcharsDecode(s))) {
					ok = true
				}
			}
			if !ok {
				t.Fatalf("accepted signature %q that no secret makes", sig)
			}
		}
		if len(current) > 0 && len(body) > 0 {
			h.Set(HeaderSignature, Sign(body, current))
			if err := Verify([][]byte{previous, current}, h, body); err != nil {
				t.Fatalf("own signature refused: %v", err)
			}
		}
		if d := specialcharsDecode(current); len(d) > len(current) {
			t.Fatalf("decoding %q grew it to %q", current, d)
		}
	})
}

var pingBody = regexp.MustCompile(`^webhook_id=[1-9][0-9]{0,18}$`)

func FuzzIsPing(f *testing.F) {
	f.Add([]byte("webhook_id=42"), "")
	f.Add([]byte("webhook_id=42"), HeaderSignature)
	f.Add([]byte("webhook_id=042"), "")
	f.Add(phpFixture(f), "")
	f.Fuzz(func(t *testing.T, body []byte, headerName string) {
		h := http.Header{}
		if headerName != "" {
			h[headerName] = []string{"x"}
		}
		if !IsPing(h, body) {
			return
		}
		if !pingBody.Match(body) {
			t.Fatalf("took %q for a ping", body)
		}
		for _, name := range wcHeaders {
			if header(h, name) != "" {
				t.Fatalf("took a request with %s for a ping", name)
			}
		}
	})
}

var decimalID = regexp.MustCompile(`^[1-9][0-9]*$`)

func FuzzParse(f *testing.F) {
	fixture := phpFixture(f)
	for _, topic := range []string{"order.created", "order.updated", "order.deleted"} {
		f.Add(fixture, topic)
	}
	f.Add([]byte(`{"id":727}`), "order.deleted")
	f.Add([]byte(`{"id":5,"status":"cancelled","billing":[],"line_items":[{"id":1,"sku":null,"quantity":1,"price":1.0e-5}]}`), "order.updated")
	f.Add([]byte(`{"order":{"id":1}}`), "order.created")
	f.Add([]byte("webhook_id=12"), "order.created")
	f.Fuzz(func(t *testing.T, body []byte, topic string) {
		h := http.Header{}
		h.Set(HeaderTopic, topic)
		h.Set(HeaderSource, "https://shop.example/")
		h.Set(HeaderID, "12")
		d, err := Parse("woo1", h, body)
		if err != nil {
			return
		}
		if !decimalID.MatchString(d.Order.Key.ID) {
			t.Fatalf("accepted order id %q", d.Order.Key.ID)
		}
		switch d.Topic {
		case storefront.OrderCreated, storefront.OrderUpdated, storefront.OrderCancelled:
		default:
			t.Fatalf("topic %q", d.Topic)
		}
		if d.Topic == storefront.OrderCancelled && d.CancelReason == "" {
			t.Fatal("cancellation without a reason")
		}
		if d.DedupKey == "" || string(d.Body) != string(body) {
			t.Fatal("no dedup key, or body not kept")
		}
		_ = d.Order.Total.String()
		for _, l := range d.Order.Lines {
			_ = l.Price.String()
		}
	})
}

// FuzzDecodeOrder also checks that PHP's way of writing the same JSON
// (Recode) decodes to the same order: escaping is never meaning.
func FuzzDecodeOrder(f *testing.F) {
	f.Add(fuzzTestdata(f, "rest-v3-order-retrieve-727.json"))
	f.Add(phpFixture(f))
	f.Add([]byte(`{"id":"9007199254740993","number":1001,"date_modified_gmt":"2025-01-02T05:00:00+01:00","line_items":[{"id":2,"quantity":3,"total":"10.00"}]}`))
	f.Add([]byte(`{"id":1,"line_items":[{"id":2,"price":"2.5E+3","name":"A &ndash; B"}]}`))
	f.Add([]byte(`{"id":3,"shipping":[],"shipping_lines":{"7":{"id":9}}}`))
	f.Add([]byte(`{"id":4,"shipping":{"first_name":" ","address_1":"1 \u00e9 St","state":"TH-10","postcode":12345,"country":"TH"},"shipping_lines":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		o, err := DecodeOrder("woo1", body)
		if err != nil {
			return
		}
		if o.ShipTo != nil && (*o.ShipTo == order.Address{} || !o.NeedsShipping) {
			t.Fatalf("ship-to %+v, needs shipping %v", o.ShipTo, o.NeedsShipping)
		}
		if !decimalID.MatchString(o.Key.ID) {
			t.Fatalf("accepted order id %q", o.Key.ID)
		}
		for _, l := range o.Lines {
			if l.Quantity < 0 {
				t.Fatalf("negative quantity %d", l.Quantity)
			}
			if len(l.Price.String()) > 200 {
				t.Fatalf("price %s from a short payload", l.Price.String()[:50])
			}
		}
		php, err := woocommercefake.Recode(body)
		if err != nil {
			return // trailing data after the value, which Recode refuses
		}
		again, err := DecodeOrder("woo1", php)
		if err != nil {
			t.Fatalf("PHP's spelling %s of an order that decoded does not: %v", php, err)
		}
		if o.Key != again.Key || o.Name != again.Name || o.Customer != again.Customer || !o.Total.Equal(again.Total) || len(o.Lines) != len(again.Lines) ||
			!o.SourceUpdatedAt.Equal(again.SourceUpdatedAt) || o.NeedsShipping != again.NeedsShipping ||
			(o.ShipTo == nil) != (again.ShipTo == nil) || (o.ShipTo != nil && *o.ShipTo != *again.ShipTo) {
			t.Fatalf("PHP's spelling decodes differently:\n%+v\n%+v", o, again)
		}
		for i := range o.Lines {
			if o.Lines[i].SKU != again.Lines[i].SKU || o.Lines[i].Title != again.Lines[i].Title || !o.Lines[i].Price.Equal(again.Lines[i].Price) {
				t.Fatalf("line %d decodes differently: %+v, %+v", i, o.Lines[i], again.Lines[i])
			}
		}
	})
}

func FuzzRetryAfter(f *testing.F) {
	now := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	for _, s := range []string{"", "7", "600", "-1", "1.5", "99999999999999999999", now.Add(time.Minute).Format(http.TimeFormat), "Fri, 14 Mar 2025 08:00:00 GMT", "junk"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		d, said := retryAfter(h, now)
		if d < 0 || (!said && d != 0) {
			t.Fatalf("retryAfter(%q) = %s, %v", h, d, said)
		}
		if _, err := strconv.ParseInt(strings.TrimSpace(h), 10, 64); err == nil && d > 24*time.Hour {
			t.Fatalf("retryAfter(%q) = %s, more than the 24 h cap", h, d)
		}
	})
}
