// Package netsuite is the erp.Client for Oracle NetSuite, over SuiteTalk
// REST web services at https://<account>.suitetalk.api.netsuite.com (or
// Config.BaseURL).
//
// What of NetSuite's API it uses:
//
//   - Auth: OAuth 2.0 client credentials (M2M): a JWT assertion signed PS256
//     (RSA) or ES256/384/512 (EC), kid = the certificate id, posted to
//     /services/rest/auth/oauth2/v1/token; the access token is cached until
//     two minutes before expires_in and fetched afresh once when NetSuite
//     answers 401. Or token-based auth (OAuth 1.0a, HMAC-SHA256, realm = the
//     account id in upper case) for integrations that have it already,
//     signed afresh once on a 401, since a request the transport resent
//     carries a nonce NetSuite has seen.
//   - Submit: SuiteQL resolves each SKU (the item's Name/Number, itemid) to
//     its internal id (cached); then the customer (below); then the upsert PUT
//     /services/rest/record/v1/salesOrder/eid:{externalId}?replace=item,
//     which NetSuite documents as the way not to duplicate records. The
//     replace=item matters: without it an upsert onto an existing order would
//     add a second set of lines. An order with a ship-to carries it as the
//     shippingAddress subrecord (addressee, attention, addr1, addr2, city,
//     state, zip, country as its two-letter id, addrPhone; see shipAddress);
//     one without carries none, and NetSuite takes the customer's default. The order goes in as Pending Fulfillment (B),
//     so NetSuite commits stock at once, or with Config.PendingApproval as
//     Pending Approval (A). Then the order is read back for its receipt.
//     With Config.Async the PUT carries "Prefer: respond-async" and
//     X-NetSuite-Idempotency-Key (a UUID derived from the external id); the
//     job is polled at /services/rest/async/v1/job/{id} until completed, then
//     its task is read for succeeded or failed (and a failure's result for
//     NetSuite's error). A repeat refused with IDEMPOTENCY_ERROR follows the
//     earlier job named in Location; if that job failed, its key is spent,
//     and the upsert is sent again synchronously.
//   - Customers: with Config.CustomerID every order is entered for that
//     one customer and nothing about customers is asked. Without it each
//     order's customer is found or created, in Submit, before the sales
//     order. Our customer external id is "og-cust-" and 20 hex digits of
//     a SHA-256 of the order's e-mail, trimmed and lower-cased, so that
//     every order from one address (any case, any storefront) goes to one
//     customer; an order without an e-mail gets a customer of its own,
//     hashed from its storefront and order id, since nothing else tells
//     people apart safely. Find: SuiteQL SELECT id FROM customer WHERE
//     externalid = …; then, for a customer entered before us, WHERE
//     LOWER(email) = … AND isinactive = 'F' ORDER BY id, taking the first
//     (the lowest internal id, normally the oldest; its external id is
//     left alone: it may be another integration's). Create: the
//     upsert PUT …/customer/eid:{customerExternalId} of a person (isPerson,
//     firstName and lastName split at the last space of the order's name,
//     or the e-mail's local part if it has none, "-" for a missing last
//     name; email; phone if NetSuite would take it; subsidiary when
//     Config.SubsidiaryID is set, which a OneWorld account requires), its
//     internal id read from the 204's Location, else by GET
//     …/customer/eid:…. The upsert by external id makes a retry after a
//     lost reply land on the same record. Found ids are kept in memory,
//     the 10,000 most recently used; one whose sales order NetSuite then
//     refuses at entity (deleted, merged) is looked up afresh once, as a
//     stale item id is. The customer upsert is never sent async.
//   - Lookup: GET …/salesOrder/eid:{externalId}?expandSubResources=true.
//     orderStatus A is pending; B, D, E, F, G are acknowledged; C and H are
//     cancelled. An acknowledged line whose quantity is partly backordered
//     (quantityBackOrdered, else quantityCommitted + quantityFulfilled below
//     quantity) is short, erp.ShortBackordered, with the rest validated.
//   - Cancel: PATCH …/salesOrder/{id} setting isClosed on every open line
//     (keyed by line). This is NetSuite's "Close": unlike DELETE it keeps
//     the record and its history, it releases committed stock, it works for
//     Pending Approval and Pending Fulfillment alike, and the order shows as
//     Closed (H). An order already Cancelled (C) or Closed (H) is left alone;
//     one fulfilled or billed in part is refused, since closing would not
//     undo the shipment.
//   - Availability: SuiteQL POST /services/rest/query/v1/suiteql with
//     "Prefer: transient", the sum of quantityavailable over every location
//     in inventoryitemlocations, per itemid.
//
// Errors: o:errorDetails decide the kind. 429 and the throttling codes are
// erp.ErrThrottled (with Retry-After when sent; NetSuite documents none for
// REST); 401, 403 and INVALID_LOGIN are erp.ErrAuth with what an operator
// should check; 400s about the item sublist are erp.ErrRejected (an unknown
// or invalid item as erp.CodeUnknownSKU, NetSuite's code in the message);
// other 400s are the configuration's fault and are plain errors; 5xx is
// erp.ErrUnavailable, and erp.ErrInDoubt on the create, where a failure
// after NetSuite's commit (an afterSubmit script, say) is possible. A
// transport failure or timeout is erp.ErrInDoubt once the create has been
// sent, erp.ErrUnavailable before and on reads. Every failure while
// finding or creating the customer is at most erp.ErrUnavailable, the
// customer upsert's lost reply included: it comes before this attempt
// sends its sales order, so this attempt cannot have created one (an order
// from an earlier attempt is the upsert's to converge on, as on any
// retry), and the retry finds the customer or upserts onto it. NetSuite refusing the customer
// record (a OneWorld account without subsidiary_id, whose error says to
// set it) or a found customer at entity (made inactive, say) is a plain
// error naming the setting or record to fix, as a bad customer_id is. Two replies Oracle
// publishes are not JSON (the idempotency conflict, the completed task);
// the decoders fall back to scanning for the fields that decide the
// outcome (o:errorCode, completed, progress) rather than failing.
//
// Not used: SOAP web services, RESTlets, saved searches, updates to
// customers found (a customer's details are written only by the upsert
// that creates it, or repeats that after a lost reply), addresses other
// than the order's ship-to (the customer's address book, the order's
// billing address), tax, shipping and discount
// lines, currencies, the sales order's subsidiary (NetSuite takes the
// customer's), the governanceLimits endpoint. The account's concurrency limit is the gateway's to respect
// (max_concurrency); this client has no limiter of its own.
package netsuite
