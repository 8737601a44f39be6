package main

import (
	"crypto/tls"
	"net/http"

	"github.com/ordergate/ordergate/internal/config"
	"github.com/ordergate/ordergate/internal/storefront/shopify/admin/shopifyfake"
	"github.com/ordergate/ordergate/internal/storefront/woocommerce/woocommercefake"
)

// demoAPIs are the storefronts' own APIs the demo serves for reconciliation
// to list orders through (BigCommerce's is served for every scenario, since
// its webhooks carry only the id).
type demoAPIs struct {
	shopify      *shopifyfake.Server
	shopifyToken string
	woo          *woocommercefake.Shop
	wooURL       string
	wooKey       string
	wooSecret    string
}

// serveAPIs serves the Shopify Admin API and the WooCommerce REST API when
// the scenario reconciles and has such a storefront.
func (sc scenario) serveAPIs() (demoAPIs, func(), error) {
	var apis demoAPIs
	var closers []func()
	closeAll := func() {
		for _, c := range closers {
			c()
		}
	}
	if !sc.reconcile {
		return apis, closeAll, nil
	}
	for _, s := range sc.shops {
		switch {
		case s.kind == config.StorefrontShopify && apis.shopify == nil:
			apis.shopifyToken = "shpat_" + randomHex(16)
			// A bucket large enough that the demo's listings never wait;
			// write_orders for the gated tag.
			apis.shopify = shopifyfake.New(shopifyfake.Options{Token: apis.shopifyToken, MaximumAvailable: 1e6, RestoreRate: 1e5,
				Scopes: []string{"read_orders", "write_orders"}})
			closers = append(closers, apis.shopify.Close)
		case s.kind == config.StorefrontWooCommerce && apis.woo == nil:
			apis.wooKey, apis.wooSecret = "ck_"+randomHex(20), "cs_"+randomHex(20)
			apis.woo = woocommercefake.New(woocommercefake.Config{ConsumerKey: apis.wooKey, ConsumerSecret: apis.wooSecret, Permissions: "read"})
			url, closeWoo, err := serveLoopback(tlsTerminated(apis.woo))
			if err != nil {
				closeAll()
				return demoAPIs{}, nil, err
			}
			closers = append(closers, closeWoo)
			apis.wooURL = url
		}
	}
	return apis, closeAll, nil
}

// tlsTerminated serves h as if behind a TLS-terminating proxy on this
// machine: WordPress, like the fake shop, reads an API key only over TLS,
// and the gateway's WooCommerce client speaks plain http only to a
// loopback address, as to such a proxy.
func tlsTerminated(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.TLS = &tls.ConnectionState{HandshakeComplete: true}
		h.ServeHTTP(w, r)
	})
}
