package erptest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/erp"
)

func testSubmitThenLookup(t *testing.T, h Harness) {
	f := newFixture(t)
	a, b := f.sku("A"), f.sku("B")
	h.SetStock(a, 10)
	h.SetStock(b, 10)
	o := f.order(1, line(a, 2), line(b, 1))
	want := map[string]int{a: 2, b: 1}

	got, err := h.Client.Submit(t.Context(), o)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	checkReceipt(t, "Submit", got, o.Key.ExternalID(), want)

	found, err := h.Client.Lookup(t.Context(), o.Key.ExternalID())
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	checkReceipt(t, "Lookup", found, o.Key.ExternalID(), want)
	if found.Ref != got.Ref {
		t.Errorf("Lookup found ref %q, Submit returned %q", found.Ref, got.Ref)
	}
}

func checkReceipt(t *testing.T, what string, rc erp.Receipt, externalID string, want map[string]int) {
	t.Helper()
	if rc.Ref == "" {
		t.Errorf("%s: receipt has no ref: %+v", what, rc)
	}
	if rc.ExternalID != externalID {
		t.Errorf("%s: external id = %q, want %q", what, rc.ExternalID, externalID)
	}
	if rc.Status != erp.StatusAcknowledged && rc.Status != erp.StatusPending {
		t.Errorf("%s: status = %q, want acknowledged or pending", what, rc.Status)
	}
	if diff := cmp.Diff(want, ordered(rc.Lines)); diff != "" {
		t.Errorf("%s: ordered quantities (-want +got):\n%s", what, diff)
	}
	for _, l := range rc.Lines {
		if l.Validated < 0 || l.Validated > l.Ordered {
			t.Errorf("%s: line %s validated %d of %d ordered", what, l.SKU, l.Validated, l.Ordered)
		}
	}
}

func testLookupUnknown(t *testing.T, h Harness) {
	f := newFixture(t)
	_, err := h.Client.Lookup(t.Context(), f.order(1).Key.ExternalID())
	wantKind(t, err, erp.ErrNotFound, "Lookup of an order never submitted")
}

// An unknown SKU either refuses the whole order, creating nothing, or is
// recorded as a short line with nothing validated while the rest is accepted.
func testUnknownSKU(t *testing.T, h Harness) {
	f := newFixture(t)
	known := f.sku("A")
	h.SetStock(known, 10)
	o := f.order(1, line(known, 1), line(h.UnknownSKU, 1))

	rc, err := h.Client.Submit(t.Context(), o)
	if err != nil {
		wantKind(t, err, erp.ErrRejected, "Submit with an unknown SKU")
		assertNothingCreated(t, h, o)
		assertStock(t, h, map[string]int{known: 10})
		return
	}
	rc = settle(t, h, rc)
	if l := lineFor(t, rc, h.UnknownSKU); l.Validated != 0 || l.Short != erp.ShortUnknownSKU {
		t.Errorf("unknown SKU line = %+v, want validated 0 and short %q", l, erp.ShortUnknownSKU)
	}
	if l := lineFor(t, rc, known); l.Validated != 1 || l.Short != "" {
		t.Errorf("known SKU line = %+v, want validated 1 and not short", l)
	}
}

// Too little stock either refuses the order, creating and reserving nothing,
// or records it with the line short (a backorder): never a clean receipt.
func testNotEnoughStock(t *testing.T, h Harness) {
	f := newFixture(t)
	short := f.sku("A")
	h.SetStock(short, 1)
	o := f.order(1, line(short, 2))

	rc, err := h.Client.Submit(t.Context(), o)
	if err != nil {
		wantKind(t, err, erp.ErrRejected, "Submit of 2 units with 1 in stock")
		assertNothingCreated(t, h, o)
		assertStock(t, h, map[string]int{short: 1})
		return
	}
	rc = settle(t, h, rc)
	if rc.Status != erp.StatusAcknowledged {
		t.Fatalf("backordered order has status %q, want acknowledged", rc.Status)
	}
	l := lineFor(t, rc, short)
	if l.Validated > 1 || l.Validated >= l.Ordered || l.Short != erp.ShortBackordered {
		t.Errorf("line with 2 ordered and 1 in stock = %+v, want validated at most 1 and short %q", l, erp.ShortBackordered)
	}
	if len(rc.Shortfall()) != 1 {
		t.Errorf("Shortfall() = %+v, want the one short line", rc.Shortfall())
	}
}

func testCancel(t *testing.T, h Harness) {
	f := newFixture(t)
	a := f.sku("A")
	h.SetStock(a, 10)
	o := f.order(1, line(a, 3))
	if _, err := h.Client.Submit(t.Context(), o); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	id := o.Key.ExternalID()
	if err := h.Client.Cancel(t.Context(), id, "customer changed their mind"); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	rc, err := h.Client.Lookup(t.Context(), id)
	if err != nil {
		t.Fatalf("Lookup after Cancel: %v", err)
	}
	if rc.Status != erp.StatusCancelled {
		t.Errorf("Lookup after Cancel: status %q, want %q", rc.Status, erp.StatusCancelled)
	}
	if err := h.Client.Cancel(t.Context(), id, "again"); err != nil {
		t.Errorf("second Cancel: %v, want nil (idempotent)", err)
	}
	got, err := h.Client.Availability(t.Context(), []string{a})
	if err != nil {
		t.Fatalf("Availability: %v", err)
	}
	if got[a] != 10 {
		t.Errorf("availability after cancel = %d, want the 10 units released", got[a])
	}
}

func testCancelUnknown(t *testing.T, h Harness) {
	f := newFixture(t)
	err := h.Client.Cancel(t.Context(), f.order(1).Key.ExternalID(), "test")
	wantKind(t, err, erp.ErrNotFound, "Cancel of an order never submitted")
}

func testLostReply(t *testing.T, h Harness) {
	if h.LoseNextReply == nil {
		t.Skip("the harness cannot lose a reply")
	}
	f := newFixture(t)
	a := f.sku("A")
	h.SetStock(a, 10)
	o := f.order(1, line(a, 2))
	h.LoseNextReply()

	_, err := h.Client.Submit(t.Context(), o)
	wantKind(t, err, erp.ErrInDoubt, "Submit whose reply was lost")
	rc, err := h.Client.Lookup(t.Context(), o.Key.ExternalID())
	if err != nil {
		t.Fatalf("Lookup after a lost reply: %v (the ERP committed the order)", err)
	}
	checkReceipt(t, "Lookup after a lost reply", rc, o.Key.ExternalID(), map[string]int{a: 2})
	got, err := h.Client.Availability(t.Context(), []string{a})
	if err != nil {
		t.Fatalf("Availability: %v", err)
	}
	if got[a] != 8 {
		t.Errorf("availability = %d, want 8: one order of 2 reserved once", got[a])
	}
}

func testThrottle(t *testing.T, h Harness) {
	if h.Throttle == nil {
		t.Skip("the harness cannot throttle its ERP")
	}
	f := newFixture(t)
	a := f.sku("A")
	h.SetStock(a, 10)
	o := f.order(1, line(a, 1))
	h.Throttle(7 * time.Second)

	_, err := h.Client.Submit(t.Context(), o)
	wantKind(t, err, erp.ErrThrottled, "Submit while throttled")
	want := 7 * time.Second
	if h.ThrottleNamesNoWait {
		want = 0
	}
	if d := erp.RetryAfter(err); d != want {
		t.Errorf("RetryAfter = %v, want %v as the ERP asked", d, want)
	}
	assertNothingCreated(t, h, o)
	if _, err := h.Client.Submit(t.Context(), o); err != nil {
		t.Fatalf("Submit once the throttle passed: %v", err)
	}
}

// assertStock checks that nothing was reserved by a refused order.
func assertStock(t *testing.T, h Harness, want map[string]int) {
	t.Helper()
	var skus []string
	for sku := range want {
		skus = append(skus, sku)
	}
	got, err := h.Client.Availability(t.Context(), skus)
	if err != nil {
		t.Fatalf("Availability: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stock after a refused order (-want +got):\n%s", diff)
	}
}

func testAvailability(t *testing.T, h Harness) {
	f := newFixture(t)
	a, b := f.sku("A"), f.sku("B")
	h.SetStock(a, 7)
	h.SetStock(b, 0)

	got, err := h.Client.Availability(t.Context(), []string{a, h.UnknownSKU, b})
	if err != nil {
		t.Fatalf("Availability: %v", err)
	}
	if diff := cmp.Diff(map[string]int{a: 7, b: 0}, got); diff != "" {
		t.Errorf("Availability (-want +got):\n%s", diff)
	}

	got, err = h.Client.Availability(t.Context(), nil)
	if err != nil {
		t.Fatalf("Availability of no SKUs: %v", err)
	}
	if len(got) != 0 {
		t.Errorf("Availability of no SKUs = %v, want empty", got)
	}
}

func testCancelled(t *testing.T, h Harness) {
	f := newFixture(t)
	a := f.sku("A")
	h.SetStock(a, 10)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	_, err := h.Client.Submit(ctx, f.order(1, line(a, 1)))
	wantCanceled(t, err, "Submit")
	_, err = h.Client.Lookup(ctx, f.order(1).Key.ExternalID())
	wantCanceled(t, err, "Lookup")
	_, err = h.Client.Availability(ctx, []string{a})
	wantCanceled(t, err, "Availability")
}

func testCancelInFlight(t *testing.T, h Harness) {
	if h.Stall == nil {
		t.Skip("the harness cannot stall its ERP")
	}
	f := newFixture(t)
	a := f.sku("A")
	h.SetStock(a, 10)
	arrived := h.Stall()

	// inFlight returns a context cancelled once the next request has
	// reached the ERP.
	inFlight := func() context.Context {
		ctx, cancel := context.WithCancel(t.Context())
		t.Cleanup(cancel)
		go func() {
			select {
			case <-arrived:
				cancel()
			case <-ctx.Done():
			}
		}()
		return ctx
	}
	_, err := h.Client.Submit(inFlight(), f.order(1, line(a, 1)))
	wantCanceled(t, err, "Submit")
	wantKind(t, err, erp.ErrInDoubt, "Submit cancelled in flight")
	_, err = h.Client.Lookup(inFlight(), f.order(1).Key.ExternalID())
	wantCanceled(t, err, "Lookup")
	_, err = h.Client.Availability(inFlight(), []string{a})
	wantCanceled(t, err, "Availability")
}

func wantCanceled(t *testing.T, err error, what string) {
	t.Helper()
	if !errors.Is(err, context.Canceled) {
		t.Errorf("%s with a cancelled context: got error %v, want one that is context.Canceled", what, err)
	}
}
