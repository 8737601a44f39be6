package woocommerce

import (
	"net/http"
	"strings"
)

// The headers WooCommerce sends with every webhook delivery, spelled as
// WC_Webhook::deliver() spells them. Lookups are case-insensitive.
const (
	HeaderSource     = "X-WC-Webhook-Source"      // home_url('/'), e.g. https://shop.example/
	HeaderTopic      = "X-WC-Webhook-Topic"       // e.g. order.created
	HeaderResource   = "X-WC-Webhook-Resource"    // e.g. order
	HeaderEvent      = "X-WC-Webhook-Event"       // e.g. created
	HeaderSignature  = "X-WC-Webhook-Signature"   // base64 HMAC-SHA256 of the body
	HeaderID         = "X-WC-Webhook-ID"          // the webhook's id in WooCommerce
	HeaderDeliveryID = "X-WC-Webhook-Delivery-ID" // a fresh hash on every send
)

// wcHeaders are all the X-WC-Webhook-* headers, for telling a delivery from
// the ping (which carries none).
var wcHeaders = []string{HeaderSource, HeaderTopic, HeaderResource, HeaderEvent, HeaderSignature, HeaderID, HeaderDeliveryID}

// header returns the first value of name in h, ignoring case. net/http
// canonicalises incoming names, but a Header built by hand (or by a proxy
// that lowercased an HTTP/2 request) may not be canonical.
func header(h http.Header, name string) string {
	if v := h.Get(name); v != "" {
		return strings.TrimSpace(v)
	}
	for k, vs := range h {
		if len(vs) > 0 && strings.EqualFold(k, name) {
			return strings.TrimSpace(vs[0])
		}
	}
	return ""
}
