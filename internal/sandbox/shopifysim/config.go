package shopifysim

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Config says what to send and how. Its zero values mean the documented
// defaults, except Target and Secret, which are required.
type Config struct {
	// Target is the gateway's webhook URL, e.g.
	// "http://127.0.0.1:8080/webhooks/shopify/shop1".
	Target string
	// ShopDomain goes in X-Shopify-Shop-Domain; default
	// "ordergate-demo.myshopify.com".
	ShopDomain string
	// Secret signs every body.
	Secret []byte
	// APIVersion goes in X-Shopify-API-Version; default "2025-07".
	APIVersion string

	// Orders is how many orders to place; default 10.
	Orders int
	// Rate is orders started per second; 0 means as fast as Concurrency
	// allows.
	Rate float64
	// Concurrency is how many orders are in delivery at once; default 4.
	Concurrency int

	// DuplicateRate is the share of orders whose orders/create is delivered
	// twice: same Event-Id, new Webhook-Id.
	DuplicateRate float64
	// OutOfOrderRate is the share of orders whose orders/updated (the full
	// order, a newer updated_at) is delivered before their orders/create.
	OutOfOrderRate float64
	// CancelRate is the share of orders cancelled after their create was
	// delivered.
	CancelRate float64
	// CancelDelay is how long after the create was accepted the cancel is
	// sent; default 0.
	CancelDelay time.Duration
	// CancelDelays, when not empty, replaces CancelDelay: each cancelled
	// order waits one of these, drawn from Seed. A mix such as {0, 1s, 6s}
	// gives cancels that overtake the ERP create, cancels while the ERP
	// has not yet acknowledged, and cancels after the confirmation.
	CancelDelays []time.Duration

	// SKUs is the catalogue the lines are drawn from; default a dozen
	// apparel and homeware SKUs.
	SKUs []string
	// UnknownSKURate is the share of orders given one extra line whose SKU
	// is in no catalogue, for the ERP to reject.
	UnknownSKURate float64
	// MaxLinesPerOrder caps the catalogue lines per order; default 3.
	MaxLinesPerOrder int

	// Seed fixes the orders' contents and which orders are duplicated,
	// reordered or cancelled.
	Seed int64
	// FirstOrderID is the first order's Shopify id; default 2^53+1, the
	// first integer a float64 cannot hold.
	FirstOrderID int64

	// Retry is the redelivery schedule.
	Retry Retry

	// Client sends the requests; default one with Shopify's 1 s connect and
	// 5 s overall timeouts.
	Client *http.Client
	// Logger receives one line per failed attempt; default slog.Default().
	Logger *slog.Logger
}

// Retry is the redelivery schedule for a delivery that got a non-2xx reply
// or none: Initial, doubling up to Max, with jitter. Shopify retries 8 times
// over 4 hours; the defaults here are 8 retries from 100ms up to 5s.
type Retry struct {
	Initial time.Duration
	Max     time.Duration
	// Retries is how many times a delivery is retried before it is given
	// up; default 8. Ignored when Forever is set.
	Retries int
	// Forever keeps retrying until the context ends, for crash tests that
	// kill and restart the gateway.
	Forever bool
}

// Defaults.
const (
	DefaultShopDomain = "ordergate-demo.myshopify.com"
	DefaultAPIVersion = "2025-07"
	// DefaultFirstOrderID is 2^53+1: above it, ids do not survive a float64.
	DefaultFirstOrderID int64 = 1<<53 + 1
)

func (c Config) withDefaults() Config {
	if c.ShopDomain == "" {
		c.ShopDomain = DefaultShopDomain
	}
	if c.APIVersion == "" {
		c.APIVersion = DefaultAPIVersion
	}
	if c.Orders <= 0 {
		c.Orders = 10
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 4
	}
	if c.MaxLinesPerOrder <= 0 {
		c.MaxLinesPerOrder = 3
	}
	if c.FirstOrderID <= 0 {
		c.FirstOrderID = DefaultFirstOrderID
	}
	if len(c.SKUs) == 0 {
		c.SKUs = defaultSKUs()
	}
	if c.Retry.Initial <= 0 {
		c.Retry.Initial = 100 * time.Millisecond
	}
	if c.Retry.Max <= 0 {
		c.Retry.Max = 5 * time.Second
	}
	if c.Retry.Max < c.Retry.Initial {
		c.Retry.Max = c.Retry.Initial
	}
	if c.Retry.Retries <= 0 {
		c.Retry.Retries = 8
	}
	if c.Client == nil {
		c.Client = defaultClient(c.Concurrency)
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	c.DuplicateRate = clamp(c.DuplicateRate)
	c.OutOfOrderRate = clamp(c.OutOfOrderRate)
	c.CancelRate = clamp(c.CancelRate)
	c.UnknownSKURate = clamp(c.UnknownSKURate)
	return c
}

func (c Config) validate() error {
	var errs []error
	if c.Target == "" {
		errs = append(errs, errors.New("shopifysim: target: required"))
	}
	if len(c.Secret) == 0 {
		errs = append(errs, errors.New("shopifysim: secret: required"))
	}
	if c.Rate < 0 {
		errs = append(errs, errors.New("shopifysim: rate: must not be negative"))
	}
	return errors.Join(errs...)
}

func clamp(r float64) float64 {
	return min(max(r, 0), 1)
}

// defaultClient times out as Shopify does: one second to connect, five for
// the whole reply.
func defaultClient(conns int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.MaxIdleConnsPerHost = conns
	return &http.Client{Timeout: 5 * time.Second, Transport: t}
}
