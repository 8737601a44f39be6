package gate

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/ordergate/ordergate/internal/cutover"
	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// The parallel run before cutover. Each new order is put in a cohort once,
// when it is first stored (cutover.CohortOf: a stable hash of its id
// against the rollout percentage; every order in shadow mode): the gated
// cohort goes through the gate for real; the legacy cohort stays with the
// legacy flow, which confirms on capture and puts the order in the ERP
// itself. For a legacy order the gate never calls Submit or Cancel and
// never messages the customer (the submit worker, the cancel and the
// notify worker refuse it); it watches the ERP for the order instead
// (shadowWorker) and records when the ERP held it, and when it would have
// confirmed it.
//
// States: a legacy order stays received until the watch finds it in the
// ERP; then it moves as the ERP has it (submitted, acknowledged and
// confirmed — by the legacy flow, on the timeline — or rejected or
// cancelled), so that it settles and neither the SLA sweep nor
// reconciliation keeps finding it open. Past its SLA unseen it is marked
// overdue and flagged for attention, but not announced to the alert hook:
// the legacy flow, not the gate, owes it.

// ShadowArgs is the job that looks a legacy order up in the ERP until the
// ERP has it.
type ShadowArgs struct {
	Storefront string `json:"storefront"`
	OrderID    string `json:"order_id"`
}

// Kind implements river.JobArgs.
func (ShadowArgs) Kind() string { return "ordergate_shadow_watch" }

// priorityShadow puts the watch's lookups on the ERP's queue behind new
// orders and updates, so a large legacy cohort never holds a gated order
// back; the lookups also wait at background priority in the ERP's budget.
// (A queue of their own would add one more poller on the database.)
const priorityShadow = 3

// shadowGiveUp is how long after receipt the watch looks for an order at
// the least; it stops at ten SLAs if that is longer.
const shadowGiveUp = 24 * time.Hour

// shadowMissing is the attention reason of a legacy order not in the ERP
// after its SLA.
const shadowMissing = "the legacy flow has not put the order in the erp within its sla (shadow watch)"

// rolloutTTL is how long a replica uses a storefront's setting before
// reading it again: a change takes effect on every replica within it.
const rolloutTTL = time.Second

type rolloutCache struct {
	mu      sync.Mutex
	entries map[string]rolloutEntry
}

type rolloutEntry struct {
	set    cutover.Setting
	loaded time.Time
}

// configRollout is the storefront's setting as its config gives it.
func configRollout(sf Storefront) cutover.Setting {
	p := 100
	if sf.RolloutPercent != nil {
		p = *sf.RolloutPercent
	}
	return cutover.Setting{Storefront: sf.Name, Mode: string(sf.Mode), Percent: p, By: "config"}
}

// Rollout returns the storefront's mode and rollout percentage in effect:
// the newest setting changed at run time, else its config's.
func (g *Gate) Rollout(ctx context.Context, storefront string) (cutover.Setting, error) {
	sf, ok := g.storefronts[storefront]
	if !ok {
		return cutover.Setting{}, fmt.Errorf("storefront %s: %w", storefront, store.ErrNotFound)
	}
	s, ok, err := cutover.Current(ctx, g.store, storefront)
	if err != nil || !ok {
		return configRollout(sf), err
	}
	return s, nil
}

// SetRollout changes the storefront's mode and rollout percentage for new
// orders, from now on, on every replica within a second, and records the
// change in its audit log. Orders already stored keep their cohort: a
// gated order in flight finishes through the gate.
func (g *Gate) SetRollout(ctx context.Context, s cutover.Setting) error {
	if _, ok := g.storefronts[s.Storefront]; !ok {
		return fmt.Errorf("storefront %s: %w", s.Storefront, store.ErrNotFound)
	}
	if s.At.IsZero() {
		s.At = g.now()
	}
	if err := cutover.Save(ctx, g.store, s); err != nil {
		return err
	}
	g.rollout.mu.Lock()
	delete(g.rollout.entries, s.Storefront)
	g.rollout.mu.Unlock()
	g.log.Warn("rollout changed", "storefront", s.Storefront, "mode", s.Mode, "rollout_percent", s.Percent,
		"by", s.By, "reason", s.Reason, "rollback", s.Rollback)
	return nil
}

// rolloutFor is Rollout, read at most once per rolloutTTL. When the store
// cannot be read it keeps the setting it last read (the config's if none),
// so that a failed read does not change cohorts.
func (g *Gate) rolloutFor(ctx context.Context, sf Storefront) cutover.Setting {
	g.rollout.mu.Lock()
	e, ok := g.rollout.entries[sf.Name]
	g.rollout.mu.Unlock()
	if ok && time.Since(e.loaded) < rolloutTTL {
		return e.set
	}
	s, err := g.Rollout(ctx, sf.Name)
	if err != nil {
		g.log.Warn("could not read the rollout setting; keeping the last one", "storefront", sf.Name, "err", err)
		if ok {
			return e.set
		}
		return configRollout(sf)
	}
	g.rollout.mu.Lock()
	if g.rollout.entries == nil {
		g.rollout.entries = make(map[string]rolloutEntry)
	}
	g.rollout.entries[sf.Name] = rolloutEntry{set: s, loaded: time.Now()}
	g.rollout.mu.Unlock()
	return s
}

// assignCohort puts a new order in its cohort under set, once. A legacy
// order takes its legacy confirmation time from the storefront: the
// legacy flow confirms on capture.
func assignCohort(o *order.Order, set cutover.Setting, at time.Time) {
	if o.Cutover.Cohort != "" {
		return
	}
	c := order.CohortGated
	if set.Mode == string(ModeShadow) {
		c = order.CohortLegacy
	} else {
		c = cutover.CohortOf(o.Key, set.Percent)
	}
	o.Cutover.Cohort = c
	if c == order.CohortGated {
		if set.Percent < 100 {
			o.Record(order.Event{At: at, Kind: order.EventNote, Source: "gate",
				Detail: fmt.Sprintf("gated cohort (rollout %d%%): the gate handles this order", set.Percent)})
		}
		return
	}
	o.Cutover.LegacyConfirmedAt = o.CapturedAt
	if o.Cutover.LegacyConfirmedAt.IsZero() {
		o.Cutover.LegacyConfirmedAt = o.ReceivedAt
	}
	o.Record(order.Event{At: at, Kind: order.EventNote, Source: "gate",
		Detail: fmt.Sprintf("legacy cohort (mode %s, rollout %d%%): the legacy flow handles this order; the gate watches the erp for it and sends nothing", set.Mode, set.Percent)})
}

// startShadow enqueues a legacy order's first look in the ERP.
func (g *Gate) startShadow(ctx context.Context, tx store.Tx, o *order.Order) error {
	sf := g.storefronts[o.Key.Storefront]
	return tx.Enqueue(ctx, ShadowArgs{Storefront: o.Key.Storefront, OrderID: o.Key.ID},
		&river.InsertOpts{Queue: erpQueue(sf.ERP), Priority: priorityShadow, ScheduledAt: g.now().Add(shadowPoll(sf, o, g.now()))})
}

// shadowSLA is the window a legacy order has to reach the ERP.
func shadowSLA(sf Storefront) time.Duration {
	if sf.SLA > 0 {
		return sf.SLA
	}
	return cutover.DefaultSLA
}

// shadowDeadline is when a legacy order should be in the ERP: its SLA from
// capture, which is when the legacy flow confirmed it.
func shadowDeadline(sf Storefront, o *order.Order) time.Time {
	base := o.CapturedAt
	if base.IsZero() {
		base = o.ReceivedAt
	}
	return base.Add(shadowSLA(sf))
}

// shadowPoll is how long the watch waits before its next look: a
// twentieth of the SLA (between 250ms and 30s) until the SLA passes, then
// a quarter of the time since, up to 5m.
func shadowPoll(sf Storefront, o *order.Order, now time.Time) time.Duration {
	p := min(max(shadowSLA(sf)/20, 250*time.Millisecond), 30*time.Second)
	if late := now.Sub(shadowDeadline(sf, o)); late > 0 {
		p = min(max(p, late/4), 5*time.Minute)
	}
	return p
}

// watched reports whether the watch still has something to find for o.
func watched(o *order.Order) bool {
	return o.Legacy() && (o.State() == order.Received || o.State() == order.Submitted)
}

// shadowWorker looks a legacy order up in the ERP by its external id until
// the ERP has it (and has acknowledged, rejected or cancelled it), or until
// it gives up. The legacy connector must create the order where Lookup
// finds it: under the gateway's external id, or in the field that the
// ERP's client matches the storefront order id by.
type shadowWorker struct {
	worker[ShadowArgs]
}

func (w *shadowWorker) Work(ctx context.Context, job *river.Job[ShadowArgs]) error {
	g := w.g
	key := keyOf(job.Args.Storefront, job.Args.OrderID)
	sf := g.storefronts[key.Storefront]
	o, err := g.store.Get(ctx, key)
	if err != nil || !watched(o) {
		return err
	}
	rec, lerr := g.client(sf).Lookup(erp.AtPriority(ctx, erp.PriorityBackground), key.ExternalID())
	if lerr != nil && !errors.Is(lerr, erp.ErrNotFound) {
		return fmt.Errorf("shadow watch: look up %s: %w", key.ExternalID(), lerr)
	}
	var next time.Duration
	err = g.store.Update(ctx, key, func(tx store.Tx, o *order.Order) error {
		if !watched(o) {
			return nil
		}
		now := g.now()
		if lerr != nil {
			next = g.shadowNotFound(o, sf, now)
			return nil
		}
		done, err := shadowFound(o, rec, now)
		if err == nil && !done {
			next = shadowPoll(sf, o, now)
		}
		return err
	})
	if err != nil {
		return err
	}
	if next > 0 {
		return river.JobSnooze(next)
	}
	return nil
}

// shadowFound records what the ERP holds of a legacy order, and settles
// it if the ERP is done with it, which it reports.
func shadowFound(o *order.Order, rec erp.Receipt, now time.Time) (bool, error) {
	if o.State() == order.Received {
		o.Record(order.Event{At: now, Kind: order.EventLookup, Source: "shadow",
			Detail: fmt.Sprintf("the legacy flow's order is in the erp as %s (%s)", rec.Ref, rec.Status)})
		if err := o.Submit(rec.Ref, now); err != nil {
			return false, err
		}
		if o.Attention == shadowMissing {
			o.Release(": the erp has it now", "shadow", now)
		}
	}
	switch rec.Status {
	case erp.StatusAcknowledged:
		if err := o.Acknowledge(rec.Ack(), now); err != nil {
			return false, err
		}
		return true, o.ConfirmLegacy(now)
	case erp.StatusRejected:
		return true, o.Reject("the erp rejected the legacy flow's order: "+rec.Reason, now)
	case erp.StatusCancelled:
		return true, o.Cancel("cancelled in the erp", "erp", now)
	}
	return false, nil // recorded, not validated yet
}

// shadowNotFound handles a look that did not find a legacy order: past
// its SLA it is marked overdue and flagged, once; past the watch's limit
// the watch stops. It returns the wait before the next look, or 0 for
// none.
func (g *Gate) shadowNotFound(o *order.Order, sf Storefront, now time.Time) time.Duration {
	if now.After(shadowDeadline(sf, o)) {
		markLegacyOverdue(o, shadowSLA(sf), now, "the shadow watch")
	}
	if now.Sub(o.ReceivedAt) > max(shadowGiveUp, 10*shadowSLA(sf)) {
		o.Flag("the shadow watch stopped looking: the legacy flow never put the order in the erp", "shadow", now)
		return 0
	}
	return shadowPoll(sf, o, now)
}

// markLegacyOverdue marks a legacy order overdue and flags it, without an
// alert: the gate owes the customer nothing for it, but it must be
// visible. It reports whether it marked the order.
func markLegacyOverdue(o *order.Order, sla time.Duration, now time.Time, by string) bool {
	if !o.MarkOverdueBy(sla, now, by) {
		return false
	}
	if o.Attention == "" {
		o.Flag(shadowMissing, "shadow", now)
	}
	return true
}
