package shopify_test

import (
	"net/http"
	"os"
	"testing"

	"github.com/ordergate/ordergate/internal/storefront/shopify"
)

// benchBody is Shopify's published orders/create sample (testdata/SOURCES.md).
func benchBody(b *testing.B) []byte {
	b.Helper()
	body, err := os.ReadFile("testdata/orders-create-sample-2025.json")
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// BenchmarkVerify is the HMAC check every webhook pays before anything is
// stored: one secret, and two during a rotation (both are always compared).
func BenchmarkVerify(b *testing.B) {
	body := benchBody(b)
	secret, old := []byte("hush-current"), []byte("hush-previous")
	header := shopify.Sign(body, secret)
	for _, bc := range []struct {
		name    string
		secrets [][]byte
	}{{"secrets=1", [][]byte{secret}}, {"secrets=2", [][]byte{old, secret}}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := shopify.Verify(body, header, bc.secrets); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParse is the decode of a verified delivery into the gateway's
// order: headers, dedup key and the order itself.
func BenchmarkParse(b *testing.B) {
	body := benchBody(b)
	h := http.Header{}
	h.Set(shopify.HeaderTopic, "orders/create")
	h.Set(shopify.HeaderShopDomain, "bench.myshopify.com")
	h.Set(shopify.HeaderAPIVersion, "2025-07")
	h.Set(shopify.HeaderWebhookID, "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
	h.Set(shopify.HeaderEventID, "98880550-7158-44d4-b7cd-2c97c8a091b5")
	h.Set(shopify.HeaderTriggeredAt, "2026-11-27T14:02:00.000Z")
	h.Set(shopify.HeaderHmac, shopify.Sign(body, []byte("hush")))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := shopify.Parse("shop1", h, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeOrder is the order decode alone.
func BenchmarkDecodeOrder(b *testing.B) {
	body := benchBody(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := shopify.DecodeOrder("shop1", body); err != nil {
			b.Fatal(err)
		}
	}
}
