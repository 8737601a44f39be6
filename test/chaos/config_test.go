package chaos

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ordergate/ordergate/internal/marketplace/amazon/amazonfake"
	"github.com/ordergate/ordergate/internal/marketplace/ebay/ebayfake"
	"github.com/ordergate/ordergate/internal/marketplace/walmart/walmartfake"
	"github.com/ordergate/ordergate/internal/sandbox/storesim"
)

// The marketplace fakes' credentials; the gateway's config names them.
const (
	mpClientID     = "chaos-mp-client"
	mpClientSecret = "chaos-mp-secret"
	mpRefresh      = "chaos-mp-refresh"
	amazonSeller   = "A2CHAOSSELLER"
	amazonProduct  = "PRODUCT"
)

// market is one marketplace fake of a round, served over HTTP behind the
// recorder of what it is told.
type market struct {
	plan MarketPlan
	url  string
	rec  *pushRecorder
}

// startMarkets serves a vendor fake for each of the round's marketplaces,
// listing every catalogue SKU, each behind a pushRecorder.
func startMarkets(t *testing.T, p Plan) []market {
	var out []market
	for _, m := range p.Markets {
		var h http.Handler
		switch m.Kind {
		case "amazon":
			f := amazonfake.New(amazonfake.Config{ClientID: mpClientID, ClientSecret: mpClientSecret, RefreshToken: mpRefresh, SellerID: amazonSeller})
			for _, sku := range storesim.DefaultSKUs() {
				f.AddListing(sku, amazonProduct)
			}
			t.Cleanup(f.Close)
			h = f
		case "ebay":
			f := ebayfake.New(ebayfake.Config{ClientID: mpClientID, ClientSecret: mpClientSecret, RefreshToken: mpRefresh})
			for _, sku := range storesim.DefaultSKUs() {
				f.AddItem(sku)
			}
			t.Cleanup(f.Close)
			h = f
		case "walmart":
			f := walmartfake.New(walmartfake.Config{ClientID: mpClientID, ClientSecret: mpClientSecret})
			for _, sku := range storesim.DefaultSKUs() {
				f.AddItem(sku)
			}
			t.Cleanup(f.Close)
			h = f
		default:
			t.Fatalf("marketplace kind %q", m.Kind)
		}
		rec := &pushRecorder{market: m.Kind, next: h}
		srv := httptest.NewServer(rec)
		t.Cleanup(srv.Close)
		out = append(out, market{plan: m, url: srv.URL, rec: rec})
	}
	return out
}

// gatewayConfig is the gateway's config for a round: a storefront of each
// flavour, the sandbox ERP, the mailbox, and the stock ledger pushing to
// the round's marketplaces. The keeper syncs and reads the ERP every
// 200 ms, so that stock moves many times a round.
func gatewayConfig(p Plan, db, addr, erpURL, mailAddr, bcURL string, markets []market) string {
	var b strings.Builder
	fmt.Fprintf(&b, "database: sqlite:%s\nlisten: %s\nlog_level: warn\nadmin_tokens: [%q]\nstorefronts:\n", filepath.ToSlash(db), addr, token)
	for _, s := range p.Shops {
		fmt.Fprintf(&b, "  - {name: %s, kind: %s, webhook_secrets: [%q], erp: erp1, notifier: mail, mode: %s, confirmation_sla: %s",
			s.Name, s.Flavor, secret, p.Mode, SLA)
		if s.Flavor == storesim.BigCommerce {
			fmt.Fprintf(&b, ", api: {base_url: %q, access_token: %q, timeout: 2s}", bcURL, bcToken)
		}
		b.WriteString("}\n")
	}
	fmt.Fprintf(&b, "erps:\n  - {name: erp1, kind: sandbox, base_url: %q, max_concurrency: 16, timeout: 1s, callback_secrets: [%q]}\n", erpURL, callbackSecret)
	fmt.Fprintf(&b, "notifiers:\n  - {name: mail, kind: smtp, addr: %q, from: \"Chaos Shop <orders@chaos.example>\", tls: none}\n", mailAddr)
	fmt.Fprintf(&b, "retry: {initial: 50ms, max: 500ms, max_attempts: 200}\njobs: {timeout: %s, rescue_after: 30s, sweep_interval: 1s}\nreconcile: {interval: 0s}\n", JobTimeout)
	if len(markets) == 0 {
		return b.String()
	}
	fmt.Fprintf(&b, "inventory: {erp: erp1, skus: [%s], refresh: 200ms, sync: 200ms}\nmarketplaces:\n", strings.Join(storesim.DefaultSKUs(), ", "))
	for _, m := range markets {
		mp := m.plan
		fmt.Fprintf(&b, "  - {name: %s, kind: %s, buffer: %d, lag: %s, debounce: %s, ", mp.Kind, mp.Kind, mp.Buffer, mp.Lag, mp.Debounce)
		switch mp.Kind {
		case "amazon":
			fmt.Fprintf(&b, "amazon: {endpoint: %q, token_url: %q, client_id: %q, client_secret: %q, refresh_token: %q, seller_id: %s, marketplace_ids: [%s], product_type: %s}",
				m.url, m.url+amazonfake.TokenPath, mpClientID, mpClientSecret, mpRefresh, amazonSeller, amazonfake.DefaultMarketplaceID, amazonProduct)
		case "ebay":
			fmt.Fprintf(&b, "ebay: {base_url: %q, client_id: %q, client_secret: %q, refresh_token: %q}", m.url, mpClientID, mpClientSecret, mpRefresh)
		case "walmart":
			fmt.Fprintf(&b, "walmart: {base_url: %q, client_id: %q, client_secret: %q}", m.url, mpClientID, mpClientSecret)
		}
		b.WriteString("}\n")
	}
	return b.String()
}
