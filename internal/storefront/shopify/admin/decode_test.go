package admin

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront/shopify"
	"github.com/ordergate/ordergate/internal/storefront/shopify/admin/shopifyfake"
)

var fixtures = []string{
	"orders-create-sample-2025.json",
	"go-shopify-order.json",
	"rest-order-get-450789469.json",
	"rest-order-create-response-1073459970-send_receipt.json",
}

// The same order, read once from Shopify's webhook sample through the
// webhook decoder and once from the GraphQL reply for it, must come out
// identical.
func TestDecodeOrderNode_SameOrderAsWebhookDecoder(t *testing.T) {
	t.Parallel()
	want, err := shopify.DecodeOrder("shop1", readTestdata(t, "orders-create-sample-2025.json"))
	if err != nil {
		t.Fatal(err)
	}
	var reply struct {
		Data struct {
			Orders struct {
				Nodes []json.RawMessage `json:"nodes"`
			} `json:"orders"`
		} `json:"data"`
	}
	if err := json.Unmarshal(readTestdata(t, "graphql-orders-page-820982911946154508.json"), &reply); err != nil {
		t.Fatal(err)
	}
	if len(reply.Data.Orders.Nodes) != 1 {
		t.Fatalf("%d nodes in the reply, want 1", len(reply.Data.Orders.Nodes))
	}
	got, err := DecodeOrderNode("shop1", reply.Data.Orders.Nodes[0])
	if err != nil {
		t.Fatal(err)
	}
	if diff := orderDiff(want, got.Order); diff != "" {
		t.Errorf("GraphQL order differs from webhook order (-webhook +graphql):\n%s", diff)
	}
	// The webhook delivery carries the cancellation beside the order.
	d, err := shopify.Parse("shop1", webhookHeaders("orders/cancelled"), readTestdata(t, "orders-create-sample-2025.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got.CancelReason != d.CancelReason || !got.CancelledAt.Equal(d.CancelledAt) {
		t.Errorf("cancellation = %q at %v, webhook says %q at %v", got.CancelReason, got.CancelledAt, d.CancelReason, d.CancelledAt)
	}
}

// Every fixture, served by the fake as the GraphQL Admin API would serve it
// and listed by the client over HTTP, decodes to what the webhook decoder
// makes of the fixture.
func TestListOrdersSince_SameOrdersAsWebhookDecoder(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{})
	want := map[string]order.Order{}
	for _, name := range fixtures {
		body := readTestdata(t, name)
		o, err := shopify.DecodeOrder("shop1", body)
		if err != nil {
			t.Fatal(err)
		}
		want[o.Key.ID] = o
		if err := b.fake.PutOrderREST(body); err != nil {
			t.Fatal(err)
		}
	}
	got := listAll(t, b.client, time.Time{})
	if s := b.fake.Requests()[0].Variables["search"]; s != "" {
		t.Errorf("a zero since searched %q, want no filter", s)
	}
	if len(got) != len(want) {
		t.Fatalf("listed %d orders, want %d", len(got), len(want))
	}
	for _, o := range got {
		if diff := orderDiff(want[o.Key.ID], o); diff != "" {
			t.Errorf("order %s (-webhook +graphql):\n%s", o.Key.ID, diff)
		}
	}
}

func TestDecodeOrderNode_IDs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, node, want string
	}{
		{"legacy id wins and is exact above 2^53", `{"id":"gid://shopify/Order/9007199254740993","legacyResourceId":"9007199254740993"}`, "9007199254740993"},
		{"global id alone", `{"id":"gid://shopify/Order/450789469"}`, "450789469"},
		{"legacy id alone", `{"legacyResourceId":"450789469"}`, "450789469"},
		{"legacy id as a JSON number", `{"legacyResourceId":18446744073709551615}`, "18446744073709551615"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := DecodeOrderNode("shop1", []byte(tc.node))
			if err != nil {
				t.Fatal(err)
			}
			if s.Order.Key != (order.Key{Storefront: "shop1", ID: tc.want}) {
				t.Errorf("key = %v, want shop1/%s", s.Order.Key, tc.want)
			}
		})
	}
}

func TestDecodeOrderNode_RefusesMalformed(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, node, wantIn string }{
		{"no id", `{"name":"#1"}`, "missing order id"},
		{"zero id", `{"legacyResourceId":"0"}`, "missing order id"},
		{"ids disagree", `{"id":"gid://shopify/Order/1","legacyResourceId":"2"}`, "does not match"},
		{"not an order gid", `{"id":"gid://shopify/Customer/1"}`, "not an Order global id"},
		{"negative quantity", `{"legacyResourceId":"1","lineItems":{"nodes":[{"quantity":-1}]}}`, "negative quantity"},
		{"line id not a line gid", `{"legacyResourceId":"1","lineItems":{"nodes":[{"id":"gid://shopify/Order/1","quantity":1}]}}`, "not a LineItem global id"},
		{"amount with exponent", `{"legacyResourceId":"1","totalPriceSet":{"shopMoney":{"amount":"1e999999999"}}}`, "not a decimal"},
		{"quantity as float", `{"legacyResourceId":"1","lineItems":{"nodes":[{"quantity":1.5}]}}`, "quantity"},
		{"legacy id negative", `{"legacyResourceId":"-5"}`, "unsigned"},
		{"bad time", `{"legacyResourceId":"1","updatedAt":"yesterday"}`, "RFC 3339"},
		{"not JSON", `{"legacyResourceId":`, "unexpected end"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := DecodeOrderNode("shop1", []byte(tc.node))
			if !errors.Is(err, shopify.ErrMalformed) {
				t.Fatalf("DecodeOrderNode = %v, want ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), tc.wantIn) {
				t.Errorf("error %q does not mention %q", err, tc.wantIn)
			}
		})
	}
}

// An order with no email, no customer and no address decodes; the gate
// flags it later. A line without a SKU is kept with SKU "", and its title
// falls back to the name, as in the webhook decoder.
func TestDecodeOrderNode_SparseOrder(t *testing.T) {
	t.Parallel()
	node := `{"id":"gid://shopify/Order/7","legacyResourceId":"7","name":"#1007","email":null,"phone":null,
	"currencyCode":"EUR","createdAt":"2025-07-01T10:00:00Z","updatedAt":null,"cancelledAt":null,"cancelReason":null,
	"totalPriceSet":{"shopMoney":{"amount":"12.50"}},"customer":null,"billingAddress":null,"shippingAddress":null,
	"lineItems":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[
	{"id":"gid://shopify/LineItem/70","sku":null,"title":"","name":"Gift wrap","quantity":2,"originalUnitPriceSet":{"shopMoney":{"amount":"6.25"}}}]}}`
	s, err := DecodeOrderNode("shop1", []byte(node))
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2025, 7, 1, 10, 0, 0, 0, time.UTC)
	want := Snapshot{Order: order.Order{
		Key:             order.Key{Storefront: "shop1", ID: "7"},
		Name:            "#1007",
		Currency:        "EUR",
		Total:           dec("12.50"),
		Lines:           []order.LineItem{{LineID: "70", SKU: "", Title: "Gift wrap", Quantity: 2, Price: dec("6.25")}},
		CapturedAt:      created,
		SourceUpdatedAt: created,
	}}
	if diff := orderDiff(want, s); diff != "" {
		t.Errorf("snapshot (-want +got):\n%s", diff)
	}
	if s.Cancelled() {
		t.Error("Cancelled() = true for an order with no cancelledAt")
	}
}

// The contact falls back in the webhook decoder's order: order email, then
// the customer's; order phone, then the customer's, then the billing and
// shipping addresses'; customer name, then the addresses'.
func TestDecodeOrderNode_ContactFallbacks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, node string
		want       order.Customer
	}{
		{"order contact wins", `{"legacyResourceId":"1","email":"a@x.test","phone":"1","customer":{"firstName":"Ada","lastName":"L","defaultEmailAddress":{"emailAddress":"c@x.test"},"defaultPhoneNumber":{"phoneNumber":"2"}},"billingAddress":{"name":"Bill","phone":"3"}}`,
			order.Customer{Name: "Ada L", Email: "a@x.test", Phone: "1"}},
		{"customer record next", `{"legacyResourceId":"1","email":"","customer":{"firstName":"Ada","lastName":null,"defaultEmailAddress":{"emailAddress":"c@x.test"},"defaultPhoneNumber":{"phoneNumber":"2"}},"billingAddress":{"name":"Bill","phone":"3"}}`,
			order.Customer{Name: "Ada", Email: "c@x.test", Phone: "2"}},
		{"addresses last", `{"legacyResourceId":"1","customer":{"firstName":" ","defaultEmailAddress":null,"defaultPhoneNumber":null},"billingAddress":null,"shippingAddress":{"name":" Sam Ship ","phone":"4"}}`,
			order.Customer{Name: "Sam Ship", Phone: "4"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := DecodeOrderNode("shop1", []byte(tc.node))
			if err != nil {
				t.Fatal(err)
			}
			if s.Order.Customer != tc.want {
				t.Errorf("customer = %+v, want %+v", s.Order.Customer, tc.want)
			}
		})
	}
}

// The shipping address is decoded as the webhook decoder decodes
// shipping_address: trimmed, countryCodeV2 as the country code, nil when
// null or when every field is null or blank.
func TestDecodeOrderNode_ShipTo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, address string
		want          *order.Address
	}{
		{"full", `{"name":" Ann Lee ","company":"Lee Ltd","address1":"1 High St","address2":"Flat 2","city":"Leeds","province":"England","provinceCode":"ENG","zip":"LS1 1AA","country":"United Kingdom","countryCodeV2":"GB","phone":"+44 113 496 0000"}`,
			&order.Address{Name: "Ann Lee", Company: "Lee Ltd", Line1: "1 High St", Line2: "Flat 2", City: "Leeds", Region: "England", RegionCode: "ENG",
				PostalCode: "LS1 1AA", Country: "United Kingdom", CountryCode: "GB", Phone: "+44 113 496 0000"}},
		{"null", `null`, nil},
		{"all null or blank", `{"name":null,"company":null,"address1":" ","address2":null,"city":"","province":null,"provinceCode":null,"zip":null,"country":null,"countryCodeV2":null,"phone":null}`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := DecodeOrderNode("shop1", []byte(`{"legacyResourceId":"1","shippingAddress":`+tc.address+`}`))
			if err != nil {
				t.Fatal(err)
			}
			if diff := orderDiff(tc.want, s.Order.ShipTo); diff != "" {
				t.Errorf("ship-to (-want +got):\n%s", diff)
			}
		})
	}
}
