package cin7fake_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/erp/cin7/cin7fake"
)

const (
	account = "704ef231-cd93-49c9-a201-26b4b5d0d35b"
	key     = "0342a546-e0c2-0dff-f0be-6a5e17154033"
)

type server struct {
	t   *testing.T
	erp *cin7fake.ERP
	url string
}

func serve(t *testing.T, cfg cin7fake.Config) server {
	t.Helper()
	cfg.AccountID, cfg.ApplicationKey = account, key
	e := cin7fake.New(cfg)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	t.Cleanup(e.Close)
	return server{t: t, erp: e, url: srv.URL + cin7fake.Prefix}
}

// call sends one request with the right credentials and decodes the reply.
func (s server) call(method, path string, body any) (int, any) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.url+path, rd)
	req.Header.Set("api-auth-accountid", account)
	req.Header.Set("api-auth-applicationkey", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var v any
	d := json.NewDecoder(resp.Body)
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		s.t.Fatalf("%s %s: decode: %v", method, path, err)
	}
	return resp.StatusCode, v
}

// Every field the fake sends is one Cin7's own examples have, at the same
// place.
func TestFake_RepliesUseTheVendorsFieldNames(t *testing.T) {
	t.Parallel()
	s := serve(t, cin7fake.Config{})
	s.erp.SetStock("Bread", 3)
	_, created := s.call(http.MethodPost, "/sale", map[string]any{"Customer": "Hamilton Smith Pty", "SkipQuote": true, "ExternalID": "og-1",
		"ShippingAddress": map[string]any{"Line1": "3 Park Street", "City": "Melbourne", "State": "VIC", "Postcode": "3331", "Country": "Australia", "Contact": "Sheree Bond", "ShipToOther": true}})
	id := created.(map[string]any)["ID"].(string)
	_, order := s.call(http.MethodPost, "/sale/order", map[string]any{"SaleID": id, "Status": "AUTHORISED",
		"Lines": []any{map[string]any{"SKU": "Bread", "Quantity": 1, "Price": 8, "Total": 8}}})
	_, got := s.call(http.MethodGet, "/sale?ID="+id, nil)
	_, list := s.call(http.MethodGet, "/saleList?ExternalID=og-1", nil)
	_, avail := s.call(http.MethodGet, "/ref/productavailability?Sku=Bread", nil)

	checks := []struct {
		name    string
		fixture string
		reply   any
	}{
		{"POST /sale", "sale-post-response.json", created},
		{"GET /sale", "sale-post-response.json", got},
		{"POST /sale/order", "sale-order-post-response.json", order},
		{"GET /saleList", "salelist-get-response.json", list},
		{"GET /ref/productavailability", "productavailability-get-response.json", avail},
	}
	for _, c := range checks {
		var fixture any
		b, err := os.ReadFile("../testdata/" + c.fixture)
		if err != nil {
			t.Fatal(err)
		}
		json.Unmarshal(b, &fixture)
		if extra := extraKeys("", c.reply, fixture); len(extra) > 0 {
			t.Errorf("%s sends fields Cin7's example (%s) has not: %v", c.name, c.fixture, extra)
		}
	}
}

// extraKeys lists the object keys of got, at any depth, that want has not
// at the same place (the first element stands for every element).
func extraKeys(at string, got, want any) []string {
	var out []string
	switch g := got.(type) {
	case map[string]any:
		w, ok := want.(map[string]any)
		if !ok {
			return nil // want has a null or an empty value here
		}
		for k, v := range g {
			wv, ok := w[k]
			if !ok {
				out = append(out, at+"."+k)
				continue
			}
			out = append(out, extraKeys(at+"."+k, v, wv)...)
		}
	case []any:
		w, ok := want.([]any)
		if !ok || len(w) == 0 {
			return nil
		}
		for _, v := range g {
			out = append(out, extraKeys(at+"[]", v, w[0])...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// A sale's ShippingAddress is kept as sent; one without Line1 or Country,
// which Cin7's model marks required, is refused and makes no sale.
func TestFake_SaleShippingAddressNeedsLine1AndCountry(t *testing.T) {
	t.Parallel()
	s := serve(t, cin7fake.Config{})
	for _, a := range []map[string]any{{"City": "Melbourne", "Country": "Australia"}, {"Line1": "3 Park Street"}} {
		if status, _ := s.call(http.MethodPost, "/sale", map[string]any{"Customer": "C", "ShippingAddress": a}); status != http.StatusBadRequest {
			t.Errorf("address %v: status %d, want 400", a, status)
		}
	}
	if status, _ := s.call(http.MethodPost, "/sale", map[string]any{"Customer": "C", "ShippingAddress": map[string]any{"Line1": "3 Park Street", "Country": "Australia", "ShipToOther": true}}); status != http.StatusOK {
		t.Fatalf("status %d, want 200", status)
	}
	sales := s.erp.Sales()
	want := &cin7fake.Address{Line1: "3 Park Street", Country: "Australia", ShipToOther: true}
	if len(sales) != 1 || !cmp.Equal(want, sales[0].ShippingAddress) {
		t.Errorf("sales %+v, want one with address %+v", sales, want)
	}
}

// The order of a sale made without SkipQuote is refused: its quote is not
// authorised. That is why the client skips it.
func TestFake_OrderNeedsTheQuoteSkippedOrAuthorised(t *testing.T) {
	t.Parallel()
	s := serve(t, cin7fake.Config{})
	s.erp.SetStock("A", 3)
	_, created := s.call(http.MethodPost, "/sale", map[string]any{"Customer": "C"})
	sale := created.(map[string]any)
	if sale["Status"] != "DRAFT" {
		t.Errorf("a sale with its quote = %v, want DRAFT", sale["Status"])
	}
	status, body := s.call(http.MethodPost, "/sale/order", map[string]any{"SaleID": sale["ID"], "Status": "AUTHORISED",
		"Lines": []any{map[string]any{"SKU": "A", "Quantity": 1}}})
	want := []any{map[string]any{"ErrorCode": json.Number("400"), "Exception": "Quote status is not AUTHORISED"}}
	if status != http.StatusBadRequest || !cmp.Equal(want, body) {
		t.Errorf("order on it: %d %v, want 400 %v", status, body, want)
	}
}

// An authorised order allocates what is there and backorders the rest; the
// sale says BACKORDERED, and voiding it gives the stock back.
func TestFake_AuthorisingBackordersSilentlyAndVoidReleases(t *testing.T) {
	t.Parallel()
	s := serve(t, cin7fake.Config{})
	s.erp.SetStock("A", 2)
	_, created := s.call(http.MethodPost, "/sale", map[string]any{"Customer": "C", "SkipQuote": true})
	id := created.(map[string]any)["ID"].(string)
	status, order := s.call(http.MethodPost, "/sale/order", map[string]any{"SaleID": id, "Status": "AUTHORISED",
		"Lines": []any{map[string]any{"SKU": "A", "Quantity": 5}}})
	if status != http.StatusOK {
		t.Fatalf("order: %d %v", status, order)
	}
	line := order.(map[string]any)["Lines"].([]any)[0].(map[string]any)
	if line["BackorderQuantity"] != json.Number("3") {
		t.Errorf("BackorderQuantity = %v, want 3", line["BackorderQuantity"])
	}
	if n, _ := s.erp.Available("A"); n != 0 {
		t.Errorf("available = %d, want 0", n)
	}
	_, got := s.call(http.MethodGet, "/sale?ID="+id, nil)
	if st := got.(map[string]any)["Status"]; st != "BACKORDERED" {
		t.Errorf("sale status = %v, want BACKORDERED", st)
	}
	if status, _ := s.call(http.MethodDelete, "/sale?ID="+id+"&Void=true", nil); status != http.StatusOK {
		t.Errorf("void: %d", status)
	}
	if n, _ := s.erp.Available("A"); n != 2 {
		t.Errorf("available after void = %d, want 2", n)
	}
}

// Wrong or missing credentials get 403 in Cin7's error model, before
// anything else happens.
func TestFake_RefusesWrongCredentials(t *testing.T) {
	t.Parallel()
	s := serve(t, cin7fake.Config{})
	for name, h := range map[string][2]string{"wrong key": {account, "nope"}, "wrong account": {"nope", key}, "none": {"", ""}} {
		req, _ := http.NewRequest(http.MethodPost, s.url+"/sale", strings.NewReader(`{"Customer":"C","SkipQuote":true}`))
		req.Header.Set("api-auth-accountid", h[0])
		req.Header.Set("api-auth-applicationkey", h[1])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), `"ErrorCode":403`) {
			t.Errorf("%s: %d %s, want 403 with an error body", name, resp.StatusCode, b)
		}
	}
	if n := len(s.erp.Sales()); n != 0 {
		t.Errorf("%d sales made without credentials", n)
	}
}

// 60 calls in any minute per application; the 61st gets 503 with Cin7's
// words, and a minute on calls go through again.
func TestFake_LimitsSixtyCallsAMinute(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	s := serve(t, cin7fake.Config{Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	for i := range 60 {
		if status, _ := s.call(http.MethodGet, "/saleList", nil); status != http.StatusOK {
			t.Fatalf("call %d: %d", i+1, status)
		}
	}
	status, body := s.call(http.MethodGet, "/saleList", nil)
	want := []any{map[string]any{"ErrorCode": json.Number("503"), "Exception": "You reached 60 calls per minute API limit"}}
	if status != http.StatusServiceUnavailable || !cmp.Equal(want, body) {
		t.Errorf("61st call: %d %v, want 503 %v", status, body, want)
	}
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	if status, _ := s.call(http.MethodGet, "/saleList", nil); status != http.StatusOK {
		t.Errorf("a minute later: %d", status)
	}
}
