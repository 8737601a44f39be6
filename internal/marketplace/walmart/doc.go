// Package walmart sets listing quantities through Walmart Marketplace's
// Inventory API (US): one
//
//	PUT /v3/inventory?sku={sku}
//	WM_SEC.ACCESS_TOKEN: <token>   WM_SVC.NAME: Walmart Marketplace
//	WM_QOS.CORRELATION_ID: <uuid, new for each request>
//	{"sku": "…", "quantity": {"unit": "EACH", "amount": N}}
//
// per SKU, at the default ship node. The access token comes from POST
// /v3/token (client credentials: Authorization: Basic base64(client id:
// client secret), grant_type=client_credentials); it lasts 15 minutes
// (expires_in 900) and is renewed three minutes before it expires, or at
// once when Walmart answers 401.
//
// Errors are Walmart's list of {"code", "field", "description", "info",
// "severity", "category"}: 400 is a rejection, 404 (CONTENT_NOT_FOUND) an
// unknown SKU, 429 (REQUEST_THRESHOLD_VIOLATED) throttling with its
// Retry-After, 5xx unavailable.
//
// Limits: Walmart throttles each API per seller with a token bucket but
// publishes no figure for this call that we could confirm, and says the
// single-item update is meant for exceptions, bulk updates going by feed
// (POST /v3/feeds?feedType=inventory, 10 an hour). So the default is a
// cautious 1 request a second, burst 5; set requests_per_second to the
// account's figure.
//
// Sources: developer.walmart.com/us-marketplace/docs/get-an-access-token,
// …/update-single-item-inventory, …/inventory-api-overview,
// …/error-codes, …/throttling (rate limiting), and the CL marketplace's
// throttling page for the remark on non-feed calls.
package walmart
