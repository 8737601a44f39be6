package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront/shopify/admin/shopifyfake"
)

// orderSeeds are GraphQL Order nodes: the hand-built reply's, and each
// fixture as the fake converts it.
func orderSeeds(f *testing.F) [][]byte {
	var reply struct {
		Data struct {
			Orders struct {
				Nodes []json.RawMessage `json:"nodes"`
			} `json:"orders"`
		} `json:"data"`
	}
	if err := json.Unmarshal(readTestdata(f, "graphql-orders-page-820982911946154508.json"), &reply); err != nil {
		f.Fatal(err)
	}
	seeds := [][]byte{reply.Data.Orders.Nodes[0]}
	for _, name := range fixtures {
		n, err := shopifyfake.OrderFromREST(readTestdata(f, name))
		if err != nil {
			f.Fatal(err)
		}
		// The fake keeps line items as its own connection type; a client
		// sees them as a page of nodes.
		lines, _ := json.Marshal(n["lineItems"])
		n["lineItems"] = map[string]any{"pageInfo": map[string]any{"hasNextPage": false}, "nodes": json.RawMessage(lines)}
		b, err := json.Marshal(n)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	return append(seeds,
		[]byte(`{"legacyResourceId":"9007199254740993","lineItems":{"nodes":[{"id":"gid://shopify/LineItem/1","sku":null,"quantity":0}]}}`),
		[]byte(`{"id":"gid://shopify/Order/1","totalPriceSet":{"shopMoney":{"amount":"1e3"}}}`),
		[]byte(`{"legacyResourceId":18446744073709551616}`),
	)
}

func FuzzDecodeOrderNode(f *testing.F) {
	for _, s := range orderSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, node []byte) {
		s, err := DecodeOrderNode("shop1", node)
		if err != nil {
			return
		}
		checkOrder(t, s.Order, node)
	})
}

// checkOrder holds what every accepted order must satisfy.
func checkOrder(t *testing.T, o order.Order, input []byte) {
	t.Helper()
	if !canonicalDigits(o.Key.ID) {
		t.Fatalf("accepted order id %q from %q", o.Key.ID, input)
	}
	if len(o.Total.String()) > 64 {
		t.Fatalf("total %s from %q", o.Total, input)
	}
	for _, l := range o.Lines {
		if l.Quantity < 0 || (l.LineID != "" && !canonicalDigits(l.LineID)) || len(l.Price.String()) > 64 {
			t.Fatalf("accepted line %+v from %q", l, input)
		}
	}
	if o.ShipTo != nil && *o.ShipTo == (order.Address{}) {
		t.Fatalf("an empty ship-to is not nil, from %q", input)
	}
	if o.SourceUpdatedAt.IsZero() != o.CapturedAt.IsZero() && o.SourceUpdatedAt.IsZero() {
		t.Fatalf("no updated time though created is %v", o.CapturedAt)
	}
}

func canonicalDigits(s string) bool {
	if s == "" || s[0] == '0' {
		return false
	}
	return strings.Trim(s, "0123456789") == ""
}

// replay answers every request with the same body and status.
type replay struct {
	status int
	body   []byte
}

func (r replay) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: r.status, Header: http.Header{"Retry-After": {"1"}}, Body: io.NopCloser(bytes.NewReader(r.body)), Request: req}, nil
}

// FuzzListOrdersReply feeds whatever Shopify might answer to the whole
// listing path: the reply, its errors and cost, paging, line follow-ups.
// It must end (every reply is the same, so paging loops must notice) and
// must not accept a bad order.
func FuzzListOrdersReply(f *testing.F) {
	f.Add(200, readTestdata(f, "graphql-orders-page-820982911946154508.json"))
	f.Add(200, []byte(throttledBody))
	f.Add(200, []byte(throttledOldBody))
	f.Add(200, []byte(`{"data":{"orders":{"pageInfo":{"hasNextPage":true,"endCursor":"c"},"nodes":[]}}}`))
	f.Add(200, []byte(`{"data":{"orders":{"pageInfo":{"hasNextPage":false},"nodes":[{"legacyResourceId":"5","lineItems":{"pageInfo":{"hasNextPage":true,"endCursor":"x"},"nodes":[]}}]},"order":{"lineItems":{"pageInfo":{"hasNextPage":true,"endCursor":"x"},"nodes":[{"quantity":1}]}}}}`))
	f.Add(200, []byte(`{"errors":[{"message":"Query cost is 1502","extensions":{"code":"MAX_COST_EXCEEDED"}}]}`))
	f.Add(429, []byte(`{"errors":"Throttled"}`))
	f.Add(503, []byte(``))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 599 {
			return
		}
		clk := newClock()
		c, err := NewClient(Config{
			Storefront: "shop1", ShopDomain: "fuzz.myshopify.com", AccessToken: "t",
			HTTPClient: &http.Client{Transport: replay{status, body}},
			Now:        clk.Now, Sleep: clk.Sleep,
		})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		_ = c.ListOrdersSince(context.Background(), time.Time{}, func(o order.Order) error {
			checkOrder(t, o, body)
			if n++; n > 10000 {
				t.Fatal("listing does not end")
			}
			return nil
		})
		if len(clk.Waits()) > 2*maxAttempts*8 {
			t.Fatalf("%d waits", len(clk.Waits()))
		}
	})
}
