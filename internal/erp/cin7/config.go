package cin7

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/ordergate/ordergate/internal/erp"
)

// DefaultBaseURL is Cin7 Core's External API v2.
const DefaultBaseURL = "https://inventory.dearsystems.com/ExternalApi/v2"

// DefaultTimeout bounds each request when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// DefaultCallsPerMinute keeps a little under Cin7's 60 calls a minute per
// API application, leaving room for a clock that runs apart from Cin7's.
const DefaultCallsPerMinute = 55

// MaxCallsPerMinute is Cin7's limit per API application.
const MaxCallsPerMinute = 60

// Config says how to reach one Cin7 Core account. The zero value of every
// optional field means its documented default.
type Config struct {
	// BaseURL is the API root; empty means DefaultBaseURL.
	BaseURL string
	// AccountID is the Cin7 Core Account ID (a GUID), sent as
	// api-auth-accountid. Required.
	AccountID string
	// ApplicationKey is the API Application Key, sent as
	// api-auth-applicationkey. Required.
	ApplicationKey string
	// Timeout bounds each request, not counting the wait for the rate
	// limiter; 0 means DefaultTimeout.
	Timeout time.Duration
	// HTTPClient makes the requests; nil means a client of our own.
	HTTPClient *http.Client
	// Now is the clock of the rate limiter and of Retry-After dates; nil
	// means time.Now.
	Now func() time.Time
	// CallsPerMinute is how many calls this client makes in any 60
	// seconds; 0 means DefaultCallsPerMinute. Cin7 counts per API
	// application, so replicas sharing a key must share the 60 between
	// them.
	CallsPerMinute int
	// Customer, if set, is the Cin7 customer every sale is made out to
	// (a catch-all web customer), with the order's customer as Contact.
	// Empty means the order's customer name.
	Customer string
	// TaxRule, if set, is sent as the sale's and each line's TaxRule.
	TaxRule string
}

// guid is the shape of a Cin7 Account ID.
var guid = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Validate checks the configuration's shape without calling Cin7. Each
// problem names its YAML key.
func (c Config) Validate() error {
	var errs []error
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("base_url: %q is not an absolute http or https url", c.BaseURL))
		}
	}
	switch id := c.AccountID; {
	case id == "":
		errs = append(errs, errors.New("auth.account_id: required (Cin7 Core › Integrations › API shows it)"))
	case strings.TrimSpace(id) != id:
		errs = append(errs, errors.New("auth.account_id: has leading or trailing white space"))
	case !guid.MatchString(id):
		errs = append(errs, fmt.Errorf("auth.account_id: %q is not a GUID like 704ef231-cd93-49c9-a201-26b4b5d0d35b", id))
	}
	switch k := c.ApplicationKey; {
	case k == "":
		errs = append(errs, errors.New("auth.application_key: required (the API Application Key from Cin7 Core › Integrations › API)"))
	case strings.TrimSpace(k) != k:
		errs = append(errs, errors.New("auth.application_key: has leading or trailing white space"))
	case strings.ContainsAny(k, "\r\n"):
		errs = append(errs, errors.New("auth.application_key: contains a line break"))
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout: must not be negative, got %s", c.Timeout))
	}
	if c.CallsPerMinute < 0 || c.CallsPerMinute > MaxCallsPerMinute {
		errs = append(errs, fmt.Errorf("calls_per_minute: must be between 1 and %d (Cin7's limit per API application), got %d", MaxCallsPerMinute, c.CallsPerMinute))
	}
	return errors.Join(errs...)
}

// Client talks to one Cin7 Core account. It is safe for concurrent use;
// all its calls share one rate limiter.
type Client struct {
	base     *url.URL
	hc       *http.Client
	timeout  time.Duration
	account  string
	key      string
	now      func() time.Time
	limit    *limiter
	customer string
	taxRule  string
	// sleep waits d or until ctx is done; a field so that tests can run
	// the limiter on a fake clock.
	sleep func(ctx context.Context, d time.Duration) error
}

var _ erp.Client = (*Client)(nil)

// New returns a client for the account cfg names.
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("cin7: %w", err)
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil {
		return nil, fmt.Errorf("cin7: base_url: %w", err)
	}
	c := &Client{
		base:     u,
		hc:       cfg.HTTPClient,
		timeout:  cfg.Timeout,
		account:  cfg.AccountID,
		key:      cfg.ApplicationKey,
		now:      cfg.Now,
		customer: cfg.Customer,
		taxRule:  cfg.TaxRule,
		sleep:    sleep,
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
	n := cfg.CallsPerMinute
	if n == 0 {
		n = DefaultCallsPerMinute
	}
	c.limit = newLimiter(n, time.Minute)
	return c, nil
}
