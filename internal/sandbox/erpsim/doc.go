// Package erpsim is an ERP simulator served over real HTTP, for the demo, the
// tests and load runs. It looks like a small ERP REST API with JSON bodies:
//
//	POST /v1/sales-orders                 create a sales order → 201 receipt
//	                                      422 {"code","message"} on rejection, 400 on a malformed body
//	                                      body {"external_id", "customer_email", "ship_to", "lines": [{"sku", "quantity"}]};
//	                                      ship_to, optional, has the JSON shape of order.Address and is kept in the records
//	GET  /v1/sales-orders?external_id=X   the first order with that external id → 200 receipt, or 404
//	POST /v1/sales-orders/cancel?external_id=X   {"reason"} → 200 receipt (status "cancelled"), or 404;
//	                                      releases the stock; cancelling again changes nothing
//	GET  /v1/availability?sku=A&sku=B     {"A": 10, "B": 0}; unknown SKUs are omitted
//	GET  /v1/records                      everything recorded (Records), for another process to inspect
//
// Accepting an order reserves its stock. By default there are no backorders:
// an order the stock cannot cover is rejected with INSUFFICIENT_STOCK, and one
// with a SKU the ERP does not know with UNKNOWN_SKU, and nothing is created.
// With Config.Backorder the order is recorded and the line comes back short
// ("validated" below "ordered", "short": "backordered"); with
// Config.PartialUnknown an unknown SKU's line comes back with nothing
// validated and "short": "unknown_sku" while the rest is recorded.
//
// An ERP acknowledges in one of three ways: in the create's reply (AckDelay
// 0), by being polled (the receipt says "pending" until AckDelay has passed),
// or by a callback (Config.Callback): once AckDelay has passed it POSTs the
// acknowledged receipt as JSON to the callback URL with two headers,
//
//	X-Ordergate-Timestamp: 1764259200          Unix seconds when sent
//	X-Ordergate-Signature: sha256=<hex>        HMAC-SHA256(secret, timestamp + "." + body)
//
// retrying with backoff until a 2xx.
//
// By default the simulator is not idempotent: a second create with an external
// id it already holds makes a second sales order, as an ERP without
// idempotency would. The gate must look an order up before retrying a create
// whose outcome is unknown, and DuplicateExternalIDs shows when it did not.
//
// Faults are drawn per request from a seeded source (Config.Faults, SetFaults):
// a 503 or a 429 with Retry-After that create nothing, a request held until it
// times out, and the in-doubt fault, which creates the order and then loses
// the reply (a 500, or a connection closed with no response).
//
// Every create, lookup and cancel is logged as it is answered (Calls,
// Records.Calls): the external id, when it arrived, the status sent and the
// fault drawn, so that a history checker can match each failed attempt to
// the caller's own record of it.
package erpsim
