package woocommerce_test

import (
	"net/http"
	"testing"

	"github.com/ordergate/ordergate/internal/storefront/woocommerce"
	"github.com/ordergate/ordergate/internal/storefront/woocommerce/woocommercefake"
)

func TestIsPing_TakesWooCommercesCreationPing(t *testing.T) {
	t.Parallel()
	for _, id := range []int64{1, 42, 9223372036854775807} {
		p := woocommercefake.Ping(woocommercefake.Webhook{ID: id})
		if !woocommerce.IsPing(p.Header, p.Body) {
			t.Errorf("IsPing(%q) = false", p.Body)
		}
	}
	// The transport decides the Content-Type; none at all is a ping too.
	if !woocommerce.IsPing(http.Header{}, []byte("webhook_id=7")) {
		t.Error("IsPing without headers = false")
	}
}

// Nothing but the exact ping is a ping: in particular not an order
// delivery whose signature was lost on the way, which must go on to Verify
// and be refused rather than answered 200 and dropped.
func TestIsPing_RefusesEverythingElse(t *testing.T) {
	t.Parallel()
	shop := woocommercefake.New(woocommercefake.Config{})
	shop.Put(documentedOrder(t))
	d, err := shop.Delivery(woocommercefake.Webhook{ID: 12, Topic: "order.created", Secret: "s"}, 727)
	if err != nil {
		t.Fatal(err)
	}
	unsigned := d.Header.Clone()
	unsigned.Del(woocommerce.HeaderSignature)

	with := func(name string) http.Header { return http.Header{name: {"x"}} }
	tests := []struct {
		name string
		h    http.Header
		body string
	}{
		{"signed order delivery", d.Header, string(d.Body)},
		{"order delivery without its signature", unsigned, string(d.Body)},
		{"unsigned json order, no headers", http.Header{}, string(d.Body)},
		{"ping body with a signature header", with(woocommerce.HeaderSignature), "webhook_id=7"},
		{"ping body with a topic header", with(woocommerce.HeaderTopic), "webhook_id=7"},
		{"ping body with a source header", with(woocommerce.HeaderSource), "webhook_id=7"},
		{"ping body with a lower-case delivery id header", http.Header{"x-wc-webhook-delivery-id": {"x"}}, "webhook_id=7"},
		{"empty", http.Header{}, ""},
		{"no id", http.Header{}, "webhook_id="},
		{"id zero", http.Header{}, "webhook_id=0"},
		{"leading zero", http.Header{}, "webhook_id=07"},
		{"negative", http.Header{}, "webhook_id=-7"},
		{"signed", http.Header{}, "webhook_id=+7"},
		{"not a number", http.Header{}, "webhook_id=abc"},
		{"more fields", http.Header{}, "webhook_id=7&topic=order.created"},
		{"trailing newline", http.Header{}, "webhook_id=7\n"},
		{"leading space", http.Header{}, " webhook_id=7"},
		{"other name", http.Header{}, "webhook=7"},
		{"upper case", http.Header{}, "WEBHOOK_ID=7"},
		{"json", http.Header{}, `{"webhook_id":7}`},
		{"twenty digits", http.Header{}, "webhook_id=12345678901234567890"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if woocommerce.IsPing(tc.h, []byte(tc.body)) {
				t.Errorf("IsPing(%q) = true", tc.body)
			}
		})
	}
}
