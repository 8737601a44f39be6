// Package shopify is the Shopify storefront connector: it verifies webhook
// signatures and decodes order webhooks into storefront.Delivery.
//
// The HTTP layer calls Verify on the raw request bytes first and Parse only
// when the signature holds; Parse does no verification of its own. Order ids
// are decoded as int64 from the JSON text, never through float64: Shopify's
// ids exceed 2^53.
package shopify
