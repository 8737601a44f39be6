package web

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/ordergate/ordergate/internal/erp/callback"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/storefront/bigcommerce"
	"github.com/ordergate/ordergate/internal/storefront/shopify"
	"github.com/ordergate/ordergate/internal/storefront/woocommerce"
)

// Hostile input at every edge: each request below is one a storefront,
// an ERP or an operator would never send, or one an attacker would. Each
// must get a clear 4xx (or the documented 200 for what is authentic but
// not acted on), store nothing it should not, and never crash the
// process (middleware.Recoverer would turn a panic into a 500, which no
// case accepts).

const (
	hostileMaxBody = 64 << 10
	hostileERP     = "erp1"
)

var hostileCallbackSecret = []byte("erp-callback-secret-hostile")

// setupHostile is the edge of edge_setup_test.go with a Shopify, a
// WooCommerce and a BigCommerce storefront that verify their deliveries,
// an ERP callback secret, a 64 KiB body cap and the given limits.
func setupHostile(t *testing.T, limits Limits) *edge {
	t.Helper()
	sfs := []Storefront{
		{Name: shop1, Kind: shopify.Kind, ERP: hostileERP, Secrets: [][]byte{oldSecret, newSecret}},
		{Name: woo1, Kind: woocommerce.Kind, ERP: hostileERP, Secrets: [][]byte{oldSecret}},
		{Name: bc1, Kind: bigcommerce.Kind, ERP: hostileERP, Secrets: [][]byte{oldSecret}},
	}
	e := setupEdge(t, edgeOptions{storefronts: sfs})
	e.srv = New(e.srv.gate, e.store, Config{
		Storefronts: sfs, AdminTokens: []string{edgeAdminToken}, ReadOnlyTokens: []string{edgeReadOnlyToken},
		MaxBodyBytes: hostileMaxBody, ERPCallbacks: map[string][][]byte{hostileERP: {hostileCallbackSecret}},
		Limits: limits, Logger: slog.New(slog.DiscardHandler),
	})
	e.srv.now = e.clock.Now
	old := e.http
	e.http = httptest.NewServer(e.srv.Handler())
	old.Close()
	return e
}

// stored counts what the store holds: orders and jobs of any state.
func (e *edge) stored(t *testing.T) (orders, jobs int) {
	t.Helper()
	list, err := e.store.List(t.Context(), storeFilterAll)
	if err != nil {
		t.Fatal(err)
	}
	js, err := e.store.Jobs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range js {
		jobs += j.Count
	}
	return len(list), jobs
}

// shopifyOrder is a Shopify orders/* body as a map, modelled on Shopify's
// sample, updated at at; edits change it.
func shopifyOrder(id int64, at time.Time, edits ...func(m map[string]any)) map[string]any {
	addr := map[string]any{"first_name": "Ada", "last_name": "Lovelace", "name": "Ada Lovelace", "address1": "12 Harbor Lane",
		"city": "Portland", "province": "Maine", "province_code": "ME", "zip": "04101", "country": "United States", "country_code": "US"}
	m := map[string]any{
		"id": id, "name": "#" + strconv.FormatInt(id%100000, 10), "email": "ada@example.com",
		"created_at": at.Format(time.RFC3339), "updated_at": at.Format(time.RFC3339), "cancelled_at": nil,
		"currency": "USD", "total_price": "25.00",
		"customer":         map[string]any{"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"},
		"billing_address":  addr,
		"shipping_address": addr,
		"line_items": []any{map[string]any{"id": 866550311766439020, "sku": "TSHIRT-M", "title": "T-shirt", "quantity": 2,
			"price": "12.50", "requires_shipping": true}},
	}
	for _, edit := range edits {
		edit(m)
	}
	return m
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// shopifyHeaders signs body as Shopify would for topic, triggered at at.
func shopifyHeaders(topic, event, body string, secret []byte, at time.Time) func(*http.Request) {
	return func(r *http.Request) {
		r.Header = signed(topic, event, []byte(body), secret)
		r.Header.Set(shopify.HeaderTriggeredAt, at.UTC().Format(time.RFC3339Nano))
		r.Header.Set("Content-Type", "application/json")
	}
}

// line sets the body's one line item's field to v.
func line(field string, v any) func(m map[string]any) {
	return func(m map[string]any) { m["line_items"].([]any)[0].(map[string]any)[field] = v }
}

func set(field string, v any) func(m map[string]any) {
	return func(m map[string]any) { m[field] = v }
}

// hostileCase is one request and what it must get.
type hostileCase struct {
	name string
	// path and body of the POST; with sets its headers, given the edge.
	path string
	body string
	with func(e *edge) func(*http.Request)
	// status is the answer wanted; says, if set, a phrase the answer
	// must hold (the clear error).
	status int
	says   string
	// orders is how many orders the store must hold afterwards.
	orders int
	// check, if set, looks further at what was stored.
	check func(t *testing.T, e *edge)
}

// runHostile sends each case, in order, to one edge with the given
// limits, and checks what each added to the store: the cases that store
// use orders of their own.
func runHostile(t *testing.T, limits Limits, cases []hostileCase) {
	t.Helper()
	e := setupHostile(t, limits)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var with func(*http.Request)
			if tc.with != nil {
				with = tc.with(e)
			}
			orders0, jobs0 := e.stored(t)
			r := e.do(t, http.MethodPost, tc.path, tc.body, with)
			if r.status != tc.status {
				t.Fatalf("status %d %s, want %d", r.status, r.body, tc.status)
			}
			if tc.says != "" && !strings.Contains(string(r.body), tc.says) {
				t.Errorf("answer %s does not say %q", r.body, tc.says)
			}
			if r.status == http.StatusServiceUnavailable && r.header.Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
			orders, jobs := e.stored(t)
			if orders-orders0 != tc.orders || (tc.orders == 0 && jobs != jobs0) {
				t.Errorf("the request added %d orders and %d jobs to the store, want %d orders", orders-orders0, jobs-jobs0, tc.orders)
			}
			if tc.check != nil {
				tc.check(t, e)
			}
			// The server still answers: nothing crashed it.
			if r := e.do(t, http.MethodGet, "/healthz", "", nil); r.status != http.StatusOK {
				t.Errorf("healthz after the request: %d", r.status)
			}
		})
	}
}

// nested returns JSON nested depth levels deep inside field of an order.
func nested(depth int) string {
	return strings.Repeat("[", depth) + strings.Repeat("]", depth)
}

func TestHostile_Shopify(t *testing.T) {
	t.Parallel()
	const path = "/webhooks/shopify/" + shop1
	now := time.Now()
	next := int64(820982911946154500)
	var last order.Key // the order of the latest valid() body
	valid := func(edits ...func(m map[string]any)) (string, func(e *edge) func(*http.Request)) {
		next++
		id := next
		last = order.Key{Storefront: shop1, ID: strconv.FormatInt(id, 10)}
		body := mustJSON(t, shopifyOrder(id, now, edits...))
		return body, func(e *edge) func(*http.Request) {
			return shopifyHeaders("orders/create", "evt-"+strconv.FormatInt(id, 10), body, newSecret, e.clock.Now())
		}
	}
	signedRaw := func(topic, body string) func(e *edge) func(*http.Request) {
		return func(e *edge) func(*http.Request) {
			return shopifyHeaders(topic, "evt-raw", body, oldSecret, e.clock.Now())
		}
	}
	type c = hostileCase
	okBody, okWith := valid()
	cases := []c{
		{name: "a valid delivery is stored", path: path, body: okBody, with: okWith, status: 200, orders: 1},
		func() c {
			body := `{"id":1,"note":"` + strings.Repeat("x", hostileMaxBody) + `"}`
			return c{name: "body over the cap", path: path, body: body, with: signedRaw("orders/create", body), status: 413, says: "too large"}
		}(),
		{name: "no signature", path: path, body: okBody, with: func(e *edge) func(*http.Request) {
			return func(r *http.Request) { okWith(e)(r); r.Header.Del(shopify.HeaderHmac) }
		}, status: 401},
		{name: "signature by another secret", path: path, body: okBody, with: func(e *edge) func(*http.Request) {
			return shopifyHeaders("orders/create", "evt-1", okBody, []byte("shpss_someone_else"), e.clock.Now())
		}, status: 401},
		{name: "signature over other bytes", path: path, body: okBody + " ", with: okWith, status: 401},
		{name: "signature not base64", path: path, body: okBody, with: func(e *edge) func(*http.Request) {
			return func(r *http.Request) { okWith(e)(r); r.Header.Set(shopify.HeaderHmac, "%%%not-base64%%%") }
		}, status: 401},
		{name: "empty body", path: path, body: "", with: signedRaw("orders/create", ""), status: 401, says: "empty body"},
		{name: "truncated JSON", path: path, body: okBody[:len(okBody)/2], with: signedRaw("orders/create", okBody[:len(okBody)/2]), status: 400, says: "malformed"},
		{name: "JSON null", path: path, body: "null", with: signedRaw("orders/create", "null"), status: 400, says: "missing order id"},
		{name: "JSON array", path: path, body: "[1,2]", with: signedRaw("orders/create", "[1,2]"), status: 400, says: "malformed"},
		func() c {
			body := nested(30000)
			return c{name: "deeply nested JSON", path: path, body: body, with: signedRaw("orders/create", body), status: 400, says: "malformed"}
		}(),
		func() c {
			body := `{"note_attributes":` + nested(20000) + `,` + okBody[1:]
			return c{name: "deeply nested field", path: path, body: body, with: signedRaw("orders/create", body), status: 400, says: "malformed"}
		}(),
		func() c {
			body, with := valid(set("id", "not-a-number"))
			return c{name: "order id not a number", path: path, body: body, with: with, status: 400, says: "malformed"}
		}(),
		func() c {
			body, with := valid(set("id", -5))
			return c{name: "negative order id", path: path, body: body, with: with, status: 400, says: "malformed"}
		}(),
		func() c {
			body, with := valid(line("quantity", 1_000_000_000_000))
			return c{name: "huge quantity", path: path, body: body, with: with, status: 400, says: "is over 10000000"}
		}(),
		func() c {
			body, with := valid(line("quantity", json.Number("1e30")))
			return c{name: "quantity past int", path: path, body: body, with: with, status: 400, says: "malformed"}
		}(),
		func() c {
			body, with := valid(line("quantity", -3))
			return c{name: "negative quantity", path: path, body: body, with: with, status: 400, says: "negative quantity"}
		}(),
		func() c {
			body, with := valid(line("price", "-12.50"))
			return c{name: "negative price", path: path, body: body, with: with, status: 400, says: "negative price"}
		}(),
		func() c {
			body, with := valid(set("total_price", "-25.00"))
			return c{name: "negative total", path: path, body: body, with: with, status: 400, says: "negative total"}
		}(),
		func() c {
			body, with := valid(line("price", "1"+strings.Repeat("0", 60)))
			return c{name: "huge price", path: path, body: body, with: with, status: 400, says: "not a decimal"}
		}(),
		func() c {
			body, with := valid(line("price", "1e999999999"))
			return c{name: "price with an exponent", path: path, body: body, with: with, status: 400, says: "not a decimal"}
		}(),
		func() c {
			body, with := valid(set("line_items", []any{
				map[string]any{"id": 7, "sku": "A", "quantity": 1, "price": "1.00"},
				map[string]any{"id": 7, "sku": "B", "quantity": 1, "price": "2.00"},
			}))
			return c{name: "duplicate line ids", path: path, body: body, with: with, status: 400, says: "the same line id 7"}
		}(),
		func() c {
			body, with := valid(
				set("name", "#1042\x00\u202e"), set("email", "zoe@example.com\x07"),
				set("customer", map[string]any{"first_name": "Zoë\x00", "last_name": "山田\r\nBcc: x@evil.example", "email": "zoe@example.com\x07"}),
				line("title", "Mug \U0001F680\x1b[31m"), line("sku", "MUG\x00-1"),
			)
			key := last
			return c{name: "unicode and control characters in names", path: path, body: body, with: with, status: 200, orders: 1,
				check: func(t *testing.T, e *edge) {
					o := e.get(t, key)
					for _, s := range []string{o.Name, o.Customer.Name, o.Customer.Email, o.Lines[0].Title, o.Lines[0].SKU} {
						if strings.IndexFunc(s, unicode.IsControl) >= 0 {
							t.Errorf("stored text %q holds a control character", s)
						}
					}
					if o.Customer.Name != "Zoë  山田  Bcc: x@evil.example" || o.Lines[0].Title != "Mug \U0001F680 [31m" || o.Customer.Email != "zoe@example.com" {
						t.Errorf("stored customer %q <%s>, line %q: want the letters kept and the controls made spaces", o.Customer.Name, o.Customer.Email, o.Lines[0].Title)
					}
				}}
		}(),
		func() c {
			body, with := valid(set("email", nil), set("customer", nil), set("shipping_address", nil), set("billing_address", nil))
			key := last
			return c{name: "missing email and addresses", path: path, body: body, with: with, status: 200, orders: 1,
				check: func(t *testing.T, e *edge) {
					o := e.get(t, key)
					if !strings.Contains(o.Attention, "no customer e-mail") || !strings.Contains(o.Attention, "shipping address") {
						t.Errorf("attention %q, want it to name the missing e-mail and address", o.Attention)
					}
				}}
		}(),
		{name: "unknown topic", path: path, body: okBody, with: func(e *edge) func(*http.Request) {
			return shopifyHeaders("orders/paid", "evt-1", okBody, newSecret, e.clock.Now())
		}, status: 200, says: "ignored"},
		{name: "topic header missing", path: path, body: okBody, with: func(e *edge) func(*http.Request) {
			return func(r *http.Request) { okWith(e)(r); r.Header.Del(shopify.HeaderTopic) }
		}, status: 400, says: "X-Shopify-Topic"},
		{name: "content type text", path: path, body: okBody, with: func(e *edge) func(*http.Request) {
			return func(r *http.Request) { okWith(e)(r); r.Header.Set("Content-Type", "text/plain") }
		}, status: 415, says: "application/json"},
		{name: "content type form", path: path, body: okBody, with: func(e *edge) func(*http.Request) {
			return func(r *http.Request) { okWith(e)(r); r.Header.Set("Content-Type", "application/x-www-form-urlencoded") }
		}, status: 415},
		func() c {
			body, with := valid()
			return c{name: "content type with charset", path: path, body: body, with: func(e *edge) func(*http.Request) {
				return func(r *http.Request) { with(e)(r); r.Header.Set("Content-Type", "application/json; charset=utf-8") }
			}, status: 200, orders: 1}
		}(),
		{name: "unknown storefront", path: "/webhooks/shopify/nope", body: okBody, with: okWith, status: 404},
		{name: "storefront of another kind", path: "/webhooks/shopify/" + woo1, body: okBody, with: okWith, status: 404},
		{name: "a create replayed as a cancel", path: path, body: okBody, with: func(e *edge) func(*http.Request) {
			return shopifyHeaders("orders/cancelled", "evt-forged", okBody, newSecret, e.clock.Now())
		}, status: 400, says: "no cancelled_at"},
	}
	runHostile(t, Limits{MaxEventAge: 72 * time.Hour}, cases)
}

// get returns the stored order.
func (e *edge) get(t *testing.T, key order.Key) *order.Order {
	t.Helper()
	o, err := e.store.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	return o
}

// A valid signature over an old event: an exact repeat is a duplicate
// whatever its age; an authentic old body under fresh headers (which are
// not signed) is refused by the replay window, as is a delivery whose
// trigger time is past it. With the window off, the old body is taken.
func TestHostile_ShopifyReplayedOldEvent(t *testing.T) {
	t.Parallel()
	const path = "/webhooks/shopify/" + shop1
	now := time.Now()
	old := now.Add(-30 * 24 * time.Hour)
	oldBody := mustJSON(t, shopifyOrder(4242, old))
	freshBody := mustJSON(t, shopifyOrder(4243, now))
	type c = hostileCase
	runHostile(t, Limits{MaxEventAge: 72 * time.Hour}, []c{
		{name: "old body under new headers", path: path, body: oldBody, with: func(e *edge) func(*http.Request) {
			return shopifyHeaders("orders/create", "evt-new", oldBody, newSecret, e.clock.Now())
		}, status: 400, says: "replay window"},
		{name: "fresh body, old trigger time", path: path, body: freshBody, with: func(e *edge) func(*http.Request) {
			return shopifyHeaders("orders/create", "evt-old", freshBody, newSecret, old)
		}, status: 400, says: "replay window"},
		{name: "just inside the window", path: path, body: mustJSON(t, shopifyOrder(4244, now.Add(-71*time.Hour))), with: func(e *edge) func(*http.Request) {
			body := mustJSON(t, shopifyOrder(4244, now.Add(-71*time.Hour)))
			return shopifyHeaders("orders/updated", "evt-late", body, newSecret, now.Add(-71*time.Hour))
		}, status: 200, orders: 1},
	})
	runHostile(t, Limits{}, []c{
		{name: "window off", path: path, body: oldBody, with: func(e *edge) func(*http.Request) {
			return shopifyHeaders("orders/create", "evt-new", oldBody, newSecret, old)
		}, status: 200, orders: 1},
	})

	t.Run("exact repeat is a duplicate", func(t *testing.T) {
		t.Parallel()
		e := setupHostile(t, Limits{MaxEventAge: 72 * time.Hour})
		with := shopifyHeaders("orders/create", "evt-1", freshBody, newSecret, now)
		for i, want := range []string{"stored", "duplicate", "duplicate"} {
			r := e.do(t, http.MethodPost, path, freshBody, with)
			if r.status != http.StatusOK || r.field(t, "status") != want {
				t.Fatalf("delivery %d: %d %s, want 200 %s", i+1, r.status, r.body, want)
			}
		}
		if orders, _ := e.stored(t); orders != 1 {
			t.Errorf("store holds %d orders, want 1", orders)
		}
	})
}

// wooOrder is a WooCommerce REST v3 order body modified at at.
func wooOrder(id int, status string, at time.Time) map[string]any {
	gmt := at.UTC().Format("2006-01-02T15:04:05")
	addr := map[string]any{"first_name": "Ada", "last_name": "Lovelace", "address_1": "12 Harbor Lane", "city": "Portland",
		"state": "ME", "postcode": "04101", "country": "US", "email": "ada@example.com"}
	return map[string]any{
		"id": id, "number": strconv.Itoa(id), "status": status, "currency": "USD",
		"date_created_gmt": gmt, "date_modified_gmt": gmt, "total": "25.00",
		"billing": addr, "shipping": addr, "shipping_lines": []any{map[string]any{"id": 1}},
		"line_items": []any{map[string]any{"id": 315, "sku": "TSHIRT-M", "name": "T-shirt", "quantity": 2, "price": 12.5, "total": "25.00"}},
	}
}

func wooHeaders(topic, body string, secret []byte) func(*http.Request) {
	return func(r *http.Request) {
		resource, event, _ := strings.Cut(topic, ".")
		r.Header.Set(woocommerce.HeaderSource, "https://shop.example/")
		r.Header.Set(woocommerce.HeaderTopic, topic)
		r.Header.Set(woocommerce.HeaderResource, resource)
		r.Header.Set(woocommerce.HeaderEvent, event)
		r.Header.Set(woocommerce.HeaderID, "12")
		r.Header.Set(woocommerce.HeaderDeliveryID, "d41d8cd98f00b204e9800998ecf8427e")
		r.Header.Set(woocommerce.HeaderSignature, woocommerce.Sign([]byte(body), secret))
		r.Header.Set("Content-Type", "application/json")
	}
}

func TestHostile_WooCommerce(t *testing.T) {
	t.Parallel()
	const path = "/webhooks/woocommerce/" + woo1
	now := time.Now()
	body := mustJSON(t, wooOrder(727, "processing", now))
	ok := func(*edge) func(*http.Request) { return wooHeaders("order.created", body, oldSecret) }
	oldBody := mustJSON(t, wooOrder(728, "processing", now.Add(-30*24*time.Hour)))
	ctl := wooOrder(729, "processing", now)
	ctl["billing"].(map[string]any)["first_name"] = "Ada\x00\x1f"
	ctlBody := mustJSON(t, ctl)
	dup := wooOrder(730, "processing", now)
	dup["line_items"] = []any{map[string]any{"id": 1, "quantity": 1, "price": 1}, map[string]any{"id": 1, "quantity": 2, "price": 1}}
	dupBody := mustJSON(t, dup)
	type c = hostileCase
	runHostile(t, Limits{MaxEventAge: 72 * time.Hour}, []c{
		{name: "a valid delivery is stored", path: path, body: body, with: ok, status: 200, orders: 1},
		{name: "the ping stores nothing", path: path, body: "webhook_id=12", with: func(*edge) func(*http.Request) {
			return func(r *http.Request) { r.Header.Set("Content-Type", "application/x-www-form-urlencoded") }
		}, status: 200, says: "ping"},
		{name: "no signature", path: path, body: body, with: func(e *edge) func(*http.Request) {
			return func(r *http.Request) { ok(e)(r); r.Header.Del(woocommerce.HeaderSignature) }
		}, status: 401},
		{name: "wrong signature", path: path, body: body, with: func(*edge) func(*http.Request) {
			return wooHeaders("order.created", body, []byte("wrong"))
		}, status: 401},
		{name: "malformed JSON", path: path, body: `{"id":`, with: func(*edge) func(*http.Request) {
			return wooHeaders("order.created", `{"id":`, oldSecret)
		}, status: 400, says: "malformed"},
		{name: "duplicate line ids", path: path, body: dupBody, with: func(*edge) func(*http.Request) {
			return wooHeaders("order.created", dupBody, oldSecret)
		}, status: 400, says: "the same line id 1"},
		{name: "control characters", path: path, body: ctlBody, with: func(*edge) func(*http.Request) {
			return wooHeaders("order.created", ctlBody, oldSecret)
		}, status: 200, orders: 1, check: func(t *testing.T, e *edge) {
			if got := e.get(t, order.Key{Storefront: woo1, ID: "729"}).Customer.Name; strings.IndexFunc(got, unicode.IsControl) >= 0 || got != "Ada   Lovelace" {
				t.Errorf("customer name %q holds a control character", got)
			}
		}},
		{name: "unknown topic", path: path, body: body, with: func(*edge) func(*http.Request) {
			return wooHeaders("product.created", body, oldSecret)
		}, status: 200, says: "ignored"},
		{name: "old event", path: path, body: oldBody, with: func(*edge) func(*http.Request) {
			return wooHeaders("order.updated", oldBody, oldSecret)
		}, status: 400, says: "replay window"},
		{name: "a live order's body replayed as order.deleted", path: path, body: body, with: func(*edge) func(*http.Request) {
			return wooHeaders("order.deleted", body, oldSecret)
		}, status: 400, says: "carries only the id"},
		{name: "content type text", path: path, body: body, with: func(e *edge) func(*http.Request) {
			return func(r *http.Request) { ok(e)(r); r.Header.Set("Content-Type", "text/plain") }
		}, status: 415},
	})
}

// bcHook is a BigCommerce order callback body created at at.
func bcHook(scope string, id int, at time.Time) string {
	return fmt.Sprintf(`{"scope":%q,"store_id":"1025646","data":{"type":"order","id":%d},"hash":"h-%d-%d","created_at":%d,"producer":"stores/abc123"}`,
		scope, id, id, at.Unix(), at.Unix())
}

func bcHeaders(token string) func(*edge) func(*http.Request) {
	return func(*edge) func(*http.Request) {
		return func(r *http.Request) {
			if token != "" {
				r.Header.Set(bigcommerce.DefaultHeader, token)
			}
			r.Header.Set("Content-Type", "application/json")
		}
	}
}

func TestHostile_BigCommerce(t *testing.T) {
	t.Parallel()
	const path = "/webhooks/bigcommerce/" + bc1
	now := time.Now()
	body := bcHook(bigcommerce.ScopeOrderCreated, 218, now)
	ok := bcHeaders(string(oldSecret))
	type c = hostileCase
	runHostile(t, Limits{MaxEventAge: 72 * time.Hour}, []c{
		{name: "no token", path: path, body: body, with: bcHeaders(""), status: 401},
		{name: "wrong token", path: path, body: body, with: bcHeaders("guess"), status: 401},
		{name: "malformed JSON", path: path, body: `{"scope":`, with: ok, status: 400, says: "malformed"},
		{name: "deeply nested JSON", path: path, body: nested(30000), with: ok, status: 400, says: "malformed"},
		{name: "no order id", path: path, body: `{"scope":"store/order/created","hash":"x","data":{"type":"order"}}`, with: ok, status: 400, says: "missing data.id"},
		{name: "unknown scope", path: path, body: bcHook("store/product/created", 218, now), with: ok, status: 200, says: "ignored"},
		{name: "old callback", path: path, body: bcHook(bigcommerce.ScopeOrderCreated, 219, now.Add(-30*24*time.Hour)), with: ok, status: 400, says: "replay window"},
		{name: "body over the cap", path: path, body: `{"scope":"` + strings.Repeat("x", hostileMaxBody) + `"}`, with: ok, status: 413},
	})
}

// signedCallback signs body as the ERP would, at at.
func signedCallback(body string, at time.Time, secret []byte) func(*edge) func(*http.Request) {
	return func(*edge) func(*http.Request) {
		return func(r *http.Request) {
			r.Header.Set(callback.HeaderTimestamp, strconv.FormatInt(at.Unix(), 10))
			r.Header.Set(callback.HeaderSignature, callback.Sign(secret, at, []byte(body)))
			r.Header.Set("Content-Type", "application/json")
		}
	}
}

func TestHostile_ERPCallback(t *testing.T) {
	t.Parallel()
	const path = "/erp/" + hostileERP + "/ack"
	now := time.Now()
	receipt := `{"ref":"SO-1","external_id":"shop1/1","status":"acknowledged","lines":[{"sku":"A","ordered":1,"validated":1}]}`
	type c = hostileCase
	runHostile(t, Limits{}, []c{
		{name: "no callbacks for that erp", path: "/erp/other/ack", body: receipt, with: signedCallback(receipt, now, hostileCallbackSecret), status: 404},
		{name: "no signature", path: path, body: receipt, status: 401},
		{name: "wrong secret", path: path, body: receipt, with: signedCallback(receipt, now, []byte("guess")), status: 401},
		{name: "a signed callback replayed an hour later", path: path, body: receipt, with: signedCallback(receipt, now.Add(-time.Hour), hostileCallbackSecret), status: 401},
		{name: "malformed JSON", path: path, body: `{"ref":`, with: signedCallback(`{"ref":`, now, hostileCallbackSecret), status: 400, says: "malformed receipt"},
		{name: "deeply nested JSON", path: path, body: nested(30000), with: signedCallback(nested(30000), now, hostileCallbackSecret), status: 400, says: "malformed receipt"},
		{name: "unknown status", path: path, body: `{"external_id":"shop1/1","status":"shipped"}`,
			with: signedCallback(`{"external_id":"shop1/1","status":"shipped"}`, now, hostileCallbackSecret), status: 400, says: "status"},
		{name: "unknown order", path: path, body: receipt, with: signedCallback(receipt, now, hostileCallbackSecret), status: 404},
		{name: "body over the cap", path: path, body: strings.Repeat(" ", hostileMaxBody+1), with: signedCallback("", now, hostileCallbackSecret), status: 413},
		{name: "content type text", path: path, body: receipt, with: func(e *edge) func(*http.Request) {
			return func(r *http.Request) {
				signedCallback(receipt, now, hostileCallbackSecret)(e)(r)
				r.Header.Set("Content-Type", "text/plain")
			}
		}, status: 415},
	})
}

// The admin API and the dashboard's sign-in: what an operator's action
// may say is bounded, and nothing unauthenticated gets through.
func TestHostile_APIAndLogin(t *testing.T) {
	t.Parallel()
	e := setupHostile(t, Limits{})
	key := e.seed(t, order.Order{Key: order.Key{Storefront: shop1, ID: "1001"}}, e.clock.Now())
	before := e.snapshot(t, key)
	act := "/api/v1/orders/" + shop1 + "/1001/cancel"
	tests := []struct {
		name   string
		path   string
		body   string
		with   func(*http.Request)
		status int
	}{
		{"no token", act, `{}`, nil, 401},
		{"wrong token", act, `{}`, bearer("og-admin-guess"), 401},
		{"read-only token", act, `{}`, bearer(edgeReadOnlyToken), 403},
		{"body over the cap", act, `{"reason":"` + strings.Repeat("x", hostileMaxBody) + `"}`, bearer(edgeAdminToken), 413},
		{"deeply nested body", act, nested(30000), bearer(edgeAdminToken), 400},
		{"unknown field", act, `{"reason":"x","force":true}`, bearer(edgeAdminToken), 400},
		{"control characters in the reason", act, `{"reason":"a\u0000b"}`, bearer(edgeAdminToken), 400},
		{"reason too long", act, `{"reason":"` + strings.Repeat("é", 501) + `"}`, bearer(edgeAdminToken), 400},
		{"actor with control characters", act, `{}`, func(r *http.Request) { bearer(edgeAdminToken)(r); r.Header.Set(HeaderActor, "eve\u200b") }, 400},
		{"unknown action", "/api/v1/orders/" + shop1 + "/1001/explode", `{}`, bearer(edgeAdminToken), 400},
		{"unknown order", "/api/v1/orders/" + shop1 + "/9999/cancel", `{}`, bearer(edgeAdminToken), 404},
	}
	for _, tt := range tests {
		r := e.do(t, http.MethodPost, tt.path, tt.body, tt.with)
		if r.status != tt.status {
			t.Errorf("%s: %d %s, want %d", tt.name, r.status, r.body, tt.status)
		}
	}
	if got := e.snapshot(t, key); got != before {
		t.Errorf("order after refused actions %+v, want unchanged %+v", got, before)
	}

	form := func(v string) func(*http.Request) {
		return func(r *http.Request) {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Origin", e.http.URL)
			r.Header.Set("Sec-Fetch-Site", "same-origin")
		}
	}
	logins := []struct {
		name   string
		body   string
		status int
	}{
		{"form over the cap", "token=" + strings.Repeat("x", 32<<10), 400},
		{"name with control characters", "token=" + edgeAdminToken + "&name=eve%00", 400},
		{"wrong token", "token=og-admin-guess", 401},
		{"token with control characters", "token=%00%0a" + edgeAdminToken + "x", 401},
	}
	for _, tt := range logins {
		r := e.do(t, http.MethodPost, "/login", tt.body, form(tt.body))
		if r.status != tt.status {
			t.Errorf("login, %s: %d, want %d", tt.name, r.status, tt.status)
		}
		if strings.Contains(r.header.Get("Set-Cookie"), cookieName+"=") && !strings.Contains(r.header.Get("Set-Cookie"), cookieName+"=;") {
			t.Errorf("login, %s: a session cookie was set", tt.name)
		}
	}
	// Guessing is bounded: past the failures allowed, even the right
	// token is refused from that address for a while.
	for range loginFailures {
		e.do(t, http.MethodPost, "/login", "token=og-admin-guess", form(""))
	}
	if r := e.do(t, http.MethodPost, "/login", "token="+edgeAdminToken, form("")); r.status != http.StatusTooManyRequests {
		t.Errorf("sign-in after %d failures: %d, want 429", loginFailures, r.status)
	}
}

var storeFilterAll = store.Filter{Limit: 1000}
