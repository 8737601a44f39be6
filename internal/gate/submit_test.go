package gate

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/storefront"
)

func TestSubmit_InDoubtLooksUpBeforeRetry(t *testing.T) {
	t.Parallel()
	// The first create makes the order and loses the reply; the ERP is not
	// idempotent, so a second create would make a second sales order.
	b := setup(t, options{erpPlan: []erpsim.Faults{{InDoubtRate: 1}}})
	o := testOrder("1001", t0, line("A", 2))
	b.ingest(t, delivery(storefront.OrderCreated, "e1", o))

	got := b.waitFor(t, o.Key, "settled", func(o *order.Order) bool { return o.State().Settled() })
	if got.State() != order.Confirmed {
		t.Fatalf("state %s (reason %q), want confirmed", got.State(), got.Reason)
	}
	rec := b.sim.Records()
	if rec.Faults.InDoubt != 1 {
		t.Fatalf("in-doubt faults %d, want 1: the test did not lose a reply", rec.Faults.InDoubt)
	}
	held := rec.OrdersFor(o.Key.ExternalID())
	if len(held) != 1 {
		t.Fatalf("erp holds %d orders for %s, want 1 (duplicates: %v)", len(held), o.Key.ExternalID(), rec.DuplicateExternalIDs())
	}
	if rec.Requests.Create != 1 || rec.Requests.Lookup < 1 {
		t.Errorf("erp requests %+v, want 1 create and a lookup", rec.Requests)
	}
	if got.ERPRef != held[0].Ref {
		t.Errorf("erp ref %q, want %q", got.ERPRef, held[0].Ref)
	}

	tl := b.timeline(t, o.Key)
	failed := ofKind(tl, order.EventSubmitFailed)
	if len(failed) != 1 || !strings.Contains(failed[0].Error, "outcome unknown") || failed[0].Attempt != 1 {
		t.Errorf("submit_failed entries %+v, want one for attempt 1 saying the outcome is unknown", failed)
	}
	lookups := ofKind(tl, order.EventLookup)
	if len(lookups) != 1 || !strings.HasPrefix(lookups[0].Detail, "found "+held[0].Ref) {
		t.Errorf("erp_lookup entries %+v, want one saying found %s", lookups, held[0].Ref)
	}
	k := kinds(tl)
	if i, j := slices.Index(k, order.EventLookup), slices.Index(k, order.EventSubmitted); i < 0 || j < i {
		t.Errorf("the lookup does not come before submitted:\n%s", formatTimeline(tl))
	}
	if n := len(b.mail.ByOrder()[o.Key.String()]); n != 1 {
		t.Errorf("mailbox holds %d confirmations, want 1", n)
	}
}

func TestSubmit_RetriesAfter5xxAndThrottle(t *testing.T) {
	t.Parallel()
	unavailable := erpsim.Faults{ErrorRate: 1}
	throttled := erpsim.Faults{ThrottleRate: 1, RetryAfter: 30 * time.Millisecond}
	tests := []struct {
		name string
		plan []erpsim.Faults
		// wantErrors are what each failed attempt's error says, in order.
		wantErrors []string
	}{
		{"ServiceUnavailable", []erpsim.Faults{unavailable}, []string{"http 503"}},
		{"Throttled", []erpsim.Faults{throttled}, []string{"http 429"}},
		{"UnavailableThenThrottledTwice", []erpsim.Faults{unavailable, throttled, throttled}, []string{"http 503", "http 429", "http 429"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, options{erpPlan: tt.plan})
			o := testOrder("1001", t0, line("A", 1))
			b.ingest(t, delivery(storefront.OrderCreated, "e1", o))

			got := b.waitFor(t, o.Key, "settled", func(o *order.Order) bool { return o.State().Settled() })
			if got.State() != order.Confirmed {
				t.Fatalf("state %s (reason %q), want confirmed", got.State(), got.Reason)
			}
			rec := b.sim.Records()
			if n := len(rec.OrdersFor(o.Key.ExternalID())); n != 1 {
				t.Errorf("erp holds %d orders for %s, want 1", n, o.Key.ExternalID())
			}
			if want := len(tt.plan) + 1; rec.Requests.Create != want {
				t.Errorf("erp creates %d, want %d (one per planned fault and the one that took)", rec.Requests.Create, want)
			}
			if got.Attention != "" {
				t.Errorf("order flagged %q after recoverable failures", got.Attention)
			}

			// Invariant I6: each failed attempt is on the timeline with
			// its error and its attempt number.
			tl := b.timeline(t, o.Key)
			failed := ofKind(tl, order.EventSubmitFailed)
			var gotErrors []string
			for i, e := range failed {
				gotErrors = append(gotErrors, e.Error)
				if e.Attempt != i+1 {
					t.Errorf("failure %d is for attempt %d, want %d", i, e.Attempt, i+1)
				}
			}
			if len(failed) != len(tt.wantErrors) {
				t.Fatalf("submit_failed errors %q, want %d like %q\n%s", gotErrors, len(tt.wantErrors), tt.wantErrors, formatTimeline(tl))
			}
			for i, want := range tt.wantErrors {
				if !strings.Contains(gotErrors[i], want) {
					t.Errorf("failure %d: error %q, want it to say %q", i, gotErrors[i], want)
				}
			}
			attempts := ofKind(tl, order.EventSubmitAttempt)
			if len(attempts) != len(tt.plan)+1 || got.Attempts != len(tt.plan)+1 {
				t.Errorf("%d submit_attempt entries, order counts %d attempts; want %d", len(attempts), got.Attempts, len(tt.plan)+1)
			}
		})
	}
}

func TestSubmit_RejectionIsFinalHeldAndTheCustomerIsTold(t *testing.T) {
	t.Parallel()
	b := setup(t, options{erp: erpsim.Config{UnknownSKUs: []string{"GHOST"}}})
	o := testOrder("1001", t0, line("A", 1), line("GHOST", 1))
	b.ingest(t, delivery(storefront.OrderCreated, "e1", o))

	got := b.waitFor(t, o.Key, "settled", func(o *order.Order) bool { return o.State().Settled() })
	if got.State() != order.Rejected {
		t.Fatalf("state %s, want rejected", got.State())
	}
	if !strings.Contains(got.Reason, erpsim.CodeUnknownSKU) || !strings.Contains(got.Reason, "GHOST") {
		t.Errorf("reason %q, want the erp's %s naming GHOST", got.Reason, erpsim.CodeUnknownSKU)
	}
	rec := b.sim.Records()
	if rec.Requests.Create != 1 || len(rec.Orders) != 0 || len(rec.Rejections) != 1 {
		t.Errorf("erp saw %d creates, holds %d orders and %d rejections; want 1, 0, 1", rec.Requests.Create, len(rec.Orders), len(rec.Rejections))
	}
	if got.Attention == "" {
		t.Error("a rejected order is not in the attention queue")
	}
	b.waitTimeline(t, o.Key, order.EventNotified)
	if msgs := b.mail.Messages(); len(msgs) != 1 || msgs[0].Kind != "problem" {
		t.Errorf("mailbox holds %+v for a rejected order, want exactly one problem notice", msgs)
	}
	if n := b.notification(t, o.Key); n.Status != store.NotifyNone {
		t.Errorf("confirmation record %+v, want none attempted", n)
	}
	tl := b.timeline(t, o.Key)
	want := []order.EventKind{order.EventReceived, order.EventSubmitAttempt, order.EventRejected, order.EventAttention,
		order.EventNotifyAttempt, order.EventNotified}
	if diff := cmp.Diff(want, kinds(tl)); diff != "" {
		t.Errorf("timeline kinds (-want +got):\n%s", diff)
	}
}

func TestSubmit_UpdateDuringTheERPCallIsNotAppliedBehindItsBack(t *testing.T) {
	t.Parallel()
	hold := newHold(t)
	b := setup(t, options{wrapERP: hold.wrap})
	o := testOrder("1001", t0, line("A", 1))
	b.ingest(t, delivery(storefront.OrderCreated, "e1", o))
	hold.waitArrived(t)
	// The customer changes the quantity while the ERP is taking the order.
	b.ingest(t, delivery(storefront.OrderUpdated, "e2", testOrder("1001", t0.Add(time.Minute), line("A", 3))))
	hold.releaseAll()

	got := b.waitState(t, o.Key, order.Confirmed)
	held := b.sim.Records().OrdersFor(o.Key.ExternalID())
	if len(held) != 1 {
		t.Fatalf("erp holds %d orders, want 1", len(held))
	}
	var erpLines, gotLines []erpsim.Line
	for _, l := range held[0].Lines {
		erpLines = append(erpLines, erpsim.Line{SKU: l.SKU, Quantity: l.Quantity})
	}
	for _, l := range got.Lines {
		gotLines = append(gotLines, erpsim.Line{SKU: l.SKU, Quantity: l.Quantity})
	}
	if diff := cmp.Diff(erpLines, gotLines); diff != "" {
		t.Errorf("the order the customer is confirmed differs from what the erp holds (-erp +order):\n%s\n%s",
			diff, formatTimeline(b.timeline(t, o.Key)))
	}
}

// hold keeps the first ERP create waiting until released.
type hold struct {
	once    sync.Once
	arrived chan struct{}
	release chan struct{}
	done    sync.Once
}

func newHold(t *testing.T) *hold {
	h := &hold{arrived: make(chan struct{}), release: make(chan struct{})}
	t.Cleanup(h.releaseAll) // before the servers close, which wait for it
	return h
}

func (h *hold) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/v1/sales-orders" {
			first := false
			h.once.Do(func() { first = true })
			if first {
				close(h.arrived)
				<-h.release
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (h *hold) waitArrived(t *testing.T) {
	t.Helper()
	select {
	case <-h.arrived:
	case <-time.After(30 * time.Second):
		t.Fatal("the erp create never arrived")
	}
}

func (h *hold) releaseAll() { h.done.Do(func() { close(h.release) }) }
