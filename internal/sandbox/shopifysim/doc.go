// Package shopifysim is a Shopify storefront that delivers order webhooks the
// way Shopify does: realistic orders/create, orders/updated and
// orders/cancelled bodies, signed with X-Shopify-Hmac-Sha256, every header
// Shopify sends, at-least-once delivery with exponential-backoff retries on
// any non-2xx reply or transport error, duplicate deliveries of one event
// (same X-Shopify-Event-Id, new X-Shopify-Webhook-Id) and updates that
// overtake their create.
//
// It records every order it placed and every delivery attempt, so that a
// demo, a load test or a crash test can check afterwards that each order the
// gateway accepted reached its end (invariant I1) exactly once (I2).
//
// The orders' contents are fixed by Config.Seed; the times in them are the
// wall clock's.
package shopifysim
