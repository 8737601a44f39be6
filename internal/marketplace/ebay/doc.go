// Package ebay sets listing quantities through eBay's Sell Inventory API:
//
//	POST /sell/inventory/v1/bulk_update_price_quantity
//	Authorization: Bearer <user access token>
//	{"requests": [{"sku": "…", "shipToLocationAvailability": {"quantity": N},
//	               "offers": [{"offerId": "…", "availableQuantity": N}]}, …]}
//
// up to 25 SKUs a call (BatchSize). eBay lists the lower of the inventory
// item's shipToLocationAvailability.quantity and an offer's
// availableQuantity, and recommends setting the quantity at the inventory
// item only; so the item's quantity is always sent, which alone keeps every
// listing at or under it (I5), and the offers configured for a SKU (Offers)
// get the same availableQuantity, so that an offer-level figure set before
// cannot hold an increase back.
//
// The reply (200, or 207 when some failed) has one entry per SKU and per
// offer with its statusCode and errors; a SKU is taken when all its
// entries are 200. An entry's 5xx or errorId 25001 (system error) is
// unavailable; other failures are rejections, with eBay's errorId as the
// code. A whole call refused with 400 is sent again one SKU a call, so that
// one bad SKU does not hold back the others.
//
// The user access token comes from the refresh-token grant (POST
// /identity/v1/oauth2/token, Basic auth with the application's client id
// and secret, grant_type=refresh_token, scope sell.inventory); it lasts two
// hours and is renewed five minutes early, or at once on a 401.
//
// Limits: each listing may be revised 250 times a calendar day; the pusher
// counts per SKU and day (UTC unless DayZone says otherwise), sends only
// decreases once few are left, and spends the last one on 0.
//
// The documentation disagrees with itself on how many SKUs one call may
// carry: the method page says "only one SKU (one product) can be updated
// per call" (of up to 25 offers), the type and the bulk-updates guide say
// up to 25 inventory items. Set batch_size to 1 if eBay refuses batches.
//
// Sources: developer.ebay.com/api-docs/sell/inventory/resources/
// inventory_item/methods/bulkUpdatePriceQuantity, …/types/slr:PriceQuantity,
// slr:PriceQuantityResponse, /api-docs/sell/static/inventory/bulk-updates.html,
// KB article 5100 (quantity at item and offer level),
// /api-docs/static/oauth-refresh-token-request.html.
package ebay
