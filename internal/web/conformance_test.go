package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/storefront/bigcommerce"
	"github.com/ordergate/ordergate/internal/storefront/shopify"
	"github.com/ordergate/ordergate/internal/storefront/woocommerce/woocommercefake"
)

// The storefront conformance suite: every storefront connector, over real
// HTTP into the real gate, must meet the same contract. A platform builds
// the requests its storefront would send, in its own format and with its
// own authentication; the cases are written once.

// sale is one state of an order, as the cases describe it.
type sale struct {
	id        int64
	email     string
	noAddress bool // a physical good with no shipping address
	qty       int
	modified  time.Time
	cancelled bool
}

// event is what happened to a sale, normalised across platforms.
type event int

const (
	created event = iota
	updated
	cancelled
)

// platform sends a storefront's webhooks for sales.
type platform interface {
	storefront() string
	// request returns the webhook the storefront sends for ev about s,
	// authenticated with secret. It may first change the storefront's own
	// state (BigCommerce's callbacks are read back from its API).
	request(t *testing.T, b *bundle, ev event, s sale, secret []byte) *http.Request
}

func TestStorefrontConformance(t *testing.T) {
	t.Parallel()
	for _, p := range []func() platform{
		func() platform { return shopifyPlatform{} },
		func() platform { return &wooPlatform{} },
		func() platform { return bcPlatform{} },
	} {
		name := p().storefront()
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			conformance(t, p)
		})
	}
}

func conformance(t *testing.T, newPlatform func() platform) {
	base := time.Date(2026, 11, 27, 14, 2, 0, 0, time.UTC)
	sample := func(id int64) sale {
		return sale{id: id, email: "ada@example.com", qty: 1, modified: base}
	}

	t.Run("signature accepted, stored before the 200, confirmed once", func(t *testing.T) {
		t.Parallel()
		b, p := setup(t, options{}), newPlatform()
		s := sample(1001)
		r := b.do(t, p.request(t, b, created, s, newSecret))
		if r.status != http.StatusOK || r.field(t, "status") != "stored" {
			t.Fatalf("signed create: %d %s, want 200 stored", r.status, r.body)
		}
		o := b.waitSettled(t, key(p, s))
		if o.State() != order.Confirmed || len(o.Lines) != 1 || o.Lines[0].Quantity != 1 || o.Customer.Email != s.email {
			t.Errorf("order %s (lines %+v, email %q), want confirmed with the sale's line and e-mail", o.State(), o.Lines, o.Customer.Email)
		}
		if n := len(b.mail.Messages()); n != 1 {
			t.Errorf("%d messages, want 1", n)
		}
	})

	t.Run("signature refused with 401, nothing stored", func(t *testing.T) {
		t.Parallel()
		b, p := setup(t, options{}), newPlatform()
		s := sample(1002)
		r := b.do(t, p.request(t, b, created, s, []byte("not-the-secret")))
		if r.status != http.StatusUnauthorized {
			t.Fatalf("wrongly signed create: %d %s, want 401", r.status, r.body)
		}
		// Stored nothing: not even the dedup key, so the authentic
		// delivery is new.
		r = b.do(t, p.request(t, b, created, s, oldSecret))
		if r.status != http.StatusOK || r.field(t, "status") != "stored" {
			t.Fatalf("the authentic delivery after a refusal: %d %s, want 200 stored", r.status, r.body)
		}
		b.waitState(t, key(p, s), order.Confirmed)
	})

	t.Run("duplicate ignored", func(t *testing.T) {
		t.Parallel()
		b, p := setup(t, options{}), newPlatform()
		s := sample(1003)
		req := p.request(t, b, created, s, newSecret)
		body, _ := readAll(req)
		first := b.do(t, req)
		again := b.do(t, clone(t, req, body))
		if first.field(t, "status") != "stored" || again.status != http.StatusOK || again.field(t, "status") != "duplicate" {
			t.Fatalf("create then its repeat: %s / %d %s, want stored then 200 duplicate", first.body, again.status, again.body)
		}
		k := key(p, s)
		b.waitState(t, k, order.Confirmed)
		if n := len(b.sim.Records().OrdersFor(k.ExternalID())); n != 1 {
			t.Errorf("erp holds %d orders, want 1", n)
		}
		if n := len(b.mail.Messages()); n != 1 {
			t.Errorf("%d messages, want 1", n)
		}
	})

	t.Run("out of order: the newer update before the create wins", func(t *testing.T) {
		t.Parallel()
		b, p := setup(t, options{}), newPlatform()
		old := sample(1004)
		createReq := p.request(t, b, created, old, newSecret)
		createBody, _ := readAll(createReq)
		newer := old
		newer.qty, newer.modified = 3, base.Add(time.Minute)
		if r := b.do(t, p.request(t, b, updated, newer, newSecret)); r.status != http.StatusOK {
			t.Fatalf("update: %d %s", r.status, r.body)
		}
		k := key(p, old)
		b.waitFor(t, k, "stored", func(*order.Order) bool { return true })
		if r := b.do(t, clone(t, createReq, createBody)); r.status != http.StatusOK {
			t.Fatalf("late create: %d %s", r.status, r.body)
		}
		o := b.waitState(t, k, order.Confirmed)
		if o.Lines[0].Quantity != 3 {
			t.Errorf("quantity %d, want the newer update's 3", o.Lines[0].Quantity)
		}
		held := b.sim.Records().OrdersFor(k.ExternalID())
		if len(held) != 1 || held[0].Lines[0].Quantity != 3 {
			t.Errorf("erp holds %+v, want one order of quantity 3", held)
		}
	})

	t.Run("cancel before the erp has it: never sent", func(t *testing.T) {
		t.Parallel()
		b, p := setup(t, options{}), newPlatform()
		s := sample(1005)
		s.cancelled, s.modified = true, base.Add(time.Minute)
		if r := b.do(t, p.request(t, b, cancelled, s, newSecret)); r.status != http.StatusOK {
			t.Fatalf("cancel: %d %s", r.status, r.body)
		}
		k := key(p, s)
		b.waitState(t, k, order.Cancelled)
		if n := len(b.sim.Records().OrdersFor(k.ExternalID())); n != 0 {
			t.Errorf("erp holds %d orders of a cancelled sale, want 0", n)
		}
	})

	t.Run("big id kept exact", func(t *testing.T) {
		t.Parallel()
		b, p := setup(t, options{}), newPlatform()
		s := sample(1<<53 + 1) // 9007199254740993: a float64 would make it ...992
		if r := b.do(t, p.request(t, b, created, s, newSecret)); r.status != http.StatusOK {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		o := b.waitState(t, order.Key{Storefront: p.storefront(), ID: "9007199254740993"}, order.Confirmed)
		if o.Key.ID != "9007199254740993" {
			t.Errorf("id %q", o.Key.ID)
		}
	})

	t.Run("empty e-mail: handed on, flagged, no crash", func(t *testing.T) {
		t.Parallel()
		b, p := setup(t, options{}), newPlatform()
		s := sample(1006)
		s.email = ""
		if r := b.do(t, p.request(t, b, created, s, newSecret)); r.status != http.StatusOK {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		o := b.waitState(t, key(p, s), order.Confirmed)
		if !strings.Contains(o.Attention, "no customer e-mail address") {
			t.Errorf("attention %q, want the missing e-mail named", o.Attention)
		}
		if n := len(b.mail.Messages()); n != 0 {
			t.Errorf("%d messages to no address, want 0", n)
		}
	})

	t.Run("missing shipping address: handed on, flagged", func(t *testing.T) {
		t.Parallel()
		b, p := setup(t, options{}), newPlatform()
		s := sample(1007)
		s.noAddress = true
		if r := b.do(t, p.request(t, b, created, s, newSecret)); r.status != http.StatusOK {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		o := b.waitState(t, key(p, s), order.Confirmed)
		if !strings.Contains(o.Attention, "shipping address") {
			t.Errorf("attention %q, want the missing shipping address named", o.Attention)
		}
	})
}

func key(p platform, s sale) order.Key {
	return order.Key{Storefront: p.storefront(), ID: strconv.FormatInt(s.id, 10)}
}

func readAll(r *http.Request) ([]byte, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(r.Body)
	r.Body.Close()
	r.Body = readCloser{bytes.NewReader(buf.Bytes())}
	return buf.Bytes(), err
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// clone repeats a request with the same headers and body.
func clone(t *testing.T, r *http.Request, body []byte) *http.Request {
	t.Helper()
	c, err := http.NewRequestWithContext(t.Context(), r.Method, r.URL.String(), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	c.Header = r.Header.Clone()
	return c
}

func post(t *testing.T, b *bundle, kind, name string, h http.Header, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, b.srv.URL+"/webhooks/"+kind+"/"+name, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	return req
}

// shopifyPlatform sends Shopify's orders/* webhooks, signed with
// X-Shopify-Hmac-Sha256 over a body with the fields of Shopify's samples.
type shopifyPlatform struct{}

func (shopifyPlatform) storefront() string { return shop1 }

func (shopifyPlatform) request(t *testing.T, b *bundle, ev event, s sale, secret []byte) *http.Request {
	topic := map[event]string{created: "orders/create", updated: "orders/updated", cancelled: "orders/cancelled"}[ev]
	ship := `{"first_name":"Ada","last_name":"Lovelace","name":"Ada Lovelace","address1":"12 Harbor Lane","address2":null,` +
		`"city":"Portland","province":"Maine","province_code":"ME","zip":"04101","country":"United States","country_code":"US","phone":null,"company":null}`
	if s.noAddress {
		ship = "null"
	}
	cancelledAt, reason := "null", "null"
	if s.cancelled {
		cancelledAt, reason = `"`+s.modified.Format(time.RFC3339)+`"`, `"customer"`
	}
	body := fmt.Sprintf(`{"id":%d,"admin_graphql_api_id":"gid://shopify/Order/%d","name":"#%d","email":%q,"contact_email":%q,`+
		`"created_at":"2026-11-27T09:02:00-05:00","updated_at":%q,"cancelled_at":%s,"cancel_reason":%s,"currency":"USD",`+
		`"total_price":"25.00","subtotal_price":"25.00","financial_status":"paid",`+
		`"customer":{"id":115310627314723954,"email":%q,"first_name":"Ada","last_name":"Lovelace"},`+
		`"billing_address":%s,"shipping_address":%s,`+
		`"line_items":[{"id":866550311766439020,"sku":"TSHIRT-M","title":"T-shirt","name":"T-shirt - M","quantity":%d,"price":"12.50","requires_shipping":true,"product_exists":true}]}`,
		s.id, s.id, s.id%100000, s.email, s.email, s.modified.Format(time.RFC3339), cancelledAt, reason, s.email, ship, ship, s.qty)
	h := signed(topic, fmt.Sprintf("evt-%d-%s-%d", s.id, topic, s.modified.Unix()), []byte(body), secret)
	h.Set("Content-Type", "application/json")
	return post(t, b, shopify.Kind, shop1, h, []byte(body))
}

// wooPlatform sends WooCommerce's order.* webhooks as its fake shop writes
// them: PHP's JSON, byte for byte, signed with X-WC-Webhook-Signature. The
// shop builds each body from the order as it stands when the delivery is
// made, as WooCommerce does.
type wooPlatform struct {
	once sync.Once
	mu   sync.Mutex
	at   time.Time
	shop *woocommercefake.Shop
}

func (*wooPlatform) storefront() string { return woo1 }

func (p *wooPlatform) request(t *testing.T, b *bundle, ev event, s sale, secret []byte) *http.Request {
	p.once.Do(func() {
		p.shop = woocommercefake.New(woocommercefake.Config{HomeURL: "https://shop.example/", Now: func() time.Time {
			p.mu.Lock()
			defer p.mu.Unlock()
			return p.at
		}})
	})
	p.mu.Lock()
	p.at = s.modified
	p.mu.Unlock()
	sku := "TSHIRT-M"
	o := woocommercefake.Order{
		ID: s.id, Status: "processing", DateCreated: s.modified.Add(-time.Hour), DateModified: s.modified, Total: "25.00",
		Billing: woocommercefake.Address{FirstName: "Ada", LastName: "Lovelace", Email: s.email, Address1: "12 Harbor Lane",
			City: "Portland", State: "ME", Postcode: "04101", Country: "US"},
		LineItems:     []woocommercefake.LineItem{{ID: 7, Name: "T-shirt", ProductID: 93, Quantity: s.qty, SKU: &sku, Price: "12.5", Subtotal: "25.00", Total: "25.00"}},
		ShippingLines: json.RawMessage(`[{"id":8,"method_title":"Flat rate","method_id":"flat_rate","total":"5.00"}]`),
	}
	if !s.noAddress {
		o.Shipping = o.Billing
		o.Shipping.Email = ""
	}
	if s.cancelled {
		o.Status = "cancelled"
	}
	p.shop.Put(o)
	topic := map[event]string{created: "order.created", updated: "order.updated", cancelled: "order.updated"}[ev]
	d, err := p.shop.Delivery(woocommercefake.Webhook{ID: 3, Topic: topic, Secret: string(secret)}, s.id)
	if err != nil {
		t.Fatal(err)
	}
	return post(t, b, "woocommerce", woo1, d.Header, d.Body)
}

// bcPlatform sends BigCommerce's callbacks, which carry only the order id
// and the hook's custom header; the gate reads the order back from the
// store's v2 API, which holds the sale as it stands.
type bcPlatform struct{}

func (bcPlatform) storefront() string { return bc1 }

func (bcPlatform) request(t *testing.T, b *bundle, ev event, s sale, secret []byte) *http.Request {
	status := 11 // Awaiting Fulfillment
	if s.cancelled {
		status = bigcommerce.StatusCancelled
	}
	billing := fmt.Sprintf(`{"first_name":"Ada","last_name":"Lovelace","company":"","street_1":"12 Harbor Lane","street_2":"","city":"Portland",`+
		`"state":"Maine","zip":"04101","country":"United States","country_iso2":"US","phone":"","email":%q}`, s.email)
	body := fmt.Sprintf(`{"id":%d,"customer_id":11,"date_created":%q,"date_modified":%q,"status_id":%d,"status":%q,`+
		`"subtotal_inc_tax":"25.0000","total_inc_tax":"25.0000","items_total":%d,"currency_code":"USD","is_deleted":false,`+
		`"billing_address":%s}`,
		s.id, s.modified.Add(-time.Hour).Format(time.RFC1123Z), s.modified.Format(time.RFC1123Z), status, bigcommerce.StatusName(status), s.qty, billing)
	products := fmt.Sprintf(`[{"id":35,"order_id":%d,"product_id":77,"name":"T-shirt","sku":"TSHIRT-M","type":"physical",`+
		`"base_price":"12.5000","price_inc_tax":"12.5000","total_inc_tax":"25.0000","quantity":%d,"order_address_id":1}]`, s.id, s.qty)
	if err := b.bc.PutOrder([]byte(body), []byte(products)); err != nil {
		t.Fatal(err)
	}
	if !s.noAddress {
		putShipping(t, b, s.id)
	}
	scope := map[event]string{created: bigcommerce.ScopeOrderCreated, updated: bigcommerce.ScopeOrderUpdated, cancelled: bigcommerce.ScopeOrderStatusUpdated}[ev]
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(bigcommerce.DefaultHeader, string(secret))
	return post(t, b, "bigcommerce", bc1, h, b.bc.Webhook(scope, s.id, s.modified))
}

var errNoShipping = errors.New("the fake serves no shipping addresses")

// putShipping gives order id a shipping address in the fake store, where
// the fake can hold one.
func putShipping(t *testing.T, b *bundle, id int64) {
	t.Helper()
	type shippingStore interface {
		PutShippingAddresses(id int64, body []byte) error
	}
	ss, ok := any(b.bc).(shippingStore)
	if !ok {
		t.Log(errNoShipping)
		return
	}
	addr := fmt.Sprintf(`[{"id":1,"order_id":%d,"first_name":"Ada","last_name":"Lovelace","company":"","street_1":"12 Harbor Lane",`+
		`"street_2":"","city":"Portland","state":"Maine","zip":"04101","country":"United States","country_iso2":"US","phone":"","email":""}]`, id)
	if err := ss.PutShippingAddresses(id, []byte(addr)); err != nil {
		t.Fatal(err)
	}
}

var _ = store.ErrNotFound
