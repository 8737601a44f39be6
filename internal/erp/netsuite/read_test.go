package netsuite_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/erp/netsuite"
	"github.com/ordergate/ordergate/internal/erp/netsuite/netsuitefake"
)

func TestCancel_ClosesEveryOpenLineAndReleasesTheStock(t *testing.T) {
	t.Parallel()
	for _, pending := range []bool{false, true} {
		name := map[bool]string{false: "PendingFulfillment", true: "PendingApproval"}[pending]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, opts{client: func(c *netsuite.Config) { c.PendingApproval = pending }})
			b.fake.SetStock("A", 5)
			b.fake.SetStock("B", 5)
			if _, err := b.client.Submit(t.Context(), newOrder("1", line("A", 2), line("B", 3))); err != nil {
				t.Fatalf("Submit: %v", err)
			}
			if err := b.client.Cancel(t.Context(), "og-shop-1", "customer asked"); err != nil {
				t.Fatalf("Cancel: %v", err)
			}
			patches := b.requests(http.MethodPatch, salesOrderPath)
			if len(patches) != 1 || patches[0].Path != salesOrderPath+"647" {
				t.Fatalf("PATCHes = %+v, want one to the internal id", patches)
			}
			var got, want any
			json.Unmarshal(patches[0].Body, &got)
			json.Unmarshal([]byte(`{"item": {"items": [{"line": 1, "isClosed": true}, {"line": 2, "isClosed": true}]}}`), &want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("PATCH body (-want +got):\n%s", diff)
			}
			if st := b.fake.Orders()[0].Status; st != "H" {
				t.Errorf("NetSuite status = %q, want H (Closed)", st)
			}
			if a, bb := b.fake.Available("A"), b.fake.Available("B"); a != 5 || bb != 5 {
				t.Errorf("available = %d, %d, want 5, 5", a, bb)
			}
			if err := b.client.Cancel(t.Context(), "og-shop-1", "again"); err != nil {
				t.Errorf("second Cancel: %v", err)
			}
			if n := len(b.requests(http.MethodPatch, "")); n != 1 {
				t.Errorf("PATCHes after the second Cancel = %d, want still 1", n)
			}
		})
	}
}

func TestCancel_FulfilledOrderIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	b.fake.SetStock("A", 5)
	if _, err := b.client.Submit(t.Context(), newOrder("1", line("A", 2))); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if err := b.fake.Fulfill("og-shop-1"); err != nil {
		t.Fatal(err)
	}
	err := b.client.Cancel(t.Context(), "og-shop-1", "too late")
	var e *erp.Error
	if !errors.As(err, &e) || e.Kind != erp.ErrRejected || !strings.Contains(e.Message, "Pending Billing") {
		t.Fatalf("Cancel = %v, want a rejection naming NetSuite's status", err)
	}
	if n := len(b.requests(http.MethodPatch, "")); n != 0 {
		t.Errorf("%d PATCHes sent", n)
	}
}

func TestCancel_RefusedByNetSuiteIsRejectedWithItsWords(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	b.fake.SetStock("A", 5)
	if _, err := b.client.Submit(t.Context(), newOrder("1", line("A", 2))); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	b.fake.Inject(netsuitefake.Reply{Method: http.MethodPatch, Status: 400,
		Body: netsuitefake.ErrorBody(400, "Bad Request", "USER_ERROR", "This transaction is locked by a pending workflow.", "")})
	err := b.client.Cancel(t.Context(), "og-shop-1", "test")
	var e *erp.Error
	if !errors.As(err, &e) || e.Kind != erp.ErrRejected || e.Code != "USER_ERROR" || !strings.Contains(e.Message, "locked by a pending workflow") {
		t.Fatalf("Cancel = %v, want a rejection with NetSuite's code and words", err)
	}
}

func TestLookup_OrderEditedInNetSuiteReportsWhatItHolds(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	b.fake.SetStock("A", 5)
	b.fake.SetStock("B", 5)
	if _, err := b.client.Submit(t.Context(), newOrder("1", line("A", 2), line("B", 1))); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	// Someone closes line 2 in NetSuite: the order stays open, B is
	// released and will not ship.
	if err := b.fake.CloseLine("og-shop-1", 2); err != nil {
		t.Fatal(err)
	}
	rc, err := b.client.Lookup(t.Context(), "og-shop-1")
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	want := []erp.Line{{SKU: "A", Ordered: 2, Validated: 2}, {SKU: "B", Ordered: 1, Validated: 0, Short: erp.ShortBackordered}}
	if rc.Status != erp.StatusAcknowledged {
		t.Errorf("status = %q", rc.Status)
	}
	if diff := cmp.Diff(want, rc.Lines); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}

func TestAvailability_SumsLocationsQuotesSKUsAndAsksInChunks(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{auth: authTBA})
	var skus []string
	want := map[string]int{}
	for i := range 250 {
		sku := fmt.Sprintf("SKU-%03d", i)
		skus = append(skus, sku)
		b.fake.SetStock(sku, i)
		want[sku] = i
	}
	b.fake.SetStock("O'NEIL TEE", 2)
	b.fake.SetStockAt("O'NEIL TEE", "2", 3)
	skus = append(skus, "O'NEIL TEE", "NOT-IN-NETSUITE")
	want["O'NEIL TEE"] = 5

	got, err := b.client.Availability(t.Context(), skus)
	if err != nil {
		t.Fatalf("Availability: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Availability (-want +got):\n%s", diff)
	}
	reqs := b.requests(http.MethodPost, suiteQLPath)
	if len(reqs) != 3 {
		t.Fatalf("SuiteQL requests = %d, want 3 of at most 100 SKUs", len(reqs))
	}
	for _, r := range reqs {
		if r.Header.Get("Prefer") != "transient" {
			t.Errorf("Prefer = %q, want transient", r.Header.Get("Prefer"))
		}
	}
	if !strings.Contains(string(reqs[2].Body), `'O''NEIL TEE'`) {
		t.Errorf("query %s does not quote the apostrophe", reqs[2].Body)
	}
}

func TestAvailability_OfNoSKUsAsksNothing(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	got, err := b.client.Availability(t.Context(), nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("Availability(nil) = %v, %v", got, err)
	}
	if n := len(b.fake.Requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}
