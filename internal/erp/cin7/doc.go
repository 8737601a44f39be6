// Package cin7 is the erp.Client for Cin7 Core (formerly DEAR Inventory),
// External API v2, base https://inventory.dearsystems.com/ExternalApi/v2.
//
// # What of the API is used
//
// Every request carries the two auth headers api-auth-accountid and
// api-auth-applicationkey; Cin7 answers 403 when they are wrong.
//
//	Submit        GET    /saleList?ExternalID=…      adopt a sale made earlier
//	              POST   /sale                        SkipQuote: true, ExternalID, CustomerReference,
//	                                                  ShippingAddress (the ship-to, ShipToOther: true)
//	              POST   /sale/order                  Status AUTHORISED with the lines
//	              GET    /sale?ID=…                   read back: ORDERED or BACKORDERED
//	              GET    /product?Sku=…               only after /sale/order refuses the lines
//	              DELETE /sale?ID=…&Void=true         only to void a sale refused for an unknown SKU
//	Lookup        GET    /saleList?ExternalID=…, then GET /sale?ID=…
//	Cancel        GET    /saleList?ExternalID=…, then DELETE /sale?ID=…&Void=true
//	Availability  GET    /ref/productavailability     paged, or one Sku at a time for a few SKUs
//
// # Ship-to
//
// An order's ship-to goes in the sale's ShippingAddress (Cin7's Sale
// Shipping Address Model): Line1, Line2, City, State (the region's code,
// else its name), Postcode, Country (the country's name, else its ISO
// code), Company, and the person as Contact, with ShipToOther true so that
// the address is the sale's alone and is not added to the customer's
// address book. Cin7 requires Line1 and Country; an address without them,
// or an order without a ship-to, makes a sale without a ShippingAddress.
// A sale adopted or finished on a later Submit keeps the address it was
// created with.
//
// # Idempotency
//
// Cin7 has none. The sale carries our external id in ExternalID (a field
// "only available in API … for later search"), and Submit always looks it up
// first: an authorised sale is adopted as it is, a sale created but never
// authorised (the client stopped between /sale and /sale/order) is
// authorised rather than created again. Lookup reports such a draft as
// erp.StatusIncomplete: it will not progress on its own, and the gate calls
// Submit again to finish it. Two Submits of one order racing each other could still both
// create a sale: the gate's job queue runs one submit per order at a time.
//
// # Stock
//
// Cin7 does not refuse an order it cannot fill: authorising it silently
// creates a backorder and the sale becomes BACKORDERED. Submit therefore
// reads the sale back after authorising it and reports each line with a
// BackorderQuantity as short (erp.ShortBackordered, validated = quantity −
// backorder). Such a receipt is acknowledged, never clean. A SKU Cin7 does
// not know makes /sale/order fail with 400; Submit then asks /product which
// SKUs are unknown, voids the draft sale and returns erp.ErrRejected with
// erp.CodeUnknownSKU. A voided sale that never had order lines reads as
// erp.StatusRejected; one that had lines, as erp.StatusCancelled.
//
// # Rate limit
//
// Cin7 allows 60 calls a minute per API application and answers 503 ("You
// reached 60 calls per minute API limit"; a later copy of the same
// documentation says 429) when it is exceeded. Every call of a Client goes
// through one sliding-window limiter, by default 55 calls in any 60 seconds.
// A call waits for its turn rather than fail; if its context would expire
// first it returns erp.ErrThrottled with the wait, having sent nothing. A 503
// or 429 from Cin7 is erp.ErrThrottled, with Retry-After when Cin7 sends one
// (it documents none), and then holds back every later call of the Client
// until that time. Replicas sharing one application key each have their own
// limiter: give each its share in calls_per_minute.
//
// # Errors
//
// Cin7's error body is {"ErrorCode": n, "Exception": "…"}, alone or in an
// array; both are read, and the code and words are kept in *erp.Error. A
// 400 other than an unknown SKU is not a rejection (it is usually our
// request or Cin7's settings at fault, such as a customer Cin7 does not have)
// and is returned as a plain error, so that the gate retries and the order
// goes overdue where an operator sees the words. 500 and other 5xx, a
// dropped connection and a timeout are erp.ErrInDoubt in Submit and
// erp.ErrUnavailable elsewhere.
//
// # Not used
//
// Quotes (SkipQuote instead), pick/pack/ship, invoices, payments, credit
// notes, additional charges, AutoPickPackShipMode (Cin7's default NOPICK),
// webhooks, customers (the sale names a customer by Config.Customer or the
// order's customer name; the sources we hold do not say whether Cin7 creates
// one it does not have), and tax: lines go with Tax 0 and Config.TaxRule if
// set. Cancel's reason is not sent: void takes none. Availability reads
// Available summed over locations, batches and bins, floored to whole units
// and never below 0; a product with no row in /ref/productavailability reads
// as unknown.
package cin7
