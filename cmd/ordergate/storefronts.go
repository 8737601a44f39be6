package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/ordergate/ordergate/internal/config"
	"github.com/ordergate/ordergate/internal/gate"
	"github.com/ordergate/ordergate/internal/storefront"
	"github.com/ordergate/ordergate/internal/storefront/bigcommerce"
	"github.com/ordergate/ordergate/internal/storefront/shopify/admin"
	"github.com/ordergate/ordergate/internal/storefront/woocommerce"
)

// storefrontAPI is a storefront's API client config before it is made:
// at most one is set, and none when the storefront has no api settings.
type storefrontAPI struct {
	shopify     *admin.Config
	woocommerce *woocommerce.Config
	bigcommerce *bigcommerce.Config
}

// storefrontAPIFor maps one storefront entry onto its API client's config.
func storefrontAPIFor(sf config.Storefront) storefrontAPI {
	a := sf.API
	switch sf.Kind {
	case config.StorefrontShopify:
		if a.AccessToken == "" {
			return storefrontAPI{}
		}
		return storefrontAPI{shopify: &admin.Config{Storefront: sf.Name, ShopDomain: sf.ShopDomain, AccessToken: a.AccessToken,
			APIVersion: a.APIVersion, BaseURL: a.BaseURL, Timeout: a.Timeout}}
	case config.StorefrontWooCommerce:
		if a.BaseURL == "" && a.ConsumerKey == "" && a.ConsumerSecret == "" {
			return storefrontAPI{}
		}
		return storefrontAPI{woocommerce: &woocommerce.Config{Storefront: sf.Name, BaseURL: a.BaseURL,
			ConsumerKey: a.ConsumerKey, ConsumerSecret: a.ConsumerSecret, Timeout: a.Timeout}}
	case config.StorefrontBigCommerce:
		return storefrontAPI{bigcommerce: &bigcommerce.Config{Storefront: sf.Name, StoreHash: a.StoreHash,
			AccessToken: a.AccessToken, BaseURL: a.BaseURL, Timeout: a.Timeout}}
	}
	return storefrontAPI{}
}

// validate checks the client's settings without calling out; problems are
// named by their config path, e.g. storefronts[2].api.store_hash.
func (c storefrontAPI) validate(path string) error {
	var err error
	switch {
	case c.shopify != nil:
		err = c.shopify.Validate()
	case c.woocommerce != nil:
		err = c.woocommerce.Validate()
	case c.bigcommerce != nil:
		err = c.bigcommerce.Validate()
	}
	return underPath(path, err, func(key string) string {
		switch key = strings.TrimPrefix(key, "auth."); key {
		case "name", "shop_domain":
			return key
		}
		return "api." + key
	})
}

// validateStorefrontAPIs checks every storefront's API settings, as `config
// check` and start do.
func validateStorefrontAPIs(cfg *config.Config) error {
	var errs []error
	for i, sf := range cfg.Storefronts {
		if err := storefrontAPIFor(sf).validate(fmt.Sprintf("storefronts[%d]", i)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// fetchers returns the fetchers of the storefronts whose webhooks carry
// only an order id, by storefront name.
func fetchers(cfg *config.Config) (map[string]storefront.Fetcher, error) {
	out := make(map[string]storefront.Fetcher)
	for _, sf := range cfg.Storefronts {
		c := storefrontAPIFor(sf)
		if c.bigcommerce == nil {
			continue
		}
		client, err := bigcommerce.NewClient(*c.bigcommerce)
		if err != nil {
			return nil, fmt.Errorf("storefronts %s: %w", sf.Name, err)
		}
		out[sf.Name] = &bigcommerce.Fetcher{Storefront: sf.Name, Client: client}
	}
	return out, nil
}

// subscriptionCheckInterval is how often Shopify's webhook subscriptions
// are checked: Shopify deletes a subscription made through the Admin API
// once its deliveries have failed for long enough, and a merchant may
// remove one by hand.
const subscriptionCheckInterval = time.Hour

// watchSubscriptions checks, at once and then every interval until ctx
// ends, that each shopify storefront with an Admin API token has its
// orders/* subscriptions to this gateway's public address, re-creating
// those missing. It does nothing without public_url. Subscriptions that
// deliver elsewhere are reported, never deleted.
func watchSubscriptions(ctx context.Context, cfg *config.Config, log *slog.Logger, interval time.Duration) {
	type shop struct {
		name, url string
		client    *admin.Client
	}
	var shops []shop
	if cfg.PublicURL == "" {
		return
	}
	for _, sf := range cfg.Storefronts {
		c := storefrontAPIFor(sf)
		if c.shopify == nil {
			continue
		}
		client, err := admin.NewClient(*c.shopify)
		if err != nil {
			log.Error("shopify subscription check disabled", "storefront", sf.Name, "err", err)
			continue
		}
		shops = append(shops, shop{sf.Name, webhookURL(cfg.PublicURL, sf), client})
	}
	if len(shops) == 0 {
		return
	}
	check := func() {
		for _, s := range shops {
			cctx, cancel := context.WithTimeout(ctx, time.Minute)
			rep, err := s.client.EnsureSubscriptions(cctx, s.url, nil)
			cancel()
			for _, sub := range rep.Created {
				log.Warn("shopify webhook subscription was missing: re-created", "storefront", s.name, "topic", sub.Topic, "callback_url", s.url)
			}
			for _, sub := range rep.Foreign {
				log.Info("shopify webhook subscription to another address left alone", "storefront", s.name, "topic", sub.Topic,
					"endpoint", sub.Endpoint, "callback_url", sub.CallbackURL)
			}
			if err != nil {
				log.Error("shopify subscription check failed", "storefront", s.name, "err", err)
				continue
			}
			log.Info("shopify webhook subscriptions checked", "storefront", s.name, "present", len(rep.Present), "created", len(rep.Created))
		}
	}
	go func() {
		check()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				check()
			}
		}
	}()
}

// webhookURL is where a storefront's webhooks reach this gateway.
func webhookURL(public string, sf config.Storefront) string {
	return strings.TrimSuffix(public, "/") + "/webhooks/" + sf.Kind + "/" + sf.Name
}

// gatedTagger returns what tags a storefront's gated orders in the
// storefront for the legacy connector to skip, and the tag: for shopify
// with an Admin API token and gated_tag not empty, the Admin API client;
// otherwise nil. It warns of a storefront rolled out to part of its
// orders that cannot be tagged, whose legacy connector cannot tell which
// orders to skip.
func gatedTagger(sf config.Storefront, log *slog.Logger) (gate.Tagger, string, error) {
	c := storefrontAPIFor(sf)
	tag := ""
	if sf.GatedTag != nil {
		tag = *sf.GatedTag
	}
	if c.shopify != nil && tag != "" {
		client, err := admin.NewClient(*c.shopify)
		if err != nil {
			return nil, "", fmt.Errorf("storefronts %s: %w", sf.Name, err)
		}
		return client, tag, nil
	}
	if sf.Kind == config.StorefrontShopify && sf.Mode != config.ModeShadow && sf.RolloutPercent != nil && *sf.RolloutPercent < 100 {
		why := "no api.access_token"
		if c.shopify != nil {
			why = "gated_tag is empty"
		}
		log.Warn("gated orders are not tagged in shopify: the legacy connector cannot tell which orders to skip",
			"storefront", sf.Name, "rollout_percent", *sf.RolloutPercent, "reason", why)
	}
	return nil, "", nil
}
