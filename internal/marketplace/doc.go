// Package marketplace tells marketplaces how much of each SKU they may
// sell. A Connector sets listing quantities on one marketplace account
// (amazon/, walmart/, ebay/, sandbox/, each passing the conformance suite
// in marketplacetest/); a Pusher sends one ledger channel's figures to one
// connector.
//
// The pusher, on each Step:
//
//  1. takes the SKUs the ledger changed (inventory.Ledger.ChangedSince,
//     with a cursor of its own) and schedules each a debounce from now,
//     coalescing later changes into the same push; a SKU that sells out
//     (was told more than 0, now 0) goes at once;
//  2. for each SKU due, oldest first, quotes the ledger at that moment and
//     sends that figure, never more (I5); a figure equal to the last one
//     the marketplace took is not sent again, and a SKU with no ERP figure
//     is not sent at all;
//  3. keeps to the marketplace's Limits: a token bucket for the account
//     (Amazon: 5 requests a second, burst 5), its batch size (eBay: 25 SKUs
//     a call), and revisions per listing per day (eBay: 250): once a
//     listing has RevisionReserve revisions left for the day only
//     decreases go, increases wait for the next day, and the day's last
//     revision sets 0 (a figure sent then could not be lowered again);
//  4. books each result: taken; throttled (the whole account waits
//     Retry-After, or the backoff, then the SKU is quoted and sent again);
//     failed (backoff from MinBackoff doubling to MaxBackoff); or rejected
//     (not sent again until the figure changes). Every push is a Record,
//     kept in History and passed to OnRecord.
//
// Run calls Step in a loop, waking when a push falls due, on Notify, or
// every Poll, and returns when its context ends; it starts no goroutines.
// All times come from the Clock, so tests move time by hand.
//
// A quote is taken the moment before its request is built, but a sale can
// reach the ledger while the request is in flight; the ledger marks the SKU
// changed and the next push corrects the marketplace. The channel buffer
// covers that window.
package marketplace
