package cin7_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/erp/cin7"
	"github.com/ordergate/ordergate/internal/erp/cin7/cin7fake"
)

// Available is summed over the locations, what orders allocated is not
// available, and SKUs Cin7 does not have are left out.
func TestAvailability_SumsLocationsLessAllocatedAndOmitsUnknown(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.erp.SetStockAt("A", "Main Warehouse", 3)
	b.erp.SetStockAt("A", "Second Warehouse", 4)
	b.erp.SetStock("B", 0)
	if _, err := b.client.Submit(t.Context(), testOrder("1", "A", 5)); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	got, err := b.client.Availability(t.Context(), []string{"A", "B", "NOPE"})
	if err != nil {
		t.Fatalf("Availability: %v", err)
	}
	if diff := cmp.Diff(map[string]int{"A": 2, "B": 0}, got); diff != "" {
		t.Errorf("Availability (-want +got):\n%s", diff)
	}
}

// A few SKUs are asked for one by one; many, by reading every page of the
// list, 1000 rows a page.
func TestAvailability_FewByFilterManyByEveryPage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for i := range 2001 {
		b.erp.SetStock(fmt.Sprintf("SKU-%04d", i), i%7)
	}

	few := []string{"SKU-0001", "SKU-2000"}
	got, err := b.client.Availability(t.Context(), few)
	if err != nil {
		t.Fatalf("Availability of few: %v", err)
	}
	if diff := cmp.Diff(map[string]int{"SKU-0001": 1, "SKU-2000": 2000 % 7}, got); diff != "" {
		t.Errorf("Availability of few (-want +got):\n%s", diff)
	}
	var filters []string
	for _, r := range b.erp.Requests() {
		filters = append(filters, r.Query.Get("Sku"))
	}
	if diff := cmp.Diff(few, filters, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("Sku filters sent (-want +got):\n%s", diff)
	}

	before := len(b.erp.Requests())
	many := []string{"SKU-0000", "SKU-0999", "SKU-1000", "SKU-1999", "SKU-2000", "GONE"}
	got, err = b.client.Availability(t.Context(), many)
	if err != nil {
		t.Fatalf("Availability of many: %v", err)
	}
	want := map[string]int{"SKU-0000": 0, "SKU-0999": 999 % 7, "SKU-1000": 1000 % 7, "SKU-1999": 1999 % 7, "SKU-2000": 2000 % 7}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Availability of many (-want +got):\n%s", diff)
	}
	var pages []string
	for _, r := range b.erp.Requests()[before:] {
		pages = append(pages, r.Query.Get("Page")+"/"+r.Query.Get("Limit")+"/"+r.Query.Get("Sku"))
	}
	if diff := cmp.Diff([]string{"1/1000/", "2/1000/", "3/1000/"}, pages); diff != "" {
		t.Errorf("pages read (-want +got):\n%s", diff)
	}
}

// Cin7's Available is a decimal, and can go below zero: the map has whole
// units, never negative; rows for other SKUs a filter lets through are
// ignored.
func TestAvailability_FractionsNegativesAndLooseFilters(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"Total":4,"Page":1,"ProductAvailabilityList":[
			{"SKU":"A","Location":"Main Warehouse","Available":2.5},
			{"SKU":"A","Location":"Shop","Available":1.75},
			{"SKU":"AB","Location":"Main Warehouse","Available":40},
			{"SKU":"N","Location":"Main Warehouse","Available":-3}]}`))
	}))
	t.Cleanup(srv.Close)
	c, err := cin7.New(cin7.Config{BaseURL: srv.URL, AccountID: testAccount, ApplicationKey: testKey, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Availability(t.Context(), []string{"A", "N"})
	if err != nil {
		t.Fatalf("Availability: %v", err)
	}
	if diff := cmp.Diff(map[string]int{"A": 4, "N": 0}, got); diff != "" {
		t.Errorf("Availability (-want +got):\n%s", diff)
	}
}

// Lookup takes only a sale whose ExternalID is ours, whatever the list
// returns, and refuses to guess from a list too long for our filter.
func TestLookup_OnlyOurExternalID(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		list string
		kind error // nil: a plain error
	}{
		{"near misses", `{"Total":2,"Page":1,"SaleList":[{"SaleID":"x","ExternalID":"og-shop-10","Status":"ORDERED"},{"SaleID":"y","ExternalID":null,"Status":"ORDERED"}]}`, erp.ErrNotFound},
		{"filter not applied", `{"Total":5000,"Page":1,"SaleList":[{"SaleID":"x","ExternalID":"","Status":"ORDERED"}]}`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			client := canned(t, "/saleList", http.StatusOK, c.list)
			_, err := client.Lookup(t.Context(), "og-shop-1")
			var e *erp.Error
			switch {
			case c.kind != nil && !errors.Is(err, c.kind):
				t.Errorf("Lookup: %v, want %v", err, c.kind)
			case c.kind == nil && (err == nil || errors.As(err, &e)):
				t.Errorf("Lookup: %v, want a plain error", err)
			}
		})
	}
}

// A dropped connection or a timeout on a read is erp.ErrUnavailable, never
// in doubt: nothing was being created.
func TestReads_TransportFailuresAreUnavailable(t *testing.T) {
	t.Parallel()
	b := setupWrapped(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "productavailability") {
				<-r.Context().Done() // answers too late
				return
			}
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
		})
	}, func(_ *cin7fake.Config, c *cin7.Config) { c.Timeout = 100 * time.Millisecond })
	ops := map[string]func(context.Context) error{
		"Lookup": func(ctx context.Context) error { _, err := b.client.Lookup(ctx, "og-shop-1"); return err },
		"Cancel": func(ctx context.Context) error { return b.client.Cancel(ctx, "og-shop-1", "test") },
		"Availability": func(ctx context.Context) error {
			_, err := b.client.Availability(ctx, []string{"A"})
			if !errors.Is(err, context.DeadlineExceeded) {
				return fmt.Errorf("not a timeout: %w", err)
			}
			return err
		},
	}
	for name, op := range ops {
		err := op(t.Context())
		var e *erp.Error
		if !errors.As(err, &e) || !errors.Is(err, erp.ErrUnavailable) || errors.Is(err, erp.ErrInDoubt) {
			t.Errorf("%s: %v, want an *erp.Error that is ErrUnavailable", name, err)
		}
	}
}

// Cin7 will not void a sale it has invoiced: Cancel is rejected with its
// words, and the stock stays allocated.
func TestCancel_RefusedByCin7IsRejectedWithItsWords(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.erp.SetStock("A", 10)
	o := testOrder("1", "A", 3)
	rc, err := b.client.Submit(t.Context(), o)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	b.erp.Advance(rc.Ref, "INVOICED")
	err = b.client.Cancel(t.Context(), o.Key.ExternalID(), "too late")
	var e *erp.Error
	if !errors.As(err, &e) || !errors.Is(err, erp.ErrRejected) {
		t.Fatalf("Cancel: %v, want an *erp.Error that is ErrRejected", err)
	}
	if e.Code != "400" || !strings.Contains(e.Message, "cannot be voided") || !strings.Contains(e.Message, "INVOICED") {
		t.Errorf("error = %+v, want Cin7's code and words", e)
	}
	if n, _ := b.erp.Available("A"); n != 7 {
		t.Errorf("available = %d, want 7: still allocated", n)
	}
}
