package walmart_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/marketplace"
	"github.com/ordergate/ordergate/internal/marketplace/walmart"
)

// seen is a request as it reached the server.
type seen struct {
	method, path, query string
	header              http.Header
	body                string
}

func recorder(mu *sync.Mutex, got *[]seen) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(strings.NewReader(string(b)))
			mu.Lock()
			*got = append(*got, seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), string(b)})
			mu.Unlock()
			next.ServeHTTP(w, r)
		})
	}
}

func TestSetQuantities_PutsInventoryWithWalmartsHeaders(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []seen
	b := setup(t, recorder(&mu, &got))
	b.fake.AddItem("SKU_0001")
	b.fake.AddItem("SKU 2/b")
	errs := b.client.SetQuantities(ctx(t), []marketplace.Update{{SKU: "SKU_0001", Quantity: 10}, {SKU: "SKU 2/b", Quantity: 0}})
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 3 {
		t.Fatalf("%d requests, want token + 2 puts: %+v", len(got), got)
	}
	tok := got[0]
	if tok.method != http.MethodPost || tok.path != "/v3/token" || tok.body != "grant_type=client_credentials" ||
		!strings.HasPrefix(tok.header.Get("Authorization"), "Basic ") {
		t.Errorf("token request = %+v", tok)
	}
	put := got[1]
	if put.method != http.MethodPut || put.path != "/v3/inventory" || put.query != "sku=SKU_0001" {
		t.Errorf("put = %s %s?%s", put.method, put.path, put.query)
	}
	for _, h := range []string{"WM_SEC.ACCESS_TOKEN", "WM_SVC.NAME", "WM_QOS.CORRELATION_ID"} {
		if put.header.Get(h) == "" {
			t.Errorf("header %s missing", h)
		}
	}
	if got := put.header.Get("WM_SVC.NAME"); got != "Walmart Marketplace" {
		t.Errorf("WM_SVC.NAME = %q", got)
	}
	if put.header.Get("Authorization") != "" {
		t.Error("the put carries the client secret (Basic auth); only the token API needs it")
	}
	var body, want any
	_ = json.Unmarshal([]byte(put.body), &body)
	_ = json.Unmarshal([]byte(`{"sku":"SKU_0001","quantity":{"unit":"EACH","amount":10}}`), &want)
	if diff := cmp.Diff(want, body); diff != "" {
		t.Errorf("put body (-want +got):\n%s", diff)
	}
	if got[2].query != "sku=SKU+2%2Fb" {
		t.Errorf("second put query = %q, want the sku escaped", got[2].query)
	}
	ids := map[string]bool{}
	for _, r := range b.fake.Requests() {
		if ids[r.CorrelationID] {
			t.Errorf("correlation id %s used twice", r.CorrelationID)
		}
		ids[r.CorrelationID] = true
	}
}

func TestSetQuantities_TokenIsRenewedThreeMinutesBeforeItsFifteenAreUp(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	b.fake.AddItem("A")
	set := func() {
		t.Helper()
		if err := b.client.SetQuantities(ctx(t), []marketplace.Update{{SKU: "A", Quantity: 1}})[0]; err != nil {
			t.Fatal(err)
		}
	}
	set()
	b.clock.Advance(11 * time.Minute)
	set()
	if n := b.fake.TokensIssued(); n != 1 {
		t.Errorf("%d tokens after 11 minutes, want 1", n)
	}
	b.clock.Advance(time.Minute + time.Second)
	set()
	if n := b.fake.TokensIssued(); n != 2 {
		t.Errorf("%d tokens after 12 minutes, want 2 (renewed before expiry)", n)
	}
}

func TestSetQuantities_OverTheLimitIsThrottledWithRetryAfter(t *testing.T) {
	t.Parallel()
	b := setup(t, nil) // the fake allows 1 a second, burst 5; its clock stands still
	b.fake.AddItem("A")
	var updates []marketplace.Update
	for q := range 6 {
		updates = append(updates, marketplace.Update{SKU: "A", Quantity: q})
	}
	errs := b.client.SetQuantities(ctx(t), updates)
	for _, err := range errs[:5] {
		if err != nil {
			t.Fatal(err)
		}
	}
	err := errs[5]
	if !errors.Is(err, marketplace.ErrThrottled) || marketplace.RetryAfter(err) != time.Second ||
		!strings.Contains(err.Error(), "REQUEST_THRESHOLD_VIOLATED") {
		t.Errorf("sixth: %v (retry after %s), want throttled for 1s", err, marketplace.RetryAfter(err))
	}
	if lim := b.client.Limits(); lim.RequestsPerSecond != 1 || lim.Burst != 5 || lim.BatchSize != 1 {
		t.Errorf("Limits = %+v", lim)
	}
}

func TestSetQuantities_UnknownSKUIsRejectedWithWalmartsWords(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	err := b.client.SetQuantities(ctx(t), []marketplace.Update{{SKU: "GONE-1", Quantity: 1}})[0]
	want := "walmart: sku GONE-1: rejected (http 404, CONTENT_NOT_FOUND.GMP_INVENTORY_API): Requested content not found"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
}

func TestNew_BadConfigNamesTheField(t *testing.T) {
	t.Parallel()
	cases := []struct {
		cfg  walmart.Config
		want string
	}{
		{walmart.Config{ClientSecret: "s"}, "auth.client_id: required"},
		{walmart.Config{ClientID: "i"}, "auth.client_secret: required"},
		{walmart.Config{ClientID: "i", ClientSecret: "s", BaseURL: "marketplace.walmartapis.com"}, "base_url"},
		{walmart.Config{ClientID: "i", ClientSecret: "s", Burst: -1}, "burst"},
	}
	for _, c := range cases {
		if _, err := walmart.New(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%+v) = %v, want %q", c.cfg, err, c.want)
		}
	}
}
