package woocommerce_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ordergate/ordergate/internal/storefront"
	"github.com/ordergate/ordergate/internal/storefront/woocommerce"
	"github.com/ordergate/ordergate/internal/storefront/woocommerce/woocommercefake"
)

// hookShop is a fake shop on the documented example's site, holding its
// order 727.
func hookShop(t *testing.T) *woocommercefake.Shop {
	t.Helper()
	shop := woocommercefake.New(woocommercefake.Config{Location: siteZone, HomeURL: "https://shop.example/"})
	shop.Put(documentedOrder(t))
	return shop
}

func deliver(t *testing.T, shop *woocommercefake.Shop, topic string, id int64) woocommercefake.Delivery {
	t.Helper()
	d, err := shop.Delivery(woocommercefake.Webhook{ID: 12, Topic: topic, Secret: "s"}, id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestParse_DeliveryOfTheDocumentedOrder(t *testing.T) {
	t.Parallel()
	d := deliver(t, hookShop(t), "order.created", 727)
	got, err := woocommerce.Parse("woo1", d.Header, d.Body)
	if err != nil {
		t.Fatal(err)
	}
	want := storefront.Delivery{
		Storefront: "woo1",
		Kind:       "woocommerce",
		Topic:      storefront.OrderCreated,
		RawTopic:   "order.created",
		DedupKey:   "https://shop.example/|12|727|order.created|2017-03-22T19:28:08",
		DeliveryID: d.Header.Get(woocommerce.HeaderDeliveryID),
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(storefront.Delivery{}, "Order", "Body")); diff != "" {
		t.Errorf("delivery (-want +got):\n%s", diff)
	}
	if string(got.Body) != string(d.Body) {
		t.Error("Body is not the raw bytes")
	}
	if got.Order.Key.ID != "727" || got.Order.Name != "#727" || len(got.Order.Lines) != 2 {
		t.Errorf("order %+v", got.Order)
	}
}

func TestParse_MapsEachOrderTopic(t *testing.T) {
	t.Parallel()
	shop := hookShop(t)
	for raw, want := range map[string]storefront.Topic{
		"order.created": storefront.OrderCreated,
		"order.updated": storefront.OrderUpdated,
		"order.deleted": storefront.OrderCancelled,
	} {
		t.Run(raw, func(t *testing.T) {
			t.Parallel()
			d := deliver(t, shop, raw, 727)
			got, err := woocommerce.Parse("woo1", d.Header, d.Body)
			if err != nil {
				t.Fatal(err)
			}
			if got.Topic != want || got.RawTopic != raw {
				t.Errorf("topic = %s (%s), want %s (%s)", got.Topic, got.RawTopic, want, raw)
			}
			if !strings.Contains(got.DedupKey, "|"+raw+"|") {
				t.Errorf("dedup key %q does not name the topic", got.DedupKey)
			}
		})
	}
}

// WooCommerce has no cancel topic: a cancellation is an order.updated whose
// status is cancelled, and the payload is built when the delivery is sent,
// so an order.created can show it as well.
func TestParse_CancelledOrTrashedStatusIsACancellation(t *testing.T) {
	t.Parallel()
	for _, status := range []string{"cancelled", "trash"} {
		for _, topic := range []string{"order.created", "order.updated"} {
			t.Run(status+" "+topic, func(t *testing.T) {
				t.Parallel()
				shop := hookShop(t)
				modified := time.Date(2017, 3, 23, 10, 0, 0, 0, time.UTC)
				if err := shop.Update(727, func(o *woocommercefake.Order) { o.Status = status }); err != nil {
					t.Fatal(err)
				}
				o, _ := shop.Order(727)
				o.DateModified = modified
				shop.Put(o)
				d := deliver(t, shop, topic, 727)
				got, err := woocommerce.Parse("woo1", d.Header, d.Body)
				if err != nil {
					t.Fatal(err)
				}
				if got.Topic != storefront.OrderCancelled || got.RawTopic != topic {
					t.Errorf("topic = %s (%s), want order_cancelled (%s)", got.Topic, got.RawTopic, topic)
				}
				if !strings.Contains(got.CancelReason, status) || !got.CancelledAt.Equal(modified) {
					t.Errorf("reason %q at %v, want one naming %s at %v", got.CancelReason, got.CancelledAt, status, modified)
				}
				if len(got.Order.Lines) != 2 {
					t.Errorf("the cancelled order's lines were not decoded: %+v", got.Order)
				}
			})
		}
	}
}

func TestParse_OtherStatusesStayUpdates(t *testing.T) {
	t.Parallel()
	for _, status := range []string{"pending", "processing", "on-hold", "completed", "refunded", "failed", "checkout-draft", "wc-custom"} {
		shop := hookShop(t)
		if err := shop.Update(727, func(o *woocommercefake.Order) { o.Status = status }); err != nil {
			t.Fatal(err)
		}
		d := deliver(t, shop, "order.updated", 727)
		got, err := woocommerce.Parse("woo1", d.Header, d.Body)
		if err != nil {
			t.Fatal(err)
		}
		if got.Topic != storefront.OrderUpdated || got.CancelReason != "" {
			t.Errorf("status %s: topic %s, reason %q", status, got.Topic, got.CancelReason)
		}
	}
}

// order.deleted means the order was moved to the trash; its body is only
// the id.
func TestParse_DeletedIsACancellationOfTheOrderByIDOnly(t *testing.T) {
	t.Parallel()
	d := deliver(t, hookShop(t), "order.deleted", 727)
	if string(d.Body) != `{"id":727}` {
		t.Fatalf("fake body %s", d.Body)
	}
	got, err := woocommerce.Parse("woo1", d.Header, d.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got.Topic != storefront.OrderCancelled || got.Order.Key.ID != "727" || got.Order.Key.Storefront != "woo1" {
		t.Errorf("delivery %+v", got)
	}
	if !strings.Contains(got.CancelReason, "trash") || !got.CancelledAt.IsZero() {
		t.Errorf("reason %q at %v", got.CancelReason, got.CancelledAt)
	}
	if got.DedupKey != "https://shop.example/|12|727|order.deleted|" {
		t.Errorf("dedup key %q", got.DedupKey)
	}
}

func TestParse_RejectsOtherTopicsAsUnsupported(t *testing.T) {
	t.Parallel()
	shop := hookShop(t)
	for _, raw := range []string{"order.restored", "product.created", "customer.updated", "coupon.deleted", "action.woocommerce_order_status_completed", "ORDER.CREATED", "order.create"} {
		t.Run(raw, func(t *testing.T) {
			t.Parallel()
			d := deliver(t, shop, "order.created", 727)
			d.Header.Set(woocommerce.HeaderTopic, raw)
			_, err := woocommerce.Parse("woo1", d.Header, d.Body)
			if !errors.Is(err, woocommerce.ErrUnsupportedTopic) {
				t.Errorf("Parse = %v, want ErrUnsupportedTopic", err)
			}
		})
	}
}

func TestParse_NamesTheMissingRequiredHeader(t *testing.T) {
	t.Parallel()
	shop := hookShop(t)
	for _, name := range []string{woocommerce.HeaderTopic, woocommerce.HeaderSource, woocommerce.HeaderID} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := deliver(t, shop, "order.created", 727)
			d.Header.Del(name)
			_, err := woocommerce.Parse("woo1", d.Header, d.Body)
			if !errors.Is(err, woocommerce.ErrMissingHeader) || !strings.Contains(err.Error(), name) {
				t.Errorf("Parse = %v, want ErrMissingHeader naming %s", err, name)
			}
		})
	}
}

func TestParse_ReadsLowercaseHeaderNames(t *testing.T) {
	t.Parallel()
	d := deliver(t, hookShop(t), "order.updated", 727)
	h := http.Header{}
	for k, vs := range d.Header {
		h[strings.ToLower(k)] = vs
	}
	got, err := woocommerce.Parse("woo1", h, d.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got.Topic != storefront.OrderUpdated || got.DeliveryID == "" || !strings.HasPrefix(got.DedupKey, "https://shop.example/|12|") {
		t.Errorf("delivery %+v", got)
	}
}

// X-WC-Webhook-Delivery-ID is a fresh hash on every send: two sends of the
// same unchanged order share a dedup key all the same.
func TestParse_RepeatsShareADedupKeyDespiteNewDeliveryIDs(t *testing.T) {
	t.Parallel()
	shop := hookShop(t)
	a, b := deliver(t, shop, "order.updated", 727), deliver(t, shop, "order.updated", 727)
	da, err := woocommerce.Parse("woo1", a.Header, a.Body)
	if err != nil {
		t.Fatal(err)
	}
	db, err := woocommerce.Parse("woo1", b.Header, b.Body)
	if err != nil {
		t.Fatal(err)
	}
	if da.DeliveryID == db.DeliveryID {
		t.Fatalf("the fake sent one Delivery-ID twice: %s", da.DeliveryID)
	}
	if da.DedupKey != db.DedupKey {
		t.Errorf("dedup keys %q, %q", da.DedupKey, db.DedupKey)
	}
}

// A change to the order is a new event; so is the same order through
// another webhook, or from another site.
func TestParse_DedupKeyTellsEventsApart(t *testing.T) {
	t.Parallel()
	shop := hookShop(t)
	base := deliver(t, shop, "order.updated", 727)
	key := func(d woocommercefake.Delivery) string {
		got, err := woocommerce.Parse("woo1", d.Header, d.Body)
		if err != nil {
			t.Fatal(err)
		}
		return got.DedupKey
	}
	first := key(base)

	otherHook := base
	otherHook.Header = base.Header.Clone()
	otherHook.Header.Set(woocommerce.HeaderID, "13")
	otherSite := base
	otherSite.Header = base.Header.Clone()
	otherSite.Header.Set(woocommerce.HeaderSource, "https://other.example/")

	if err := shop.Update(727, func(o *woocommercefake.Order) { o.Status = "completed" }); err != nil {
		t.Fatal(err)
	}
	modified := deliver(t, shop, "order.updated", 727)
	for name, d := range map[string]woocommercefake.Delivery{"modified": modified, "other webhook": otherHook, "other site": otherSite} {
		if k := key(d); k == first {
			t.Errorf("%s: dedup key %q is the first delivery's", name, k)
		}
	}
}

func TestParse_RejectsMalformedBodies(t *testing.T) {
	t.Parallel()
	h := deliver(t, hookShop(t), "order.created", 727).Header
	tests := []struct{ name, body string }{
		{"empty", ``},
		{"not json", `<html>`},
		{"the ping", `webhook_id=12`},
		{"truncated", `{"id":727,"line_items":[`},
		{"array", `[]`},
		{"null", `null`},
		{"no id", `{"number":"727"}`},
		{"zero id", `{"id":0}`},
		{"negative id", `{"id":-5}`},
		{"fractional id", `{"id":1.5}`},
		{"id beyond int64", `{"id":9223372036854775808}`},
		{"id in exponent form", `{"id":7.27e2}`},
		{"total not decimal", `{"id":1,"total":"12,50"}`},
		{"total with exponent", `{"id":1,"total":"1e999999999"}`},
		{"price not a number", `{"id":1,"line_items":[{"id":2,"price":"free"}]}`},
		{"price exponent too large", `{"id":1,"line_items":[{"id":2,"price":1e400}]}`},
		{"quantity fractional", `{"id":1,"line_items":[{"id":2,"quantity":1.5}]}`},
		{"quantity negative", `{"id":1,"line_items":[{"id":2,"quantity":-1}]}`},
		{"date not a time", `{"id":1,"date_created_gmt":"last tuesday"}`},
		{"status not a string", `{"id":1,"status":5}`},
		{"billing not an object", `{"id":1,"billing":"x"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := woocommerce.Parse("woo1", h, []byte(tc.body))
			if !errors.Is(err, woocommerce.ErrMalformed) {
				t.Errorf("Parse = %v, want ErrMalformed", err)
			}
		})
	}
}

// A webhook left on the Legacy REST API sends {"order": {…}}: the error
// says which setting to change.
func TestParse_LegacyPayloadSaysWhatToChange(t *testing.T) {
	t.Parallel()
	h := deliver(t, hookShop(t), "order.created", 727).Header
	_, err := woocommerce.Parse("woo1", h, []byte(`{"order":{"id":727,"order_number":"727","total":"29.35"}}`))
	if !errors.Is(err, woocommerce.ErrMalformed) || !strings.Contains(err.Error(), "API version") {
		t.Errorf("Parse = %v, want ErrMalformed naming the API version setting", err)
	}
}
