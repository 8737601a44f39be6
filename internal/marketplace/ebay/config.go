package ebay

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Defaults and limits of Config.
const (
	DefaultBaseURL = "https://api.ebay.com"
	// DefaultScope is the one scope bulkUpdatePriceQuantity needs.
	DefaultScope   = "https://api.ebay.com/oauth/api_scope/sell.inventory"
	DefaultTimeout = 30 * time.Second
	// MaxBatchSize is the most inventory items one call carries.
	MaxBatchSize = 25
	// RevisionsPerDay is how many times eBay lets a listing be revised in
	// a calendar day.
	RevisionsPerDay = 250
)

// Config says how to reach one eBay seller's inventory. The zero value of
// every optional field means its documented default.
type Config struct {
	// BaseURL is the API root; empty means DefaultBaseURL (the sandbox is
	// https://api.sandbox.ebay.com).
	BaseURL string
	// ClientID and ClientSecret are the application's keys (App ID, Cert
	// ID); RefreshToken is the seller's consent. Required.
	ClientID     string
	ClientSecret string
	RefreshToken string
	// Scopes asked for with each token; empty means DefaultScope.
	Scopes []string
	// BatchSize is the most SKUs a call carries, 1 to MaxBatchSize; 0
	// means MaxBatchSize.
	BatchSize int
	// Offers maps a SKU to its published offers whose availableQuantity
	// is set along with the item's quantity.
	Offers map[string][]string
	// DayZone is where eBay's calendar day for the revision limit begins;
	// nil means UTC.
	DayZone *time.Location
	// RequestsPerSecond and Burst pace the calls; 0 means no pacing (the
	// Inventory API's limit is a daily call count).
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

// Validate checks the configuration's shape without calling eBay. Each
// problem names its YAML key; no problem quotes a secret.
func (c Config) Validate() error {
	var errs []error
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("base_url: %q is not an absolute http or https url", c.BaseURL))
		}
	}
	for _, f := range []struct{ key, v string }{{"auth.client_id", c.ClientID}, {"auth.client_secret", c.ClientSecret},
		{"auth.refresh_token", c.RefreshToken}} {
		switch {
		case f.v == "":
			errs = append(errs, fmt.Errorf("%s: required", f.key))
		case strings.TrimSpace(f.v) != f.v || strings.ContainsAny(f.v, "\r\n"):
			errs = append(errs, fmt.Errorf("%s: has white space or a line break at an end", f.key))
		}
	}
	if c.BatchSize < 0 || c.BatchSize > MaxBatchSize {
		errs = append(errs, fmt.Errorf("batch_size: must be between 1 and %d, got %d", MaxBatchSize, c.BatchSize))
	}
	for _, sku := range slices.Sorted(maps.Keys(c.Offers)) {
		if ids := c.Offers[sku]; sku == "" || len(ids) == 0 || len(ids) > 25 {
			errs = append(errs, fmt.Errorf("offers[%s]: 1 to 25 offer ids per sku", sku))
		}
	}
	if c.RequestsPerSecond < 0 || c.Burst < 0 {
		errs = append(errs, errors.New("requests_per_second, burst: must not be negative"))
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout: must not be negative, got %s", c.Timeout))
	}
	return errors.Join(errs...)
}
