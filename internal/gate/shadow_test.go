package gate

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/cutover"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront"
)

func shadowMode(sla time.Duration) func(*Storefront) {
	return func(sf *Storefront) { sf.Mode, sf.SLA = ModeShadow, sla }
}

// legacyCreate plays the legacy connector: it creates the order in the ERP
// itself, under the gateway's external id, as the sandbox's legacy flow
// does.
func (b *bundle) legacyCreate(t *testing.T, o order.Order) {
	t.Helper()
	if _, err := b.gate.ERPClient(testStorefront).Submit(context.Background(), o); err != nil {
		t.Fatalf("legacy create of %s: %v", o.Key, err)
	}
}

func TestShadow_LegacyOrderIsWatchedNeverSubmittedNorMessaged(t *testing.T) {
	t.Parallel()
	b := setup(t, options{storefront: shadowMode(10 * time.Second)})
	captured := time.Now().Add(-time.Second).UTC().Truncate(time.Millisecond)
	src := testOrder("2001", captured, line("SKU-A", 1))
	b.ingest(t, delivery(storefront.OrderCreated, "create-2001", src))

	// Several looks go by: nothing reaches the ERP, the order waits.
	time.Sleep(800 * time.Millisecond)
	if n := len(b.sim.Records().OrdersFor(src.Key.ExternalID())); n != 0 {
		t.Fatalf("erp holds %d orders for a shadowed order, want 0", n)
	}
	o, err := b.store.Get(context.Background(), src.Key)
	if err != nil {
		t.Fatal(err)
	}
	if o.State() != order.Received || o.Cutover.Cohort != order.CohortLegacy {
		t.Fatalf("state %s cohort %q, want received legacy", o.State(), o.Cutover.Cohort)
	}
	if !o.Cutover.LegacyConfirmedAt.Equal(captured) {
		t.Errorf("legacy confirmed at %s, want the capture %s", o.Cutover.LegacyConfirmedAt, captured)
	}

	b.legacyCreate(t, src)
	o = b.waitState(t, src.Key, order.Confirmed)
	if o.Cutover.ERPSeenAt.IsZero() || o.Cutover.WouldConfirmAt.Before(o.Cutover.ERPSeenAt) {
		t.Errorf("erp seen at %s, would confirm at %s: want both set, in that order", o.Cutover.ERPSeenAt, o.Cutover.WouldConfirmAt)
	}
	if !o.ConfirmedAt.IsZero() {
		t.Errorf("gate confirmation at %s, want none", o.ConfirmedAt)
	}
	if n := len(b.sim.Records().OrdersFor(src.Key.ExternalID())); n != 1 {
		t.Errorf("erp holds %d orders, want the legacy flow's 1", n)
	}
	if msgs := b.mail.Messages(); len(msgs) != 0 {
		t.Errorf("mailbox holds %d messages, want none: %+v", len(msgs), msgs)
	}
	confirmed := ofKind(b.timeline(t, src.Key), order.EventConfirmed)
	if len(confirmed) != 1 || confirmed[0].Source != "legacy" {
		t.Errorf("confirmed entries %+v, want one by the legacy flow", confirmed)
	}

	// The operator cannot push a legacy order through the gate.
	if _, _, err := b.gate.Act(context.Background(), src.Key, ActionReplay, Actor{Name: "ops"}, ""); err == nil {
		t.Error("replay of a legacy order succeeded, want refused")
	}
}

func TestShadow_NotInTheERPPastItsSLAIsFlaggedNotAlerted(t *testing.T) {
	t.Parallel()
	hook := &alerts{}
	b := setup(t, options{storefront: shadowMode(time.Second), alerts: hook})
	src := testOrder("2002", time.Now().UTC(), line("SKU-A", 1))
	b.ingest(t, delivery(storefront.OrderCreated, "create-2002", src))
	o := b.waitFor(t, src.Key, "overdue", func(o *order.Order) bool { return !o.OverdueAt.IsZero() })
	if o.State() != order.Received || o.Attention != shadowMissing {
		t.Errorf("state %s attention %q, want received and flagged %q", o.State(), o.Attention, shadowMissing)
	}
	// Found late, it settles and the flag is cleared.
	b.legacyCreate(t, src)
	o = b.waitState(t, src.Key, order.Confirmed)
	if o.Attention != "" {
		t.Errorf("attention %q after the erp got it, want none", o.Attention)
	}
	time.Sleep(200 * time.Millisecond)
	if got := hook.all(); len(got) != 0 {
		t.Errorf("alerts %+v, want none for a legacy order", got)
	}
}

func TestRollout_SplitsByStableHashAndChangesAtRunTime(t *testing.T) {
	t.Parallel()
	half := 50
	b := setup(t, options{storefront: func(sf *Storefront) { sf.RolloutPercent, sf.SLA = &half, 10*time.Second }})
	ctx := context.Background()
	var keys []order.Key
	for i := range 12 {
		src := testOrder(fmt.Sprint(3000+i), time.Now().UTC(), line("SKU-A", 1))
		b.ingest(t, delivery(storefront.OrderCreated, "create-"+src.Key.ID, src))
		keys = append(keys, src.Key)
	}
	for _, key := range keys {
		want := cutover.CohortOf(key, half)
		var o *order.Order
		if want == order.CohortGated {
			o = b.waitState(t, key, order.Confirmed)
		} else if o, _ = b.store.Get(ctx, key); o.State() != order.Received {
			t.Errorf("%s: legacy order %s, want received", key, o.State())
		}
		if o.Cutover.Cohort != want {
			t.Errorf("%s: cohort %q, want %q", key, o.Cutover.Cohort, want)
		}
	}

	if err := b.gate.SetRollout(ctx, cutover.Setting{Storefront: testStorefront, Mode: "gated", Percent: 0, By: "test", Reason: "rollback"}); err != nil {
		t.Fatal(err)
	}
	src := testOrder("4000", time.Now().UTC(), line("SKU-A", 1))
	for cutover.CohortOf(src.Key, half) != order.CohortGated { // one that 50% would have gated
		src.Key.ID += "1"
	}
	b.ingest(t, delivery(storefront.OrderCreated, "create-"+src.Key.ID, src))
	o, err := b.store.Get(ctx, src.Key)
	if err != nil {
		t.Fatal(err)
	}
	if o.Cutover.Cohort != order.CohortLegacy {
		t.Errorf("after the rollback to 0%%, cohort %q, want legacy", o.Cutover.Cohort)
	}
	hist, err := cutover.History(ctx, b.store, testStorefront, 10)
	if err != nil || len(hist) != 1 || hist[0].By != "test" || hist[0].Percent != 0 {
		t.Errorf("audit log %+v (err %v), want the one change", hist, err)
	}
	cur, err := b.gate.Rollout(ctx, testStorefront)
	if err != nil || cur.Percent != 0 {
		t.Errorf("rollout in effect %+v (err %v), want 0%%", cur, err)
	}
}
