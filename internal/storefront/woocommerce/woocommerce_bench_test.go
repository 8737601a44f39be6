package woocommerce_test

import (
	"net/http"
	"os"
	"testing"

	"github.com/ordergate/ordergate/internal/storefront/woocommerce"
)

// BenchmarkVerify is the HMAC check of a WooCommerce delivery, on the
// REST v3 order of testdata/SOURCES.md.
func BenchmarkVerify(b *testing.B) {
	body, err := os.ReadFile("testdata/rest-v3-order-retrieve-727.json")
	if err != nil {
		b.Fatal(err)
	}
	secret := []byte("hush")
	h := http.Header{}
	h.Set(woocommerce.HeaderSignature, woocommerce.Sign(body, secret))
	secrets := [][]byte{secret}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := woocommerce.Verify(secrets, h, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeOrder is the order decode of the same body.
func BenchmarkDecodeOrder(b *testing.B) {
	body, err := os.ReadFile("testdata/rest-v3-order-retrieve-727.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := woocommerce.DecodeOrder("shop1", body); err != nil {
			b.Fatal(err)
		}
	}
}
