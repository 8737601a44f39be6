package shopify

import (
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/ordergate/ordergate/internal/storefront"
)

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// headers returns what Shopify sends with an orders/create delivery.
func headers() http.Header {
	h := http.Header{}
	h.Set(HeaderTopic, "orders/create")
	h.Set(HeaderShopDomain, "jsmith.myshopify.com")
	h.Set(HeaderAPIVersion, "2025-07")
	h.Set(HeaderWebhookID, "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
	h.Set(HeaderEventID, "98880550-7158-44d4-b7cd-2c97c8a091b5")
	h.Set(HeaderTriggeredAt, "2023-03-29T18:00:27.877041743Z")
	return h
}

func TestParse_MapsHeadersOfSample(t *testing.T) {
	t.Parallel()
	body := readTestdata(t, "orders-create-sample-2025.json")
	d, err := Parse("shop1", headers(), body)
	if err != nil {
		t.Fatal(err)
	}
	want := storefront.Delivery{
		Storefront:   "shop1",
		Kind:         "shopify",
		Topic:        storefront.OrderCreated,
		RawTopic:     "orders/create",
		DedupKey:     "jsmith.myshopify.com|orders/create|98880550-7158-44d4-b7cd-2c97c8a091b5",
		DeliveryID:   "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
		TriggeredAt:  time.Date(2023, 3, 29, 18, 0, 27, 877041743, time.UTC),
		CancelReason: "customer",
		CancelledAt:  time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	got := d
	got.Body = nil
	if diff := cmp.Diff(want, got, cmp.Comparer(time.Time.Equal), cmpopts.IgnoreFields(storefront.Delivery{}, "Order")); diff != "" {
		t.Errorf("delivery (-want +got):\n%s", diff)
	}
	if string(d.Body) != string(body) {
		t.Error("Body is not the raw bytes")
	}
	if d.Order.Key.ID != "820982911946154508" {
		t.Errorf("order id = %s", d.Order.Key.ID)
	}
}

func TestParse_MapsEachOrderTopic(t *testing.T) {
	t.Parallel()
	body := readTestdata(t, "orders-create-sample-2025.json")
	for raw, want := range map[string]storefront.Topic{
		"orders/create":    storefront.OrderCreated,
		"orders/updated":   storefront.OrderUpdated,
		"orders/cancelled": storefront.OrderCancelled,
	} {
		t.Run(raw, func(t *testing.T) {
			t.Parallel()
			h := headers()
			h.Set(HeaderTopic, raw)
			d, err := Parse("shop1", h, body)
			if err != nil {
				t.Fatal(err)
			}
			if d.Topic != want || d.RawTopic != raw {
				t.Errorf("topic = %s (%s), want %s (%s)", d.Topic, d.RawTopic, want, raw)
			}
			if !strings.Contains(d.DedupKey, "|"+raw+"|") {
				t.Errorf("dedup key %q does not name the topic", d.DedupKey)
			}
		})
	}
}

func TestParse_RejectsOtherTopicsAsUnsupported(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"orders/paid", "orders/fulfilled", "products/update", "app/uninstalled", "ORDERS/CREATE"} {
		t.Run(raw, func(t *testing.T) {
			t.Parallel()
			h := headers()
			h.Set(HeaderTopic, raw)
			_, err := Parse("shop1", h, readTestdata(t, "orders-create-sample-2025.json"))
			if !errors.Is(err, ErrUnsupportedTopic) {
				t.Errorf("Parse = %v, want ErrUnsupportedTopic", err)
			}
		})
	}
}

func TestParse_NamesTheMissingRequiredHeader(t *testing.T) {
	t.Parallel()
	for _, name := range []string{HeaderTopic, HeaderShopDomain, HeaderAPIVersion, HeaderWebhookID} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := headers()
			h.Del(name)
			_, err := Parse("shop1", h, readTestdata(t, "orders-create-sample-2025.json"))
			if !errors.Is(err, ErrMissingHeader) || !strings.Contains(err.Error(), name) {
				t.Errorf("Parse = %v, want ErrMissingHeader naming %s", err, name)
			}
		})
	}
}

func TestParse_ReadsLowercaseHeaderNames(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	for k, vs := range headers() {
		h[strings.ToLower(k)] = vs
	}
	d, err := Parse("shop1", h, readTestdata(t, "orders-create-sample-2025.json"))
	if err != nil {
		t.Fatal(err)
	}
	if d.DeliveryID != "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043" || d.TriggeredAt.IsZero() {
		t.Errorf("delivery id %q, triggered at %v", d.DeliveryID, d.TriggeredAt)
	}
}

func TestParse_DedupKeyFallsBackToWebhookIDWithoutEventID(t *testing.T) {
	t.Parallel()
	h := headers()
	h.Del(HeaderEventID)
	d, err := Parse("shop1", h, readTestdata(t, "orders-create-sample-2025.json"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "jsmith.myshopify.com|orders/create|b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"; d.DedupKey != want {
		t.Errorf("dedup key = %q, want %q", d.DedupKey, want)
	}
}

func TestParse_RepeatsOfOneEventShareADedupKey(t *testing.T) {
	t.Parallel()
	body := readTestdata(t, "orders-create-sample-2025.json")
	a, b := headers(), headers()
	b.Set(HeaderWebhookID, "another-delivery")
	da, err := Parse("shop1", a, body)
	if err != nil {
		t.Fatal(err)
	}
	db, err := Parse("shop1", b, body)
	if err != nil {
		t.Fatal(err)
	}
	if da.DedupKey != db.DedupKey || da.DeliveryID == db.DeliveryID {
		t.Errorf("dedup keys %q, %q; delivery ids %q, %q", da.DedupKey, db.DedupKey, da.DeliveryID, db.DeliveryID)
	}
}

func TestParse_LeavesUnreadableTriggeredAtZero(t *testing.T) {
	t.Parallel()
	h := headers()
	h.Set(HeaderTriggeredAt, "yesterday")
	d, err := Parse("shop1", h, readTestdata(t, "orders-create-sample-2025.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !d.TriggeredAt.IsZero() {
		t.Errorf("TriggeredAt = %v, want zero", d.TriggeredAt)
	}
}

func TestParse_RejectsMalformedBodies(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, body string }{
		{"empty", ``},
		{"not json", `<html>`},
		{"truncated", `{"id": 820982911946154508, "line_items": [`},
		{"array", `[]`},
		{"null", `null`},
		{"no id", `{"name": "#1001"}`},
		{"zero id", `{"id": 0}`},
		{"negative id", `{"id": -5}`},
		{"fractional id", `{"id": 1.5}`},
		{"id beyond int64", `{"id": 9223372036854775808}`},
		{"id in exponent form", `{"id": 8.2e17}`},
		{"total not decimal", `{"id": 1, "total_price": "12,50"}`},
		{"total with exponent", `{"id": 1, "total_price": "1e999999999"}`},
		{"price not decimal", `{"id": 1, "line_items": [{"id": 2, "price": "free"}]}`},
		{"quantity fractional", `{"id": 1, "line_items": [{"id": 2, "quantity": 1.5}]}`},
		{"quantity negative", `{"id": 1, "line_items": [{"id": 2, "quantity": -1}]}`},
		{"created_at not a time", `{"id": 1, "created_at": "last tuesday"}`},
		{"line id not a number", `{"id": 1, "line_items": [{"id": true}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("shop1", headers(), []byte(tc.body))
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("Parse = %v, want ErrMalformed", err)
			}
		})
	}
}
