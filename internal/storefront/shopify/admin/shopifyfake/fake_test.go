package shopifyfake

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func setup(t *testing.T, opts Options) (*Server, *clock) {
	t.Helper()
	clk := &clock{now: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)}
	opts.Now = clk.Now
	s := New(opts)
	t.Cleanup(s.Close)
	body, err := os.ReadFile("../testdata/rest-order-get-450789469.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutOrderREST(body); err != nil {
		t.Fatal(err)
	}
	return s, clk
}

// post sends a GraphQL request and returns the status and decoded reply.
func post(t *testing.T, s *Server, token, query string, vars map[string]any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, s.URL(), bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Access-Token", token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var reply map[string]any
	if err := json.NewDecoder(res.Body).Decode(&reply); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, reply
}

func errorCodes(reply map[string]any) []string {
	var out []string
	errs, _ := reply["errors"].([]any)
	for _, e := range errs {
		ext, _ := e.(map[string]any)["extensions"].(map[string]any)
		code, _ := ext["code"].(string)
		out = append(out, code)
	}
	return out
}

func cost(reply map[string]any) map[string]any {
	ext, _ := reply["extensions"].(map[string]any)
	c, _ := ext["cost"].(map[string]any)
	return c
}

func TestServe_RefusesAWrongToken(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, Options{})
	status, reply := post(t, s, "nope", `{ order(id: "gid://shopify/Order/450789469") { name } }`, nil)
	if status != http.StatusUnauthorized || !strings.Contains(reply["errors"].(string), "Invalid API key or access token") {
		t.Errorf("status %d, reply %v", status, reply)
	}
}

func TestServe_AnswersExactlyTheSelectedFieldsUnderAliases(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, Options{})
	q := `query One($id: ID!) { o: order(id: $id) { name total: totalPriceSet { shopMoney { amount } }
		lineItems(first: 2) { edges { cursor node { sku } } pageInfo { hasNextPage } } } }`
	_, reply := post(t, s, s.Token(), q, map[string]any{"id": "gid://shopify/Order/450789469"})
	data, _ := json.Marshal(reply["data"])
	var got struct {
		O map[string]any `json:"o"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"lineItems", "name", "total"}, slices.Sorted(maps.Keys(got.O))); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	li := got.O["lineItems"].(map[string]any)
	edges := li["edges"].([]any)
	if len(edges) != 2 || edges[0].(map[string]any)["node"].(map[string]any)["sku"] != "IPOD2008GREEN" {
		t.Errorf("lineItems = %v", li)
	}
	if li["pageInfo"].(map[string]any)["hasNextPage"] != true {
		t.Errorf("pageInfo = %v, want a next page (3 lines, 2 asked)", li["pageInfo"])
	}
}

func TestServe_RefusesAFieldItDoesNotHave(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, Options{})
	_, reply := post(t, s, s.Token(), `{ order(id: "gid://shopify/Order/450789469") { totalPrice } }`, nil)
	if diff := cmp.Diff([]string{"undefinedField"}, errorCodes(reply)); diff != "" {
		t.Errorf("codes (-want +got):\n%s", diff)
	}
}

// The bucket is charged the requested cost, refunded down to the actual
// cost, and refills at the restore rate.
func TestServe_ChargesRequestedRefundsToActualAndRestores(t *testing.T) {
	t.Parallel()
	s, clk := setup(t, Options{})
	q := `{ orders(first: 10) { nodes { name lineItems(first: 5) { nodes { sku } } } } }`
	_, reply := post(t, s, s.Token(), q, nil)
	c := cost(reply)
	// Requested: 2 + 10 × (1 + 2 + 5 × 1) = 82. Actual: one order with 3
	// lines: 2 + (1 + 2 + 3) = 8.
	if c["requestedQueryCost"] != 82.0 || c["actualQueryCost"] != 8.0 {
		t.Fatalf("cost = %v, want requested 82 and actual 8", c)
	}
	if got := c["throttleStatus"].(map[string]any)["currentlyAvailable"]; got != 992.0 {
		t.Errorf("available after = %v, want 992", got)
	}
	s.SetAvailable(0)
	clk.Advance(1500 * time.Millisecond)
	if got := s.Available(); got != 75 {
		t.Errorf("available 1.5 s after empty = %v, want 75 at 50/s", got)
	}
}

func TestServe_ThrottlesWhenTheBucketCannotPay(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, Options{})
	s.SetAvailable(50)
	q := `{ orders(first: 10) { nodes { name lineItems(first: 5) { nodes { sku } } } } }`
	_, reply := post(t, s, s.Token(), q, nil)
	if diff := cmp.Diff([]string{"THROTTLED"}, errorCodes(reply)); diff != "" {
		t.Fatalf("codes (-want +got):\n%s", diff)
	}
	c := cost(reply)
	if c["actualQueryCost"] != nil || c["throttleStatus"].(map[string]any)["currentlyAvailable"] != 50.0 {
		t.Errorf("cost = %v, want actual null and 50 available (nothing charged)", c)
	}
	if reply["data"] != nil {
		t.Errorf("throttled reply has data %v", reply["data"])
	}
}

func TestServe_RefusesAQueryAboveTheSingleQueryLimit(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, Options{})
	q := `{ orders(first: 50) { nodes { lineItems(first: 250) { nodes { sku } } } } }`
	_, reply := post(t, s, s.Token(), q, nil)
	if diff := cmp.Diff([]string{"MAX_COST_EXCEEDED"}, errorCodes(reply)); diff != "" {
		t.Errorf("codes (-want +got):\n%s", diff)
	}
	if got := s.Available(); got != 1000 {
		t.Errorf("available = %v, want 1000 (nothing charged)", got)
	}
}

func TestServe_OrdersNeedTheReadOrdersScope(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, Options{Scopes: []string{}})
	_, reply := post(t, s, s.Token(), `{ orders(first: 1) { nodes { name } } }`, nil)
	if diff := cmp.Diff([]string{"ACCESS_DENIED"}, errorCodes(reply)); diff != "" {
		t.Errorf("codes (-want +got):\n%s", diff)
	}
}

func TestOrderFromREST_ConvertsToTheGraphQLShape(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("../testdata/orders-create-sample-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	n, err := OrderFromREST(body)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{
		"id": n["id"], "legacyResourceId": n["legacyResourceId"], "createdAt": n["createdAt"],
		"cancelReason": n["cancelReason"], "lines": len(n["lineItems"].(connection)),
		"firstLine": n["lineItems"].(connection)[0]["id"],
	}
	want := map[string]any{
		"id": "gid://shopify/Order/820982911946154508", "legacyResourceId": "820982911946154508",
		"createdAt": "2022-01-01T00:00:00Z", "cancelReason": "CUSTOMER", "lines": 3,
		"firstLine": "gid://shopify/LineItem/487817672276298554",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("converted (-want +got):\n%s", diff)
	}
}

func TestParse_RefusesWhatTheFakeDoesNotModel(t *testing.T) {
	t.Parallel()
	for _, q := range []string{
		`query { ...F } fragment F on QueryRoot { shop { name } }`,
		`{ shop @include(if: true) { name } }`,
		`{ shop { name }`,
		`{ shop { } }`,
		`subscription { x }`,
		`{ a(b: "unterminated) }`,
		`{ a } { b }`,
	} {
		if _, err := parse(q); err == nil {
			t.Errorf("parse(%q) succeeded", q)
		}
	}
}

func TestRequestedCost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		q    string
		want int
	}{
		{`{ shop { name } }`, 1},
		{`{ a { b { c } d } }`, 2},
		{`{ orders(first: 3) { pageInfo { hasNextPage } nodes { id } } }`, 2 + 3*1},
		{`{ orders(first: 3) { edges { node { customer { id } } } } }`, 2 + 3*2},
		{`query Q($n: Int!) { orders(first: $n) { nodes { lineItems(first: 4) { nodes { sku } } } } }`, 2 + 5*(1+2+4)},
		{`{ w { endpoint { __typename ... on WebhookHttpEndpoint { callbackUrl } } } }`, 2},
	}
	for _, tc := range tests {
		doc, err := parse(tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if got := requestedCost(doc.sel, map[string]any{"n": json.Number("5")}); got != tc.want {
			t.Errorf("requestedCost(%s) = %d, want %d", tc.q, got, tc.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, q := range []string{
		`query OrdersSince($first: Int!, $cursor: String) { orders(first: $first, after: $cursor, sortKey: UPDATED_AT, query: "updated_at:>='2025-01-01T00:00:00Z'") { pageInfo { hasNextPage endCursor } nodes { id } } }`,
		`mutation M($t: WebhookSubscriptionTopic!) { webhookSubscriptionCreate(topic: $t, webhookSubscription: {callbackUrl: "https://x", format: JSON}) { userErrors { field message } } }`,
		`{ w(first: 1) { edges { node { endpoint { ... on WebhookHttpEndpoint { callbackUrl } } } } } }`,
		`{ a(l: [1, 2.5, -3e2, true, null, ENUM, {k: "v"}]) }`,
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		doc, err := parse(q)
		if err != nil {
			return
		}
		if len(doc.sel) == 0 {
			t.Fatalf("parsed %q to an empty operation", q)
		}
		_ = requestedCost(doc.sel, map[string]any{})
	})
}
