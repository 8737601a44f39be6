package shopify

import (
	"net/http"
	"strings"
)

// The headers Shopify sends with every webhook delivery, spelled as Shopify's
// own SDK spells them. Lookups are case-insensitive.
const (
	HeaderHmac        = "X-Shopify-Hmac-Sha256"
	HeaderTopic       = "X-Shopify-Topic"
	HeaderShopDomain  = "X-Shopify-Shop-Domain"
	HeaderAPIVersion  = "X-Shopify-API-Version"
	HeaderWebhookID   = "X-Shopify-Webhook-Id"
	HeaderTriggeredAt = "X-Shopify-Triggered-At"
	HeaderEventID     = "X-Shopify-Event-Id"
)

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
