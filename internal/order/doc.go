// Package order holds the gateway's domain: an Order with its lines and
// customer contact, the closed set of states it moves through, the guarded
// transitions between them, and the timeline events that record every step.
//
// It does no I/O and imports nothing of ours. Persistence, job scheduling and
// the outside systems live in adapters that depend on this package.
//
// The lifecycle:
//
//	                webhook / reconcile backfill
//	                          │
//	                          ▼
//	   ┌──────────────── received ───────────────┐
//	   │                      │                  │
//	   │ storefront cancel    ▼ ERP create (idempotent; in doubt → look up first)
//	   │                  submitted ─────────────┼──► rejected (invalid SKU, no stock, …)
//	   │                      │ ERP ack          │
//	   │                      ▼                  │
//	   │                 acknowledged            │
//	   │                      │ confirmation job │
//	   ▼                      ▼                  │
//	cancelled ◄──────── confirmed                │
//
// A cancellation is legal from every state but rejected and cancelled: an
// order the ERP already holds can still be cancelled by the merchant, and that
// must be recorded, not refused. Every transition returns an error when it is
// illegal; nothing is ever silently overwritten.
//
// Overdue is not a state: it is the condition "not settled and older than the
// SLA", computed by the caller.
package order
