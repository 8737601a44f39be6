package amazon_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/marketplace/amazon"
	"github.com/ordergate/ordergate/internal/marketplace/amazon/amazonfake"
	"github.com/ordergate/ordergate/internal/marketplace/marketplacetest"
)

// Test credentials; the secrets are long and distinctive so that a leak is
// easy to find.
const (
	testClientID     = "amzn1.application-oa2-client.0123456789abcdef"
	testClientSecret = "amzn1.oa2-cs.v1.SECRET-do-not-log-7f3a9c"
	testRefreshToken = "Atzr|REFRESH-do-not-log-b81c44"
	testSeller       = "A2EXAMPLESELLER"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// bundle is one fake seller on its own server and a client for it.
type bundle struct {
	fake   *amazonfake.Fake
	client *amazon.Client
	clock  *marketplacetest.Clock
	cfg    amazon.Config
}

// setup serves a fake on a clock standing at t0 and returns a client for
// it. mods adjust the fake's and the client's config.
func setup(t *testing.T, mods ...func(*amazonfake.Config, *amazon.Config)) bundle {
	t.Helper()
	clk := marketplacetest.NewClock(t0)
	fc := amazonfake.Config{ClientID: testClientID, ClientSecret: testClientSecret, RefreshToken: testRefreshToken,
		SellerID: testSeller, Now: clk.Now}
	cc := amazon.Config{ClientID: testClientID, ClientSecret: testClientSecret, RefreshToken: testRefreshToken,
		SellerID: testSeller, MarketplaceIDs: []string{amazonfake.DefaultMarketplaceID}, ProductType: "LUGGAGE",
		Timeout: 5 * time.Second, Now: clk.Now}
	for _, m := range mods {
		m(&fc, &cc)
	}
	fake := amazonfake.New(fc)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	t.Cleanup(fake.Close) // runs first: releases held requests so Close does not wait
	cc.Endpoint, cc.TokenURL, cc.HTTPClient = srv.URL, srv.URL+amazonfake.TokenPath, srv.Client()
	c, err := amazon.New(cc)
	if err != nil {
		t.Fatalf("amazon.New: %v", err)
	}
	return bundle{fake: fake, client: c, clock: clk, cfg: cc}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}
