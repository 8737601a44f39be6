package ebay_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/marketplace/ebay"
	"github.com/ordergate/ordergate/internal/marketplace/ebay/ebayfake"
	"github.com/ordergate/ordergate/internal/marketplace/marketplacetest"
)

const (
	testClientID     = "OrderGat-og-PRD-0123456789-abcdef01"
	testClientSecret = "PRD-EBAY-SECRET-do-not-log-5d2e"
	testRefreshToken = "v^1.1#i^1#REFRESH-do-not-log-77aa"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

type bundle struct {
	fake   *ebayfake.Fake
	client *ebay.Client
	clock  *marketplacetest.Clock
}

// setup serves a fake on a clock standing at t0 and returns a client for it.
func setup(t *testing.T, mods ...func(*ebayfake.Config, *ebay.Config)) bundle {
	t.Helper()
	clk := marketplacetest.NewClock(t0)
	fc := ebayfake.Config{ClientID: testClientID, ClientSecret: testClientSecret, RefreshToken: testRefreshToken, Now: clk.Now}
	cc := ebay.Config{ClientID: testClientID, ClientSecret: testClientSecret, RefreshToken: testRefreshToken,
		Timeout: 5 * time.Second, Now: clk.Now}
	for _, m := range mods {
		m(&fc, &cc)
	}
	fake := ebayfake.New(fc)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	t.Cleanup(fake.Close)
	cc.BaseURL, cc.HTTPClient = srv.URL, srv.Client()
	c, err := ebay.New(cc)
	if err != nil {
		t.Fatalf("ebay.New: %v", err)
	}
	return bundle{fake: fake, client: c, clock: clk}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}
