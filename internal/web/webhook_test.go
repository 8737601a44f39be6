package web

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/storefront/shopify"
)

const sample = "orders-create-sample-2025.json"

func TestWebhook_SignedBodyIsStoredBeforeThe200(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		file   string
		secret []byte
		topic  string
	}{
		{"ShopifySampleCreate", sample, oldSecret, "orders/create"},
		{"RESTOrderGet", "rest-order-get-450789469.json", oldSecret, "orders/create"},
		{"RESTOrderCreateResponse", "rest-order-create-response-1073459970-send_receipt.json", oldSecret, "orders/updated"},
		{"GoShopifyOrderWithEmptySKUs", "go-shopify-order.json", oldSecret, "orders/create"},
		// Shopify may sign with either secret while one is being rotated.
		{"SignedWithTheNewSecret", sample, newSecret, "orders/updated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, options{})
			body := readTestdata(t, tt.file)
			key := keyOf(t, shop1, body)
			r := b.post(t, shop1, signed(tt.topic, "evt-"+tt.name, body, tt.secret), body)
			if r.status != http.StatusOK || r.field(t, "status") != "stored" {
				t.Fatalf("reply %d %s, want 200 stored", r.status, r.body)
			}
			// No waiting: a 200 means the commit is done.
			o, err := b.store.Get(t.Context(), key)
			if err != nil {
				t.Fatalf("right after the 200: %v", err)
			}
			if o.Key != key {
				t.Errorf("stored %s, want %s", o.Key, key)
			}
		})
	}
}

func TestWebhook_RefusalsStoreNothing(t *testing.T) {
	t.Parallel()
	body := readTestdata(t, sample)
	good := func() http.Header { return signed("orders/create", "evt-1", body, oldSecret) }
	without := func(name string) func(http.Header, []byte) (http.Header, []byte) {
		return func(h http.Header, b []byte) (http.Header, []byte) {
			h.Del(name)
			return h, b
		}
	}
	tests := []struct {
		name       string
		storefront string
		// change turns the good delivery into the one refused.
		change     func(h http.Header, body []byte) (http.Header, []byte)
		wantStatus int
		wantError  string // in the reply's error; empty when not an error
		wantReply  string // the reply's status, for a 200
	}{
		{
			name: "BadSignatureIs401", storefront: shop1,
			change: func(h http.Header, b []byte) (http.Header, []byte) {
				h.Set(shopify.HeaderHmac, shopify.Sign(b, []byte("not the secret")))
				return h, b
			},
			wantStatus: http.StatusUnauthorized, wantError: "signature",
		},
		{
			name: "BodyChangedAfterSigningIs401", storefront: shop1,
			change: func(h http.Header, b []byte) (http.Header, []byte) {
				return h, bytes.Replace(b, []byte(`"quantity": 1`), []byte(`"quantity": 9`), 1)
			},
			wantStatus: http.StatusUnauthorized, wantError: "signature",
		},
		{name: "MissingSignatureIs401", storefront: shop1, change: without(shopify.HeaderHmac), wantStatus: http.StatusUnauthorized, wantError: shopify.HeaderHmac},
		{name: "MissingTopicIs400", storefront: shop1, change: without(shopify.HeaderTopic), wantStatus: http.StatusBadRequest, wantError: shopify.HeaderTopic},
		{name: "MissingShopDomainIs400", storefront: shop1, change: without(shopify.HeaderShopDomain), wantStatus: http.StatusBadRequest, wantError: shopify.HeaderShopDomain},
		{name: "MissingAPIVersionIs400", storefront: shop1, change: without(shopify.HeaderAPIVersion), wantStatus: http.StatusBadRequest, wantError: shopify.HeaderAPIVersion},
		{name: "MissingWebhookIDIs400", storefront: shop1, change: without(shopify.HeaderWebhookID), wantStatus: http.StatusBadRequest, wantError: shopify.HeaderWebhookID},
		{
			name: "MalformedJSONWithAValidSignatureIs400", storefront: shop1,
			change: func(h http.Header, b []byte) (http.Header, []byte) {
				b = b[:len(b)/2]
				h.Set(shopify.HeaderHmac, shopify.Sign(b, oldSecret))
				return h, b
			},
			wantStatus: http.StatusBadRequest, wantError: "malformed",
		},
		{
			name: "BodyOverTheLimitIs413", storefront: shop1,
			change: func(h http.Header, b []byte) (http.Header, []byte) {
				// Still valid JSON and validly signed: only its size is wrong.
				b = append(bytes.TrimRight(b, "\n "), bytes.Repeat([]byte(" "), maxBody)...)
				h.Set(shopify.HeaderHmac, shopify.Sign(b, oldSecret))
				return h, b
			},
			wantStatus: http.StatusRequestEntityTooLarge,
		},
		{
			name: "UnknownStorefrontIs404", storefront: "nope",
			change:     func(h http.Header, b []byte) (http.Header, []byte) { return h, b },
			wantStatus: http.StatusNotFound, wantError: "nope",
		},
		{
			name: "StorefrontOfAnotherKindIs404", storefront: woo1,
			change:     func(h http.Header, b []byte) (http.Header, []byte) { return h, b },
			wantStatus: http.StatusNotFound, wantError: woo1,
		},
		{
			name: "AnotherShopIs401", storefront: shop2,
			change: func(h http.Header, b []byte) (http.Header, []byte) {
				h.Set(shopify.HeaderShopDomain, "someone-else.myshopify.com")
				return h, b
			},
			wantStatus: http.StatusUnauthorized, wantError: "another shop",
		},
		{
			name: "UnsupportedTopicIsIgnoredWith200", storefront: shop1,
			change: func(h http.Header, b []byte) (http.Header, []byte) {
				h.Set(shopify.HeaderTopic, "products/update")
				return h, b
			},
			wantStatus: http.StatusOK, wantReply: "ignored",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, options{})
			h, refused := tt.change(good(), bytes.Clone(body))
			r := b.post(t, tt.storefront, h, refused)
			if r.status != tt.wantStatus {
				t.Fatalf("reply %d %s, want %d", r.status, r.body, tt.wantStatus)
			}
			if tt.wantError != "" && !strings.Contains(r.field(t, "error"), tt.wantError) {
				t.Errorf("error %q, want it to name %q", r.field(t, "error"), tt.wantError)
			}
			if tt.wantReply != "" && r.field(t, "status") != tt.wantReply {
				t.Errorf("status %q, want %q", r.field(t, "status"), tt.wantReply)
			}
			if got := orders(t, b.store); len(got) != 0 {
				t.Fatalf("%d orders stored after the refusal, want none", len(got))
			}

			// The storefront retries with the delivery as it should be: it
			// is applied, not taken for a repeat of what was refused.
			storefront := tt.storefront
			if storefront != shop2 {
				storefront = shop1
			}
			r = b.post(t, storefront, good(), body)
			if r.status != http.StatusOK || r.field(t, "status") != "stored" {
				t.Fatalf("good retry: reply %d %s, want 200 stored", r.status, r.body)
			}
			if _, err := b.store.Get(t.Context(), keyOf(t, storefront, body)); err != nil {
				t.Errorf("good retry not stored: %v", err)
			}
		})
	}
}

func TestWebhook_DuplicateDeliveryIsAcknowledgedOnce(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})
	body := readTestdata(t, sample)
	h := signed("orders/create", "evt-1", body, oldSecret)
	for i, want := range []string{"stored", "duplicate", "duplicate"} {
		r := b.post(t, shop1, h, body)
		if r.status != http.StatusOK || r.field(t, "status") != want {
			t.Fatalf("delivery %d: reply %d %s, want 200 %s", i+1, r.status, r.body, want)
		}
	}
	key := keyOf(t, shop1, body)
	if got := orders(t, b.store); len(got) != 1 {
		t.Fatalf("%d orders stored, want 1", len(got))
	}
	b.waitSettled(t, key)
	if n := len(b.sim.Records().OrdersFor(key.ExternalID())); n != 1 {
		t.Errorf("erp holds %d orders for %s, want 1", n, key.ExternalID())
	}
}

func TestWebhook_StoreFailureIs503AndStoresNothing(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})
	b.closeStore(t)
	body := readTestdata(t, sample)
	r := b.post(t, shop1, signed("orders/create", "evt-1", body, oldSecret), body)
	if r.status != http.StatusServiceUnavailable {
		t.Fatalf("reply %d %s with the store closed, want 503", r.status, r.body)
	}
	if r.header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	_, err := b.reader(t).Get(t.Context(), keyOf(t, shop1, body))
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("order after a 503: %v, want not found", err)
	}
	if got := orders(t, b.reader(t)); len(got) != 0 {
		t.Errorf("%d orders stored, want none", len(got))
	}
}

// An order goes through the whole handoff when it comes by webhook.
func TestWebhook_DeliveredOrderIsConfirmed(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})
	body := readTestdata(t, sample)
	if r := b.post(t, shop1, signed("orders/create", "evt-1", body, newSecret), body); r.status != http.StatusOK {
		t.Fatalf("reply %d %s", r.status, r.body)
	}
	key := keyOf(t, shop1, body)
	if o := b.waitSettled(t, key); o.State() != order.Confirmed {
		t.Fatalf("state %s, want confirmed", o.State())
	}
	if n := len(b.mail.ByOrder()[key.String()]); n != 1 {
		t.Errorf("%d confirmations, want 1", n)
	}
}
