package fishbowl_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp/fishbowl"
	"github.com/ordergate/ordergate/internal/erp/fishbowl/fishbowlfake"
	"github.com/ordergate/ordergate/internal/order"
)

// The integration user and app the tests log in as.
const (
	testUser    = "ordergate-api"
	testPass    = "correct horse"
	testAppName = "ordergate"
	testAppID   = 4711
)

// bundle is one fake Fishbowl on its own server and a client for it.
type bundle struct {
	fake   *fishbowlfake.Fake
	srv    *httptest.Server
	client *fishbowl.Client
}

// option adjusts the fake's and the client's configuration.
type option func(*fishbowlfake.Config, *fishbowl.Config)

// setup serves a fake Fishbowl that knows the test user and approves new
// apps, and returns a client for it whose requests time out after a second.
func setup(t *testing.T, opts ...option) bundle {
	t.Helper()
	fc := fishbowlfake.Config{Users: map[string]fishbowlfake.User{testUser: {Password: testPass}}}
	cc := fishbowl.Config{
		Username: testUser, Password: testPass,
		AppName: testAppName, AppID: "4711",
		Timeout: time.Second,
	}
	for _, o := range opts {
		o(&fc, &cc)
	}
	fake := fishbowlfake.New(fc)
	srv := httptest.NewServer(fake)
	cc.BaseURL = srv.URL
	if cc.HTTPClient == nil {
		cc.HTTPClient = srv.Client()
	}
	c, err := fishbowl.New(cc)
	if err != nil {
		t.Fatalf("fishbowl.New: %v", err)
	}
	// Cleanups run last first: let held requests go, log out, then
	// stop the server.
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c.Close(ctx)
	})
	t.Cleanup(fake.Release)
	return bundle{fake: fake, srv: srv, client: c}
}

// newClient returns another client of the bundle's fake, as a second
// gateway replica would be.
func (b bundle) newClient(t *testing.T, adjust func(*fishbowl.Config)) *fishbowl.Client {
	t.Helper()
	cc := fishbowl.Config{BaseURL: b.srv.URL, Username: testUser, Password: testPass,
		AppName: testAppName, AppID: "4711", Timeout: time.Second, HTTPClient: b.srv.Client()}
	if adjust != nil {
		adjust(&cc)
	}
	c, err := fishbowl.New(cc)
	if err != nil {
		t.Fatalf("fishbowl.New: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func newOrder(id string, lines ...order.LineItem) order.Order {
	return order.Order{
		Key:      order.Key{Storefront: "shop", ID: id},
		Name:     "#" + id,
		Customer: order.Customer{Name: "Ada Buyer", Email: "ada@example.com"},
		Currency: "USD",
		Lines:    lines,
	}
}

func line(sku string, qty int) order.LineItem { return order.LineItem{SKU: sku, Quantity: qty} }

// clock is a clock a test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

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

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
