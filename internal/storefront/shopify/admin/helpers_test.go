package admin

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront/shopify"
	"github.com/ordergate/ordergate/internal/storefront/shopify/admin/shopifyfake"
	"github.com/shopspring/decimal"
)

// clock is the fake time shared by the client and the fake server: Sleep
// records the wait and moves time on, so the fake's bucket refills exactly
// as much as the client waited.
type clock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func newClock() *clock { return &clock{now: time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if d > 0 {
		c.mu.Lock()
		c.waits = append(c.waits, d)
		c.now = c.now.Add(d)
		c.mu.Unlock()
	}
	return ctx.Err()
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *clock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

type bundle struct {
	fake   *shopifyfake.Server
	client *Client
	clock  *clock
}

// setup starts a fake shop and a client of it sharing one fake clock.
func setup(t *testing.T, opts shopifyfake.Options) bundle {
	t.Helper()
	clk := newClock()
	opts.Now = clk.Now
	fake := shopifyfake.New(opts)
	t.Cleanup(fake.Close)
	c, err := NewClient(Config{
		Storefront:  "shop1",
		ShopDomain:  "northwind.myshopify.com",
		AccessToken: fake.Token(),
		BaseURL:     fake.URL(),
		Now:         clk.Now,
		Sleep:       clk.Sleep,
	})
	if err != nil {
		t.Fatal(err)
	}
	return bundle{fake: fake, client: c, clock: clk}
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// orderDiff compares orders by value: decimals by amount and string, times
// by instant.
func orderDiff(want, got any) string {
	return cmp.Diff(want, got,
		cmpopts.IgnoreUnexported(order.Order{}),
		cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) && a.String() == b.String() }),
		cmp.Comparer(time.Time.Equal),
	)
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// listAll collects every order ListOrdersSince returns.
func listAll(t *testing.T, c *Client, since time.Time) []order.Order {
	t.Helper()
	var got []order.Order
	if err := c.ListOrdersSince(context.Background(), since, func(o order.Order) error {
		got = append(got, o)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

// webhookHeaders are the headers Shopify sends with a delivery of topic.
func webhookHeaders(topic string) http.Header {
	h := http.Header{}
	h.Set(shopify.HeaderTopic, topic)
	h.Set(shopify.HeaderShopDomain, "northwind.myshopify.com")
	h.Set(shopify.HeaderAPIVersion, "2025-07")
	h.Set(shopify.HeaderWebhookID, "wh-1")
	h.Set(shopify.HeaderEventID, "evt-1")
	return h
}
