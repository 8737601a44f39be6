package main

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/config"
	"github.com/ordergate/ordergate/internal/storefront/shopify/admin/shopifyfake"
)

func TestWatchSubscriptions_RecreatesWhatWasRemovedAndLeavesOthersAlone(t *testing.T) {
	t.Parallel()
	fake := shopifyfake.New(shopifyfake.Options{})
	t.Cleanup(fake.Close)
	const public = "https://orders.example.com"
	want := public + "/webhooks/shopify/shop1"
	// The merchant removed orders/updated; another app listens to
	// orders/create elsewhere.
	fake.AddSubscription("ORDERS_CREATE", want, "JSON")
	fake.AddSubscription("ORDERS_CANCELLED", want, "JSON")
	fake.AddSubscription("ORDERS_CREATE", "https://erp-connector.example/hooks", "JSON")

	cfg := &config.Config{PublicURL: public, Storefronts: []config.Storefront{{
		Name: "shop1", Kind: config.StorefrontShopify, ShopDomain: "shop1.myshopify.com",
		API: config.StorefrontAPI{AccessToken: fake.Token(), BaseURL: fake.URL(), APIVersion: "2025-07", Timeout: 5 * time.Second},
	}}}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	watchSubscriptions(ctx, cfg, slog.New(slog.DiscardHandler), time.Hour)

	deadline := time.Now().Add(30 * time.Second)
	for {
		var ours []string
		foreign := 0
		for _, s := range fake.Subscriptions() {
			if s.CallbackURL == want {
				ours = append(ours, s.Topic)
			} else {
				foreign++
			}
		}
		slices.Sort(ours)
		if slices.Equal(ours, []string{"ORDERS_CANCELLED", "ORDERS_CREATE", "ORDERS_UPDATED"}) {
			if foreign != 1 {
				t.Errorf("%d subscriptions to other addresses, want the one left alone", foreign)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("subscriptions to %s: %v, want the three order topics", want, ours)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestValidateConnectors_NamesStorefrontAPIFieldsByConfigPath(t *testing.T) {
	t.Parallel()
	cfg := &config.Config{Storefronts: []config.Storefront{
		{Name: "woo1", Kind: config.StorefrontWooCommerce, API: config.StorefrontAPI{
			BaseURL: "http://shop.example.com", ConsumerKey: "cs_swapped", ConsumerSecret: "cs_x"}},
		{Name: "bc1", Kind: config.StorefrontBigCommerce, API: config.StorefrontAPI{StoreHash: "abc 123", AccessToken: "tok"}},
	}}
	err := validateConnectors(cfg)
	if err == nil {
		t.Fatal("no error")
	}
	var paths []string
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) {
		t.Fatalf("error %v is not a list", err)
	}
	for _, e := range flatten(err) {
		var fe *config.FieldError
		if errors.As(e, &fe) {
			paths = append(paths, fe.Path)
		}
	}
	for _, want := range []string{"storefronts[0].api.base_url", "storefronts[0].api.consumer_key", "storefronts[1].api.store_hash"} {
		if !slices.Contains(paths, want) {
			t.Errorf("problems at %v; want one at %s (error: %v)", paths, want, err)
		}
	}
	if strings.Contains(err.Error(), "auth.") {
		t.Errorf("error names the connector's own keys, not the config's: %v", err)
	}
}

func flatten(err error) []error {
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		var out []error
		for _, e := range joined.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}
