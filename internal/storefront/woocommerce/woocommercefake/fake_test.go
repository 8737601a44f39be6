package woocommercefake_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/storefront/woocommerce/woocommercefake"
)

// What PHP's json_encode writes with no options, for values whose output
// PHP's documentation and implementation fix: "/" escaped, non-ASCII as
// lower-case \u escapes with surrogate pairs, HTML characters left alone.
func TestPHPJSON_WritesWhatPHPWrites(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   any
		want string
	}{
		{"a/b", `"a\/b"`},
		{"é", `"\u00e9"`},
		{"😀", `"\ud83d\ude00"`},
		{`<>&'"\`, `"<>&'\"\\"`},
		{"\u2028\u00a0", `"\u2028\u00a0"`},
		{"\x01\x1f\b\f\n\r\t\x7f", `"\u0001\u001f\b\f\n\r\t` + "\x7f" + `"`},
		{[]any{}, `[]`},
		{map[string]any{}, `{}`},
		{[]any{1, json.Number("3.0"), true, nil, "x"}, `[1,3.0,true,null,"x"]`},
		{struct {
			Z string `json:"z"`
			A []int  `json:"a"`
		}{"https://example.com/", []int{1, 2}}, `{"z":"https:\/\/example.com\/","a":[1,2]}`},
	}
	for _, tc := range tests {
		got, err := woocommercefake.PHPJSON(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("PHPJSON(%#v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestRecode_KeepsMemberOrderAndNumberText(t *testing.T) {
	t.Parallel()
	got, err := woocommercefake.Recode([]byte(` { "z" : 1.50 , "a" : [ 1e3 , "\u00e9\/" ] , "m": {} } `))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"z":1.50,"a":[1e3,"\u00e9\/"],"m":{}}`; string(got) != want {
		t.Errorf("Recode = %s, want %s", got, want)
	}
	for _, bad := range []string{`{"a":1}{"b":2}`, `{"a":`, `[1,2`, `nul`} {
		if _, err := woocommercefake.Recode([]byte(bad)); err == nil {
			t.Errorf("Recode(%s) accepted", bad)
		}
	}
}

func fixture(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/rest-v3-order-retrieve-727.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The fake writes the documented order back member for member, on a site
// three hours behind GMT, as the documented example's dates are.
func TestShop_WritesTheDocumentedOrder(t *testing.T) {
	t.Parallel()
	o, err := woocommercefake.LoadOrder(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	shop := woocommercefake.New(woocommercefake.Config{Location: time.FixedZone("", -3*3600)})
	shop.Put(o)
	got, err := shop.JSON(727)
	if err != nil {
		t.Fatal(err)
	}
	want, err := woocommercefake.Recode(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("the fake's order differs from the documented one:\n got %s\nwant %s", got, want)
	}
	if !bytes.Contains(got, []byte(`"price":3}`)) || !bytes.Contains(got, []byte(`https:\/\/example.com\/wp-json\/wc\/v3\/orders\/727`)) {
		t.Errorf("body %s", got)
	}
}

type server struct {
	shop *woocommercefake.Shop
	srv  *httptest.Server
}

func serve(t *testing.T, cfg woocommercefake.Config, tls bool) server {
	t.Helper()
	shop := woocommercefake.New(cfg)
	var srv *httptest.Server
	if tls {
		srv = httptest.NewTLSServer(shop)
	} else {
		srv = httptest.NewServer(shop)
	}
	t.Cleanup(srv.Close)
	return server{shop, srv}
}

type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (s server) get(t *testing.T, path, key, secret string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.SetBasicAuth(key, secret)
	}
	resp, err := s.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := reply{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	_ = json.Unmarshal(b, &r.body)
	return r
}

func TestShop_AuthAsWooCommerceDoesIt(t *testing.T) {
	t.Parallel()
	cfg := woocommercefake.Config{ConsumerKey: "ck_a", ConsumerSecret: "cs_a"}
	tests := []struct {
		name        string
		cfg         func(*woocommercefake.Config)
		tls         bool
		path        string
		key, secret string
		status      int
		code, msg   string
		basicRealm  bool
	}{
		{"right key over tls", nil, true, "/wp-json/wc/v3/orders", "ck_a", "cs_a", 200, "", "", false},
		{"key in the query over tls", nil, true, "/wp-json/wc/v3/orders?consumer_key=ck_a&consumer_secret=cs_a", "", "", 200, "", "", false},
		{"right key over plain http", nil, false, "/wp-json/wc/v3/orders", "ck_a", "cs_a", 401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.", false},
		{"wrong secret", nil, true, "/wp-json/wc/v3/orders", "ck_a", "cs_b", 401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.", true},
		{"unknown key", nil, true, "/wp-json/wc/v3/orders", "ck_b", "cs_a", 401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.", false},
		{"no key, one order", nil, true, "/wp-json/wc/v3/orders/1", "", "", 401, "woocommerce_rest_cannot_view", "Sorry, you cannot view this resource.", false},
		{"write-only key", func(c *woocommercefake.Config) { c.Permissions = "write" }, true, "/wp-json/wc/v3/orders", "ck_a", "cs_a", 401, "woocommerce_rest_authentication_error", "The API key provided does not have read permissions.", false},
		{"read_write key", func(c *woocommercefake.Config) { c.Permissions = "read_write" }, true, "/wp-json/wc/v3/orders", "ck_a", "cs_a", 200, "", "", false},
		{"no route", nil, true, "/wp-json/wc/v3/nothing", "ck_a", "cs_a", 404, "rest_no_route", "No route was found matching the URL and request method.", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := cfg
			if tc.cfg != nil {
				tc.cfg(&c)
			}
			r := serve(t, c, tc.tls).get(t, tc.path, tc.key, tc.secret)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if tc.code != "" && (r.body["code"] != tc.code || r.body["message"] != tc.msg) {
				t.Errorf("body %s", r.raw)
			}
			if got := strings.HasPrefix(r.header.Get("WWW-Authenticate"), `Basic realm="WooCommerce API.`); got != tc.basicRealm {
				t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
			}
		})
	}
}

func TestShop_PagesWithWordPressHeaders(t *testing.T) {
	t.Parallel()
	s := serve(t, woocommercefake.Config{ConsumerKey: "ck_a", ConsumerSecret: "cs_a"}, true)
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 25 {
		s.shop.Put(woocommercefake.Order{ID: int64(100 + i), DateCreated: start, DateModified: start.Add(time.Duration(25-i) * time.Minute)})
	}
	r := s.get(t, "/wp-json/wc/v3/orders?per_page=10&page=2&orderby=modified&order=asc", "ck_a", "cs_a")
	var rows []struct{ ID int }
	if err := json.Unmarshal([]byte(r.raw), &rows); err != nil {
		t.Fatal(err)
	}
	var ids []int
	for _, row := range rows {
		ids = append(ids, row.ID)
	}
	if diff := cmp.Diff([]int{114, 113, 112, 111, 110, 109, 108, 107, 106, 105}, ids); diff != "" {
		t.Errorf("page 2 by modified, ascending (-want +got):\n%s", diff)
	}
	if r.header.Get("X-WP-Total") != "25" || r.header.Get("X-WP-TotalPages") != "3" {
		t.Errorf("totals %s, %s", r.header.Get("X-WP-Total"), r.header.Get("X-WP-TotalPages"))
	}
	link := r.header.Get("Link")
	if !strings.Contains(link, `page=1&per_page=10>; rel="prev"`) || !strings.Contains(link, `page=3&per_page=10>; rel="next"`) {
		t.Errorf("Link %s", link)
	}
	// Past the end: an empty array, the totals still given.
	r = s.get(t, "/wp-json/wc/v3/orders?per_page=10&page=9", "ck_a", "cs_a")
	if r.status != 200 || r.raw != "[]" || r.header.Get("X-WP-Total") != "25" {
		t.Errorf("page 9: %d %s %s", r.status, r.raw, r.header.Get("X-WP-Total"))
	}
	// The default is ten a page, newest first by creation date then id.
	r = s.get(t, "/wp-json/wc/v3/orders", "ck_a", "cs_a")
	if err := json.Unmarshal([]byte(r.raw), &rows); err != nil || len(rows) != 10 || rows[0].ID != 124 {
		t.Errorf("default page: %v %s", err, r.raw)
	}
}

func TestShop_RefusesBadParametersAsWordPressDoes(t *testing.T) {
	t.Parallel()
	s := serve(t, woocommercefake.Config{ConsumerKey: "ck_a", ConsumerSecret: "cs_a"}, true)
	for q, param := range map[string]string{
		"per_page=101":                "per_page",
		"per_page=0":                  "per_page",
		"page=0":                      "page",
		"page=x":                      "page",
		"orderby=updated":             "orderby",
		"order=up":                    "order",
		"dates_are_gmt=maybe":         "dates_are_gmt",
		"modified_after=yesterday":    "modified_after",
		"modified_after=2025-01-01":   "modified_after",
		"modified_after=2025-01-01T1": "modified_after",
	} {
		r := s.get(t, "/wp-json/wc/v3/orders?"+q, "ck_a", "cs_a")
		params, _ := r.body["data"].(map[string]any)["params"].(map[string]any)
		if r.status != 400 || r.body["code"] != "rest_invalid_param" || params[param] == nil {
			t.Errorf("%s: %d %s", q, r.status, r.raw)
		}
	}
}

// modified_after is exclusive and to the second; without dates_are_gmt it
// is compared with the site-time column.
func TestShop_ModifiedAfterAsWordPressCompares(t *testing.T) {
	t.Parallel()
	s := serve(t, woocommercefake.Config{ConsumerKey: "ck_a", ConsumerSecret: "cs_a", Location: time.FixedZone("", 2*3600)}, true)
	at := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC) // 12:00:00 site time
	s.shop.Put(woocommercefake.Order{ID: 1, DateModified: at})
	for q, want := range map[string]string{
		"dates_are_gmt=true&modified_after=2025-01-01T09:59:59":         "1",
		"dates_are_gmt=true&modified_after=2025-01-01T10:00:00":         "0", // exclusive
		"dates_are_gmt=true&modified_after=2025-01-01T09:59:59.999":     "1", // the fraction is dropped
		"modified_after=2025-01-01T11:59:59":                            "1", // site time
		"modified_after=2025-01-01T12:00:00":                            "0",
		"dates_are_gmt=true&modified_after=2025-01-01T09:59:59%2B00:00": "0", // 11:59:59 site time vs 10:00:00 GMT
	} {
		r := s.get(t, "/wp-json/wc/v3/orders?"+q, "ck_a", "cs_a")
		if r.header.Get("X-WP-Total") != want {
			t.Errorf("%s: %s orders, want %s", q, r.header.Get("X-WP-Total"), want)
		}
	}
}

func TestShop_ThrottlesAndMaintenance(t *testing.T) {
	t.Parallel()
	s := serve(t, woocommercefake.Config{ConsumerKey: "ck_a", ConsumerSecret: "cs_a"}, true)
	s.shop.Throttle(http.StatusTooManyRequests, "7")
	s.shop.Maintenance()
	r := s.get(t, "/wp-json/wc/v3/orders", "ck_a", "cs_a")
	if r.status != 429 || r.header.Get("Retry-After") != "7" {
		t.Errorf("first: %d %q", r.status, r.header.Get("Retry-After"))
	}
	r = s.get(t, "/wp-json/wc/v3/orders", "ck_a", "cs_a")
	if r.status != 503 || r.header.Get("Retry-After") != "600" || !strings.Contains(r.raw, "Briefly unavailable for scheduled maintenance") {
		t.Errorf("second: %d %q %s", r.status, r.header.Get("Retry-After"), r.raw)
	}
	if r = s.get(t, "/wp-json/wc/v3/orders", "ck_a", "cs_a"); r.status != 200 {
		t.Errorf("third: %d", r.status)
	}
	if got := len(s.shop.Requests()); got != 3 {
		t.Errorf("%d requests logged", got)
	}
}

func TestShop_DeliveryAndPingAsWooCommerceSendsThem(t *testing.T) {
	t.Parallel()
	o, err := woocommercefake.LoadOrder(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	shop := woocommercefake.New(woocommercefake.Config{HomeURL: "https://shop.example/"})
	shop.Put(o)
	h := woocommercefake.Webhook{ID: 12, Topic: "order.updated", Secret: "s"}
	d, err := shop.Delivery(h, 727)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Content-Type":          "application/json",
		"User-Agent":            woocommercefake.UserAgent,
		"X-Wc-Webhook-Source":   "https://shop.example/",
		"X-Wc-Webhook-Topic":    "order.updated",
		"X-Wc-Webhook-Resource": "order",
		"X-Wc-Webhook-Event":    "updated",
		"X-Wc-Webhook-Id":       "12",
	}
	for k, v := range want {
		if got := d.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if len(d.Header.Get("X-WC-Webhook-Signature")) != 44 || len(d.Header.Get("X-WC-Webhook-Delivery-ID")) != 32 {
		t.Errorf("signature %q, delivery id %q", d.Header.Get("X-WC-Webhook-Signature"), d.Header.Get("X-WC-Webhook-Delivery-ID"))
	}
	body, err := shop.JSON(727)
	if err != nil || !bytes.Equal(body, d.Body) {
		t.Errorf("the body is not the REST order: %v", err)
	}
	req := d.Request("https://gateway.example/webhooks/woocommerce/woo1")
	if b, _ := io.ReadAll(req.Body); req.Method != http.MethodPost || !bytes.Equal(b, d.Body) || !reflect.DeepEqual(req.Header, d.Header) {
		t.Errorf("request %s %v", req.Method, req.Header)
	}

	p := woocommercefake.Ping(h)
	if string(p.Body) != "webhook_id=12" || p.Header.Get("X-WC-Webhook-Signature") != "" {
		t.Errorf("ping %s %v", p.Body, p.Header)
	}
	if _, err := shop.Delivery(woocommercefake.Webhook{ID: 1, Topic: "order"}, 727); err == nil {
		t.Error("a topic without an event was accepted")
	}
	if _, err := shop.Delivery(h, 999); err == nil {
		t.Error("a delivery of an unknown order was made")
	}
}

func FuzzRecode(f *testing.F) {
	f.Add(fixtureF(f))
	f.Add([]byte(`{"a":"\u00e9\/\ud83d\ude00","b":[1.0,-2e-3,null,true,{}],"c":"<&>"}`))
	f.Add([]byte(`"\udc00"`))
	f.Fuzz(func(t *testing.T, in []byte) {
		var want any
		if err := unmarshalNumbers(in, &want); err != nil {
			return
		}
		out, err := woocommercefake.Recode(in)
		if err != nil {
			return // trailing data after the value
		}
		for _, c := range out {
			if c >= 0x80 {
				t.Fatalf("non-ASCII byte in %q", out)
			}
		}
		for i, c := range out {
			if c != '/' {
				continue
			}
			n := 0 // backslashes just before the slash
			for j := i - 1; j >= 0 && out[j] == '\\'; j-- {
				n++
			}
			if n%2 == 0 {
				t.Fatalf("unescaped slash at %d in %s", i, out)
			}
		}
		var got any
		if err := unmarshalNumbers(out, &got); err != nil {
			t.Fatalf("Recode wrote invalid JSON %s: %v", out, err)
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("Recode changed the value:\n%#v\n%#v", want, got)
		}
	})
}

func fixtureF(f *testing.F) []byte {
	b, err := os.ReadFile("../testdata/rest-v3-order-retrieve-727.json")
	if err != nil {
		f.Fatal(err)
	}
	return b
}

func unmarshalNumbers(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return io.ErrUnexpectedEOF
	}
	return nil
}
