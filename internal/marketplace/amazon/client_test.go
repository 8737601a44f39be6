package amazon_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/marketplace"
	"github.com/ordergate/ordergate/internal/marketplace/amazon"
	"github.com/ordergate/ordergate/internal/marketplace/amazon/amazonfake"
)

func TestSetQuantities_SendsAMergePatchOfFulfillmentAvailability(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.AddListing("GM-ZDPI-9B4E", "LUGGAGE")
	if err := b.client.SetQuantities(ctx(t), []marketplace.Update{{SKU: "GM-ZDPI-9B4E", Quantity: 7}})[0]; err != nil {
		t.Fatal(err)
	}
	reqs := b.fake.Requests()
	if len(reqs) != 1 || reqs[0].Method != http.MethodPatch || reqs[0].Status != http.StatusOK {
		t.Fatalf("requests = %+v, want one PATCH answered 200", reqs)
	}
	var got any
	if err := json.Unmarshal(reqs[0].Body, &got); err != nil {
		t.Fatal(err)
	}
	var want any
	_ = json.Unmarshal([]byte(`{"productType":"LUGGAGE","patches":[{"op":"merge","path":"/attributes/fulfillment_availability",
		"value":[{"fulfillment_channel_code":"DEFAULT","quantity":7}]}]}`), &want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("patch body (-want +got):\n%s", diff)
	}
}

func TestSetQuantities_MergeKeepsTheLeadTimeReplaceDropsIt(t *testing.T) {
	t.Parallel()
	for op, want := range map[string]int{"merge": 2, "replace": 0} {
		b := setup(t, func(_ *amazonfake.Config, c *amazon.Config) { c.PatchOp = op })
		b.fake.AddListing("A1", "LUGGAGE")
		if err := b.client.SetQuantities(ctx(t), []marketplace.Update{{SKU: "A1", Quantity: 3}})[0]; err != nil {
			t.Fatal(err)
		}
		if got := b.fake.LeadTime("A1"); got != want {
			t.Errorf("%s: lead time %d, want %d", op, got, want)
		}
	}
}

func TestSetQuantities_ProductTypePerSKU(t *testing.T) {
	t.Parallel()
	b := setup(t, func(_ *amazonfake.Config, c *amazon.Config) {
		c.ProductTypes = map[string]string{"MUG-1": "DRINKING_CUP"}
	})
	b.fake.AddListing("MUG-1", "DRINKING_CUP")
	b.fake.AddListing("CASE-1", "LUGGAGE")
	b.fake.AddListing("HAT-1", "HAT")
	errs := b.client.SetQuantities(ctx(t), []marketplace.Update{{SKU: "MUG-1", Quantity: 1}, {SKU: "CASE-1", Quantity: 2}, {SKU: "HAT-1", Quantity: 3}})
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("errs = %v", errs)
	}
	// HAT-1's type is not configured: the default LUGGAGE goes, and Amazon
	// refuses it.
	if !errors.Is(errs[2], marketplace.ErrRejected) || !strings.Contains(errs[2].Error(), "does not match") {
		t.Errorf("wrong product type: %v, want a rejection quoting Amazon's issue", errs[2])
	}
}

func TestSetQuantities_SKUIsEscapedInThePath(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const sku = "BOX 1/2+ü"
	b.fake.AddListing(sku, "LUGGAGE")
	if err := b.client.SetQuantities(ctx(t), []marketplace.Update{{SKU: sku, Quantity: 4}})[0]; err != nil {
		t.Fatal(err)
	}
	if q, ok := b.fake.Quantity(sku); !ok || q != 4 {
		t.Errorf("quantity %d (set %v), want 4", q, ok)
	}
}

func TestSetQuantities_TokenIsKeptUntilFiveMinutesBeforeItExpires(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.AddListing("A1", "LUGGAGE")
	set := func(q int) {
		t.Helper()
		if err := b.client.SetQuantities(ctx(t), []marketplace.Update{{SKU: "A1", Quantity: q}})[0]; err != nil {
			t.Fatal(err)
		}
	}
	set(1)
	b.clock.Advance(54 * time.Minute)
	set(2)
	if n := b.fake.TokensIssued(); n != 1 {
		t.Errorf("%d tokens after 54 minutes, want 1", n)
	}
	b.clock.Advance(2 * time.Minute) // 56 minutes: within 5 of the hour
	set(3)
	if n := b.fake.TokensIssued(); n != 2 {
		t.Errorf("%d tokens after 56 minutes, want 2", n)
	}
}

func TestSetQuantities_OverFiveASecondIsThrottled(t *testing.T) {
	t.Parallel()
	b := setup(t) // the fake's clock stands still: no token comes back
	b.fake.AddListing("A1", "LUGGAGE")
	var updates []marketplace.Update
	for q := range 6 {
		updates = append(updates, marketplace.Update{SKU: "A1", Quantity: q})
	}
	errs := b.client.SetQuantities(ctx(t), updates)
	for i, err := range errs[:5] {
		if err != nil {
			t.Errorf("request %d: %v", i, err)
		}
	}
	if !errors.Is(errs[5], marketplace.ErrThrottled) || !strings.Contains(errs[5].Error(), "QuotaExceeded") {
		t.Errorf("sixth request: %v, want throttled (QuotaExceeded)", errs[5])
	}
	if lim := b.client.Limits(); lim.RequestsPerSecond != 5 || lim.Burst != 5 || lim.BatchSize != 1 {
		t.Errorf("Limits = %+v, want 5 a second, burst 5, one SKU a request", lim)
	}
}

// TestSetQuantities_ReadsThePublishedReplies serves Amazon's own example
// replies (testdata/SOURCES.md).
func TestSetQuantities_ReadsThePublishedReplies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file     string
		wantKind error
		wantText string
	}{
		{"listings-patch-response-accepted.json", nil, ""},
		{"listings-patch-response-invalid-validation-preview.json", marketplace.ErrRejected, "(http 200, 90000900): listing submission invalid: The attributes are invalid."},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			t.Parallel()
			reply, err := os.ReadFile("testdata/" + c.file)
			if err != nil {
				t.Fatal(err)
			}
			var patches atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == amazonfake.TokenPath {
					_, _ = w.Write([]byte(`{"access_token":"Atza|x","token_type":"bearer","expires_in":3600}`))
					return
				}
				patches.Add(1)
				_, _ = w.Write(reply)
			}))
			t.Cleanup(srv.Close)
			cl, err := amazon.New(amazon.Config{Endpoint: srv.URL, TokenURL: srv.URL + amazonfake.TokenPath,
				ClientID: "id", ClientSecret: "secret", RefreshToken: "refresh", SellerID: "S",
				MarketplaceIDs: []string{"ATVPDKIKX0DER"}, ProductType: "LUGGAGE"})
			if err != nil {
				t.Fatal(err)
			}
			err = cl.SetQuantities(ctx(t), []marketplace.Update{{SKU: "GM-ZDPI-9B4E", Quantity: 1}})[0]
			if c.wantKind == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, c.wantKind) || !strings.Contains(err.Error(), c.wantText) {
				t.Errorf("error = %v, want %v containing %q", err, c.wantKind, c.wantText)
			}
			if patches.Load() != 1 {
				t.Errorf("%d patches sent, want 1 (a rejection is not retried)", patches.Load())
			}
		})
	}
}

func TestNew_BadConfigNamesTheFieldAndNoSecret(t *testing.T) {
	t.Parallel()
	good := amazon.Config{ClientID: "id", ClientSecret: testClientSecret, RefreshToken: testRefreshToken, SellerID: "S",
		MarketplaceIDs: []string{"ATVPDKIKX0DER"}, ProductType: "LUGGAGE"}
	cases := []struct {
		name string
		mod  func(*amazon.Config)
		want string
	}{
		{"no client id", func(c *amazon.Config) { c.ClientID = "" }, "auth.client_id: required"},
		{"secret with a space", func(c *amazon.Config) { c.ClientSecret += " " }, "auth.client_secret: has white space"},
		{"no refresh token", func(c *amazon.Config) { c.RefreshToken = "" }, "auth.refresh_token: required"},
		{"no seller", func(c *amazon.Config) { c.SellerID = "" }, "seller_id: required"},
		{"no marketplace", func(c *amazon.Config) { c.MarketplaceIDs = nil }, "marketplace_ids: required"},
		{"no product type", func(c *amazon.Config) { c.ProductType = "" }, "product_type: required"},
		{"bad op", func(c *amazon.Config) { c.PatchOp = "add" }, "patch_op"},
		{"bad endpoint", func(c *amazon.Config) { c.Endpoint = "sellingpartnerapi-na.amazon.com" }, "endpoint:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cfg := good
			c.mod(&cfg)
			_, err := amazon.New(cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("New = %v, want an error containing %q", err, c.want)
			}
			if strings.Contains(err.Error(), "do-not-log") {
				t.Errorf("error %q quotes a secret", err)
			}
		})
	}
	if _, err := amazon.New(good); err != nil {
		t.Errorf("good config: %v", err)
	}
}
