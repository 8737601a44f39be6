package woocommerce

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultTimeout bounds each request when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Errors the REST client returns (wrapped), for callers to branch on.
var (
	// ErrAuth means WooCommerce refused the consumer key (401 or 403); the
	// message says what to check.
	ErrAuth = errors.New("woocommerce refused the api key")
	// ErrNotFound means the order does not exist (or was deleted for good).
	ErrNotFound = errors.New("order not found")
	// ErrThrottled means the shop kept answering 429 or 503 (rate limit or
	// maintenance) and the client gave up; try again later.
	ErrThrottled = errors.New("woocommerce is throttling or in maintenance")
)

// Config says how to reach one WooCommerce shop's REST API. The zero value
// of every optional field means its documented default.
type Config struct {
	// Storefront is the configured storefront's name, set as
	// Key.Storefront on every order returned. Required.
	Storefront string
	// BaseURL is the WordPress site address, e.g. https://shop.example or
	// https://example.com/shop; the API is under /wp-json/wc/v3 below it.
	// It must be https: WooCommerce takes a key by HTTP Basic auth only
	// over https, and over plain http wants OAuth 1.0a signatures, which
	// this client does not make. Plain http is allowed only for a loopback
	// host (a local test shop, or one behind a local TLS-terminating
	// proxy). Required.
	BaseURL string
	// ConsumerKey and ConsumerSecret are a REST API key with Read (or
	// Read/Write) permission, from WooCommerce › Settings › Advanced ›
	// REST API: ck_… and cs_…. Required.
	ConsumerKey    string
	ConsumerSecret string
	// Timeout bounds each request, not counting waits for Retry-After;
	// 0 means DefaultTimeout.
	Timeout time.Duration
	// HTTPClient makes the requests; nil means a client of our own. Its
	// redirect policy is replaced: the client follows no redirect.
	HTTPClient *http.Client
	// Now is the clock Retry-After dates are read against; nil means
	// time.Now.
	Now func() time.Time
}

// Validate checks the configuration's shape without calling the shop. Each
// problem names its YAML key.
func (c Config) Validate() error {
	var errs []error
	if c.Storefront == "" {
		errs = append(errs, errors.New("name: required"))
	}
	if err := validateBaseURL(c.BaseURL); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, validateKey("auth.consumer_key", c.ConsumerKey, "ck_", "cs_", "the Consumer key")...)
	errs = append(errs, validateKey("auth.consumer_secret", c.ConsumerSecret, "cs_", "ck_", "the Consumer secret")...)
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout: must not be negative, got %s", c.Timeout))
	}
	return errors.Join(errs...)
}

func validateBaseURL(s string) error {
	if s == "" {
		return errors.New("base_url: required (the shop's WordPress address, e.g. https://shop.example)")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("base_url: %q is not an absolute https url", s)
	}
	if u.User != nil {
		return errors.New("base_url: must not carry credentials; set auth.consumer_key and auth.consumer_secret")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("base_url: %q has a query or fragment; give the site address only", s)
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return fmt.Errorf("base_url: %q is plain http: WooCommerce accepts an api key by HTTP Basic auth only over https "+
			"(over http it requires OAuth 1.0a signatures, which ordergate does not implement); use the https address", s)
	}
	return nil
}

func validateKey(path, v, prefix, other, what string) []error {
	switch {
	case v == "":
		return []error{fmt.Errorf("%s: required (%s, %s…, from WooCommerce › Settings › Advanced › REST API)", path, what, prefix)}
	case strings.TrimSpace(v) != v:
		return []error{fmt.Errorf("%s: has leading or trailing white space", path)}
	case strings.ContainsAny(v, "\r\n:"):
		return []error{fmt.Errorf("%s: contains a line break or a colon", path)}
	case strings.HasPrefix(v, other):
		return []error{fmt.Errorf("%s: starts with %s: the consumer key and secret look swapped", path, other)}
	}
	return nil
}

// loopback reports whether host names this machine: localhost or a
// loopback address.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Client reads orders from one WooCommerce shop's REST API v3, for backfill
// and reconciliation. It is safe for concurrent use.
type Client struct {
	name    string
	base    *url.URL
	hc      *http.Client
	timeout time.Duration
	key     string
	secret  string
	now     func() time.Time
	// sleep waits d or until ctx is done; a field so that tests can assert
	// on the waits without taking them.
	sleep func(ctx context.Context, d time.Duration) error
}

// NewClient returns a client for the shop cfg names.
func NewClient(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("woocommerce: %w", err)
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("woocommerce: base_url: %w", err)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	c := &Client{
		name:    cfg.Storefront,
		base:    u,
		timeout: cfg.Timeout,
		key:     cfg.ConsumerKey,
		secret:  cfg.ConsumerSecret,
		now:     cfg.Now,
		sleep:   sleep,
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	hc := http.Client{Timeout: c.timeout}
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	}
	// A redirect could carry the key to another host, or to plain http;
	// the operator is told to fix base_url instead.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.hc = &hc
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
