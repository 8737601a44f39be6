// Package woocommerce is the WooCommerce storefront connector: it tells the
// webhook creation ping from a delivery, verifies delivery signatures,
// decodes order webhooks into storefront.Delivery, and reads orders from the
// REST API for backfill. Sources: WooCommerce's WC_Webhook and
// WC_REST_Authentication classes, its REST CRUD controller, and
// woocommerce-rest-api-docs (see testdata/SOURCES.md).
//
// # Webhooks
//
// The HTTP layer's order of work for POST /webhooks/woocommerce/{name}:
//
//  1. IsPing on the raw request: the unsigned "webhook_id=N" ping sent when
//     a webhook is created is answered exactly 200 (anything else and
//     WooCommerce will not save the webhook) and nothing is stored.
//  2. Verify on the raw bytes: X-WC-Webhook-Signature is the base64
//     HMAC-SHA256 of the body as sent. The body is PHP's JSON ("\/",
//     "\u00e9"), which re-encoding would change, so nothing may decode the
//     body before this.
//  3. Parse: topics order.created, order.updated and order.deleted; any
//     other is ErrUnsupportedTopic (answer 200, ignore). The dedup key is
//     source|webhook id|order id|topic|date_modified_gmt, never the
//     Delivery-ID, which is new on every send.
//
// WooCommerce answers a failed delivery with nothing but a log line: there
// are no retries, and after more than five failures in a row the webhook
// is disabled. A delivery refused or lost is found again only by backfill.
// WooCommerce counts any status from 200 to 302 as delivered.
//
// # REST API
//
// Client reads GET /wp-json/wc/v3/orders (modified_after, dates_are_gmt,
// orderby=modified, order=asc, per_page=100, page; X-WP-TotalPages) and GET
// /wp-json/wc/v3/orders/{id}, authenticating with a consumer key and secret
// by HTTP Basic auth over https. It honours 429 and 503 with Retry-After
// (WordPress's maintenance mode answers 503 and 600 s), follows no
// redirect, and says on 401 or 403 which key settings to check.
//
// # Not used
//
// OAuth 1.0a (WooCommerce's only auth over plain http; this client refuses
// a plain-http base_url except on loopback), credentials in the query
// string (the documented fallback for servers that drop the Authorization
// header: it puts the secret in access logs), the ?rest_route= form for
// sites without pretty permalinks, writes of any kind, the Legacy REST API
// and its webhook payloads, order.restored and every non-order topic,
// refunds, notes, and the Store API.
package woocommerce
