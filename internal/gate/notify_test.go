package gate

import (
	"database/sql"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/riverqueue/river"

	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/storefront"
)

func TestConfirm_NotSentIsRetried(t *testing.T) {
	t.Parallel()
	// The first mail server refuses every recipient with a 451; once the
	// gate has recorded a refusal, mail goes to one that takes it.
	b := setup(t, options{mailbox: mailbox.Options{FailRate: 1}})
	good, err := mailbox.Start(mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { good.Close() })

	o := testOrder("1001", t0, line("A", 1))
	b.ingest(t, delivery(storefront.OrderCreated, "e1", o))
	b.waitTimeline(t, o.Key, order.EventNotifyFailed)
	if got, err := b.store.Get(t.Context(), o.Key); err != nil || got.State() != order.Acknowledged {
		t.Fatalf("after a refused send: order %v, %v; want acknowledged, not confirmed", got.State(), err)
	}
	b.relay.To(good.Addr())

	got := b.waitState(t, o.Key, order.Confirmed)
	if got.Attention != "" {
		t.Errorf("order flagged %q; a refused send proves nothing went out", got.Attention)
	}
	if n := len(b.mail.Messages()); n != 0 {
		t.Errorf("the refusing server holds %d messages, want none", n)
	}
	if n := len(good.Messages()); n != 1 {
		t.Errorf("the mail server holds %d messages, want exactly 1", n)
	}

	tl := b.timeline(t, o.Key)
	failed := ofKind(tl, order.EventNotifyFailed)
	for _, e := range failed {
		if !strings.Contains(e.Error, "451") {
			t.Errorf("notify_failed error %q, want the server's 451", e.Error)
		}
		if strings.Contains(e.Error, o.Customer.Email) {
			t.Errorf("notify_failed error %q holds the customer's full address", e.Error)
		}
	}
	if n := len(ofKind(tl, order.EventNotified)); n != 1 {
		t.Errorf("%d notified entries, want 1\n%s", n, formatTimeline(tl))
	}
	if n := len(ofKind(tl, order.EventNotifyAttempt)); n != len(failed)+1 {
		t.Errorf("%d notify attempts for %d failures, want one more attempt than failures", n, len(failed))
	}
	if n := b.notification(t, o.Key); n.Status != store.NotifySent || n.Attempts != len(failed)+1 {
		t.Errorf("confirmation record %+v, want sent after %d attempts", n, len(failed)+1)
	}
}

func TestConfirm_InDoubtSendIsNotRepeated(t *testing.T) {
	t.Parallel()
	// The mail server records the message and drops the connection before
	// it answers the final dot: the gate cannot know it arrived.
	b := setup(t, options{mailbox: mailbox.Options{DropRate: 1}})
	o := testOrder("1001", t0, line("A", 1))
	b.ingest(t, delivery(storefront.OrderCreated, "e1", o))

	got := b.waitState(t, o.Key, order.Confirmed)
	if got.Attention == "" {
		t.Error("order not flagged for attention after a send that may or may not have arrived")
	}
	// Another order through the same queue: once it is settled, a retry of
	// the first confirmation would have had its turn.
	other := testOrder("1002", t0, line("A", 1))
	b.ingest(t, delivery(storefront.OrderCreated, "e2", other))
	b.waitState(t, other.Key, order.Confirmed)

	if n := len(b.mail.ByOrder()[o.Key.String()]); n != 1 {
		t.Errorf("mailbox holds %d confirmations for %s, want exactly 1", n, o.Key)
	}
	tl := b.timeline(t, o.Key)
	want := []order.EventKind{order.EventNotifyAttempt, order.EventNotifyInDoubt}
	var gotKinds []order.EventKind
	for _, k := range kinds(tl) {
		if strings.HasPrefix(string(k), "notif") {
			gotKinds = append(gotKinds, k)
		}
	}
	if diff := cmp.Diff(want, gotKinds); diff != "" {
		t.Errorf("notification entries (-want +got):\n%s", diff)
	}
	if n := b.notification(t, o.Key); n.Status != store.NotifyInDoubt || n.Attempts != 1 {
		t.Errorf("confirmation record %+v, want in doubt after 1 attempt", n)
	}
}

func TestConfirm_FoundSendingIsNotSentAgain(t *testing.T) {
	t.Parallel()
	// An earlier run committed "sending" and died before it could record
	// the outcome: the message may be out. The rerun must not send again.
	b := setup(t, options{})
	o := testOrder("1001", t0, line("A", 1))
	key := o.Key
	_, err := b.store.Ingest(t.Context(), store.Delivery{DedupKey: "crash", Storefront: key.Storefront, OrderID: key.ID, ReceivedAt: t0, Body: []byte("{}")},
		func(tx store.Tx, _ *order.Order) (*order.Order, error) {
			s := order.New(o, t0, "shopify", "orders/create delivery crash")
			if err := s.Submit("SO-1", t0); err != nil {
				return nil, err
			}
			if err := s.Acknowledge(order.Ack{Ref: "SO-1", Validated: map[string]int{"A": 1}}, t0); err != nil {
				return nil, err
			}
			n := store.Notification{Key: key, Kind: confirmation, Status: store.NotifySending, Attempts: 1, UpdatedAt: t0}
			if err := tx.PutNotification(t.Context(), n); err != nil {
				return nil, err
			}
			return s, tx.Enqueue(t.Context(), NotifyArgs{Storefront: key.Storefront, OrderID: key.ID, Message: notify.Confirmation}, &river.InsertOpts{Queue: notifyQueue})
		})
	if err != nil {
		t.Fatal(err)
	}

	got := b.waitState(t, key, order.Confirmed)
	if got.Attention == "" {
		t.Error("order not flagged for attention although its confirmation may not have gone out")
	}
	if n := len(b.mail.Messages()); n != 0 {
		t.Errorf("mailbox holds %d messages, want none: the interrupted attempt may have sent one", n)
	}
	if n := b.notification(t, key); n.Status != store.NotifyInDoubt || n.Attempts != 1 {
		t.Errorf("confirmation record %+v, want in doubt, still 1 attempt", n)
	}
	if n := len(ofKind(b.timeline(t, key), order.EventNotifyInDoubt)); n != 1 {
		t.Errorf("%d notify_in_doubt entries, want 1", n)
	}
}

func TestConfirm_AckPendingIsPolled(t *testing.T) {
	t.Parallel()
	// The ERP takes the order but validates it only when the test moves
	// its clock past AckDelay.
	clk := erpsim.NewClock(time.Now())
	b := setup(t, options{erp: erpsim.Config{AckDelay: time.Hour, Now: clk.Now}})
	o := testOrder("1001", t0, line("A", 1))
	b.ingest(t, delivery(storefront.OrderCreated, "e1", o))

	b.waitState(t, o.Key, order.Submitted)
	// Polled at least twice while pending: the gate keeps asking.
	eventually(t, "the erp polled twice", func() bool { return b.sim.Requests().Lookup >= 2 })
	if got, err := b.store.Get(t.Context(), o.Key); err != nil || got.State() != order.Submitted {
		t.Fatalf("while the erp has not acknowledged: order %v, %v; want submitted", got.State(), err)
	}
	if n := len(b.mail.Messages()); n != 0 {
		t.Fatalf("mailbox holds %d messages before the erp acknowledged, want none", n)
	}

	clk.Advance(time.Hour)
	got := b.waitState(t, o.Key, order.Confirmed)
	if got.Lines[0].Validated == nil || *got.Lines[0].Validated != 1 {
		t.Errorf("validated quantity %v, want 1", got.Lines[0].Validated)
	}
	if n := len(b.mail.Messages()); n != 1 {
		t.Errorf("mailbox holds %d messages, want 1", n)
	}
	want := []order.EventKind{
		order.EventReceived, order.EventSubmitAttempt, order.EventSubmitted, order.EventAckPending,
		order.EventAcknowledged, order.EventNotifyAttempt, order.EventNotified, order.EventConfirmed,
	}
	if diff := cmp.Diff(want, kinds(b.timeline(t, o.Key))); diff != "" {
		t.Errorf("timeline kinds (-want +got):\n%s", diff)
	}
	if n := b.sim.Requests().Create; n != 1 {
		t.Errorf("erp creates %d, want 1", n)
	}
}

func TestConfirm_FailedAckPollsAreOnTheTimelineAndGivingUpIsFlagged(t *testing.T) {
	t.Parallel()
	// The ERP takes the order without validating it, then stops answering
	// lookups (503) for good.
	b := setup(t, options{
		erp:         erpsim.Config{AckDelay: time.Hour},
		erpPlan:     []erpsim.Faults{{}, {ErrorRate: 1}},
		maxAttempts: 3,
	})
	o := testOrder("1001", t0, line("A", 1))
	b.ingest(t, delivery(storefront.OrderCreated, "e1", o))
	b.waitState(t, o.Key, order.Submitted)

	db, err := sql.Open("sqlite", "file:"+b.path+"?_pragma=query_only(1)&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	eventually(t, "the await-ack job given up", func() bool {
		var n int
		err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM river_job WHERE kind = ? AND state = 'discarded'`, AwaitAckArgs{}.Kind()).Scan(&n)
		return err == nil && n > 0
	})

	got, err := b.store.Get(t.Context(), o.Key)
	if err != nil {
		t.Fatal(err)
	}
	if got.State() == order.Submitted && got.Attention == "" {
		t.Errorf("order left submitted with no attention flag and no job after the ack poll gave up")
	}
	tl := b.timeline(t, o.Key)
	failures := 0
	for _, e := range tl[slices.Index(kinds(tl), order.EventAckPending)+1:] {
		if strings.Contains(e.Error, "503") {
			failures++
		}
	}
	if failures != 3 {
		t.Errorf("%d failed ack polls on the timeline, want 3 (one per attempt):\n%s", failures, formatTimeline(tl))
	}
}
