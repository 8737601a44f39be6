// Package erptest is the conformance suite every erp.Client must pass. An
// implementation's test supplies a Harness per case: its client, talking to
// an ERP (a fake over httptest, or the sandbox simulator) it can control.
//
//	func TestConformance(t *testing.T) {
//		erptest.Run(t, func(t *testing.T) erptest.Harness { … })
//	}
package erptest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/order"
)

// Harness is one client under test and the controls the suite needs over the
// ERP behind it.
type Harness struct {
	// Client is the client under test. Its own per-request timeout, if
	// any, should be a second or more.
	Client erp.Client
	// SetStock makes sku known to the ERP with qty units available.
	SetStock func(sku string, qty int)
	// UnknownSKU is a SKU the ERP does not know, and which SetStock is
	// never called with.
	UnknownSKU string
	// Stall, if not nil, makes the ERP hold every later request without a
	// reply until the client gives up, and returns a channel that receives
	// as each held request arrives. With it the suite checks that a call
	// cancelled in flight returns; without it, only that a call with a
	// context already cancelled does.
	Stall func() (arrived <-chan struct{})
	// LoseNextReply, if not nil, makes the ERP commit the next create it
	// receives and then drop the connection without a reply, as a crash or
	// a timeout after the ERP's commit would. The suite then checks that
	// the client says in doubt and that Lookup finds the one order.
	LoseNextReply func()
	// Throttle, if not nil, makes the ERP answer the next request the way
	// it answers when over its rate limit, asking the client to wait
	// after (0: the ERP names no wait).
	Throttle func(after time.Duration)
	// ThrottleNamesNoWait says the ERP's throttling reply carries no wait
	// (no Retry-After), so the client cannot report one.
	ThrottleNamesNoWait bool
}

// Run runs the suite. newClient is called once per case, in parallel, with
// that case's t; it should return a client on an ERP of its own and
// register its cleanup with t.Cleanup.
func Run(t *testing.T, newClient func(t *testing.T) Harness) {
	t.Helper()
	cases := []struct {
		name string
		test func(t *testing.T, h Harness)
	}{
		{"SubmitThenLookupFindsTheOrderWithItsLines", testSubmitThenLookup},
		{"LookupOfUnknownExternalIDIsNotFound", testLookupUnknown},
		{"UnknownSKUIsRejectedOrItsLineShort", testUnknownSKU},
		{"NotEnoughStockIsRejectedOrBackordered", testNotEnoughStock},
		{"CancelReleasesTheOrderAndIsIdempotent", testCancel},
		{"CancelOfUnknownExternalIDIsNotFound", testCancelUnknown},
		{"LostReplyIsInDoubtAndLookupFindsTheOneOrder", testLostReply},
		{"ThrottlingIsReportedWithItsWaitAndCreatesNothing", testThrottle},
		{"AvailabilityReportsKnownSKUsAndOmitsUnknown", testAvailability},
		{"CancelledContextIsHonoured", testCancelled},
		{"CancelInFlightIsHonoured", testCancelInFlight},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.test(t, newClient(t))
		})
	}
}

// fixture names what one case creates, distinct per case so that a shared
// ERP would still keep cases apart.
type fixture struct{ prefix string }

func newFixture(t *testing.T) fixture {
	name := t.Name()
	name = name[strings.LastIndex(name, "/")+1:]
	return fixture{prefix: fmt.Sprintf("%s-%d", name, time.Now().UnixNano())}
}

func (f fixture) sku(s string) string { return "ET-" + f.prefix + "-" + s }

func (f fixture) order(n int, lines ...order.LineItem) order.Order {
	return order.Order{
		Key:      order.Key{Storefront: "erptest", ID: fmt.Sprintf("%s-%d", f.prefix, n)},
		Name:     fmt.Sprintf("#%d", 1000+n),
		Customer: order.Customer{Name: "Ada Buyer", Email: "ada@example.com"},
		Currency: "USD",
		Lines:    lines,
	}
}

func line(sku string, qty int) order.LineItem { return order.LineItem{SKU: sku, Quantity: qty} }

// wantKind fails t unless err is an *erp.Error of the given kind.
func wantKind(t *testing.T, err, kind error, what string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("%s: got error %v, want one that is %q", what, err, kind)
	}
	var e *erp.Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: error %v is not an *erp.Error", what, err)
	}
}

// assertNothingCreated checks that the ERP holds no live order under o:
// none at all, or one it recorded as rejected.
func assertNothingCreated(t *testing.T, h Harness, o order.Order) {
	t.Helper()
	rc, err := h.Client.Lookup(t.Context(), o.Key.ExternalID())
	if errors.Is(err, erp.ErrNotFound) {
		return
	}
	if err != nil {
		t.Fatalf("Lookup after rejection: %v", err)
	}
	if rc.Status != erp.StatusRejected {
		t.Fatalf("Lookup after rejection found a live order: %+v", rc)
	}
}

// settle returns the receipt of an order the ERP has recorded, looking it up
// until the ERP has finished validating it.
func settle(t *testing.T, h Harness, rc erp.Receipt) erp.Receipt {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for rc.Status == erp.StatusPending {
		if time.Now().After(deadline) {
			t.Fatalf("order %s still pending after 10s", rc.ExternalID)
		}
		time.Sleep(20 * time.Millisecond)
		var err error
		if rc, err = h.Client.Lookup(t.Context(), rc.ExternalID); err != nil {
			t.Fatalf("Lookup while pending: %v", err)
		}
	}
	return rc
}

// lineFor returns the receipt's line for sku.
func lineFor(t *testing.T, rc erp.Receipt, sku string) erp.Line {
	t.Helper()
	for _, l := range rc.Lines {
		if l.SKU == sku {
			return l
		}
	}
	t.Fatalf("receipt %s has no line for %s: %+v", rc.ExternalID, sku, rc.Lines)
	return erp.Line{}
}

// ordered returns each SKU's ordered quantity on a receipt.
func ordered(lines []erp.Line) map[string]int {
	m := make(map[string]int, len(lines))
	for _, l := range lines {
		m[l.SKU] += l.Ordered
	}
	return m
}
