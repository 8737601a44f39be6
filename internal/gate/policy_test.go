package gate

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
	"github.com/ordergate/ordergate/internal/storefront"
)

// mailKinds returns the kinds of the messages the mailbox holds for key, in
// the order they arrived.
func (b *bundle) mailKinds(key order.Key) []string {
	var out []string
	for _, m := range b.mail.ByOrder()[key.String()] {
		out = append(out, m.Kind)
	}
	return out
}

// waitMail waits until the mailbox holds n messages for key.
func (b *bundle) waitMail(t *testing.T, key order.Key, n int) []mailbox.Message {
	t.Helper()
	eventually(t, "mail for "+key.String(), func() bool { return len(b.mail.ByOrder()[key.String()]) >= n })
	return b.mail.ByOrder()[key.String()]
}

func equalKinds(got []string, want ...string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

func TestAckGated_PendingNoticeFirstThenConfirmationWithValidatedLinesAndShipDate(t *testing.T) {
	t.Parallel()
	// The ERP's clock stands still until the pending notice is out, so the
	// acknowledgment comes after it however slowly jobs are picked up.
	clock := erpsim.NewClock(time.Now())
	b := setup(t, options{
		erp:        erpsim.Config{AckDelay: 300 * time.Millisecond, Now: clock.Now},
		storefront: func(sf *Storefront) { sf.Mode = ModeAckGated },
	})
	o := testOrder("1001", t0, line("A", 2))
	b.ingest(t, delivery(storefront.OrderCreated, "e1", o))

	mails := b.waitMail(t, o.Key, 1)
	if mails[0].Kind != "pending" {
		t.Fatalf("first message is %q, want the pending notice", mails[0].Kind)
	}
	b.waitState(t, o.Key, order.Submitted) // the ERP holds it, unvalidated
	clock.Advance(300 * time.Millisecond)
	b.waitState(t, o.Key, order.Confirmed)
	mails = b.waitMail(t, o.Key, 2)
	if !equalKinds(b.mailKinds(o.Key), "pending", "confirmation") {
		t.Fatalf("messages %v, want pending then confirmation", b.mailKinds(o.Key))
	}
	if !mails[1].ReceivedAt.After(mails[0].ReceivedAt) {
		t.Errorf("confirmation arrived %v, not after the pending notice at %v", mails[1].ReceivedAt, mails[0].ReceivedAt)
	}
	for _, want := range []string{"Confirmed: 2", "Expected to ship by:"} {
		if !strings.Contains(mails[1].Text, want) {
			t.Errorf("confirmation lacks %q:\n%s", want, mails[1].Text)
		}
	}
}

func TestAckGated_PendingNoticeOvertakenByTheAckIsNotSent(t *testing.T) {
	t.Parallel()
	b := setup(t, options{stopped: true, storefront: func(sf *Storefront) { sf.Mode = ModeAckGated }})
	o := testOrder("1001", t0, line("A", 1))
	b.ingest(t, delivery(storefront.OrderCreated, "e1", o))
	// Acknowledge the order before any worker runs, as a fast ERP's
	// callback could: the pending notice has lost its point.
	if err := b.gate.Acknowledged(t.Context(), testERP, erp.Receipt{Ref: "SO-X", ExternalID: o.Key.ExternalID(),
		Status: erp.StatusAcknowledged, Lines: []erp.Line{{SKU: "A", Ordered: 1, Validated: 1}}}); err != nil {
		t.Fatal(err)
	}
	b.start(t)
	b.waitState(t, o.Key, order.Confirmed)
	b.waitMail(t, o.Key, 1)
	eventually(t, "the pending notice skipped", func() bool {
		for _, e := range ofKind(b.timeline(t, o.Key), order.EventNote) {
			if strings.Contains(e.Detail, "pending message not sent") {
				return true
			}
		}
		return false
	})
	if !equalKinds(b.mailKinds(o.Key), "confirmation") {
		t.Errorf("messages %v, want only the confirmation", b.mailKinds(o.Key))
	}
}

func TestAckGated_LeadTimeGivesTheShipDateWhenTheERPGivesNone(t *testing.T) {
	t.Parallel()
	b := setup(t, options{
		erp:        erpsim.Config{ShipDays: -1},
		storefront: func(sf *Storefront) { sf.Mode, sf.LeadTime = ModeAckGated, 72*time.Hour },
	})
	o := testOrder("1001", t0, line("A", 1))
	b.ingest(t, delivery(storefront.OrderCreated, "e1", o))
	got := b.waitState(t, o.Key, order.Confirmed)
	if d := got.ShipBy.Sub(got.AcknowledgedAt); d <= 72*time.Hour-time.Second || d > 72*time.Hour {
		t.Errorf("ship by %v, acknowledged %v: want 72h after the acknowledgment", got.ShipBy, got.AcknowledgedAt)
	}
}

func TestAckGated_StillWorkingNoticeWhenTheAckIsLate(t *testing.T) {
	t.Parallel()
	// The ERP's clock stands still until the delay notice is out, so the
	// acknowledgment comes after it however slowly jobs are picked up.
	clock := erpsim.NewClock(time.Now())
	b := setup(t, options{
		erp:        erpsim.Config{AckDelay: time.Hour, Now: clock.Now},
		storefront: func(sf *Storefront) { sf.Mode, sf.StillWorkingAfter = ModeAckGated, 100*time.Millisecond },
	})
	o := testOrder("1001", t0, line("A", 1))
	b.ingest(t, delivery(storefront.OrderCreated, "e1", o))
	b.waitMail(t, o.Key, 2)
	b.waitState(t, o.Key, order.Submitted) // the ERP holds it, unvalidated
	clock.Advance(time.Hour)
	b.waitState(t, o.Key, order.Confirmed)
	b.waitMail(t, o.Key, 3)
	if !equalKinds(b.mailKinds(o.Key), "pending", "delay", "confirmation") {
		t.Errorf("messages %v, want pending, delay, confirmation", b.mailKinds(o.Key))
	}
}

func TestShortfall_BackorderPolicyConfirmsSayingWhatShipsLater(t *testing.T) {
	t.Parallel()
	b := setup(t, options{
		erp:        erpsim.Config{Stock: map[string]int{"A": 1, "B": 5}, Backorder: true},
		storefront: func(sf *Storefront) { sf.Shortfall = ShortfallBackorder },
	})
	o := testOrder("1001", t0, line("A", 3), line("B", 1))
	b.ingest(t, delivery(storefront.OrderCreated, "e1", o))
	got := b.waitState(t, o.Key, order.Confirmed)
	if a := got.Lines[0]; a.Validated == nil || *a.Validated != 1 || a.Short != order.ShortBackordered {
		t.Errorf("line A = %+v, want 1 validated, backordered", a)
	}
	mails := b.waitMail(t, o.Key, 1)
	if !strings.Contains(mails[0].Text, "2 are on backorder and will ship later") {
		t.Errorf("confirmation does not say what ships later:\n%s", mails[0].Text)
	}
	if got.Attention != "" {
		t.Errorf("a backorder under the backorder policy was flagged: %q", got.Attention)
	}
}

func TestShortfall_RejectPolicyHoldsTellsTheCustomerAndReleaseConfirms(t *testing.T) {
	t.Parallel()
	b := setup(t, options{erp: erpsim.Config{Stock: map[string]int{"A": 1}, Backorder: true}})
	o := testOrder("1001", t0, line("A", 3))
	b.ingest(t, delivery(storefront.OrderCreated, "e1", o))

	got := b.waitFor(t, o.Key, "held", func(o *order.Order) bool { return o.State() == order.Acknowledged && o.Attention != "" })
	if !strings.Contains(got.Attention, "A: 2 of 3 backordered") {
		t.Errorf("attention %q does not say what is short", got.Attention)
	}
	b.waitMail(t, o.Key, 1)
	if !equalKinds(b.mailKinds(o.Key), "problem") {
		t.Fatalf("messages %v, want the problem notice only", b.mailKinds(o.Key))
	}
	if _, _, err := b.gate.Act(t.Context(), o.Key, ActionRetry, Actor{Name: "alice", Via: "test"}, ""); !errors.Is(err, ErrNotApplicable) {
		t.Errorf("retry of a held order = %v, want ErrNotApplicable", err)
	}

	_, did, err := b.gate.Act(t.Context(), o.Key, ActionRelease, Actor{Name: "alice", Via: "test"}, "customer agreed to wait")
	if err != nil {
		t.Fatalf("release: %v", err)
	}
	got = b.waitState(t, o.Key, order.Confirmed)
	if got.Attention != "" {
		t.Errorf("still flagged after release: %q", got.Attention)
	}
	b.waitMail(t, o.Key, 2)
	if !equalKinds(b.mailKinds(o.Key), "problem", "confirmation") {
		t.Errorf("messages %v, want problem then confirmation", b.mailKinds(o.Key))
	}
	var byAlice bool
	for _, e := range ofKind(b.timeline(t, o.Key), order.EventOperator) {
		byAlice = byAlice || (strings.Contains(e.Detail, "release by alice via test") && strings.Contains(e.Detail, did) && strings.Contains(e.Detail, "customer agreed"))
	}
	if !byAlice {
		t.Errorf("no operator entry naming alice, the action and the reason:\n%s", formatTimeline(b.timeline(t, o.Key)))
	}
}

func TestShortfall_UnknownLineHeldThenCancelledByAnOperatorCancelsInTheERP(t *testing.T) {
	t.Parallel()
	b := setup(t, options{erp: erpsim.Config{Stock: map[string]int{"A": 5}, UnknownSKUs: []string{"GHOST"}, PartialUnknown: true}})
	o := testOrder("1001", t0, line("A", 2), line("GHOST", 1))
	b.ingest(t, delivery(storefront.OrderCreated, "e1", o))
	got := b.waitFor(t, o.Key, "held", func(o *order.Order) bool { return o.Attention != "" })
	if !strings.Contains(got.Attention, "GHOST: unknown to the erp") {
		t.Errorf("attention %q does not name the unknown SKU", got.Attention)
	}
	if n, _ := b.sim.Available("A"); n != 3 {
		t.Fatalf("erp available A = %d, want 3 reserved by the held order", n)
	}
	b.waitMail(t, o.Key, 1) // the problem notice

	if _, _, err := b.gate.Act(t.Context(), o.Key, ActionCancel, Actor{Name: "bob", Via: "test"}, "customer asked"); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	b.waitState(t, o.Key, order.Cancelled)
	eventually(t, "the erp order cancelled", func() bool {
		held := b.sim.Records().OrdersFor(o.Key.ExternalID())
		return len(held) == 1 && held[0].Cancelled()
	})
	if n, _ := b.sim.Available("A"); n != 5 {
		t.Errorf("erp available A = %d after the cancel, want 5", n)
	}
	b.waitTimeline(t, o.Key, order.EventERPCancel)
	if kinds := b.mailKinds(o.Key); !equalKinds(kinds, "problem") {
		t.Errorf("messages %v, want only the problem notice: no confirmation for a cancelled order", kinds)
	}
}

func TestCancel_AfterTheERPTookItCancelsThereAndNoConfirmation(t *testing.T) {
	t.Parallel()
	b := setup(t, options{erp: erpsim.Config{AckDelay: time.Hour}})
	o := testOrder("1001", t0, line("A", 1))
	b.ingest(t, delivery(storefront.OrderCreated, "e1", o))
	b.waitState(t, o.Key, order.Submitted)

	b.ingest(t, delivery(storefront.OrderCancelled, "e2", testOrder("1001", t0.Add(time.Minute), line("A", 1))))
	b.waitState(t, o.Key, order.Cancelled)
	eventually(t, "the erp order cancelled", func() bool {
		held := b.sim.Records().OrdersFor(o.Key.ExternalID())
		return len(held) == 1 && held[0].Cancelled()
	})
	if n := len(b.mail.Messages()); n != 0 {
		t.Errorf("mailbox holds %d messages for a cancelled order, want none", n)
	}
}

func TestCancel_WhileTheCreateIsInFlightCancelsWhatTheERPTook(t *testing.T) {
	t.Parallel()
	hold := newHold(t)
	b := setup(t, options{wrapERP: hold.wrap})
	o := testOrder("1001", t0, line("A", 1))
	b.ingest(t, delivery(storefront.OrderCreated, "e1", o))
	hold.waitArrived(t)
	b.ingest(t, delivery(storefront.OrderCancelled, "e2", testOrder("1001", t0.Add(time.Minute), line("A", 1))))
	hold.releaseAll()

	eventually(t, "the erp order cancelled", func() bool {
		held := b.sim.Records().OrdersFor(o.Key.ExternalID())
		return len(held) == 1 && held[0].Cancelled()
	})
	// The ERP cancel may land before the create's reply is recorded: the
	// ref comes with the reply.
	b.waitFor(t, o.Key, "cancelled with the erp ref it had", func(o *order.Order) bool {
		return o.State() == order.Cancelled && o.ERPRef != ""
	})
	if n := len(b.mail.Messages()); n != 0 {
		t.Errorf("mailbox holds %d messages for a cancelled order, want none", n)
	}
}

func TestCallback_AcknowledgmentByCallbackConfirms(t *testing.T) {
	t.Parallel()
	// The ERP never acknowledges on a poll within the test, and polls are
	// an hour apart: only the callback can move the order on.
	b := setup(t, options{erp: erpsim.Config{AckDelay: time.Hour}, ackPoll: time.Hour})
	o := testOrder("1001", t0, line("A", 2))
	b.ingest(t, delivery(storefront.OrderCreated, "e1", o))
	sub := b.waitState(t, o.Key, order.Submitted)

	ship := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
	rec := erp.Receipt{Ref: sub.ERPRef, ExternalID: o.Key.ExternalID(), Status: erp.StatusAcknowledged,
		Lines: []erp.Line{{SKU: "A", Ordered: 2, Validated: 2}}, ShipBy: ship}
	if err := b.gate.Acknowledged(t.Context(), testERP, rec); err != nil {
		t.Fatal(err)
	}
	got := b.waitState(t, o.Key, order.Confirmed)
	if !got.ShipBy.Equal(ship) {
		t.Errorf("ship by %v, want the callback's %v", got.ShipBy, ship)
	}
	// A repeat of the callback changes nothing.
	if err := b.gate.Acknowledged(t.Context(), testERP, rec); err != nil {
		t.Fatal(err)
	}
	b.waitMail(t, o.Key, 1)
	if n := len(ofKind(b.timeline(t, o.Key), order.EventAcknowledged)); n != 1 {
		t.Errorf("%d acknowledged entries, want 1", n)
	}
	err := b.gate.Acknowledged(t.Context(), testERP, erp.Receipt{ExternalID: "og-shop1-nope", Status: erp.StatusAcknowledged})
	if !errors.Is(err, ErrUnknownOrder) {
		t.Errorf("callback for an unknown order = %v, want ErrUnknownOrder", err)
	}
}

func TestReplay_AfterTheRejectionIsFixedCreatesOneERPOrder(t *testing.T) {
	t.Parallel()
	b := setup(t, options{erp: erpsim.Config{UnknownSKUs: []string{"GHOST"}}})
	o := testOrder("1001", t0, line("GHOST", 1))
	b.ingest(t, delivery(storefront.OrderCreated, "e1", o))
	b.waitState(t, o.Key, order.Rejected)
	if _, _, err := b.gate.Act(t.Context(), o.Key, ActionRetry, Actor{Name: "carol"}, ""); !errors.Is(err, ErrNotApplicable) {
		t.Errorf("retry of a rejected order = %v, want ErrNotApplicable pointing at replay", err)
	}

	b.sim.SetStock("GHOST", 5) // the SKU is added in the ERP
	if _, _, err := b.gate.Act(t.Context(), o.Key, ActionReplay, Actor{Name: "carol", Via: "test"}, ""); err != nil {
		t.Fatalf("replay: %v", err)
	}
	got := b.waitState(t, o.Key, order.Confirmed)
	if got.Attention != "" {
		t.Errorf("still flagged after a successful replay: %q", got.Attention)
	}
	if n := len(b.sim.Records().OrdersFor(o.Key.ExternalID())); n != 1 {
		t.Errorf("erp holds %d orders, want 1", n)
	}
	// A replay of a confirmed order does not apply; nothing new is made.
	if _, _, err := b.gate.Act(t.Context(), o.Key, ActionReplay, Actor{Name: "carol"}, ""); !errors.Is(err, ErrNotApplicable) {
		t.Errorf("replay of a confirmed order = %v, want ErrNotApplicable", err)
	}
}

func TestReplay_OfASubmittedOrderAdoptsWhatTheERPHas(t *testing.T) {
	t.Parallel()
	// The ERP validates the order late, and the gate would not poll again
	// for an hour: the operator replays it.
	clock := erpsim.NewClock(time.Now())
	b := setup(t, options{erp: erpsim.Config{AckDelay: time.Hour, Now: clock.Now}, ackPoll: time.Hour})
	o := testOrder("1001", t0, line("A", 1))
	b.ingest(t, delivery(storefront.OrderCreated, "e1", o))
	b.waitState(t, o.Key, order.Submitted)
	clock.Advance(time.Hour)
	if _, _, err := b.gate.Act(t.Context(), o.Key, ActionReplay, Actor{Name: "dan"}, ""); err != nil {
		t.Fatalf("replay: %v", err)
	}
	// The replayed submit looks the order up first and adopts it.
	b.waitState(t, o.Key, order.Confirmed)
	if n := len(b.sim.Records().OrdersFor(o.Key.ExternalID())); n != 1 {
		t.Errorf("erp holds %d orders after a replay, want 1", n)
	}
	var adopted bool
	for _, e := range ofKind(b.timeline(t, o.Key), order.EventLookup) {
		adopted = adopted || strings.Contains(e.Detail, "not created again")
	}
	if !adopted {
		t.Errorf("no lookup adopting the erp's order:\n%s", formatTimeline(b.timeline(t, o.Key)))
	}
}

// alerts records what the gate announces.
type alerts struct {
	mu  sync.Mutex
	got []Alert
	err error // returned by the next call, then cleared
}

func (a *alerts) Alert(_ context.Context, al Alert) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.err; err != nil {
		a.err = nil
		return err
	}
	a.got = append(a.got, al)
	return nil
}

func (a *alerts) all() []Alert {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Alert(nil), a.got...)
}

func TestSLA_OverdueIsMarkedCountedAndAnnouncedOnceWhileRetriesGoOn(t *testing.T) {
	t.Parallel()
	hook := &alerts{err: errors.New("hook down")} // the first announcement fails and is retried
	clock := erpsim.NewClock(time.Now())          // the ERP acknowledges when the test says
	b := setup(t, options{
		erp:        erpsim.Config{AckDelay: time.Hour, Now: clock.Now},
		storefront: func(sf *Storefront) { sf.SLA = 200 * time.Millisecond },
		alerts:     hook,
	})
	o := testOrder("1001", t0, line("A", 1))
	b.ingest(t, delivery(storefront.OrderCreated, "e1", o))

	got := b.waitFor(t, o.Key, "overdue", func(o *order.Order) bool { return o.Overdue() })
	if got.State().Settled() {
		t.Fatalf("state %s when overdue, want unsettled (the ack is late)", got.State())
	}
	if n, err := b.store.Overdue(t.Context()); err != nil || n != 1 {
		t.Errorf("store counts %d overdue (%v), want 1", n, err)
	}
	eventually(t, "the alert", func() bool { return len(hook.all()) == 1 })
	a := hook.all()[0]
	if a.Key != o.Key || !strings.Contains(a.Text, "#1001") || !strings.Contains(a.Text, "overdue") {
		t.Errorf("alert %+v does not name the order as overdue", a)
	}

	// The retries went on: the order is confirmed once the ERP acks, and
	// is no longer counted overdue; it was announced once.
	eventually(t, "the alert recorded", func() bool { return len(ofKind(b.timeline(t, o.Key), order.EventAlerted)) == 2 })
	b.waitState(t, o.Key, order.Submitted) // the ERP holds it, unvalidated
	clock.Advance(time.Hour)
	b.waitState(t, o.Key, order.Confirmed)
	if n, _ := b.store.Overdue(t.Context()); n != 0 {
		t.Errorf("store counts %d overdue after the confirmation, want 0", n)
	}
	tl := b.timeline(t, o.Key)
	if n := len(ofKind(tl, order.EventOverdue)); n != 1 {
		t.Errorf("%d overdue entries, want 1", n)
	}
	alerted := ofKind(tl, order.EventAlerted)
	if len(alerted) != 2 || alerted[0].Error == "" || alerted[1].Error != "" {
		t.Errorf("alert entries %+v, want a failed one then a sent one", alerted)
	}
	if n := len(hook.all()); n != 1 {
		t.Errorf("announced %d times, want once", n)
	}
}

func TestSLA_SettledInTimeIsNeverOverdue(t *testing.T) {
	t.Parallel()
	hook := &alerts{}
	// An SLA the order is sure to meet, even on a loaded machine (an order
	// has taken 4.5s to confirm here under a full parallel test run): the
	// sweep, run as the workers start, would rightly flag an order still
	// unsettled past it. The test waits for the SLA check, so this is its
	// length.
	b := setup(t, options{storefront: func(sf *Storefront) { sf.SLA = 10 * time.Second }, alerts: hook})
	o := testOrder("1001", t0, line("A", 1))
	b.ingest(t, delivery(storefront.OrderCreated, "e1", o))
	b.waitState(t, o.Key, order.Confirmed)
	eventually(t, "the sla check", func() bool {
		for _, e := range ofKind(b.timeline(t, o.Key), order.EventNote) {
			if strings.HasPrefix(e.Detail, "sla met: confirmed within") {
				return true
			}
		}
		return false
	})
	got, err := b.store.Get(t.Context(), o.Key)
	if err != nil {
		t.Fatal(err)
	}
	if !got.OverdueAt.IsZero() || len(hook.all()) != 0 {
		t.Errorf("an order settled within its SLA was marked overdue at %v with %d alerts", got.OverdueAt, len(hook.all()))
	}
}
