package storesim

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/ordergate/ordergate/internal/storefront/bigcommerce/bigcommercefake"
	"github.com/ordergate/ordergate/internal/storefront/shopify/admin/shopifyfake"
	"github.com/ordergate/ordergate/internal/storefront/woocommerce/woocommercefake"
)

// Flavor is the storefront platform a simulator plays: what its webhooks
// look like and how they are sent. The orders are the same whatever the
// flavor.
type Flavor string

// The flavors.
const (
	// Shopify sends orders/create, orders/updated and orders/cancelled
	// with the whole order, signed with X-Shopify-Hmac-Sha256.
	Shopify Flavor = "shopify"
	// WooCommerce sends order.created and order.updated with the whole
	// order as PHP writes JSON, signed with X-WC-Webhook-Signature, after
	// the unsigned ping of each webhook; it never retries.
	WooCommerce Flavor = "woocommerce"
	// BigCommerce puts each order into a fake store the gateway reads over
	// the v2 API, then sends a callback that names only the order's id.
	BigCommerce Flavor = "bigcommerce"
)

// Config says what to send and how. Its zero values mean the documented
// defaults, except Target and Secret, which are required, and BigCommerce,
// which the BigCommerce flavor requires.
type Config struct {
	// Flavor is the platform played; default Shopify.
	Flavor Flavor

	// Target is the gateway's webhook URL for the storefront, e.g.
	// "http://127.0.0.1:8080/webhooks/shopify/shop1" (or
	// /webhooks/woocommerce/…, /webhooks/bigcommerce/…).
	Target string
	// ShopDomain names the shop. Shopify: it goes in
	// X-Shopify-Shop-Domain; default "ordergate-demo.myshopify.com".
	// WooCommerce: a shop the simulator makes itself has the home URL
	// https://{ShopDomain}/, sent as X-WC-Webhook-Source; default
	// "ordergate-demo.example". BigCommerce: unused (the store's hash is
	// the Store's).
	ShopDomain string
	// Secret authenticates every delivery. Shopify: the key that signs
	// every body. WooCommerce: the webhooks' secret, which signs every
	// body. BigCommerce: the value of the custom header the hooks are
	// created with, bigcommerce.DefaultHeader (X-Ordergate-Token).
	Secret []byte
	// APIVersion goes in X-Shopify-API-Version (Shopify only); default
	// "2025-07".
	APIVersion string

	// WooCommerce is the shop the WooCommerce flavor keeps its orders in
	// and builds its deliveries from. A caller that also serves the shop's
	// REST API (for backfill) passes one made with the consumer key it
	// wants; nil means one the simulator makes, with no API key, available
	// from Sim.WooCommerceShop. Ignored by the other flavors.
	WooCommerce *woocommercefake.Shop
	// BigCommerce is the store the BigCommerce flavor puts each order into
	// before it sends the order's callback. The caller serves it over HTTP
	// (Store.ServeHTTP under Store.Prefix) and points the gateway's
	// base_url there, since a callback carries only the order's id.
	// Required for that flavor; ignored by the others.
	BigCommerce *bigcommercefake.Store
	// ShopifyAdmin, when set, is the Admin GraphQL API the Shopify flavor
	// keeps its orders in: each order is put there (the webhook's own
	// body, through PutOrderREST) when it is created, updated and
	// cancelled, before the webhook goes out or in its place when the
	// webhook is dropped, so that a reconciler listing the shop's orders
	// (admin.Client against ShopifyAdmin.URL) finds every order. Nil
	// keeps no orders. Ignored by the other flavors.
	ShopifyAdmin *shopifyfake.Server

	// Orders is how many orders to place; default 10.
	Orders int
	// Rate is orders started per second; 0 means as fast as Concurrency
	// allows.
	Rate float64
	// Concurrency is how many orders are in delivery at once; default 4.
	Concurrency int

	// DuplicateRate is the share of orders whose create is delivered
	// twice. Shopify: same Event-Id, new Webhook-Id. WooCommerce: the same
	// body, new Delivery-ID. BigCommerce: the same callback, hash included.
	DuplicateRate float64
	// OutOfOrderRate is the share of orders whose update (the full order,
	// a newer modification time) is delivered before their create.
	OutOfOrderRate float64
	// CancelRate is the share of orders cancelled after their create was
	// delivered.
	CancelRate float64
	// CancelDelay is how long after the create was accepted the cancel is
	// sent (for a dropped order, after the order was created); default 0.
	CancelDelay time.Duration
	// CancelDelays, when not empty, replaces CancelDelay: each cancelled
	// order waits one of these, drawn from Seed. A mix such as {0, 1s, 6s}
	// gives cancels that overtake the ERP create, cancels while the ERP
	// has not yet acknowledged, and cancels after the confirmation.
	CancelDelays []time.Duration

	// LateRate is the share of orders whose create is delivered once more,
	// LateDelay after the order's other webhooks were accepted: a
	// redelivery that turns up late, after the cancel or after the
	// confirmation, and must change nothing. Drawn from a stream of its
	// own, so a config without it plans the same orders as before.
	LateRate float64
	// LateDelay is how long a late redelivery waits; default 1s.
	LateDelay time.Duration

	// DropRate is the share of orders whose webhooks are all lost: never
	// sent, not even once, as when Shopify's best-effort delivery fails
	// for good, a WooCommerce delivery fails once, or BigCommerce has
	// deactivated the hook. The order is in the storefront all the same
	// (created, updated and cancelled in the store of its flavor as
	// planned), for the gateway's reconciliation to find through the
	// storefront's API. A dropped order may be any other: duplicated,
	// reordered or cancelled; its cancel is lost too. OrderRecord.Dropped
	// and Stats.Dropped tell which and how many.
	DropRate float64

	// SKUs is the catalogue the lines are drawn from; default a dozen
	// apparel and homeware SKUs.
	SKUs []string
	// UnknownSKURate is the share of orders given one extra line whose SKU
	// is in no catalogue, for the ERP to reject.
	UnknownSKURate float64
	// MaxLinesPerOrder caps the catalogue lines per order; default 3.
	MaxLinesPerOrder int

	// Seed fixes the orders' contents and which orders are duplicated,
	// reordered, cancelled or dropped. One seed gives the same orders in
	// every flavor.
	Seed int64
	// FirstOrderID is the first order's id on the platform; the others
	// follow it. Default 2^53+1, the first integer a float64 cannot hold,
	// for Shopify and WooCommerce (whose ids are PHP's 64-bit integers);
	// 100 for BigCommerce, whose order ids are small. Simulators that
	// feed one gateway storefront need ids apart.
	FirstOrderID int64

	// Retry is the redelivery schedule. For WooCommerce, which never
	// retries a failed delivery, the zero Retry means Retry{None: true};
	// set any field to have the simulator retry anyway.
	Retry Retry

	// Client sends the requests; default one with Shopify's 1 s connect and
	// 5 s overall timeouts (WooCommerce waits up to 60 s; the shorter
	// timeout changes nothing against a gateway that answers in time).
	Client *http.Client
	// Logger receives one line per failed attempt; default slog.Default().
	Logger *slog.Logger
}

// Retry is the redelivery schedule for a delivery that got a non-2xx reply
// or none: Initial, doubling up to Max, with jitter. Shopify retries 8 times
// over 4 hours, BigCommerce 11 times over 48 hours, WooCommerce never; the
// defaults here are 8 retries from 100ms up to 5s.
type Retry struct {
	Initial time.Duration
	Max     time.Duration
	// Retries is how many times a delivery is retried before it is given
	// up; default 8. Ignored when Forever or None is set.
	Retries int
	// Forever keeps retrying until the context ends, for crash tests that
	// kill and restart the gateway.
	Forever bool
	// None sends every delivery once: a delivery that fails is given up at
	// once, as WooCommerce does. It excludes Forever.
	None bool
}

// Defaults.
const (
	DefaultShopDomain = "ordergate-demo.myshopify.com"
	DefaultAPIVersion = "2025-07"
	// DefaultFirstOrderID is 2^53+1: above it, ids do not survive a float64.
	DefaultFirstOrderID int64 = 1<<53 + 1
	// DefaultWooCommerceDomain is the host of the home URL of the
	// WooCommerce shop the simulator makes.
	DefaultWooCommerceDomain = "ordergate-demo.example"
	// DefaultBigCommerceFirstOrderID is the first BigCommerce order id:
	// BigCommerce numbers a store's orders from 100.
	DefaultBigCommerceFirstOrderID int64 = 100
)

func (c Config) withDefaults() Config {
	if c.Flavor == "" {
		c.Flavor = Shopify
	}
	if c.ShopDomain == "" {
		switch c.Flavor {
		case WooCommerce:
			c.ShopDomain = DefaultWooCommerceDomain
		case Shopify:
			c.ShopDomain = DefaultShopDomain
		}
	}
	if c.APIVersion == "" && c.Flavor == Shopify {
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
		if c.Flavor == BigCommerce {
			c.FirstOrderID = DefaultBigCommerceFirstOrderID
		}
	}
	if len(c.SKUs) == 0 {
		c.SKUs = defaultSKUs()
	}
	if c.Flavor == WooCommerce && c.Retry == (Retry{}) {
		c.Retry.None = true
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
	c.DropRate = clamp(c.DropRate)
	c.LateRate = clamp(c.LateRate)
	if c.LateDelay <= 0 {
		c.LateDelay = time.Second
	}
	return c
}

func (c Config) validate() error {
	var errs []error
	switch c.Flavor {
	case Shopify, WooCommerce:
	case BigCommerce:
		if c.BigCommerce == nil {
			errs = append(errs, errors.New("storesim: bigcommerce: required with flavor bigcommerce (the store the gateway fetches each order from)"))
		}
	default:
		errs = append(errs, fmt.Errorf("storesim: flavor: %q is not shopify, woocommerce or bigcommerce", c.Flavor))
	}
	if c.Target == "" {
		errs = append(errs, errors.New("storesim: target: required"))
	}
	if len(c.Secret) == 0 {
		errs = append(errs, errors.New("storesim: secret: required"))
	}
	if c.Rate < 0 {
		errs = append(errs, errors.New("storesim: rate: must not be negative"))
	}
	if c.Retry.None && c.Retry.Forever {
		errs = append(errs, errors.New("storesim: retry: none and forever exclude each other"))
	}
	return errors.Join(errs...)
}

// retries says how many times a delivery is retried, for messages.
func (r Retry) retries() int {
	if r.None {
		return 0
	}
	return r.Retries
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
