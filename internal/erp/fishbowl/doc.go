// Package fishbowl is the erp.Client for Fishbowl Advanced, the self-hosted
// inventory system, through its REST API (Fishbowl Advanced 2020.11 and
// later; the sales order search and void below need API 25.x).
//
// What of the API it uses, each call with Accept: application/json and,
// after login, Authorization: Bearer <token>:
//
//	POST /api/login                    JSON {appName, appDescription, appId, username, password} → {token, user}
//	POST /api/logout                   ends the session, giving its licence seat back
//	POST /api/import/Sales-Order       Content-Type: text/csv, Fishbowl's Sales Order CSV import (Submit)
//	GET  /api/sales-orders?number=     paged search, then GET /api/sales-orders/{id} (Lookup, Submit's checks, Cancel)
//	POST /api/sales-orders/{id}/void   status 80 Void, releasing the order's allocation (Cancel)
//	GET  /api/parts/inventory          paged, ?number=&includeZeroQuantities=true (Availability, stock check)
//
// Sessions. Fishbowl's API logs in as a user, and each session holds one of
// the server's licence seats, which people need to use the Fishbowl client.
// The client logs in when a call first needs a session (one login at a
// time, however many calls wait), logs in once more when Fishbowl answers
// 401 to a session it has forgotten, and logs out after IdleLogout unused
// and on Close. A first login registers the integrated app (AppName, AppID),
// which an administrator must then approve in Fishbowl; until then, and for
// a user with MFA (HTTP 401 with the header "MFA: Required"), the client
// returns erp.ErrAuth saying what to do. MFA codes are not supported: an
// unattended gateway cannot type one.
//
// Submit. The REST API cannot create a sales order, so Submit uses the
// Sales Order CSV import: a header row for the order and one for its items,
// an "SO" row with SONum (see SONumber), Status 20 (Issued), the customer
// (Config.CustomerName, or the buyer, whom Fishbowl creates if new), and one
// "Item" row per line (type 10 Sale, product number = SKU, quantity, unit
// price as a decimal). Fishbowl keeps sales order numbers unique, so Submit
// looks the number up first and after any refusal, and returns the order an
// earlier attempt created instead of creating a second. Fishbowl refuses a
// whole import over one unknown product (erp.ErrRejected, code
// erp.CodeUnknownSKU) but issues an order whatever its stock, allocating its
// lines; so the acknowledgment check looks the order up, requires status 20
// or later and the order's lines, and validates each line against the part
// inventory, reporting what stock does not cover as erp.ShortBackordered.
//
// Errors, Fishbowl's body {timeStamp, status, message, path} kept in the
// *erp.Error's message: 400 and 402 ("the parameters were valid but the
// request failed") refusing an import or void are erp.ErrRejected; 401
// after a fresh login and 403 (missing access rights) are erp.ErrAuth; 404
// on a lookup is erp.ErrNotFound; 500 and transport failures are
// erp.ErrUnavailable, or erp.ErrInDoubt within Submit. Fishbowl documents
// no rate limit; a 429, or 503 with Retry-After, from a proxy in front of it
// is erp.ErrThrottled with the wait asked for.
//
// Not used: the legacy XML/JSON socket API; MFA codes; the sales-order
// create and issue endpoints of API 25.x (the import works on every REST
// version); data queries (SQL); memos (so Cancel's reason is not recorded
// in Fishbowl); ship dates (Receipt.ShipBy stays zero); the bill-to
// address (its columns are sent blank, BillToName the buyer). The ship-to
// fills the ShipTo columns (see shipTo): name, street (two lines joined by
// a line break), city, state (the code, else the name), zip and country
// (the name, else the code); an order without one is sent with the buyer
// as ShipToName and the other ShipTo columns blank.
//
// Assumptions, checked only against the fake in this package's tests, which
// a live Fishbowl must confirm: the JSON of a sales order (id, number,
// status, items[].productNumber, quantity, itemType, as in the MIT-licensed
// Kirkpajl/FishbowlInventory.RestApi models); that the inventory quantity is
// what is left to sell, net of issued orders' allocations (Fishbowl's page
// does not define it; if it is on hand instead, Availability overstates by
// what open orders hold and short lines go unseen); and the words of
// Fishbowl's refusals, read by classify for CodeUnknownSKU and CodeNoStock;
// that the import takes a street of two lines in one quoted ShipToAddress
// field, a state's name where it asks for an abbreviation (BigCommerce gives
// only names), and blank bill-to columns.
package fishbowl
