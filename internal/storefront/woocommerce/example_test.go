package woocommerce_test

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/ordergate/ordergate/internal/storefront/woocommerce"
)

// The webhook handler's order of work: the creation ping is answered 200
// and nothing is stored; everything else is verified on the raw bytes,
// then parsed; an unsupported topic is answered 200 and ignored.
func ExampleParse() {
	secrets := [][]byte{[]byte("current-secret"), []byte("previous-secret")}
	handle := func(h http.Header, body []byte) {
		if woocommerce.IsPing(h, body) {
			fmt.Println("200, ping")
			return
		}
		if err := woocommerce.Verify(secrets, h, body); err != nil {
			fmt.Println("401:", err)
			return
		}
		d, err := woocommerce.Parse("woo1", h, body)
		switch {
		case errors.Is(err, woocommerce.ErrUnsupportedTopic):
			fmt.Println("200, ignored")
			return
		case err != nil:
			fmt.Println("400:", err)
			return
		}
		fmt.Println(d.Topic, d.Order.Key, d.Order.Name, d.Order.Total, d.Order.Lines[0].SKU, d.Order.Lines[0].Price)
		fmt.Println(d.DedupKey)
	}

	// WooCommerce's ping when the webhook is saved: unsigned, form-encoded.
	handle(http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, []byte("webhook_id=12"))

	// An order.created delivery: PHP's JSON, "/" escaped, signed as sent.
	body := []byte(`{"id":1001,"number":"1001","status":"processing","currency":"EUR","date_created_gmt":"2025-07-01T09:30:00",` +
		`"date_modified_gmt":"2025-07-01T09:30:02","total":"56.00","billing":{"first_name":"Zo\u00eb","last_name":"Ng","email":"zoe@example.com","phone":""},` +
		`"line_items":[{"id":7,"name":"Tee \/ Black","sku":"TEE-BLK-M","quantity":2,"subtotal":"56.00","total":"56.00","price":28}]}`)
	h := http.Header{}
	h.Set(woocommerce.HeaderSource, "https://shop.example/")
	h.Set(woocommerce.HeaderTopic, "order.created")
	h.Set(woocommerce.HeaderResource, "order")
	h.Set(woocommerce.HeaderEvent, "created")
	h.Set(woocommerce.HeaderSignature, woocommerce.Sign(body, []byte("previous-secret")))
	h.Set(woocommerce.HeaderID, "12")
	h.Set(woocommerce.HeaderDeliveryID, "a4f7c1e0b3d24e8f9a6b5c4d3e2f1a0b")
	handle(h, body)

	// The same delivery with its signature stripped is refused, not taken
	// for a ping.
	h.Del(woocommerce.HeaderSignature)
	handle(h, body)
	// Output:
	// 200, ping
	// order_created woo1/1001 #1001 56 TEE-BLK-M 28
	// https://shop.example/|12|1001|order.created|2025-07-01T09:30:02
	// 401: woocommerce: invalid webhook signature: missing header: X-WC-Webhook-Signature
}
