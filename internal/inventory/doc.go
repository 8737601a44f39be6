// Package inventory is the stock ledger: what each marketplace channel may
// be told it can sell of each SKU, so that no channel is ever told more than
// the ERP can fulfil (invariant I5), and the channels together are never
// told more than it can fulfil (exposure, below).
//
// It is pure: no I/O, no clock of its own (every time comes in as an
// argument), deterministic. It is safe for concurrent use.
//
// # The arithmetic
//
// For a SKU s and a channel c:
//
//	available(c, s) = min(cap(c), max(0, erp(s) − held(s) − buffer(c)))
//
// erp(s) is the ERP's last reported availability of s, with the time it
// was true (its asOf). held(s) is the units of s the ledger still subtracts
// for orders: every order received but not yet acknowledged by the ERP (in
// flight), and every acknowledged order that the ERP figure may not show
// yet. A cap of 0 means no cap. A SKU with no ERP figure yet is not known,
// and is available nowhere.
//
// A bundle (kit) has no stock of its own: its availability on a channel is
// the least, over its components, of floor(component's available / units
// per bundle), where a component's available counts the channel's buffer
// but not its cap; the cap applies to the bundle's figure. An order line
// for a bundle holds its components.
//
// # Acknowledgment and refresh
//
// When the ERP acknowledges an order it has taken the order's stock, so the
// ERP's availability, read afterwards, already subtracts it. Dropping the
// reservation at the acknowledgment would count the order nowhere while the
// ledger's ERP figure is older than the acknowledgment, and the channels
// would be told the order's units again. Keeping it for ever would subtract
// it twice once the ERP figure shows it. The rule:
//
//	An acknowledged order's units of s stop being held once the ledger has
//	an ERP figure for s whose asOf is strictly after the acknowledgment
//	(plus Config.ERPLag).
//
// Until then they are held as if still in flight. Callers must pass as asOf
// the time the availability read was sent, on the gateway's clock, and as
// the acknowledgment's time the time the gateway learned of it, on the same
// clock: the ERP took the stock before it acknowledged, so a read sent after
// the gateway learned of the acknowledgment shows it. A read that was in
// flight when the acknowledgment arrived may or may not show it; its asOf
// is before the acknowledgment, so the order stays held, and the worst case
// is that the order is subtracted twice until the next refresh: the channels
// are told too little for a while, never too much. Config.ERPLag covers an
// ERP whose availability lags its own acknowledgments.
//
// A refresh older than the figure the ledger holds is ignored (it would move
// time backwards). An order rejected by the ERP or cancelled is released at
// once: a rejected order took nothing, and an order cancelled before its
// acknowledgment may or may not hold ERP stock still; releasing it can only
// show the channels less than the truth until the ERP's own cancellation
// shows in a refresh. An order cancelled after its acknowledgment is
// released from the ledger too; the ERP gives the stock back when it cancels
// the sales order, and the next refresh shows it.
//
// Worked example, buffer 2 on channel amazon:
//
//	10:00 SetERP(A, 10, 10:00)         erp 10, held 0 → amazon 8
//	10:01 Reserve(o1, A×3)             erp 10, held 3 → amazon 5
//	10:02 Acknowledge(o1, 10:02)       still held: 10:00 is before 10:02 → amazon 5
//	10:03 SetERP(A, 7, 10:01)          the read was sent at 10:01, before the ack:
//	                                   erp 7 (shows o1 already), held 3 → amazon 2 (too low, safe)
//	10:05 SetERP(A, 7, 10:04)          10:04 is after 10:02: o1 is no longer held
//	                                   erp 7, held 0 → amazon 5
//
// # Persisting and rebuilding
//
// Snapshot and Restore carry the ledger's state as JSON. Or rebuild it at
// start from the store: Reserve every order not yet settled and every order
// acknowledged since the last refresh (Acknowledge it at its AcknowledgedAt),
// then SetERP every SKU from a fresh read. A SKU is not pushed to any
// channel until it has an ERP figure.
//
// # Changes
//
// Every change that can move a SKU's availability bumps the ledger's
// sequence number and marks the SKU (and the bundles built from it) with it.
// ChangedSince(seq) returns the SKUs marked after seq and the current
// sequence, so that each pusher keeps its own cursor.
//
// # Several channels, one stock: exposure
//
// Quote counts one channel alone: with two marketplaces selling the same
// low-stock SKU, each would be told the whole figure and both could sell
// it before either sale reached the ledger. Marketplaces take ABSOLUTE
// quantities (Amazon, Walmart, eBay): a new figure replaces the old, and
// what the marketplace sold before the new figure landed, but the ledger
// has not seen yet, is not undone. So the ledger keeps, per channel and
// listing (SKU or bundle), what it told the channel and what the channel
// may still sell that the ledger has not seen, its exposure:
//
//	outstanding(c)  = max(0, told − soldSince)
//	exposure(c)     = outstanding + oldPending (until pushedAt + Lag) + claimed
//	room(c)         = erp − held − buffer(c) − Σ_{c' ≠ c} exposure(c')
//	x               = min(cap(c), share(c), max(0, room(c) − exposure(c)))
//
// told is the figure of the last push that landed (Told), at pushedAt;
// soldSince is the units of the channel's sales placed after pushedAt that
// the ledger has seen (ReserveSale); oldPending is what the figures before
// it could still have sold unseen (their outstanding at the push, less the
// sales placed at or before pushedAt that arrived since); claimed is the
// figures Claim handed out whose pushes have not been settled.
//
// Claim(c, s, now) returns x and claims it, so that a Claim for another
// channel, even before this push lands, counts it at once: the sum of the
// exposures never exceeds erp − held − buffer when each claim is made. x
// is room less the channel's own exposure because a push does not undo
// what the marketplace sells before it lands: until then it may sell its
// outstanding, and afterwards x more. share(c) is the channel's fair share
// (below); it only ever makes x smaller. Claim sends nothing (Keep,
// Available the last figure told) when the last figure still fits and x
// would not let the channel sell more than its outstanding, or when it no
// longer fits but its outstanding is already 0; but an idle channel (below)
// that still shows stock is sent 0. So a sale on the channel itself
// (ReserveSale) changes nothing to push (the marketplace counts it down
// itself); a sale elsewhere that leaves a channel over its room lowers it
// to x, which is then 0: a lower positive figure could be sold on top of
// everything it sold before it landed. The channel is raised again once
// the old figure stops counting, Lag after the lowering landed (Expire
// marks the SKU changed then). A figure Claim gives to send is never
// above Quote's (I5).
//
// Channel.Lag is the assumption everything rests on: a sale on a channel
// reaches the ledger at most Lag after it was placed. Told's time must be
// when the push is known to have landed: when the marketplace's answer
// came back (plus the pusher's ApplyDelay for a marketplace that applies
// it later), not when the request was sent. A sale placed between the
// send and the landing was sold against the old figure; counting it
// against the new one would free room that the marketplace, which starts
// afresh at the new figure, does not have. A sale placed at the very
// instant of the landing counts against the old figure. Sales are counted
// once per order key (ReserveSale again counts nothing), and one the
// ledger never saw a figure for counts against nothing.
//
// Claims end three ways. Told: the push landed; claimed becomes told, and
// claims made before it whose outcome was unknown join oldPending.
// Unclaim: the push surely did not land (throttled, refused, never sent);
// the claim is given back. Neither (a timeout, a 5xx): the push may have
// landed, so its claim keeps counting, and the next Claim must push (it is
// 0 when that claim took all the room) to settle it; over-counting is safe,
// under-counting is not.
//
// # Fair shares and idle stock
//
// Without shares the first channel to claim a SKU would take all of it,
// and a channel whose buyers do not want the SKU would sit on it. So each
// channel's figure is also capped at its share of the pool:
//
//	pool(c)   = max(0, erp − held − buffer(c))
//	share(c)  = ⌊pool(c) × w(c) / Σ w⌋, plus one unit of the remainder
//
// w is Channel.Share (default 1). The units the floors leave over go one
// each to the channels in name order, starting at one picked by a hash of
// the SKU, so that small stocks do not always favour the same channel. A
// channel whose Cap is below its share gets its Cap, and the rest is
// split among the others. The pool is what is left: as channels sell it
// shrinks, and a channel that shows more than its share of what is left
// is not lowered for fairness alone (lowering an absolute quantity closes
// the listing for a Lag). For a bundle, share is the least over its
// components of the channel's share of the component ÷ units per bundle,
// and it caps each listing on its own.
//
// A listing is hungry when it sold out the last positive figure that
// landed on it and has no push in flight; it is active while less than
// Config.IdleAfter (default DefaultIdleAfter, 10 minutes) has passed since
// its last sale was placed or since it was opened (told a positive figure
// while showing none). While some channel is hungry for a SKU, the
// channels neither active nor hungry on it (idle) weigh 0: their share is
// 0, and Claim lowers one that still shows stock to 0 even though that
// figure still fits. The freed units count against the others until the
// 0 has landed and the idle channel's Lag has passed (the usual
// lowering); Expire then marks the SKU changed, and the hungry channels'
// next Claims take them, split among the channels that sell. Expire also
// marks a SKU changed when one of its listings turns idle while another
// channel is hungry for it, and a sale that makes a channel hungry marks
// it changed, so that pushers claim again. An idle channel stays at 0 while
// another is hungry for the SKU; once none is (the hungry ones were told
// more), shares count every channel again.
//
// None of this can oversell: a share only lowers x below the room, and the
// lowering to 0 adds nothing to any exposure; the idle channel's old
// figure keeps counting until its sales have surely come in.
//
// A bundle listing's exposure counts against each component at its units
// per bundle, on every channel, plain and bundle listings alike. Every
// outlet that sells a SKU must be a channel: orders held with plain Reserve
// (a phone order, an outlet not told figures) take stock the channels'
// exposures may already cover, and push them to 0 for a Lag.
//
// # After a restart
//
// Snapshot and Restore carry the exposures; a claim in flight at the
// snapshot is restored as one that may have landed. A ledger rebuilt
// without them (from the store, or from a version 1 snapshot) knows
// nothing of what the marketplaces were told before: until, for every
// channel, a push sent after the restart has landed and that channel's Lag
// has passed, the marketplaces may still sell the figures they were told
// before, on top of what the ledger gives out. That window is the
// restart's, and it is not covered; each figure is still within I5 on its
// own. Restoring a recent snapshot closes all of it but the pushes and
// sales between the snapshot and the crash.
package inventory
