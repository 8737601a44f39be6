package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront/bigcommerce/bigcommercefake"
)

func TestConfigValidate_NamesTheKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		want []string // substrings of the error; none means valid
	}{
		{"valid", Config{StoreHash: "abc123", AccessToken: "tok"}, nil},
		{"base url instead of hash", Config{BaseURL: "http://127.0.0.1:8080/stores/abc", AccessToken: "tok"}, nil},
		{"nothing", Config{}, []string{"store_hash: required", "auth.access_token: required"}},
		{"hash with a slash", Config{StoreHash: "abc/../x", AccessToken: "tok"}, []string{"store_hash:"}},
		{"token with a space", Config{StoreHash: "abc", AccessToken: "tok en"}, []string{"auth.access_token: contains white space"}},
		{"token with a newline at the end", Config{StoreHash: "abc", AccessToken: "tok\n"}, []string{"auth.access_token: has leading or trailing white space"}},
		{"relative base url", Config{BaseURL: "/stores/abc", AccessToken: "tok"}, []string{"base_url:"}},
		{"base url with a query", Config{BaseURL: "https://x.test/stores/abc?x=1", AccessToken: "tok"}, []string{"base_url:"}},
		{"ftp base url", Config{BaseURL: "ftp://x.test/", AccessToken: "tok"}, []string{"base_url:"}},
		{"negative timeout", Config{StoreHash: "abc", AccessToken: "tok", Timeout: -1}, []string{"timeout:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.cfg.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Errorf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate = nil, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if _, nerr := NewClient(tc.cfg); nerr == nil {
				t.Error("NewClient accepted the config")
			}
		})
	}
}

// roundTrip is an http.RoundTripper from a function.
type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNewClient_DefaultsToBigCommercesAPIRoot(t *testing.T) {
	t.Parallel()
	var urls []string
	hc := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		urls = append(urls, r.URL.String())
		return &http.Response{StatusCode: http.StatusNotFound, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`[{"status":404,"message":"The requested resource was not found."}]`)), Request: r}, nil
	})}
	c, err := NewClient(Config{StoreHash: "abc123", AccessToken: "tok", HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetOrder(context.Background(), "218")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("GetOrder = %v, want ErrNotFound", err)
	}
	if diff := cmp.Diff([]string{"https://api.bigcommerce.com/stores/abc123/v2/orders/218"}, urls); diff != "" {
		t.Errorf("urls (-want +got):\n%s", diff)
	}
}

func TestFetch_ReadsTheOrderAndItsProductsWithTheToken(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.putFixture(t)
	s, err := b.client.Fetch(context.Background(), "218")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Decode("bc1", readTestdata(t, "v2-order-get.json"), readTestdata(t, "v2-order-products-get.json"))
	if err != nil {
		t.Fatal(err)
	}
	if want.Order.ShipTo, err = DecodeShippingAddresses(readTestdata(t, "v2-order-shipping-addresses-get.json")); err != nil {
		t.Fatal(err)
	}
	if want.Order.ShipTo == nil || !want.Order.NeedsShipping {
		t.Fatalf("the fixture decodes to ship-to %v, needs shipping %v", want.Order.ShipTo, want.Order.NeedsShipping)
	}
	if diff := orderDiff(want, s); diff != "" {
		t.Errorf("snapshot (-want +got):\n%s", diff)
	}
	type req struct{ Path, Query, Token, Accept string }
	var got []req
	for _, r := range b.store.Requests() {
		got = append(got, req{r.Path, r.Query.Encode(), r.Token, r.Accept})
	}
	wantReqs := []req{
		{"/v2/orders/218", "", testToken, "application/json"},
		{"/v2/orders/218/products", "limit=250&page=1", testToken, "application/json"},
		{"/v2/orders/218/shipping_addresses", "limit=250&page=1", testToken, "application/json"},
	}
	if diff := cmp.Diff(wantReqs, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// products returns a JSON array of n order products with SKUs P1…Pn.
func products(n int) []byte {
	var sb strings.Builder
	sb.WriteString("[")
	for i := 1; i <= n; i++ {
		if i > 1 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, `{"id":%d,"sku":"P%d","name":"Product %d","quantity":1,"price_inc_tax":"1.0000"}`, i, i, i)
	}
	sb.WriteString("]")
	return []byte(sb.String())
}

func TestFetch_PagesThroughProducts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lines int
		pages []string // the page parameters requested
	}{
		{0, []string{"1"}},        // 204 at once
		{1, []string{"1"}},        // short page
		{250, []string{"1", "2"}}, // a full page, then 204
		{600, []string{"1", "2", "3"}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.lines), func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			if err := b.store.PutOrder([]byte(`{"id":9,"status_id":11,"date_modified":"Tue, 01 Jul 2025 09:00:00 +0000"}`), products(tc.lines)); err != nil {
				t.Fatal(err)
			}
			o, err := b.client.GetOrder(context.Background(), "9")
			if err != nil {
				t.Fatal(err)
			}
			if len(o.Lines) != tc.lines {
				t.Errorf("%d lines, want %d", len(o.Lines), tc.lines)
			}
			if tc.lines > 0 && o.Lines[tc.lines-1].SKU != fmt.Sprintf("P%d", tc.lines) {
				t.Errorf("last line %+v", o.Lines[tc.lines-1])
			}
			var pages []string
			for _, r := range b.store.Requests() {
				if strings.HasSuffix(r.Path, "/products") {
					pages = append(pages, r.Query.Get("page"))
				}
			}
			if diff := cmp.Diff(tc.pages, pages); diff != "" {
				t.Errorf("pages (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFetch_UnknownOrderIsNotFound(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.client.Fetch(context.Background(), "404")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Fetch = %v, want ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), "The requested resource was not found.") {
		t.Errorf("error %q lacks BigCommerce's message", err)
	}
}

func TestFetch_RefusedTokenTellsTheOperatorWhatToCheck(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, token, want string }{
		{"unknown token: 401", "wrong", "http 401"},
		{"no orders scope: 403", noScope, "http 403"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, func(_ *bigcommercefake.Config, c *Config) { c.AccessToken = tc.token })
			b.putFixture(t)
			_, err := b.client.Fetch(context.Background(), "218")
			if !errors.Is(err, ErrAuth) {
				t.Fatalf("Fetch = %v, want ErrAuth", err)
			}
			for _, w := range []string{tc.want, "Orders: read-only", "store_hash"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if n := len(b.store.Requests()); n != 1 {
				t.Errorf("%d requests, want 1: an auth failure is not retried", n)
			}
		})
	}
}

func TestFetch_RefusesAnIDThatIsNotAnOrderID(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, id := range []string{"", "0", "-1", "1.5", "218/products", "../218", "218?x=1", "０１", "99999999999999999999"} {
		if _, err := b.client.Fetch(context.Background(), id); !errors.Is(err, ErrMalformed) {
			t.Errorf("Fetch(%q) = %v, want ErrMalformed", id, err)
		}
	}
	if n := len(b.store.Requests()); n != 0 {
		t.Errorf("%d requests sent for invalid ids", n)
	}
}

func TestFetch_ServerErrorsAreUnavailable(t *testing.T) {
	t.Parallel()
	b := setupWrapped(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "Service Unavailable: store down for maintenance", http.StatusServiceUnavailable)
		})
	})
	_, err := b.client.Fetch(context.Background(), "218")
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "http 503") {
		t.Errorf("Fetch = %v, want ErrUnavailable naming http 503", err)
	}
}

func TestFetch_ReplyForAnotherOrderIsMalformed(t *testing.T) {
	t.Parallel()
	b := setupWrapped(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.URL.Path = strings.Replace(r.URL.Path, "/orders/1", "/orders/218", 1)
			h.ServeHTTP(w, r)
		})
	})
	b.putFixture(t)
	_, err := b.client.Fetch(context.Background(), "1")
	if !errors.Is(err, ErrMalformed) {
		t.Errorf("Fetch = %v, want ErrMalformed", err)
	}
}

func TestFetch_UnreachableIsUnavailable(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.srv.Close()
	_, err := b.client.Fetch(context.Background(), "218")
	if !errors.Is(err, ErrUnavailable) {
		t.Errorf("Fetch = %v, want ErrUnavailable", err)
	}
}

func TestFetch_KeepsTheBaseURLPath(t *testing.T) {
	t.Parallel()
	var (
		mu    sync.Mutex
		paths []string
	)
	b := setupWrapped(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			paths = append(paths, r.URL.EscapedPath())
			mu.Unlock()
			h.ServeHTTP(w, r)
		})
	})
	b.putFixture(t)
	if _, err := b.client.Fetch(context.Background(), "218"); err != nil {
		t.Fatal(err)
	}
	want := []string{"/stores/" + testHash + "/v2/orders/218", "/stores/" + testHash + "/v2/orders/218/products",
		"/stores/" + testHash + "/v2/orders/218/shipping_addresses"}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
}

// The ship-to is the first shipping address; an order with none (a 204)
// has no ship-to, and one that says shipping_address_count 0 (a digital
// order) is not asked for them, saving a request of the store's quota.
func TestFetch_ShipToIsTheFirstShippingAddress(t *testing.T) {
	t.Parallel()
	const addresses = `[{"id":7,"first_name":"Ann","last_name":"Lee","street_1":"1 High St","city":"Leeds","state":"West Yorkshire","zip":"LS1 1AA","country":"United Kingdom","country_iso2":"GB","phone":"0113 496 0000"},{"id":8,"street_1":"elsewhere"}]`
	tests := []struct {
		name      string
		order     string // the order's JSON, status and dates aside
		addresses string // "" sets none
		want      *order.Address
		asked     bool
	}{
		{"first of two", `"id":9`, addresses, &order.Address{Name: "Ann Lee", Line1: "1 High St", City: "Leeds", Region: "West Yorkshire",
			PostalCode: "LS1 1AA", Country: "United Kingdom", CountryCode: "GB", Phone: "0113 496 0000"}, true},
		{"none: 204", `"id":9,"shipping_address_count":1`, "", nil, true},
		{"the order says none", `"id":9,"shipping_address_count":0`, addresses, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			body := `{` + tc.order + `,"status_id":11,"date_modified":"Tue, 01 Jul 2025 09:00:00 +0000"}`
			if err := b.store.PutOrder([]byte(body), products(1)); err != nil {
				t.Fatal(err)
			}
			if tc.addresses != "" {
				if err := b.store.PutShippingAddresses(9, []byte(tc.addresses)); err != nil {
					t.Fatal(err)
				}
			}
			s, err := b.client.Fetch(context.Background(), "9")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, s.Order.ShipTo); diff != "" {
				t.Errorf("ship-to (-want +got):\n%s", diff)
			}
			asked := false
			for _, r := range b.store.Requests() {
				asked = asked || r.Path == "/v2/orders/9/shipping_addresses"
			}
			if asked != tc.asked {
				t.Errorf("asked for the shipping addresses: %v, want %v", asked, tc.asked)
			}
		})
	}
}

func TestFetch_MalformedShippingAddressesAreAnError(t *testing.T) {
	t.Parallel()
	b := setup(t)
	if err := b.store.PutOrder([]byte(`{"id":9,"status_id":11,"date_modified":"Tue, 01 Jul 2025 09:00:00 +0000"}`), products(1)); err != nil {
		t.Fatal(err)
	}
	if err := b.store.PutShippingAddresses(9, []byte(`[{"street_1":["not","text"]}]`)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.client.Fetch(context.Background(), "9"); !errors.Is(err, ErrMalformed) {
		t.Errorf("Fetch = %v, want ErrMalformed", err)
	}
}
