package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// DefaultAPIVersion is the Admin API version asked for when Config leaves it
// empty.
const DefaultAPIVersion = "2025-07"

// oldestAPIVersion is the first version with Customer.defaultEmailAddress and
// Customer.defaultPhoneNumber, which the order query selects.
const oldestAPIVersion = "2025-04"

// DefaultTimeout bounds one HTTP exchange when Config leaves Timeout zero.
const DefaultTimeout = 30 * time.Second

// Config configures a Client. The zero value of every optional field means
// its documented default.
type Config struct {
	// Storefront is the configured storefront's name; every order the
	// client returns is keyed under it. Required.
	Storefront string
	// ShopDomain is the shop's permanent domain, "x.myshopify.com".
	// Required.
	ShopDomain string
	// AccessToken is the Admin API access token of the app installed on
	// the shop, sent as X-Shopify-Access-Token. It needs the read_orders
	// scope (and read_all_orders to backfill past 60 days). Required.
	AccessToken string
	// APIVersion is the Admin API version, "YYYY-MM"; 2025-04 or later.
	// Default DefaultAPIVersion.
	APIVersion string
	// BaseURL replaces the GraphQL endpoint, by default
	// https://{ShopDomain}/admin/api/{APIVersion}/graphql.json; tests and
	// proxies set it. It is the full endpoint URL.
	BaseURL string
	// Timeout bounds one HTTP exchange. Default DefaultTimeout.
	Timeout time.Duration
	// HTTPClient sends the requests. Default a client of its own.
	HTTPClient *http.Client
	// Now tells the time, for the rate limiter. Default time.Now.
	Now func() time.Time
	// Sleep waits d or until ctx is done, returning ctx.Err() then. The
	// rate limiter and the retries wait only through it. Default a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

var (
	shopDomainRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*\.myshopify\.com$`)
	apiVersionRE = regexp.MustCompile(`^20[0-9]{2}-(01|04|07|10)$`)
)

// Validate reports every bad value, each prefixed with its config key
// (name, shop_domain, auth.access_token, api_version, base_url).
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if strings.TrimSpace(c.Storefront) == "" {
		bad("name", "required")
	}
	switch d := c.ShopDomain; {
	case d == "":
		bad("shop_domain", "required")
	case !shopDomainRE.MatchString(d):
		bad("shop_domain", "%q is not a shop's x.myshopify.com domain (lowercase, no scheme or path)", d)
	}
	if strings.TrimSpace(c.AccessToken) == "" {
		bad("auth.access_token", "required")
	}
	if v := c.APIVersion; v != "" {
		switch {
		case !apiVersionRE.MatchString(v):
			bad("api_version", "%q is not a Shopify API version like %s", v, DefaultAPIVersion)
		case v < oldestAPIVersion:
			bad("api_version", "%s is older than %s, the oldest whose schema has the fields this client reads", v, oldestAPIVersion)
		}
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad("base_url", "%q is not an absolute http(s) URL", c.BaseURL)
		}
	}
	if c.Timeout < 0 {
		bad("timeout", "must not be negative")
	}
	return errors.Join(errs...)
}

func (c Config) withDefaults() Config {
	if c.APIVersion == "" {
		c.APIVersion = DefaultAPIVersion
	}
	if c.BaseURL == "" {
		c.BaseURL = "https://" + c.ShopDomain + "/admin/api/" + c.APIVersion + "/graphql.json"
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Sleep == nil {
		c.Sleep = sleep
	}
	return c
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
