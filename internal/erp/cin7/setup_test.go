package cin7_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/erp/cin7"
	"github.com/ordergate/ordergate/internal/erp/cin7/cin7fake"
	"github.com/ordergate/ordergate/internal/order"
)

// The example credentials of Cin7's API description.
const (
	testAccount = "704ef231-cd93-49c9-a201-26b4b5d0d35b"
	testKey     = "0342a546-e0c2-0dff-f0be-6a5e17154033"
)

// bundle is one fake Cin7 account on its own server and a client for it.
type bundle struct {
	erp    *cin7fake.ERP
	srv    *httptest.Server
	client *cin7.Client
	cfg    cin7.Config
}

// setup serves a fake and returns a client for it. mods adjust the fake's
// and the client's config; wrap, if not nil, goes in front of the fake.
func setup(t *testing.T, mods ...func(*cin7fake.Config, *cin7.Config)) bundle {
	t.Helper()
	return setupWrapped(t, nil, mods...)
}

func setupWrapped(t *testing.T, wrap func(http.Handler) http.Handler, mods ...func(*cin7fake.Config, *cin7.Config)) bundle {
	t.Helper()
	fc := cin7fake.Config{AccountID: testAccount, ApplicationKey: testKey}
	cc := cin7.Config{AccountID: testAccount, ApplicationKey: testKey, Timeout: 2 * time.Second}
	for _, m := range mods {
		m(&fc, &cc)
	}
	fake := cin7fake.New(fc)
	var h http.Handler = fake
	if wrap != nil {
		h = wrap(fake)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(fake.Close) // runs first: releases held requests so Close does not wait
	cc.BaseURL = srv.URL + cin7fake.Prefix
	cc.HTTPClient = srv.Client()
	c, err := cin7.New(cc)
	if err != nil {
		t.Fatalf("cin7.New: %v", err)
	}
	return bundle{erp: fake, srv: srv, client: c, cfg: cc}
}

// withClock runs the fake and the client on clk. The test then gives the
// client clk.sleep, so that its waits for the limiter advance clk.
func withClock(clk *clock) func(*cin7fake.Config, *cin7.Config) {
	return func(f *cin7fake.Config, c *cin7.Config) {
		f.Now = clk.Now
		c.Now = clk.Now
	}
}

// clock is a fake clock. Its sleep advances it at once and records the
// wait.
type clock struct {
	mu    sync.Mutex
	t     time.Time
	waits []time.Duration
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *clock) sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

func (c *clock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// testOrder returns an order of the given SKUs and quantities, at 12.50 each.
func testOrder(id string, lines ...any) order.Order {
	o := order.Order{
		Key:      order.Key{Storefront: "shop", ID: id},
		Name:     "#" + id,
		Customer: order.Customer{Name: "Ada Buyer", Email: "ada@example.com"},
		Currency: "USD",
	}
	for i := 0; i+1 < len(lines); i += 2 {
		o.Lines = append(o.Lines, order.LineItem{
			LineID: fmt.Sprint(i / 2), SKU: lines[i].(string), Quantity: lines[i+1].(int),
			Title: "Item " + lines[i].(string), Price: mustDecimal("12.50"),
		})
	}
	return o
}

// requests returns the method and path of each request the fake answered.
func requests(f *cin7fake.ERP) []string {
	var out []string
	for _, r := range f.Requests() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

func mustDecimal(s string) decimal.Decimal { return decimal.RequireFromString(s) }
