// Package marketplacetest is the conformance suite every
// marketplace.Connector must pass, and a clock tests move by hand. An
// implementation's test supplies a Harness per case: its connector, talking
// to a marketplace (a fake over httptest, or the sandbox) it can control.
//
//	func TestConformance(t *testing.T) {
//		marketplacetest.Run(t, func(t *testing.T) marketplacetest.Harness { … })
//	}
package marketplacetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/marketplace"
)

// Harness is one connector under test and the controls the suite needs
// over the marketplace behind it. A nil control skips the cases that need
// it.
type Harness struct {
	// Connector is the connector under test. Its own timeout, if any,
	// should be a second or more.
	Connector marketplace.Connector
	// AddListing makes sku a listing the marketplace knows.
	AddListing func(sku string)
	// Quantity returns the quantity the marketplace lists of sku, and
	// whether it was ever set.
	Quantity func(sku string) (int, bool)
	// UnknownSKU is a SKU the marketplace has no listing for; empty for a
	// marketplace that lists any SKU it is told.
	UnknownSKU string
	// Requests returns how many quantity requests the marketplace has
	// received.
	Requests func() int
	// Throttle makes the marketplace answer the next quantity request as
	// over its rate limit, naming a wait of after (0: none).
	Throttle func(after time.Duration)
	// ThrottleNamesNoWait says the marketplace's throttling reply names no
	// wait, so the connector cannot report one.
	ThrottleNamesNoWait bool
	// Fail makes the marketplace answer the next quantity request with
	// status (a 5xx).
	Fail func(status int)
	// ExpireTokens makes every access token issued so far stop working.
	ExpireTokens func()
	// RefuseCredentials makes the marketplace refuse the connector's
	// credentials from now on.
	RefuseCredentials func()
	// Secrets are the connector's credentials: no error may contain one.
	Secrets []string
	// Stall makes the marketplace hold every later request without a
	// reply, and returns a channel that receives as each arrives.
	Stall func() <-chan struct{}
}

// Run runs the suite. newHarness is called once per case, in parallel,
// with that case's t; it should return a connector on a marketplace of its
// own and register its cleanup with t.Cleanup.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Helper()
	cases := []struct {
		name string
		test func(t *testing.T, h Harness)
	}{
		{"SetsTheQuantityOfEachListing", testSets},
		{"UnknownSKUIsRejectedNamingMarketplaceAndSKU", testUnknown},
		{"BadUpdatesAreRejectedWithoutARequest", testBadUpdates},
		{"ThrottlingIsReportedWithItsWaitAndChangesNothing", testThrottle},
		{"ServerErrorIsUnavailable", testServerError},
		{"ExpiredTokenIsRenewed", testExpiredToken},
		{"RefusedCredentialsAreAnAuthErrorWithoutSecrets", testRefused},
		{"CancelledContextIsHonoured", testCancelled},
		{"CancelInFlightIsHonoured", testCancelInFlight},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.test(t, newHarness(t))
		})
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

// checkErr fails the test if err is not of kind, or names neither the
// marketplace nor sku, or holds a secret.
func checkErr(t *testing.T, h Harness, err error, kind error, sku string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("error = %v, want %v", err, kind)
	}
	var me *marketplace.Error
	if !errors.As(err, &me) {
		t.Errorf("error %v is not a *marketplace.Error", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, h.Connector.Name()) {
		t.Errorf("error %q does not name the marketplace %q", msg, h.Connector.Name())
	}
	if sku != "" && !strings.Contains(msg, sku) {
		t.Errorf("error %q does not name the sku %q", msg, sku)
	}
	noSecrets(t, h, msg)
}

func noSecrets(t *testing.T, h Harness, s string) {
	t.Helper()
	for _, secret := range h.Secrets {
		if secret != "" && strings.Contains(s, secret) {
			t.Errorf("%q holds a secret", s)
		}
	}
}

func set(t *testing.T, h Harness, updates ...marketplace.Update) []error {
	t.Helper()
	errs := h.Connector.SetQuantities(ctx(t), updates)
	if len(errs) != len(updates) {
		t.Fatalf("SetQuantities returned %d results for %d updates", len(errs), len(updates))
	}
	return errs
}

func wantQuantity(t *testing.T, h Harness, sku string, want int) {
	t.Helper()
	got, ok := h.Quantity(sku)
	if !ok || got != want {
		t.Errorf("%s lists %d (set %v), want %d", sku, got, ok, want)
	}
}

func testSets(t *testing.T, h Harness) {
	for _, sku := range []string{"OG-A1", "OG-B2", "OG-C3"} {
		h.AddListing(sku)
	}
	errs := set(t, h, marketplace.Update{SKU: "OG-A1", Quantity: 5}, marketplace.Update{SKU: "OG-B2", Quantity: 0}, marketplace.Update{SKU: "OG-C3", Quantity: 12})
	for i, err := range errs {
		if err != nil {
			t.Errorf("update %d: %v", i, err)
		}
	}
	wantQuantity(t, h, "OG-A1", 5)
	wantQuantity(t, h, "OG-B2", 0)
	wantQuantity(t, h, "OG-C3", 12)
	if err := set(t, h, marketplace.Update{SKU: "OG-A1", Quantity: 3})[0]; err != nil {
		t.Fatal(err)
	}
	wantQuantity(t, h, "OG-A1", 3)
}

func testUnknown(t *testing.T, h Harness) {
	if h.UnknownSKU == "" {
		t.Skip("the marketplace lists any sku it is told")
	}
	h.AddListing("OG-A1")
	errs := set(t, h, marketplace.Update{SKU: "OG-A1", Quantity: 1}, marketplace.Update{SKU: h.UnknownSKU, Quantity: 2})
	if errs[0] != nil {
		t.Errorf("known sku: %v", errs[0])
	}
	checkErr(t, h, errs[1], marketplace.ErrRejected, h.UnknownSKU)
	wantQuantity(t, h, "OG-A1", 1)
}

func testBadUpdates(t *testing.T, h Harness) {
	h.AddListing("OG-A1")
	before := -1
	if h.Requests != nil {
		before = h.Requests()
	}
	errs := set(t, h, marketplace.Update{SKU: "", Quantity: 1}, marketplace.Update{SKU: "OG-A1", Quantity: -1})
	checkErr(t, h, errs[0], marketplace.ErrRejected, "")
	checkErr(t, h, errs[1], marketplace.ErrRejected, "OG-A1")
	if h.Requests != nil && h.Requests() != before {
		t.Errorf("%d requests sent for updates no marketplace takes", h.Requests()-before)
	}
}

func testThrottle(t *testing.T, h Harness) {
	if h.Throttle == nil {
		t.Skip("the marketplace cannot be made to throttle")
	}
	h.AddListing("OG-A1")
	if err := set(t, h, marketplace.Update{SKU: "OG-A1", Quantity: 9})[0]; err != nil {
		t.Fatal(err)
	}
	h.Throttle(7 * time.Second)
	err := set(t, h, marketplace.Update{SKU: "OG-A1", Quantity: 4})[0]
	checkErr(t, h, err, marketplace.ErrThrottled, "OG-A1")
	want := 7 * time.Second
	if h.ThrottleNamesNoWait {
		want = 0
	}
	if got := marketplace.RetryAfter(err); got != want {
		t.Errorf("RetryAfter = %s, want %s", got, want)
	}
	wantQuantity(t, h, "OG-A1", 9)
}

func testServerError(t *testing.T, h Harness) {
	if h.Fail == nil {
		t.Skip("the marketplace cannot be made to fail")
	}
	h.AddListing("OG-A1")
	h.Fail(503)
	checkErr(t, h, set(t, h, marketplace.Update{SKU: "OG-A1", Quantity: 4})[0], marketplace.ErrUnavailable, "OG-A1")
	if err := set(t, h, marketplace.Update{SKU: "OG-A1", Quantity: 4})[0]; err != nil {
		t.Fatalf("after the failure: %v", err)
	}
	wantQuantity(t, h, "OG-A1", 4)
}

func testExpiredToken(t *testing.T, h Harness) {
	if h.ExpireTokens == nil {
		t.Skip("the marketplace issues no tokens")
	}
	h.AddListing("OG-A1")
	if err := set(t, h, marketplace.Update{SKU: "OG-A1", Quantity: 1})[0]; err != nil {
		t.Fatal(err)
	}
	h.ExpireTokens()
	if err := set(t, h, marketplace.Update{SKU: "OG-A1", Quantity: 2})[0]; err != nil {
		t.Fatalf("after the token expired: %v", err)
	}
	wantQuantity(t, h, "OG-A1", 2)
}

func testRefused(t *testing.T, h Harness) {
	if h.RefuseCredentials == nil || h.ExpireTokens == nil {
		t.Skip("the marketplace takes no credentials")
	}
	h.AddListing("OG-A1")
	h.RefuseCredentials()
	h.ExpireTokens()
	checkErr(t, h, set(t, h, marketplace.Update{SKU: "OG-A1", Quantity: 1})[0], marketplace.ErrAuth, "OG-A1")
	if _, ok := h.Quantity("OG-A1"); ok {
		t.Error("the quantity was set with refused credentials")
	}
}

func testCancelled(t *testing.T, h Harness) {
	h.AddListing("OG-A1")
	c, cancel := context.WithCancel(context.Background())
	cancel()
	err := h.Connector.SetQuantities(c, []marketplace.Update{{SKU: "OG-A1", Quantity: 1}})[0]
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	noSecrets(t, h, err.Error())
}

func testCancelInFlight(t *testing.T, h Harness) {
	if h.Stall == nil {
		t.Skip("the marketplace cannot hold a request")
	}
	h.AddListing("OG-A1")
	if err := set(t, h, marketplace.Update{SKU: "OG-A1", Quantity: 1})[0]; err != nil {
		t.Fatal(err) // gets the token before the marketplace stalls
	}
	arrived := h.Stall()
	c, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- h.Connector.SetQuantities(c, []marketplace.Update{{SKU: "OG-A1", Quantity: 2}})[0]
	}()
	select {
	case <-arrived:
	case <-ctx(t).Done():
		t.Fatal("the request never reached the marketplace")
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error = %v, want context.Canceled", err)
		}
	case <-ctx(t).Done():
		t.Fatal("SetQuantities did not return after its context was cancelled")
	}
}
