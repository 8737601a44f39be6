package walmart_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/marketplace/marketplacetest"
	"github.com/ordergate/ordergate/internal/marketplace/walmart"
	"github.com/ordergate/ordergate/internal/marketplace/walmart/walmartfake"
)

const (
	testClientID     = "c0ffee00-1111-2222-3333-444455556666"
	testClientSecret = "WALMART-SECRET-do-not-log-91ab"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

type bundle struct {
	fake   *walmartfake.Fake
	client *walmart.Client
	clock  *marketplacetest.Clock
}

// setup serves a fake on a clock standing at t0 and returns a client for
// it. wrap, if not nil, goes in front of the fake.
func setup(t *testing.T, wrap func(http.Handler) http.Handler, mods ...func(*walmartfake.Config, *walmart.Config)) bundle {
	t.Helper()
	clk := marketplacetest.NewClock(t0)
	fc := walmartfake.Config{ClientID: testClientID, ClientSecret: testClientSecret, Now: clk.Now}
	cc := walmart.Config{ClientID: testClientID, ClientSecret: testClientSecret, Timeout: 5 * time.Second, Now: clk.Now}
	for _, m := range mods {
		m(&fc, &cc)
	}
	fake := walmartfake.New(fc)
	var h http.Handler = fake
	if wrap != nil {
		h = wrap(fake)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(fake.Close)
	cc.BaseURL, cc.HTTPClient = srv.URL, srv.Client()
	c, err := walmart.New(cc)
	if err != nil {
		t.Fatalf("walmart.New: %v", err)
	}
	return bundle{fake: fake, client: c, clock: clk}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}
