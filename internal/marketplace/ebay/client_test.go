package ebay_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/marketplace"
	"github.com/ordergate/ordergate/internal/marketplace/ebay"
	"github.com/ordergate/ordergate/internal/marketplace/ebay/ebayfake"
)

func TestSetQuantities_SendsTheItemQuantityAndTheConfiguredOffers(t *testing.T) {
	t.Parallel()
	b := setup(t, func(_ *ebayfake.Config, c *ebay.Config) {
		c.Offers = map[string][]string{"MUG-1": {"5001", "5002"}}
	})
	b.fake.AddItem("MUG-1", "5001", "5002")
	b.fake.AddItem("TEA-1", "6001")
	errs := b.client.SetQuantities(ctx(t), []marketplace.Update{{SKU: "MUG-1", Quantity: 4}, {SKU: "TEA-1", Quantity: 0}})
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	reqs := b.fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d calls, want 1 for 2 SKUs", len(reqs))
	}
	var got, want any
	_ = json.Unmarshal(reqs[0].Body, &got)
	_ = json.Unmarshal([]byte(`{"requests":[
		{"sku":"MUG-1","shipToLocationAvailability":{"quantity":4},
		 "offers":[{"offerId":"5001","availableQuantity":4},{"offerId":"5002","availableQuantity":4}]},
		{"sku":"TEA-1","shipToLocationAvailability":{"quantity":0}}]}`), &want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

// An offer-level quantity set by hand is left alone unless the offer is
// configured; the item's quantity still caps the listing, so a decrease
// always shows, and only an increase can be held back.
func TestSetQuantities_ItemQuantityCapsEveryListing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.AddItem("MUG-1", "5001")
	b.fake.SetOfferQuantity("MUG-1", "5001", 3)
	for _, c := range []struct{ set, listed int }{{10, 3}, {1, 1}} {
		if err := b.client.SetQuantities(ctx(t), []marketplace.Update{{SKU: "MUG-1", Quantity: c.set}})[0]; err != nil {
			t.Fatal(err)
		}
		if got := b.fake.Listed("MUG-1", "5001"); got != c.listed {
			t.Errorf("set %d: listing shows %d, want %d", c.set, got, c.listed)
		}
	}
}

func TestSetQuantities_TwentyFiveSKUsACall(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var updates []marketplace.Update
	for i := range 60 {
		sku := fmt.Sprintf("SKU-%02d", i)
		b.fake.AddItem(sku)
		updates = append(updates, marketplace.Update{SKU: sku, Quantity: i})
	}
	updates = append(updates, marketplace.Update{SKU: "SKU-55", Quantity: 7}) // twice in one call's worth: a call of its own, after
	for i, err := range b.client.SetQuantities(ctx(t), updates) {
		if err != nil {
			t.Errorf("update %d: %v", i, err)
		}
	}
	var sizes []int
	for _, r := range b.fake.Requests() {
		sizes = append(sizes, len(r.SKUs))
	}
	if diff := cmp.Diff([]int{25, 25, 10, 1}, sizes); diff != "" {
		t.Errorf("SKUs per call (-want +got):\n%s", diff)
	}
	if q, _ := b.fake.Quantity("SKU-55"); q != 7 {
		t.Errorf("SKU-55 = %d, want the later update's 7", q)
	}
	if lim := b.client.Limits(); lim.BatchSize != 25 || lim.RevisionsPerDay != 250 {
		t.Errorf("Limits = %+v", lim)
	}
}

func TestSetQuantities_PartialFailureIsPerSKU(t *testing.T) {
	t.Parallel()
	b := setup(t, func(_ *ebayfake.Config, c *ebay.Config) {
		c.Offers = map[string][]string{"B": {"999"}} // not B's offer
	})
	b.fake.AddItem("A")
	b.fake.AddItem("B", "700")
	errs := b.client.SetQuantities(ctx(t), []marketplace.Update{{SKU: "A", Quantity: 1}, {SKU: "B", Quantity: 2}, {SKU: "GONE", Quantity: 3}})
	if errs[0] != nil {
		t.Errorf("A: %v", errs[0])
	}
	if !errors.Is(errs[1], marketplace.ErrRejected) || !strings.Contains(errs[1].Error(), "offer 999") {
		t.Errorf("B: %v, want rejected naming offer 999", errs[1])
	}
	want := "ebay: sku GONE: rejected (http 400, 25702): SKU GONE is not available in the system"
	if errs[2] == nil || errs[2].Error() != want {
		t.Errorf("GONE: %v\nwant        %s", errs[2], want)
	}
	if r := b.fake.Requests(); len(r) != 1 || r[0].Status != http.StatusMultiStatus {
		t.Errorf("requests = %+v, want one answered 207", r)
	}
}

func TestSetQuantities_SystemErrorOfOneEntryIsUnavailable(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.AddItem("A")
	b.fake.Fail(http.StatusInternalServerError)
	err := b.client.SetQuantities(ctx(t), []marketplace.Update{{SKU: "A", Quantity: 1}})[0]
	if !errors.Is(err, marketplace.ErrUnavailable) || !strings.Contains(err.Error(), "25001") {
		t.Errorf("error = %v, want unavailable (25001)", err)
	}
}

func TestSetQuantities_PastTheDaysRevisionsTheListingIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t, func(f *ebayfake.Config, _ *ebay.Config) { f.RevisionsPerDay = 3 })
	b.fake.AddItem("A")
	for q := range 3 {
		if err := b.client.SetQuantities(ctx(t), []marketplace.Update{{SKU: "A", Quantity: q}})[0]; err != nil {
			t.Fatal(err)
		}
	}
	if err := b.client.SetQuantities(ctx(t), []marketplace.Update{{SKU: "A", Quantity: 9}})[0]; !errors.Is(err, marketplace.ErrRejected) {
		t.Errorf("fourth revision: %v, want rejected", err)
	}
	b.clock.Advance(14 * time.Hour) // past midnight UTC
	if err := b.client.SetQuantities(ctx(t), []marketplace.Update{{SKU: "A", Quantity: 9}})[0]; err != nil {
		t.Errorf("the next day: %v", err)
	}
}

func TestSetQuantities_TokenLastsTwoHoursLessFiveMinutes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.AddItem("A")
	for _, step := range []time.Duration{0, 114 * time.Minute, 2 * time.Minute} {
		b.clock.Advance(step)
		if err := b.client.SetQuantities(ctx(t), []marketplace.Update{{SKU: "A", Quantity: 1}})[0]; err != nil {
			t.Fatal(err)
		}
	}
	if n := b.fake.TokensIssued(); n != 2 {
		t.Errorf("%d tokens over 116 minutes, want 2", n)
	}
}

func TestNew_BadConfigNamesTheField(t *testing.T) {
	t.Parallel()
	good := ebay.Config{ClientID: "i", ClientSecret: "s", RefreshToken: "r"}
	cases := []struct {
		mod  func(*ebay.Config)
		want string
	}{
		{func(c *ebay.Config) { c.RefreshToken = "" }, "auth.refresh_token: required"},
		{func(c *ebay.Config) { c.BatchSize = 26 }, "batch_size: must be between 1 and 25"},
		{func(c *ebay.Config) { c.Offers = map[string][]string{"A": nil} }, "offers[A]"},
	}
	for _, c := range cases {
		cfg := good
		c.mod(&cfg)
		if _, err := ebay.New(cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New = %v, want %q", err, c.want)
		}
	}
}

// TestSetQuantities_ABatchRefusedWholeIsSentOneSKUACall plays eBay as its
// method page reads ("only one SKU can be updated per call"): a call with
// more than one SKU is refused, and the client sends them one by one.
func TestSetQuantities_ABatchRefusedWholeIsSentOneSKUACall(t *testing.T) {
	t.Parallel()
	fake := ebayfake.New(ebayfake.Config{ClientID: testClientID, ClientSecret: testClientSecret, RefreshToken: testRefreshToken})
	t.Cleanup(fake.Close)
	var refused atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/bulk_update_price_quantity") {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			var req struct{ Requests []json.RawMessage }
			if json.Unmarshal(body, &req) == nil && len(req.Requests) > 1 {
				refused.Add(1)
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write([]byte(`{"errors":[{"errorId":25002,"domain":"API_INVENTORY","category":"REQUEST","message":"Any User error."}]}`))
				return
			}
		}
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := ebay.New(ebay.Config{BaseURL: srv.URL, HTTPClient: srv.Client(), ClientID: testClientID, ClientSecret: testClientSecret, RefreshToken: testRefreshToken})
	if err != nil {
		t.Fatal(err)
	}
	fake.AddItem("A")
	fake.AddItem("B")
	errs := c.SetQuantities(ctx(t), []marketplace.Update{{SKU: "A", Quantity: 1}, {SKU: "B", Quantity: 2}, {SKU: "C", Quantity: 3}})
	if errs[0] != nil || errs[1] != nil || !errors.Is(errs[2], marketplace.ErrRejected) {
		t.Errorf("errs = %v, want A and B taken, C (unknown) rejected", errs)
	}
	if refused.Load() != 1 {
		t.Errorf("%d batches refused, want 1", refused.Load())
	}
	if q, _ := fake.Quantity("B"); q != 2 {
		t.Errorf("B = %d, want 2", q)
	}
}
