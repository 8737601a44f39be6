package bigcommercefake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	store *Store
	srv   *httptest.Server
	clk   *clock
}

func setup(t *testing.T, mod func(*Config)) fixture {
	t.Helper()
	clk := &clock{t: time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)}
	cfg := Config{StoreHash: "abc", AccessToken: "good", NoScopeToken: "noscope", Now: clk.Now}
	if mod != nil {
		mod(&cfg)
	}
	s := New(cfg)
	for i := 1; i <= 3; i++ {
		mod := time.Date(2025, 7, 1, 8, i, 0, 0, time.UTC).Format(time.RFC1123Z)
		body := fmt.Sprintf(`{"id":%d,"date_modified":%q}`, i, mod)
		if err := s.PutOrder([]byte(body), []byte(`[{"id":1},{"id":2},{"id":3}]`)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutShippingAddresses(1, []byte(`[{"id":11},{"id":12}]`)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return fixture{s, srv, clk}
}

type reply struct {
	status int
	header http.Header
	body   string
}

func (f fixture) get(t *testing.T, path, token, accept string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, string(b)}
}

func TestStore_AnswersLikeTheV2API(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path, token, accept string
		status                    int
		body                      string // a substring of the body
	}{
		{"order", "/stores/abc/v2/orders/2", "good", "application/json", 200, `"id":2`},
		{"unknown order", "/stores/abc/v2/orders/9", "good", "", 404, `[{"message":"The requested resource was not found.","status":404}]`},
		{"no token", "/stores/abc/v2/orders/2", "", "", 401, `"status":401`},
		{"wrong token", "/stores/abc/v2/orders/2", "bad", "", 401, `"status":401`},
		{"no orders scope", "/stores/abc/v2/orders/2", "noscope", "", 403, `"status":403`},
		{"another store", "/stores/xyz/v2/orders/2", "good", "", 404, `"status":404`},
		{"xml only", "/stores/abc/v2/orders/2", "good", "application/xml", 406, `"status":406`},
		{"products, default page", "/stores/abc/v2/orders/2/products", "good", "", 200, `[{"id":1},{"id":2},{"id":3}]`},
		{"products, page 2 of 2", "/stores/abc/v2/orders/2/products?limit=2&page=2", "good", "", 200, `[{"id":3}]`},
		{"products, past the end", "/stores/abc/v2/orders/2/products?limit=2&page=3", "good", "", 204, ``},
		{"limit over 250", "/stores/abc/v2/orders/2/products?limit=251", "good", "", 413, `"status":413`},
		{"page 0", "/stores/abc/v2/orders/2/products?page=0", "good", "", 400, `"status":400`},
		{"shipping addresses", "/stores/abc/v2/orders/1/shipping_addresses", "good", "", 200, `[{"id":11},{"id":12}]`},
		{"shipping addresses, paged", "/stores/abc/v2/orders/1/shipping_addresses?limit=1&page=2", "good", "", 200, `[{"id":12}]`},
		{"no shipping addresses", "/stores/abc/v2/orders/2/shipping_addresses", "good", "", 204, ``},
		{"shipping addresses of an unknown order", "/stores/abc/v2/orders/9/shipping_addresses", "good", "", 404, `"status":404`},
		{"list by id", "/stores/abc/v2/orders", "good", "", 200, `[{"id":1,`},
		{"list newest first", "/stores/abc/v2/orders?sort=date_modified:desc&limit=1", "good", "", 200, `[{"id":3,`},
		{"list since, RFC 2822", "/stores/abc/v2/orders?min_date_modified=Tue,+01+Jul+2025+08:02:00+%2B0000&sort=date_modified:asc&limit=1", "good", "", 200, `[{"id":2,`},
		{"list since, ISO 8601", "/stores/abc/v2/orders?min_date_modified=2025-07-01T08:03:00Z", "good", "", 200, `[{"id":3,`},
		{"list since, nothing", "/stores/abc/v2/orders?min_date_modified=2025-07-01T09:00:00Z", "good", "", 204, ``},
		{"list since, bad date", "/stores/abc/v2/orders?min_date_modified=yesterday", "good", "", 400, `"status":400`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, nil)
			r := f.get(t, tc.path, tc.token, tc.accept)
			if r.status != tc.status || !strings.Contains(r.body, tc.body) {
				t.Errorf("GET %s = %d %s, want %d with %s", tc.path, r.status, r.body, tc.status, tc.body)
			}
		})
	}
}

func TestStore_RateLimitsWithBigCommercesHeaders(t *testing.T) {
	t.Parallel()
	f := setup(t, func(c *Config) { c.Quota = 2; c.Window = 30 * time.Second })
	type rate struct {
		Status                     int
		Left, Quota, Reset, Window string
	}
	read := func(r reply) rate {
		return rate{r.status, r.header.Get("X-Rate-Limit-Requests-Left"), r.header.Get("X-Rate-Limit-Requests-Quota"),
			r.header.Get("X-Rate-Limit-Time-Reset-Ms"), r.header.Get("X-Rate-Limit-Time-Window-Ms")}
	}
	var got []rate
	got = append(got, read(f.get(t, "/stores/abc/v2/orders/1", "good", "")))
	f.clk.Add(10 * time.Second)
	got = append(got, read(f.get(t, "/stores/abc/v2/orders/1", "good", "")))
	got = append(got, read(f.get(t, "/stores/abc/v2/orders/1", "good", "")))
	f.clk.Add(20 * time.Second) // the window is over
	got = append(got, read(f.get(t, "/stores/abc/v2/orders/1", "good", "")))
	want := []rate{
		{200, "1", "2", "30000", "30000"},
		{200, "0", "2", "20000", "30000"},
		{429, "0", "2", "20000", "30000"},
		{200, "1", "2", "30000", "30000"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("replies (-want +got):\n%s", diff)
	}
}

func TestStore_ThrottleForces429s(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.store.Throttle(1, true)
	f.store.Throttle(1, false)
	a := f.get(t, "/stores/abc/v2/orders/1", "good", "")
	b := f.get(t, "/stores/abc/v2/orders/1", "good", "")
	c := f.get(t, "/stores/abc/v2/orders/1", "good", "")
	got := []any{a.status, a.header.Get("X-Rate-Limit-Time-Reset-Ms") != "", b.status, b.header.Get("X-Rate-Limit-Time-Reset-Ms") != "", c.status}
	if diff := cmp.Diff([]any{429, true, 429, false, 200}, got); diff != "" {
		t.Errorf("statuses and headers (-want +got):\n%s", diff)
	}
	var statuses []int
	for _, r := range f.store.Requests() {
		statuses = append(statuses, r.Status)
	}
	if diff := cmp.Diff([]int{429, 429, 200}, statuses); diff != "" {
		t.Errorf("recorded (-want +got):\n%s", diff)
	}
}

func TestStore_WebhookRepeatsShareAHash(t *testing.T) {
	t.Parallel()
	s := New(Config{StoreHash: "abc"})
	at := time.Unix(1561479335, 0)
	a, b := s.Webhook("store/order/created", 250, at), s.Webhook("store/order/created", 250, at)
	c := s.Webhook("store/order/updated", 250, at)
	var body struct {
		Scope   string `json:"scope"`
		StoreID string `json:"store_id"`
		Data    struct {
			Type string `json:"type"`
			ID   int64  `json:"id"`
		} `json:"data"`
		Hash      string `json:"hash"`
		CreatedAt int64  `json:"created_at"`
		Producer  string `json:"producer"`
	}
	if err := json.Unmarshal(a, &body); err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) || strings.Contains(string(c), body.Hash) {
		t.Errorf("repeat %s, other scope %s, first %s", b, c, a)
	}
	if body.Scope != "store/order/created" || body.StoreID != "1025646" || body.Data.Type != "order" || body.Data.ID != 250 ||
		len(body.Hash) != 40 || body.CreatedAt != 1561479335 || body.Producer != "stores/abc" {
		t.Errorf("body %+v", body)
	}
}

func TestPutOrder_RefusesWhatItCannotServe(t *testing.T) {
	t.Parallel()
	s := New(Config{StoreHash: "abc"})
	for _, tc := range []struct{ order, products string }{
		{`{`, ``},
		{`{"id":0,"date_modified":"Tue, 01 Jul 2025 08:00:00 +0000"}`, ``},
		{`{"id":1,"date_modified":"01/07/2025"}`, ``},
		{`{"id":1,"date_modified":"Tue, 01 Jul 2025 08:00:00 +0000"}`, `{}`},
	} {
		if err := s.PutOrder([]byte(tc.order), []byte(tc.products)); err == nil {
			t.Errorf("PutOrder(%s, %s) = nil, want an error", tc.order, tc.products)
		}
	}
}

// An order's shipping addresses outlive a PutOrder of the order (an
// update), and setting none clears them.
func TestPutShippingAddresses_KeptAcrossPutOrderClearedByNone(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	path := "/stores/abc/v2/orders/1/shipping_addresses"
	if err := f.store.PutOrder([]byte(`{"id":1,"date_modified":"2025-07-01T08:30:00Z"}`), nil); err != nil {
		t.Fatal(err)
	}
	if r := f.get(t, path, "good", ""); r.status != 200 || r.body != `[{"id":11},{"id":12}]` {
		t.Errorf("after PutOrder: %d %s, want the two addresses", r.status, r.body)
	}
	if err := f.store.PutShippingAddresses(1, nil); err != nil {
		t.Fatal(err)
	}
	if r := f.get(t, path, "good", ""); r.status != 204 {
		t.Errorf("after clearing: %d %s, want 204", r.status, r.body)
	}
	for _, bad := range []string{`{"id":1}`, `[`} {
		if err := f.store.PutShippingAddresses(1, []byte(bad)); err == nil {
			t.Errorf("PutShippingAddresses(%s) = nil, want an error", bad)
		}
	}
	if err := f.store.PutShippingAddresses(0, []byte(`[]`)); err == nil {
		t.Error("PutShippingAddresses(0) = nil, want an error")
	}
}
