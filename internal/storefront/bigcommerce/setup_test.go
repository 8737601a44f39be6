package bigcommerce

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront/bigcommerce/bigcommercefake"
)

const (
	testHash  = "abc123xyz"
	testToken = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	noScope   = "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
)

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// orderDiff compares orders by value: decimals by amount and string, times
// by instant.
func orderDiff(want, got any) string {
	return cmp.Diff(want, got,
		cmpopts.IgnoreUnexported(order.Order{}),
		cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) && a.String() == b.String() }),
		cmp.Comparer(time.Time.Equal),
	)
}

// clock is a fake clock. Its Sleep advances it at once and records the
// wait, so that tests assert on the waits the client computed.
type clock struct {
	mu    sync.Mutex
	t     time.Time
	waits []time.Duration
}

func newClock() *clock { return &clock{t: time.Date(2025, 7, 1, 9, 30, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.t = c.t.Add(d)
	return nil
}

func (c *clock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// bundle is one fake store on its own server and a client for it, both on
// one fake clock.
type bundle struct {
	store  *bigcommercefake.Store
	srv    *httptest.Server
	client *Client
	clk    *clock
}

// setup serves a fake store and returns a client for it. mods adjust the
// fake's and the client's config; wrap, if not nil, goes in front of the
// fake.
func setup(t *testing.T, mods ...func(*bigcommercefake.Config, *Config)) bundle {
	t.Helper()
	return setupWrapped(t, nil, mods...)
}

func setupWrapped(t *testing.T, wrap func(http.Handler) http.Handler, mods ...func(*bigcommercefake.Config, *Config)) bundle {
	t.Helper()
	clk := newClock()
	fc := bigcommercefake.Config{StoreHash: testHash, AccessToken: testToken, NoScopeToken: noScope, Now: clk.Now}
	cc := Config{Storefront: "bc1", AccessToken: testToken, Timeout: 5 * time.Second, Now: clk.Now, Sleep: clk.Sleep}
	for _, m := range mods {
		m(&fc, &cc)
	}
	store := bigcommercefake.New(fc)
	var h http.Handler = store
	if wrap != nil {
		h = wrap(store)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cc.BaseURL = srv.URL + store.Prefix()
	cc.HTTPClient = srv.Client()
	c, err := NewClient(cc)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return bundle{store: store, srv: srv, client: c, clk: clk}
}

// putFixture loads BigCommerce's example order 218, its products and, as
// its shipping addresses, the docs' example pair.
func (b bundle) putFixture(t *testing.T) {
	t.Helper()
	if err := b.store.PutOrder(readTestdata(t, "v2-order-get.json"), readTestdata(t, "v2-order-products-get.json")); err != nil {
		t.Fatal(err)
	}
	if err := b.store.PutShippingAddresses(218, readTestdata(t, "v2-order-shipping-addresses-get.json")); err != nil {
		t.Fatal(err)
	}
}
