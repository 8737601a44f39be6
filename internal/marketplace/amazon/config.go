package amazon

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults of Config.
const (
	// DefaultEndpoint is the SP-API endpoint for North America; Europe is
	// https://sellingpartnerapi-eu.amazon.com, the Far East
	// https://sellingpartnerapi-fe.amazon.com.
	DefaultEndpoint = "https://sellingpartnerapi-na.amazon.com"
	// DefaultTokenURL is Login with Amazon's token endpoint.
	DefaultTokenURL = "https://api.amazon.com/auth/o2/token"
	DefaultTimeout  = 30 * time.Second
	// DefaultRequestsPerSecond and DefaultBurst are patchListingsItem's
	// per-account usage plan (5 requests a second, burst 5).
	DefaultRequestsPerSecond = 5
	DefaultBurst             = 5
	// DefaultFulfillmentChannel is merchant fulfilment.
	DefaultFulfillmentChannel = "DEFAULT"
)

// Config says how to reach one selling partner's listings. The zero value
// of every optional field means its documented default.
type Config struct {
	// Endpoint is the SP-API root; empty means DefaultEndpoint.
	Endpoint string
	// TokenURL is Login with Amazon's token endpoint; empty means
	// DefaultTokenURL.
	TokenURL string
	// ClientID and ClientSecret are the LWA credentials of the
	// application; RefreshToken is the seller's authorisation of it.
	// Required.
	ClientID     string
	ClientSecret string
	RefreshToken string
	// SellerID is the selling partner (merchant token). Required.
	SellerID string
	// MarketplaceIDs are the marketplaces the listings are in, e.g.
	// ATVPDKIKX0DER (amazon.com). Required.
	MarketplaceIDs []string
	// ProductType is the Amazon product type sent with every patch, and
	// ProductTypes overrides it per SKU. Amazon requires it on every
	// patch; a SKU with neither is refused without a request.
	ProductType  string
	ProductTypes map[string]string
	// FulfillmentChannel is the fulfillment_channel_code whose quantity is
	// set; empty means DefaultFulfillmentChannel.
	FulfillmentChannel string
	// PatchOp is "merge" (the default: sets the quantity and keeps
	// restock_date and lead_time_to_ship_max_days) or "replace" (replaces
	// the whole fulfillment_availability, so those two revert to
	// Amazon's defaults).
	PatchOp string
	// RequestsPerSecond and Burst are the account's rate for listing
	// patches; 0 means DefaultRequestsPerSecond and DefaultBurst. Raise
	// them only if Amazon raised the account's usage plan.
	RequestsPerSecond float64
	Burst             int
	// Timeout bounds each call, token included; 0 means DefaultTimeout.
	Timeout time.Duration
	// HTTPClient makes the requests; nil means a client of our own.
	HTTPClient *http.Client
	// Now is the clock of token expiry and Retry-After dates; nil means
	// time.Now.
	Now func() time.Time
}

// Validate checks the configuration's shape without calling Amazon. Each
// problem names its YAML key; no problem quotes a secret.
func (c Config) Validate() error {
	var errs []error
	for _, f := range []struct{ key, v string }{{"endpoint", c.Endpoint}, {"token_url", c.TokenURL}} {
		if f.v == "" {
			continue
		}
		if u, err := url.Parse(f.v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s: %q is not an absolute http or https url", f.key, f.v))
		}
	}
	for _, f := range []struct{ key, v string }{{"auth.client_id", c.ClientID}, {"auth.client_secret", c.ClientSecret},
		{"auth.refresh_token", c.RefreshToken}, {"seller_id", c.SellerID}} {
		switch {
		case f.v == "":
			errs = append(errs, fmt.Errorf("%s: required", f.key))
		case strings.TrimSpace(f.v) != f.v || strings.ContainsAny(f.v, "\r\n"):
			errs = append(errs, fmt.Errorf("%s: has white space or a line break at an end", f.key))
		}
	}
	if len(c.MarketplaceIDs) == 0 {
		errs = append(errs, errors.New("marketplace_ids: required (e.g. ATVPDKIKX0DER for amazon.com)"))
	}
	for i, id := range c.MarketplaceIDs {
		if id == "" || strings.ContainsAny(id, ", ") {
			errs = append(errs, fmt.Errorf("marketplace_ids[%d]: %q is not a marketplace id", i, id))
		}
	}
	if c.ProductType == "" && len(c.ProductTypes) == 0 {
		errs = append(errs, errors.New("product_type: required (Amazon needs the product type on every patch), or product_types per sku"))
	}
	switch c.PatchOp {
	case "", "merge", "replace":
	default:
		errs = append(errs, fmt.Errorf("patch_op: %q is not merge or replace", c.PatchOp))
	}
	if c.RequestsPerSecond < 0 || c.Burst < 0 {
		errs = append(errs, errors.New("requests_per_second, burst: must not be negative"))
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout: must not be negative, got %s", c.Timeout))
	}
	return errors.Join(errs...)
}
