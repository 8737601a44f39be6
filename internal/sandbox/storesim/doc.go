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
//     X-Shopify-Webhook-Id; failures are retried. With Config.ShopifyAdmin
//     each change is also put into that shopifyfake.Server, the Admin
//     GraphQL API a reconciler lists orders from.
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
// Config.LateRate sends an order's create once more, Config.LateDelay after
// its other webhooks (after its cancel, or after the gateway confirmed it):
// a redelivery that turns up late and must change nothing.
//
// Config.DropRate loses whole orders' webhooks on purpose, as happens in
// life when Shopify's best-effort delivery fails, a WooCommerce delivery
// fails once or a BigCommerce hook is deactivated: a dropped order is
// created, updated and cancelled in the storefront like any other, and none
// of its webhooks is sent. Every order, dropped or not, is in its flavor's
// store before its first webhook goes out (the WooCommerce shop, the
// BigCommerce store, and for Shopify Config.ShopifyAdmin when set), so that
// the gateway's reconciliation can recover the dropped ones by listing the
// storefront's orders modified since a time.
//
// It records every order it placed and every delivery attempt, so that a
// demo, a load test or a crash test can check afterwards that each order the
// gateway accepted reached its end (invariant I1) exactly once (I2), and
// that the dropped ones were recovered.
//
// The orders' contents are fixed by Config.Seed; the times in them are the
// wall clock's.
package storesim
