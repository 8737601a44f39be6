// Package amazon sets listing quantities through the Selling Partner API's
// Listings Items API (v2021-08-01): one
//
//	PATCH /listings/2021-08-01/items/{sellerId}/{sku}?marketplaceIds=…
//	x-amz-access-token: <LWA access token>
//	{"productType": "…", "patches": [{"op": "merge",
//	  "path": "/attributes/fulfillment_availability",
//	  "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": N}]}]}
//
// per SKU. "merge" (Amazon, 2025-06-16) sets the quantity and keeps the
// listing's restock_date and lead_time_to_ship_max_days, which "replace"
// would drop. The reply's status ACCEPTED means accepted for processing
// (Amazon applies it asynchronously); INVALID is a rejection, with its
// ERROR issues as the message.
//
// The access token comes from Login with Amazon (POST
// https://api.amazon.com/auth/o2/token, grant_type=refresh_token with the
// application's client id and secret); it lasts an hour and is renewed
// five minutes before it expires, or at once when SP-API answers 403.
//
// Limits: 5 requests a second per account, burst 5 (the pusher's token
// bucket); a 429 is ErrThrottled, with the Retry-After wait when Amazon
// sends one (it usually does not; the pusher then backs off).
//
// Sources: developer-docs.amazon.com/sp-api/docs/merge-a-listing, the
// 2025-06-16 changelog entry, listings-items-api-rate-limits, and
// amzn/selling-partner-api-models
// models/listings-items-api-model/listingsItems_2021-08-01.json; LWA:
// developer-docs.amazon.com/sp-api "Connect to the SP-API" and
// developer.amazon.com/docs/login-with-amazon/access-token.html.
package amazon
