package order

import (
	"fmt"
	"time"
)

// Cohort says which flow handles an order during a parallel run before
// cutover: the gate, for real, or the legacy connector, with the gate only
// watching. It is decided once, when the order is first stored, and never
// changes.
type Cohort string

// The cohorts. An order stored before any rollout setting existed has no
// cohort and is handled as gated.
const (
	CohortGated  Cohort = "gated"
	CohortLegacy Cohort = "legacy"
)

// Cutover is what the parallel run records of an order, beside its state.
type Cutover struct {
	Cohort Cohort `json:"cohort,omitempty"`
	// ERPSeenAt is when the gateway first knew the ERP held the order: the
	// gate's own create, or, for a legacy order, the shadow watch's first
	// lookup that found it.
	ERPSeenAt time.Time `json:"erp_seen_at,omitzero"`
	// LegacyConfirmedAt is when the legacy flow confirmed a legacy order to
	// the customer: it confirms on capture.
	LegacyConfirmedAt time.Time `json:"legacy_confirmed_at,omitzero"`
	// WouldConfirmAt is when the gate would have confirmed a legacy order:
	// when the watch saw the ERP acknowledge it.
	WouldConfirmAt time.Time `json:"would_confirm_at,omitzero"`
}

// Legacy reports whether the legacy flow handles the order and the gate
// must neither write to the ERP nor message the customer.
func (o *Order) Legacy() bool { return o.Cutover.Cohort == CohortLegacy }

// ConfirmLegacy settles an acknowledged legacy order as confirmed: the
// legacy flow told the customer at LegacyConfirmedAt, and the ERP has now
// acknowledged it, so nothing is left to watch. The gate sent nothing;
// the timeline says so.
func (o *Order) ConfirmLegacy(at time.Time) error {
	detail := "confirmed to the customer by the legacy flow"
	if !o.Cutover.LegacyConfirmedAt.IsZero() {
		detail += " at " + stamp(o.Cutover.LegacyConfirmedAt)
	}
	detail += fmt.Sprintf("; the gate would have confirmed at %s and sent nothing", stamp(at))
	if err := o.move(Confirm, Event{At: at, Kind: EventConfirmed, Source: "legacy", Detail: detail}); err != nil {
		return err
	}
	o.Cutover.WouldConfirmAt = at
	o.SettledAt = at
	return nil
}
