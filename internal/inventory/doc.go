// Package inventory is the stock ledger: what each marketplace channel may
// be told it can sell of each SKU, so that no channel is ever told more than
// the ERP can fulfil (invariant I5).
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
// # What I5 does not cover
//
// A channel told N units may sell them before a sale on another channel
// reaches the ledger and is pushed to it. The ledger makes every figure it
// gives out right at the moment it is asked; the channel buffers cover the
// time a push takes to reach the marketplace and a sale to come back.
package inventory
