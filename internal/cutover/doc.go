// Package cutover is the parallel run before a storefront's cutover to the
// gate: which orders the gate handles for real (the gated cohort, a stable
// hash-chosen percentage) and which it only watches beside the legacy
// flow (the legacy cohort); the runtime setting of mode and percentage with
// its audit log; and the report that compares the two cohorts and says go
// or no-go.
//
// Report is pure: it computes from the orders it is given and the time
// "now", and does no I/O. Collect reads those orders from the store.
package cutover
