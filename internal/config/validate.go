package config

import (
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ordergate/ordergate/internal/store/postgres"
)

// Validate reports every problem with c, joined, each a *FieldError naming
// its field. Zero fields count as their defaults; c is not changed.
func (c *Config) Validate() error {
	var p problems
	c.validate(&p)
	return p.err()
}

// validate checks a copy of c with its defaults filled in, adding to p any
// problem whose field p does not already complain about.
func (c *Config) validate(p *problems) {
	d := c.clone()
	d.applyDefaults()
	v := validator{found: p}
	d.validateTop(&v)
	for i := range d.Storefronts {
		d.Storefronts[i].validate(&v, index("storefronts", i), d)
	}
	for i := range d.ERPs {
		d.ERPs[i].validate(&v, index("erps", i))
	}
	for i := range d.Notifiers {
		d.Notifiers[i].validate(&v, index("notifiers", i))
	}
	d.Retry.validate(&v, "retry")
	d.Jobs.validate(&v, "jobs")
	d.Alerts.validate(&v, "alerts")
	d.Reconcile.validate(&v, "reconcile")
	d.validateMarketplaces(&v)
	d.Limits.validate(&v, "limits")
}

func (r *Reconcile) validate(v *validator, path string) {
	notNegative(v, field(path, "interval"), *r.Interval)
	if *r.Interval > 0 && *r.Interval < time.Second {
		v.add(field(path, "interval"), "%v is under a second", *r.Interval)
	}
	positive(v, field(path, "window"), r.Window)
	if r.Window < *r.Interval {
		v.add(field(path, "window"), "%v is shorter than the interval %v: orders changed between two runs would be missed", r.Window, *r.Interval)
	}
	if r.MaxERPChecks < 1 {
		v.add(field(path, "max_erp_checks"), "%d is out of range: want at least 1", r.MaxERPChecks)
	}
}

// validator adds problems, except for fields already reported while
// decoding or expanding.
type validator struct {
	found *problems
}

func (v *validator) add(path, format string, args ...any) {
	if v.found.covers(path) {
		return
	}
	v.found.add(path, format, args...)
}

func (c *Config) validateTop(v *validator) {
	switch kind, _, _ := strings.Cut(c.Database, ":"); {
	case c.Database == "":
		v.add("database", "required")
	case kind == "sqlite":
		if path, _ := c.SQLitePath(); path == "" {
			v.add("database", "missing file path: want sqlite:PATH")
		}
	case kind == "postgres" || kind == "postgresql":
		// pgx's parser, as the store will use it. Its complaint is reported
		// without the DSN, which may hold a password.
		if !strings.HasPrefix(c.Database, kind+"://") {
			v.add("database", "invalid postgres DSN: want postgres://user:password@host/dbname")
		} else if _, err := postgres.ParseDSN(c.Database); err != nil {
			v.add("database", "invalid postgres DSN: %s", strings.TrimPrefix(err.Error(), "postgres: invalid DSN: "))
		}
	default:
		// The DSN may hold a password, so it is not echoed.
		v.add("database", "unsupported database: want sqlite:PATH or postgres://user:password@host/dbname")
	}
	if !validHostPort(c.Listen, true) {
		v.add("listen", "invalid address %q: want host:port", c.Listen)
	}
	if c.MaxBodyBytes < 0 {
		v.add("max_body_bytes", "must be positive")
	}
	for i, t := range c.AdminTokens {
		if t == "" {
			v.add(index("admin_tokens", i), "empty")
		}
	}
	for i, t := range c.ReadOnlyTokens {
		switch {
		case t == "":
			v.add(index("read_only_tokens", i), "empty")
		case slices.Contains(c.AdminTokens, t):
			// The same token cannot be both: which role would it have?
			v.add(index("read_only_tokens", i), "also listed in admin_tokens")
		}
	}
	if c.PublicURL != "" && !validHTTPURL(c.PublicURL) {
		v.add("public_url", "invalid URL: want https://host or https://host/prefix")
	}
	oneOf(v, "log_level", c.LogLevel, []string{LogDebug, LogInfo, LogWarn, LogError}, nil)
	unique(v, "storefronts", len(c.Storefronts), func(i int) string { return c.Storefronts[i].Name })
	unique(v, "erps", len(c.ERPs), func(i int) string { return c.ERPs[i].Name })
	unique(v, "notifiers", len(c.Notifiers), func(i int) string { return c.Notifiers[i].Name })
}

var namePattern = regexp.MustCompile(`^[a-z0-9_-]+$`)

// unique checks the name of each of n entries of list: required, well
// formed and not used by an earlier entry.
func unique(v *validator, list string, n int, name func(int) string) {
	first := map[string]int{}
	for i := range n {
		path := field(index(list, i), "name")
		switch s := name(i); {
		case s == "":
			v.add(path, "required")
		case !namePattern.MatchString(s):
			v.add(path, "invalid name %q: use lower-case letters, digits, '-' and '_'", s)
		default:
			if j, dup := first[s]; dup {
				v.add(path, "%q is already the name of %s", s, index(list, j))
			} else {
				first[s] = i
			}
		}
	}
}

func (s *Storefront) validate(v *validator, path string, c *Config) {
	oneOf(v, field(path, "kind"), s.Kind, []string{StorefrontShopify, StorefrontWooCommerce, StorefrontBigCommerce}, nil)
	if len(s.WebhookSecrets) == 0 {
		v.add(field(path, "webhook_secrets"), "required")
	}
	for i, secret := range s.WebhookSecrets {
		if secret == "" {
			v.add(index(field(path, "webhook_secrets"), i), "empty")
		}
	}
	if s.ShopDomain != "" && !validDomain(s.ShopDomain) {
		v.add(field(path, "shop_domain"), "invalid domain %q: want a host name such as example.myshopify.com", s.ShopDomain)
	}
	s.validateAPI(v, path)
	switch {
	case s.ERP == "":
		v.add(field(path, "erp"), "required")
	case c.ERP(s.ERP) == nil:
		v.add(field(path, "erp"), "%q is not a configured erp", s.ERP)
	}
	switch {
	case s.Notifier == "":
		v.add(field(path, "notifier"), "required")
	case c.Notifier(s.Notifier) == nil:
		v.add(field(path, "notifier"), "%q is not a configured notifier", s.Notifier)
	}
	oneOf(v, field(path, "mode"), s.Mode, []string{ModeGated, ModeAckGated, ModeShadow}, nil)
	if p := s.RolloutPercent; p != nil && (*p < 0 || *p > 100) {
		v.add(field(path, "rollout_percent"), "%d is not within 0..100", *p)
	}
	oneOf(v, field(path, "shortfall"), s.Shortfall, []string{ShortfallReject, ShortfallBackorder}, nil)
	if s.ConfirmationSLA != nil {
		notNegative(v, field(path, "confirmation_sla"), *s.ConfirmationSLA)
	}
	notNegative(v, field(path, "lead_time"), s.LeadTime)
	notNegative(v, field(path, "still_working_after"), s.StillWorkingAfter)
	if s.StillWorkingAfter > 0 && s.Mode != ModeAckGated {
		v.add(field(path, "still_working_after"), "only for mode ack_gated: in gated mode the customer has not heard from us yet")
	}
}

// validateAPI checks the storefront's API settings and refuses a setting of
// one kind set on another, so that a BigCommerce store hash pasted under a
// woocommerce entry is not silently ignored.
func (s *Storefront) validateAPI(v *validator, path string) {
	a, ap := s.API, field(path, "api")
	type setting struct {
		name  string
		set   bool
		kinds []string
	}
	for _, f := range []setting{
		{"shop_domain", s.ShopDomain != "", []string{StorefrontShopify}},
		{"auth_header", s.AuthHeader != "", []string{StorefrontBigCommerce}},
		{"api.api_version", a.APIVersion != "", []string{StorefrontShopify}},
		{"api.access_token", a.AccessToken != "", []string{StorefrontShopify, StorefrontBigCommerce}},
		{"api.store_hash", a.StoreHash != "", []string{StorefrontBigCommerce}},
		{"api.consumer_key", a.ConsumerKey != "", []string{StorefrontWooCommerce}},
		{"api.consumer_secret", a.ConsumerSecret != "", []string{StorefrontWooCommerce}},
	} {
		if f.set && s.Kind != "" && !contains(f.kinds, s.Kind) {
			v.add(field(path, f.name), "only for kind %s", strings.Join(f.kinds, " or "))
		}
	}
	if a.BaseURL != "" && !validHTTPURL(a.BaseURL) {
		v.add(field(ap, "base_url"), "invalid URL: want http://host or https://host")
	}
	positive(v, field(ap, "timeout"), a.Timeout)
	switch s.Kind {
	case StorefrontShopify:
		if a.AccessToken != "" && s.ShopDomain == "" {
			v.add(field(path, "shop_domain"), "required with api.access_token: the shop the Admin API is called on")
		}
		if a.APIVersion != "" && !apiVersionPattern.MatchString(a.APIVersion) {
			v.add(field(ap, "api_version"), "invalid version %q: want YYYY-MM, e.g. 2025-07", a.APIVersion)
		}
	case StorefrontWooCommerce:
		if a.BaseURL != "" || a.ConsumerKey != "" || a.ConsumerSecret != "" {
			for _, f := range []struct {
				name string
				set  bool
			}{{"base_url", a.BaseURL != ""}, {"consumer_key", a.ConsumerKey != ""}, {"consumer_secret", a.ConsumerSecret != ""}} {
				if !f.set {
					v.add(field(ap, f.name), "required with the other api settings: the REST API needs the site address and both halves of the key")
				}
			}
		}
	case StorefrontBigCommerce:
		if a.AccessToken == "" {
			v.add(field(ap, "access_token"), "required for bigcommerce: its callbacks carry only the order id, so every order is fetched from the v2 API")
		}
		if a.StoreHash == "" && a.BaseURL == "" {
			v.add(field(ap, "store_hash"), "required for bigcommerce (or api.base_url): the {store_hash} of https://api.bigcommerce.com/stores/{store_hash}")
		}
		if s.AuthHeader != "" && !headerPattern.MatchString(s.AuthHeader) {
			v.add(field(path, "auth_header"), "invalid header name %q", s.AuthHeader)
		}
	}
}

var (
	apiVersionPattern = regexp.MustCompile(`^20[0-9]{2}-(0[1-9]|1[0-2])$`)
	headerPattern     = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
)

func (e *ERP) validate(v *validator, path string) {
	oneOf(v, field(path, "kind"), e.Kind, []string{ERPNetSuite, ERPCin7, ERPFishbowl, ERPSandbox}, nil)
	if e.BaseURL != "" && !validHTTPURL(e.BaseURL) {
		v.add(field(path, "base_url"), "invalid URL: want http://host or https://host")
	}
	if e.Kind == ERPFishbowl && e.BaseURL == "" {
		v.add(field(path, "base_url"), "required for fishbowl: the server's address and API port, e.g. https://fishbowl.example.com:2456")
	}
	if e.MaxConcurrency < 1 || e.MaxConcurrency > MaxERPConcurrency {
		v.add(field(path, "max_concurrency"), "%d is out of range: want 1 to %d", e.MaxConcurrency, MaxERPConcurrency)
	}
	positive(v, field(path, "timeout"), e.Timeout)
	for i, s := range e.CallbackSecrets {
		if s == "" {
			v.add(index(field(path, "callback_secrets"), i), "empty")
		}
	}
	e.validateKindFields(v, path)
	if e.Sandbox != nil {
		if e.Kind != ERPSandbox && e.Kind != "" {
			v.add(field(path, "sandbox"), "only for kind sandbox")
			return
		}
		e.Sandbox.validate(v, field(path, "sandbox"))
		if e.Sandbox.Callback && len(e.CallbackSecrets) == 0 {
			v.add(field(path, "callback_secrets"), "required with sandbox.callback: the sandbox signs its callbacks with the first")
		}
	}
}

// validateKindFields refuses a field of one ERP kind set on another, so that
// a NetSuite setting pasted under a cin7 entry is not silently ignored. The
// values of a kind's own fields are checked by its connector (see the
// config check command), which knows their shapes.
func (e *ERP) validateKindFields(v *validator, path string) {
	type setting struct {
		name string
		set  bool
		kind string
	}
	a := e.Auth
	for _, f := range []setting{
		{"account", e.Account != "", ERPNetSuite},
		{"customer_id", e.CustomerID != "", ERPNetSuite},
		{"subsidiary_id", e.SubsidiaryID != "", ERPNetSuite},
		{"location_id", e.LocationID != "", ERPNetSuite},
		{"pending_approval", e.PendingApproval, ERPNetSuite},
		{"async", e.Async, ERPNetSuite},
		{"async_poll_interval", e.AsyncPollInterval != 0, ERPNetSuite},
		{"async_wait", e.AsyncWait != 0, ERPNetSuite},
		{"auth.method", a.Method != "", ERPNetSuite},
		{"auth.client_id", a.ClientID != "", ERPNetSuite},
		{"auth.certificate_id", a.CertificateID != "", ERPNetSuite},
		{"auth.private_key_file", a.PrivateKeyFile != "", ERPNetSuite},
		{"auth.scopes", a.Scopes != "", ERPNetSuite},
		{"auth.consumer_key", a.ConsumerKey != "", ERPNetSuite},
		{"auth.consumer_secret", a.ConsumerSecret != "", ERPNetSuite},
		{"auth.token_id", a.TokenID != "", ERPNetSuite},
		{"auth.token_secret", a.TokenSecret != "", ERPNetSuite},
		{"customer", e.Customer != "", ERPCin7},
		{"tax_rule", e.TaxRule != "", ERPCin7},
		{"calls_per_minute", e.CallsPerMinute != 0, ERPCin7},
		{"auth.account_id", a.AccountID != "", ERPCin7},
		{"auth.application_key", a.ApplicationKey != "", ERPCin7},
		{"customer_name", e.CustomerName != "", ERPFishbowl},
		{"idle_logout", e.IdleLogout != 0, ERPFishbowl},
		{"auth.username", a.Username != "", ERPFishbowl},
		{"auth.password", a.Password != "", ERPFishbowl},
		{"auth.app_name", a.AppName != "", ERPFishbowl},
		{"auth.app_description", a.AppDescription != "", ERPFishbowl},
		{"auth.app_id", a.AppID != "", ERPFishbowl},
	} {
		if f.set && e.Kind != f.kind && e.Kind != "" {
			v.add(field(path, f.name), "only for kind %s", f.kind)
		}
	}
}

func (s *Sandbox) validate(v *validator, path string) {
	for sku, n := range s.Stock {
		if n < 0 {
			v.add(key(field(path, "stock"), sku), "%d is negative", n)
		}
	}
	if s.DefaultStock < 0 {
		v.add(field(path, "default_stock"), "%d is negative", s.DefaultStock)
	}
	for i, sku := range s.UnknownSKUs {
		if sku == "" {
			v.add(index(field(path, "unknown_skus"), i), "empty")
		}
	}
	l, lp := s.Latency, field(path, "latency")
	notNegative(v, field(lp, "min"), l.Min)
	notNegative(v, field(lp, "median"), l.Median)
	notNegative(v, field(lp, "p99"), l.P99)
	if l.Median < l.Min {
		v.add(field(lp, "median"), "%v is less than min %v", l.Median, l.Min)
	}
	if l.P99 < l.Median {
		v.add(field(lp, "p99"), "%v is less than median %v", l.P99, l.Median)
	}
	f, fp := s.Faults, field(path, "faults")
	sum := 0.0
	for _, r := range []struct {
		name string
		rate float64
	}{{"error_rate", f.ErrorRate}, {"timeout_rate", f.TimeoutRate}, {"in_doubt_rate", f.InDoubtRate}, {"throttle_rate", f.ThrottleRate}} {
		if !(r.rate >= 0 && r.rate <= 1) { // also refuses NaN
			v.add(field(fp, r.name), "%v is out of range: want 0 to 1", r.rate)
			continue
		}
		sum += r.rate
	}
	if sum > 1+1e-9 {
		v.add(fp, "rates add up to %v: want at most 1", sum)
	}
	positive(v, field(fp, "retry_after"), f.RetryAfter)
	notNegative(v, field(path, "ack_delay"), s.AckDelay)
	if s.ShipDays < -1 {
		v.add(field(path, "ship_days"), "%d is out of range: want -1 (no ship date) or more", s.ShipDays)
	}
}

func (n *Notifier) validate(v *validator, path string) {
	oneOf(v, field(path, "kind"), n.Kind, []string{NotifierSMTP}, []string{NotifierWebhook})
	if n.Kind == NotifierSMTP {
		switch {
		case n.Addr == "":
			v.add(field(path, "addr"), "required")
		case !validHostPort(n.Addr, false):
			v.add(field(path, "addr"), "invalid address %q: want host:port", n.Addr)
		}
	}
	if n.From == "" {
		v.add(field(path, "from"), "required")
	} else if _, err := mail.ParseAddress(n.From); err != nil {
		v.add(field(path, "from"), "invalid address %q: want e.g. orders@example.com", n.From)
	}
	if n.Password != "" && n.Username == "" {
		v.add(field(path, "username"), "required with password")
	}
	if n.Username != "" && n.Password == "" {
		v.add(field(path, "password"), "required with username")
	}
	oneOf(v, field(path, "tls"), n.TLS, []string{TLSNone, TLSStartTLS, TLSImplicit}, nil)
	if n.TLS == TLSNone && n.Password != "" && !isLoopback(n.Addr) {
		v.add(field(path, "tls"), "none would send the password in clear to %s: use starttls or tls", n.Addr)
	}
}

func (a *Alerts) validate(v *validator, path string) {
	if a.WebhookURL != "" && !validHTTPURL(a.WebhookURL) {
		v.add(field(path, "webhook_url"), "invalid URL: want http://host/… or https://host/…")
	}
	positive(v, field(path, "timeout"), a.Timeout)
}

func (r *Retry) validate(v *validator, path string) {
	positive(v, field(path, "initial"), r.Initial)
	positive(v, field(path, "max"), r.Max)
	if r.Max < r.Initial {
		v.add(field(path, "max"), "%v is less than initial %v", r.Max, r.Initial)
	}
	if r.MaxAttempts < 1 {
		v.add(field(path, "max_attempts"), "%d is out of range: want at least 1", r.MaxAttempts)
	}
}

func (j *Jobs) validate(v *validator, path string) {
	positive(v, field(path, "timeout"), j.Timeout)
	positive(v, field(path, "rescue_after"), j.RescueAfter)
	if j.RescueAfter <= j.Timeout {
		v.add(field(path, "rescue_after"), "%v must exceed timeout %v, or a job still running would be run twice", j.RescueAfter, j.Timeout)
	}
	// River's periodic jobs are not meant for intervals under a second.
	if j.SweepInterval < MinSweepInterval {
		v.add(field(path, "sweep_interval"), "%v is less than %v", j.SweepInterval, MinSweepInterval)
	}
}

// oneOf checks that s is one of supported; a value in later is known but
// not supported yet.
func oneOf(v *validator, path, s string, supported, later []string) {
	switch {
	case s == "":
		v.add(path, "required")
	case contains(supported, s):
	case contains(later, s):
		v.add(path, "%s is not supported yet", s)
	default:
		v.add(path, "invalid value %q: want %s", s, strings.Join(supported, ", "))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func positive(v *validator, path string, d time.Duration) {
	if d <= 0 {
		v.add(path, "%v is not positive", d)
	}
}

func notNegative(v *validator, path string, d time.Duration) {
	if d < 0 {
		v.add(path, "%v is negative", d)
	}
}

// validHostPort reports whether s is host:port with a numeric port. An
// address to listen on may leave the host empty (every interface) and use
// port 0 (any free port, for tests); an address to dial may not.
func validHostPort(s string, listen bool) bool {
	host, port, err := net.SplitHostPort(s)
	if err != nil || (host == "" && !listen) {
		return false
	}
	n, err := strconv.ParseUint(port, 10, 16)
	return err == nil && (n > 0 || listen)
}

func isLoopback(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var domainPattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

func validDomain(s string) bool {
	return len(s) <= 253 && domainPattern.MatchString(s)
}

func validHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		u.RawQuery == "" && u.Fragment == ""
}
