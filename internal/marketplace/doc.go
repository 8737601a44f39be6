// Package marketplace tells marketplaces how much of each SKU they may
// sell. A Connector sets listing quantities on one marketplace account
// (amazon/, walmart/, ebay/, sandbox/, each passing the conformance suite
// in marketplacetest/); a Pusher sends one ledger channel's figures to one
// connector.
//
// The pusher, on each Step:
//
//  1. lets the ledger stop counting figures superseded more than their
//     channel's Lag ago (Expire), takes the SKUs the ledger changed
//     (inventory.Ledger.ChangedSince, with a cursor of its own) and
//     schedules each a debounce from now,
//     coalescing later changes into the same push; a SKU that sells out
//     (was told more than 0, now 0) goes at once;
//  2. for each SKU due, oldest first, claims a figure from the ledger at
//     that moment (inventory.Ledger.Claim), counting what every other
//     channel was told and may still sell, and sends that figure, never
//     more (I5); when the ledger says the listing's last figure still fits
//     (Keep) nothing is sent, and a SKU with no ERP figure is not sent at
//     all;
//  3. keeps to the marketplace's Limits: a token bucket for the account
//     (Amazon: 5 requests a second, burst 5), its batch size (eBay: 25 SKUs
//     a call), and revisions per listing per day (eBay: 250): once a
//     listing has RevisionReserve revisions left for the day only
//     decreases go, increases wait for the next day, and the day's last
//     revision sets 0 (a figure sent then could not be lowered again);
//  4. books each result and reports it to the ledger: taken (Told, at the
//     time the answer came back plus ApplyDelay); throttled (Unclaim; the
//     whole account waits Retry-After, or the backoff, then the SKU is
//     claimed and sent again); rejected or refused credentials (Unclaim;
//     not sent again until the figure changes); or failed, a 5xx or a
//     timeout, which may have landed (the claim keeps counting; backoff
//     from MinBackoff doubling to MaxBackoff, then sent again whatever the
//     figure). Every push is a Record, kept in History and passed to
//     OnRecord.
//
// Run calls Step in a loop, waking when a push falls due, on Notify, or
// every Poll, and returns when its context ends; it starts no goroutines.
// All times come from the Clock, so tests move time by hand.
//
// Marketplaces set absolute quantities: a figure sent replaces the one
// before, and what the marketplace sold before it landed is not undone.
// The ledger's claims account for that (see the inventory package): a
// listing that no longer fits is sent 0, not a lower positive figure, and
// raised again once its channel's Lag has passed since the 0 landed; a
// channel's own sales push nothing, since the marketplace counts them down
// itself. This holds if every sale on the channel reaches the ledger
// (inventory.Ledger.ReserveSale, with the order's placed time) within the
// channel's Lag, if a push that failed does not land after a later one
// succeeded, and if ApplyDelay covers how long after its answer a
// marketplace may apply a quantity (and the skew between its order times
// and this clock). After a restart without the ledger's snapshot, the
// figures told before it are not counted until each channel's first push
// has landed and its Lag passed.
package marketplace
