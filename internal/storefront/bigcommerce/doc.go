// Package bigcommerce is the BigCommerce storefront connector: it
// authenticates order callbacks, decodes them, and reads the orders they
// name from the v2 API, since a callback carries only an order id.
//
// # Callbacks
//
// A store-level BigCommerce webhook signs nothing: the hook is created
// (POST /v3/hooks) with a "headers" object of custom headers, which
// BigCommerce sends back verbatim on every callback. ordergate configures
// one, DefaultHeader ("X-Ordergate-Token"), holding a shared secret, and
// Verify compares it in constant time. The body is
//
//	{"scope": "store/order/created", "store_id": "1025646",
//	 "data": {"type": "order", "id": 250}, "hash": "dd70…",
//	 "created_at": 1561479335, "producer": "stores/{store_hash}"}
//
// and store/order/statusUpdated adds data.status.{previous_status_id,
// new_status_id}. ParseHook reads it into a Hook. "If a hook fires twice for
// the same event, both request bodies rely on the same hash", so the dedup
// key is store, scope and hash; the scope is in it because BigCommerce's own
// samples give a created and an updated callback one hash.
//
// BigCommerce wants a 200 quickly ("any response outside the 200 range
// indicates the callback was not received") and judges a whole destination
// domain: below 90 % success over two minutes, every hook to that domain is
// blocklisted for three minutes. So the handler stores the callback and
// answers; the order is fetched afterwards, in a job (Client.Fetch, then
// SnapshotDelivery).
//
// Failed callbacks are retried after 60, 180, 300, 600, 900, 1800, 3600,
// 7200, 21600, 50400 and 86400 seconds; "after the final retry attempt
// (cumulatively 48 hours after the first delivery attempt), the webhook will
// be deactivated" and the app's e-mail address is told. A hook also
// deactivates after 90 days of inactivity. Orders placed while a hook is
// down never arrive as callbacks: that is why the gateway reconciles
// (Client.ListModifiedSince) instead of trusting callbacks alone.
//
// # Topics
//
// store/order/created is OrderCreated (it fires for Incomplete, status 0,
// orders too: see Snapshot.Incomplete); store/order/updated and
// store/order/statusUpdated are OrderUpdated, except a change to status
// Cancelled (5) or Declined (6), which is OrderCancelled. Refunded (4) is an
// update: a refund may follow shipment. store/order/archived and every other
// scope are ErrUnsupportedTopic: archiving hides an order without changing
// its status. SnapshotDelivery lets the fetched status, which is newer than
// the callback, have the last word.
//
// # The v2 API
//
// Used: GET /v2/orders/{id}, GET /v2/orders/{id}/products (paged with limit
// and page), GET /v2/orders/{id}/shipping_addresses (the first page, whose
// first address is the ship-to; not asked when the order's
// shipping_address_count is 0; 204 means none) and GET
// /v2/orders?min_date_modified=…&sort=date_modified:asc (paged; a 204 or an
// empty page ends it), with X-Auth-Token and Accept: application/json. An
// order needs shipping when one of its products is of type physical (not
// digital or giftcertificate). The API account needs only Orders: read-only
// (store_v2_orders_read_only). Money is read from the JSON text as a
// decimal ("69.8400"), never through a float; the line price is
// price_inc_tax and the total total_inc_tax; the currency is
// default_currency_code, the transactional currency the shopper paid in,
// falling back to currency_code (the display currency). Dates are RFC 2822
// ("Tue, 05 Mar 2019 21:40:11 +0000"), to the second.
//
// Rate limits are the store's, shared by every app: each reply carries
// X-Rate-Limit-Requests-Left, -Requests-Quota, -Time-Window-Ms and
// -Time-Reset-Ms. When Requests-Left reaches 0 the client waits out
// Time-Reset-Ms before its next request; a 429 is retried after
// Time-Reset-Ms (or, when a 429 comes without the headers, which BigCommerce
// says means the platform is under load, after a doubling backoff), at most
// Config.MaxRetries times, then returned as a *ThrottledError.
//
// Not used: the v3 API (webhook management, order consignments, the
// include=consignments.line_items shortcut), the shipping addresses after
// the first (an order shipped to several addresses goes to the ERP with the
// first only) and shipping quotes, coupons,
// fees and order status writes; the Standard Webhooks signature BigCommerce
// now documents for app callbacks (its header names are not in BigCommerce's
// own docs; see docs/INTEGRATIONS.md §3); and the store/order/archived,
// refund, message, transaction and metafield scopes.
package bigcommerce
