// Package storesim is a simulated storefront of any supported platform
// (Config.Flavor: Shopify, WooCommerce or BigCommerce) that delivers order
// webhooks to the gateway the way that platform does: creates, updates that
// overtake their create, duplicate deliveries of one event, cancellations
// after a delay, lines with SKUs no ERP knows, and failed deliveries retried
// on the platform's terms.
//
// What is shared is the plan: the orders, their lines, customers and
// totals, and which orders are duplicated, reordered or cancelled, all
// fixed by Config.Seed and the same in every flavor; the pacing; the retry
// schedule; and the records. What differs is the body, the headers and how
// an event reaches the gateway:
//
//   - Shopify: orders/create, orders/updated and orders/cancelled with the
//     whole order, signed with X-Shopify-Hmac-Sha256, with every header
//     Shopify sends; a duplicate has the same X-Shopify-Event-Id and a new
//     X-Shopify-Webhook-Id; failures are retried.
//   - WooCommerce: the order is kept in a woocommercefake.Shop and each
//     delivery built from it as WooCommerce builds it (PHP's JSON, the
//     seven X-WC-Webhook-* headers, an HMAC-SHA256 signature).
//     order.created, and order.updated for the update and for the cancel
//     (status "cancelled": WooCommerce has no cancel topic). Run first sends
//     the unsigned creation ping of each of the two webhooks, which must be
//     answered exactly 200. A duplicate is the same body again with a new
//     Delivery-ID. WooCommerce never retries, so by default neither does
//     the simulator (Retry.None).
//   - BigCommerce: each change is put into a bigcommercefake.Store first,
//     which the caller serves as the v2 API the gateway fetches orders
//     from, and then a callback that names only the order is sent, with the
//     custom X-Ordergate-Token header the hooks are created with:
//     store/order/created, store/order/updated for the update, and
//     store/order/statusUpdated to Cancelled (5) for the cancel. A duplicate
//     is the same callback, hash and all; failures are retried.
//
// It records every order it placed and every delivery attempt, so that a
// demo, a load test or a crash test can check afterwards that each order the
// gateway accepted reached its end (invariant I1) exactly once (I2).
//
// The orders' contents are fixed by Config.Seed; the times in them are the
// wall clock's.
package storesim
