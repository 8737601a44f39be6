// Package admin is a client of Shopify's Admin GraphQL API, for what the
// webhooks cannot be trusted with: backfill and reconciliation (Shopify says
// delivery is not guaranteed) and keeping the orders/* webhook subscriptions
// in place (Shopify deletes an Admin-API-made subscription whose deliveries
// keep failing).
//
// What of the API it uses, all at Config.APIVersion (default 2025-07, at
// least 2025-04), POSTed as JSON to /admin/api/{version}/graphql.json with
// the X-Shopify-Access-Token header:
//
//   - orders(first, after, sortKey: UPDATED_AT, query: "updated_at:>='…'")
//     and order(id:) { lineItems(first, after) }, for ListOrdersSince. Each
//     Order is decoded to the same order.Order the webhook decoder
//     (shopify.DecodeOrder) makes of the same order: legacyResourceId (the
//     REST id), name, email, phone, currencyCode, totalPriceSet.shopMoney,
//     createdAt, updatedAt, customer names and default email and phone,
//     billing address name and phone, the shipping address in full (name,
//     company, address1, address2, city, province, provinceCode, zip,
//     country, countryCodeV2, phone: the ship-to), and per line id, sku,
//     title (falling back to name), quantity, requiresShipping (any line
//     that does makes the order need shipping) and
//     originalUnitPriceSet.shopMoney. cancelledAt and cancelReason come back
//     beside it in a Snapshot.
//   - webhookSubscriptions(first, after, topics) and
//     webhookSubscriptionCreate(topic, webhookSubscription: {callbackUrl,
//     format: JSON}), for EnsureSubscriptions. These are the 2025-07 fields;
//     from 2025-10 Shopify prefers a uri field and deprecates callbackUrl
//     (still served).
//   - tagsAdd(id: "gid://shopify/Order/{id}", tags), for AddOrderTags: the
//     marker that tells a legacy connector to skip the orders the gate
//     handles. It needs the write_orders scope. Adding a tag the order has
//     changes nothing, so it is retried like a query.
//
// Rate limits: every reply carries extensions.cost, the shop's cost bucket
// (maximumAvailable, currentlyAvailable, restoreRate). Before each request
// the client estimates its requested cost and, if the bucket as last
// reported (plus what it has restored since) cannot pay, waits deficit ÷
// restoreRate. A THROTTLED reply is retried after (requested −
// available) ÷ restoreRate, an HTTP 429 after its Retry-After, a 5xx or a
// broken connection after 0.5, 1, 2, 4, 8 s; at most six attempts in all. A
// mutation whose outcome is unknown (5xx, broken connection) is not
// retried: EnsureSubscriptions lists before it creates, so calling it again
// is the retry. 401 and 403, and GraphQL ACCESS_DENIED, are returned at
// once with what the operator must fix (the token, the read_orders scope).
// Every wait goes through Config.Sleep, against Config.Now.
//
// Page sizes: a page is 20 orders with their first 10 lines (about 800
// points by Shopify's published cost table; a single query may not exceed
// 1,000); an order with more lines has the rest fetched 250 at a time. If
// Shopify prices a page above its limit anyway (MAX_COST_EXCEEDED), the page
// is halved and asked again.
//
// What it does not use: bulk operations (a first backfill of a large shop
// is better done with one), the REST Admin API (legacy since October 2024),
// presentment-currency amounts, discounts, taxes, shipping lines,
// fulfillments and refunds, the billing address beyond name and phone,
// the customer's saved addresses, and webhookSubscriptionDelete: foreign subscriptions are reported, never
// removed. Without the read_all_orders scope Shopify lists only the last 60
// days of orders.
package admin
