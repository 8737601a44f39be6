package main

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/ordergate/ordergate/internal/config"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
	"github.com/ordergate/ordergate/internal/sandbox/storesim"
)

// demoERP is the name of the sandbox ERP in the demo's config; the ERP's
// acknowledgment callbacks go to /erp/{demoERP}/ack.
const demoERP = "sandbox-erp"

// scenario is what one demo run sets up.
type scenario struct {
	name  string
	shops []demoShop
	erp   erpsim.Config
	mail  mailbox.Options
	// sla is the shops' confirmation SLA; 0 leaves the config's default.
	// When set, the demo waits for unsettled orders to pass it, so that
	// the judge sees them listed as overdue.
	sla               time.Duration
	stillWorkingAfter time.Duration
	leadTime          time.Duration
	// callback makes the ERP announce acknowledgments to the gateway.
	callback bool
	// alerts serves an alert hook in the demo and points the gateway at it.
	alerts bool
	// reconcile serves every storefront's API and runs the gateway's
	// reconciliation loop every reconcileEvery.
	reconcile      bool
	reconcileEvery time.Duration
}

// demoShop is one storefront of a scenario and its simulator.
type demoShop struct {
	name      string
	kind      string // shopify, woocommerce or bigcommerce
	mode      string
	shortfall string
	sim       storesim.Config // without Target and Secret
}

// The storefront kinds the demo can simulate, and the short names their
// shops take in a mixed fleet.
var demoKinds = map[string]string{
	config.StorefrontShopify:     "shopify",
	config.StorefrontWooCommerce: "woo",
	config.StorefrontBigCommerce: "bc",
}

// kinds returns the storefront kinds asked for, checked, in the order given.
func (c *demoCmd) kinds() ([]string, error) {
	var out []string
	for _, k := range c.Storefronts {
		k = strings.ToLower(strings.TrimSpace(k))
		if _, ok := demoKinds[k]; !ok {
			return nil, fmt.Errorf("--storefronts: unknown kind %q: want shopify, woocommerce or bigcommerce", k)
		}
		if slices.Contains(out, k) {
			return nil, fmt.Errorf("--storefronts: %s given twice", k)
		}
		out = append(out, k)
	}
	if len(out) == 0 {
		return nil, errors.New("--storefronts: name at least one of shopify, woocommerce, bigcommerce")
	}
	return out, nil
}

// share is the part of n that the i-th of k shops takes.
func share(n, i, k int) int { return n/k + boolInt(i < n%k) }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// flavored sets the simulator of a shop of kind to play that storefront,
// with ids in its platform's range.
func flavored(sim storesim.Config, kind string, offset int64) storesim.Config {
	switch kind {
	case config.StorefrontWooCommerce:
		sim.Flavor = storesim.WooCommerce
	case config.StorefrontBigCommerce:
		sim.Flavor = storesim.BigCommerce
		sim.FirstOrderID = storesim.DefaultBigCommerceFirstOrderID + offset
	default:
		sim.Flavor = storesim.Shopify
	}
	return sim
}

// scenario returns the run the flags ask for.
func (c *demoCmd) scenario() (scenario, error) {
	kinds, err := c.kinds()
	if err != nil {
		return scenario{}, err
	}
	switch c.Scenario {
	case "failures":
		return c.failures(kinds), nil
	case "lost-webhooks":
		return c.lostWebhooks(kinds), nil
	}
	sc := scenario{
		name: "default",
		mail: mailbox.Options{Seed: c.Seed},
		erp:  erpsim.Config{Seed: c.Seed, Latency: demoLatency},
	}
	var misbehave func(*storesim.Config)
	if c.Faults {
		sc.mail.FailRate = 0.02
		// Stock exactly the simulated shop's catalogue, so its unknown
		// lines are refused, and keep one SKU short so that a few orders
		// are refused for stock.
		sc.erp.Stock = catalogueStock()
		sc.erp.Stock["BLNK-WFL-OAT"] = c.Orders / 20
		sc.erp.Faults = erpsim.Faults{ErrorRate: 0.03, ThrottleRate: 0.03, TimeoutRate: 0.01, InDoubtRate: 0.03,
			RetryAfter: 300 * time.Millisecond, Timeout: 3 * time.Second}
		misbehave = func(sim *storesim.Config) {
			sim.DuplicateRate, sim.OutOfOrderRate, sim.CancelRate, sim.UnknownSKURate = 0.05, 0.05, 0.03, 0.03
		}
	}
	for i, kind := range kinds {
		name := "demo-shop"
		if len(kinds) > 1 {
			name = demoKinds[kind] + "-shop"
		}
		offset := int64(i) * 1_000_000
		sim := flavored(c.simBase(share(c.Orders, i, len(kinds)), c.Rate/float64(len(kinds)), offset), kind, offset)
		if misbehave != nil {
			misbehave(&sim)
		}
		sc.shops = append(sc.shops, demoShop{name: name, kind: kind, mode: config.ModeGated, sim: sim})
	}
	return sc, nil
}

// failures is the scenario where everything that can go wrong does, at
// rates that make each branch happen many times in a few hundred orders.
func (c *demoCmd) failures(kinds []string) scenario {
	sc := scenario{
		name: "failures",
		// A few refused recipients (retried) and lost replies after the
		// data (never resent: at most one message of each kind).
		mail: mailbox.Options{Seed: c.Seed, FailRate: 0.02, DropRate: 0.01},
		erp: erpsim.Config{
			Seed: c.Seed, Latency: demoLatency,
			// Only the catalogue exists, so UnknownSKURate's lines
			// are refused; two SKUs run short, and the ERP records the
			// missing units as backorders.
			Stock:     catalogueStock(),
			Backorder: true,
			AckDelay:  2 * time.Second,
			Faults: erpsim.Faults{ErrorRate: 0.04, ThrottleRate: 0.06, TimeoutRate: 0.01, InDoubtRate: 0.05,
				RetryAfter: 500 * time.Millisecond, Timeout: 2 * time.Second},
		},
		sla: 5 * time.Second, stillWorkingAfter: 3 * time.Second, leadTime: 72 * time.Hour,
		callback: true, alerts: true,
	}
	// Each SKU is on about one order in six, 1.5 units an order: these
	// cover a little over half of what is ordered.
	sc.erp.Stock["BLNK-WFL-OAT"] = max(1, c.Orders/10)
	sc.erp.Stock["SCRF-LMB-RED"] = max(1, c.Orders/8)
	policies := []struct{ name, shortfall string }{{"backorder", config.ShortfallBackorder}, {"reject", config.ShortfallReject}}
	n := len(kinds) * len(policies)
	for i, kind := range kinds {
		for j, p := range policies {
			k := i*len(policies) + j
			name := p.name + "-shop"
			if len(kinds) > 1 {
				name = demoKinds[kind] + "-" + name
			}
			offset := int64(k) * 1_000_000
			sim := flavored(c.simBase(share(c.Orders, k, n), c.Rate/float64(n), offset), kind, offset)
			sim.DuplicateRate, sim.OutOfOrderRate, sim.UnknownSKURate = 0.08, 0.06, 0.06
			// Cancels right after the create (most overtake the ERP
			// create), within the ERP's 2s acknowledgment, and after
			// the confirmation.
			sim.CancelRate = 0.10
			sim.CancelDelays = []time.Duration{0, 0, time.Second, 3 * time.Second, 8 * time.Second}
			sc.shops = append(sc.shops, demoShop{name: name, kind: kind, mode: config.ModeAckGated, shortfall: p.shortfall, sim: sim})
		}
	}
	return sc
}

// lostWebhooks is the run where each storefront loses every webhook of a
// fifth of its orders, cancels included, and reconciliation must recover
// them all: the gateway lists each storefront's orders through its API
// every two seconds.
func (c *demoCmd) lostWebhooks(kinds []string) scenario {
	sc := scenario{
		name:      "lost-webhooks",
		mail:      mailbox.Options{Seed: c.Seed},
		erp:       erpsim.Config{Seed: c.Seed, Latency: demoLatency},
		reconcile: true, reconcileEvery: 2 * time.Second,
	}
	for i, kind := range kinds {
		name := "demo-shop"
		if len(kinds) > 1 {
			name = demoKinds[kind] + "-shop"
		}
		offset := int64(i) * 1_000_000
		sim := flavored(c.simBase(share(c.Orders, i, len(kinds)), c.Rate/float64(len(kinds)), offset), kind, offset)
		sim.DropRate, sim.DuplicateRate, sim.OutOfOrderRate, sim.CancelRate = 0.2, 0.03, 0.03, 0.05
		sim.CancelDelays = []time.Duration{0, time.Second, 3 * time.Second}
		sc.shops = append(sc.shops, demoShop{name: name, kind: kind, mode: config.ModeGated, sim: sim})
	}
	return sc
}

var demoLatency = erpsim.Latency{Min: 10 * time.Millisecond, Median: 40 * time.Millisecond, P99: 250 * time.Millisecond}

// simBase is a storefront simulator's config without misbehaviour; offset
// keeps two shops' order ids apart, so that a reader never confuses them.
func (c *demoCmd) simBase(orders int, rate float64, offset int64) storesim.Config {
	return storesim.Config{
		Orders: orders, Rate: rate, Concurrency: c.Concurrency, Seed: c.Seed + offset,
		FirstOrderID: storesim.DefaultFirstOrderID + offset,
		Retry:        storesim.Retry{Initial: 100 * time.Millisecond, Max: 2 * time.Second, Forever: true},
		Logger:       slog.New(slog.DiscardHandler),
	}
}

// catalogueStock stocks exactly the simulated shops' catalogue, plenty of
// each.
func catalogueStock() map[string]int {
	stock := make(map[string]int)
	for _, sku := range storesim.DefaultSKUs() {
		stock[sku] = 1_000_000
	}
	return stock
}

// yaml is the gateway's config for sc, with its secrets as ${NAME}
// references.
func (sc scenario) yaml(dbPath, listen, logLevel, erpURL, mailAddr, alertURL, bcURL string, apis demoAPIs) string {
	var b strings.Builder
	fmt.Fprintf(&b, "database: sqlite:%s\nlisten: %s\nlog_level: %s\nstorefronts:\n", dbPath, listen, logLevel)
	for _, s := range sc.shops {
		fmt.Fprintf(&b, "  - {name: %s, kind: %s, webhook_secrets: [\"${DEMO_SECRET}\"], erp: %s, notifier: mailbox, mode: %s", s.name, s.kind, demoERP, s.mode)
		switch {
		case s.kind == config.StorefrontBigCommerce:
			fmt.Fprintf(&b, ", api: {base_url: %q, access_token: \"${DEMO_BC_TOKEN}\"}", bcURL)
		case s.kind == config.StorefrontShopify && apis.shopify != nil:
			fmt.Fprintf(&b, ", shop_domain: %s, api: {base_url: %q, access_token: \"${DEMO_SHOPIFY_TOKEN}\"}", storesim.DefaultShopDomain, apis.shopify.URL())
		case s.kind == config.StorefrontWooCommerce && apis.woo != nil:
			fmt.Fprintf(&b, ", api: {base_url: %q, consumer_key: \"${DEMO_WOO_KEY}\", consumer_secret: \"${DEMO_WOO_SECRET}\"}", apis.wooURL)
		}
		if s.shortfall != "" {
			fmt.Fprintf(&b, ", shortfall: %s", s.shortfall)
		}
		if sc.sla > 0 {
			fmt.Fprintf(&b, ", confirmation_sla: %s", sc.sla)
		}
		if sc.stillWorkingAfter > 0 {
			fmt.Fprintf(&b, ", still_working_after: %s", sc.stillWorkingAfter)
		}
		if sc.leadTime > 0 {
			fmt.Fprintf(&b, ", lead_time: %s", sc.leadTime)
		}
		b.WriteString("}\n")
	}
	fmt.Fprintf(&b, "erps:\n  - {name: %s, kind: sandbox, base_url: %q, max_concurrency: 16, timeout: 1s", demoERP, erpURL)
	if sc.callback {
		b.WriteString(`, callback_secrets: ["${DEMO_CALLBACK_SECRET}"]`)
	}
	b.WriteString("}\n")
	fmt.Fprintf(&b, "notifiers:\n  - {name: mailbox, kind: smtp, addr: %q, from: \"Demo Shop <orders@demo-shop.example>\", tls: none}\n", mailAddr)
	b.WriteString("retry: {initial: 200ms, max: 2s, max_attempts: 50}\n")
	if alertURL != "" {
		fmt.Fprintf(&b, "alerts: {webhook_url: %q, timeout: 2s}\n", alertURL)
	}
	if sc.reconcile {
		fmt.Fprintf(&b, "reconcile: {interval: %s, window: 1h}\n", sc.reconcileEvery)
	} else {
		b.WriteString("reconcile: {interval: 0s}\n")
	}
	return b.String()
}
