package woocommerce

import "net/http"

// maxPingDigits bounds the webhook id of a ping: a PHP integer has at most
// 19 digits.
const maxPingDigits = 19

// IsPing reports whether a request is the test ping WooCommerce sends to a
// webhook's delivery URL when the webhook is created or activated
// (WC_Webhook::deliver_ping): the form-encoded body "webhook_id=N", unsigned
// and without any X-WC-Webhook-* header. WooCommerce refuses to save the
// webhook unless the answer is exactly 200, and the ping carries no order,
// so the handler answers 200 and stores nothing.
//
// The test is exact on purpose. A request with any X-WC-Webhook-* header,
// or a body that is anything but "webhook_id=" and a PHP integer above 0
// (no sign, no leading zero, nothing before or after), is not a ping: it
// goes on to Verify, so an order delivery that lost its signature is
// refused rather than answered 200 and dropped (WooCommerce never resends).
// The Content-Type is not looked at, since WordPress's HTTP transport
// decides it.
func IsPing(h http.Header, body []byte) bool {
	for _, name := range wcHeaders {
		if header(h, name) != "" {
			return false
		}
	}
	const prefix = "webhook_id="
	if len(body) <= len(prefix) || string(body[:len(prefix)]) != prefix {
		return false
	}
	digits := body[len(prefix):]
	if len(digits) > maxPingDigits || digits[0] == '0' {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
