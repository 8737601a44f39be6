package config

import (
	"strings"
	"time"
)

// The defaults, in one place. A zero or omitted field takes its default.
const (
	DefaultListen       = "127.0.0.1:8080"
	DefaultMaxBodyBytes = 1 << 20 // 1 MiB
	DefaultLogLevel     = LogInfo

	DefaultStorefrontMode       = ModeGated
	DefaultStorefrontShortfall  = ShortfallReject
	DefaultConfirmationSLA      = 15 * time.Minute
	DefaultAlertTimeout         = 10 * time.Second
	DefaultStorefrontAPITimeout = 30 * time.Second
	DefaultReconcileInterval    = 15 * time.Minute
	DefaultReconcileWindow      = 2 * time.Hour
	DefaultReconcileERPChecks   = 1000
	DefaultShopifyAPIVersion    = "2025-07"
	DefaultShopifyGatedTag      = "ordergate-gated"
	DefaultBigCommerceHeader    = "X-Ordergate-Token"
	DefaultSandboxShipDays      = 2

	DefaultERPConcurrency    = 8
	DefaultERPTimeout        = 30 * time.Second
	DefaultSandboxStock      = 1_000_000
	DefaultSandboxRetryAfter = time.Second
	DefaultNotifierTLS       = TLSStartTLS
	DefaultRetryInitial      = time.Second
	DefaultRetryMax          = 5 * time.Minute
	DefaultRetryMaxAttempts  = 100
	DefaultJobTimeout        = 2 * time.Minute
	DefaultJobRescueAfter    = 10 * time.Minute
	DefaultSweepInterval     = time.Minute
	MinSweepInterval         = time.Second
	MaxERPConcurrency        = 1000
)

// The values the enumerated fields accept.
const (
	LogDebug = "debug"
	LogInfo  = "info"
	LogWarn  = "warn"
	LogError = "error"

	StorefrontShopify     = "shopify"
	StorefrontWooCommerce = "woocommerce"
	StorefrontBigCommerce = "bigcommerce"

	ModeGated    = "gated"
	ModeAckGated = "ack_gated"
	ModeShadow   = "shadow"

	ShortfallReject    = "reject"
	ShortfallBackorder = "backorder"

	ERPSandbox  = "sandbox"
	ERPNetSuite = "netsuite"
	ERPCin7     = "cin7"
	ERPFishbowl = "fishbowl"

	NotifierSMTP    = "smtp"
	NotifierWebhook = "webhook" // not supported yet

	TLSNone     = "none"
	TLSStartTLS = "starttls"
	TLSImplicit = "tls"
)

// applyDefaults replaces every zero field that has a default by its default,
// and normalises values that are compared case-insensitively.
func (c *Config) applyDefaults() {
	setDefault(&c.Listen, DefaultListen)
	setDefault(&c.MaxBodyBytes, DefaultMaxBodyBytes)
	setDefault(&c.LogLevel, DefaultLogLevel)
	for i := range c.Storefronts {
		s := &c.Storefronts[i]
		setDefault(&s.Mode, DefaultStorefrontMode)
		setDefault(&s.Shortfall, DefaultStorefrontShortfall)
		if s.RolloutPercent == nil {
			all := 100
			s.RolloutPercent = &all
		}
		if s.ConfirmationSLA == nil {
			sla := DefaultConfirmationSLA
			s.ConfirmationSLA = &sla
		}
		s.ShopDomain = strings.ToLower(s.ShopDomain)
		setDefault(&s.API.Timeout, DefaultStorefrontAPITimeout)
		switch s.Kind {
		case StorefrontShopify:
			setDefault(&s.API.APIVersion, DefaultShopifyAPIVersion)
			if s.GatedTag == nil {
				tag := DefaultShopifyGatedTag
				s.GatedTag = &tag
			}
		case StorefrontBigCommerce:
			setDefault(&s.AuthHeader, DefaultBigCommerceHeader)
		}
	}
	for i := range c.ERPs {
		e := &c.ERPs[i]
		setDefault(&e.MaxConcurrency, DefaultERPConcurrency)
		setDefault(&e.Timeout, DefaultERPTimeout)
		if e.Kind == ERPSandbox && e.Sandbox == nil {
			e.Sandbox = &Sandbox{}
		}
		if e.Sandbox != nil {
			e.Sandbox.applyDefaults()
		}
	}
	for i := range c.Notifiers {
		setDefault(&c.Notifiers[i].TLS, DefaultNotifierTLS)
	}
	setDefault(&c.Retry.Initial, DefaultRetryInitial)
	setDefault(&c.Retry.Max, DefaultRetryMax)
	setDefault(&c.Retry.MaxAttempts, DefaultRetryMaxAttempts)
	setDefault(&c.Jobs.Timeout, DefaultJobTimeout)
	setDefault(&c.Jobs.RescueAfter, DefaultJobRescueAfter)
	setDefault(&c.Jobs.SweepInterval, DefaultSweepInterval)
	setDefault(&c.Alerts.Timeout, DefaultAlertTimeout)
	if c.Reconcile.Interval == nil {
		d := DefaultReconcileInterval
		c.Reconcile.Interval = &d
	}
	setDefault(&c.Reconcile.Window, DefaultReconcileWindow)
	setDefault(&c.Reconcile.MaxERPChecks, DefaultReconcileERPChecks)
	c.Limits.applyDefaults()
	c.applyMarketplaceDefaults()
}

func (s *Sandbox) applyDefaults() {
	setDefault(&s.DefaultStock, DefaultSandboxStock)
	setDefault(&s.Latency.Median, s.Latency.Min)
	setDefault(&s.Latency.P99, s.Latency.Median)
	setDefault(&s.Faults.RetryAfter, DefaultSandboxRetryAfter)
	setDefault(&s.ShipDays, DefaultSandboxShipDays)
}

func setDefault[T comparable](field *T, def T) {
	var zero T
	if *field == zero {
		*field = def
	}
}
