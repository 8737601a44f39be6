package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// DefaultAPIRoot is where BigCommerce serves a store's REST API; the store
// hash follows it.
const DefaultAPIRoot = "https://api.bigcommerce.com/stores/"

// Defaults for the zero values of Config.
const (
	DefaultTimeout    = 30 * time.Second
	DefaultMaxRetries = 3
)

// Config says how to reach one store's v2 API. The zero value of every
// optional field means its documented default.
type Config struct {
	// Storefront is the configured storefront's name, set as
	// Key.Storefront on every order the client returns.
	Storefront string
	// StoreHash is the store's permanent id, the {store_hash} of
	// https://api.bigcommerce.com/stores/{store_hash}/v2. Required unless
	// BaseURL is set.
	StoreHash string
	// AccessToken is the store-level API account's access token, sent as
	// X-Auth-Token. The account needs only the Orders: read-only scope
	// (store_v2_orders_read_only). Required.
	AccessToken string
	// BaseURL replaces https://api.bigcommerce.com/stores/{store_hash}; the
	// client appends /v2/orders…
	BaseURL string
	// Timeout bounds each request, not counting waits for the rate limit;
	// 0 means DefaultTimeout.
	Timeout time.Duration
	// HTTPClient makes the requests; nil means a client of our own.
	HTTPClient *http.Client
	// Now is the clock the rate-limit waits are computed on; nil means
	// time.Now.
	Now func() time.Time
	// Sleep waits d or until ctx is done, whichever is first, returning
	// ctx's error in the second case; nil means a timer. Tests inject one
	// that advances a fake clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// MaxRetries is how many times one request is retried after a 429;
	// 0 means DefaultMaxRetries, a negative value none.
	MaxRetries int
}

// storeHash is the shape of a store hash (e.g. "abc123xyz").
var storeHash = regexp.MustCompile(`^[A-Za-z0-9]{1,64}$`)

// Validate checks the configuration's shape without calling BigCommerce.
// Each problem names its YAML key.
func (c Config) Validate() error {
	var errs []error
	switch h := c.StoreHash; {
	case h == "" && c.BaseURL == "":
		errs = append(errs, errors.New("store_hash: required (the part after /stores/ in the API path shown with the store's API account)"))
	case h != "" && !storeHash.MatchString(h):
		errs = append(errs, fmt.Errorf("store_hash: %q is not a store hash (letters and digits, as in https://api.bigcommerce.com/stores/abc123xyz)", h))
	}
	switch t := c.AccessToken; {
	case t == "":
		errs = append(errs, errors.New("auth.access_token: required (the access token of a store-level API account with Orders: read-only)"))
	case strings.TrimSpace(t) != t:
		errs = append(errs, errors.New("auth.access_token: has leading or trailing white space"))
	case strings.ContainsAny(t, "\r\n\t "):
		errs = append(errs, errors.New("auth.access_token: contains white space"))
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			errs = append(errs, fmt.Errorf("base_url: %q is not an absolute http or https url without query", c.BaseURL))
		}
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout: must not be negative, got %s", c.Timeout))
	}
	return errors.Join(errs...)
}

// Client reads orders from one store's v2 API. It is safe for concurrent
// use; all its calls share one view of the store's rate limit.
type Client struct {
	base       *url.URL
	storefront string
	token      string
	hc         *http.Client
	timeout    time.Duration
	now        func() time.Time
	sleep      func(ctx context.Context, d time.Duration) error
	maxRetries int

	mu   sync.Mutex
	rate rateState
}

// NewClient returns a client for the store cfg names.
func NewClient(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("bigcommerce: %w", err)
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultAPIRoot + cfg.StoreHash
	}
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil {
		return nil, fmt.Errorf("bigcommerce: base_url: %w", err)
	}
	c := &Client{
		base:       u,
		storefront: cfg.Storefront,
		token:      cfg.AccessToken,
		hc:         cfg.HTTPClient,
		timeout:    cfg.Timeout,
		now:        cfg.Now,
		sleep:      cfg.Sleep,
		maxRetries: cfg.MaxRetries,
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: c.timeout}
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.sleep == nil {
		c.sleep = sleep
	}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = DefaultMaxRetries
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	return c, nil
}

// sleep waits d on a timer, or until ctx is done.
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
