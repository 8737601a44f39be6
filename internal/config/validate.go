package config

import (
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
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
		if !strings.HasPrefix(c.Database, kind+"://") {
			v.add("database", "invalid postgres DSN: want postgres://user:password@host/dbname")
		} else {
			v.add("database", "postgres is not supported yet")
		}
	default:
		// The DSN may hold a password, so it is not echoed.
		v.add("database", "unsupported database: want sqlite:PATH (postgres:// is not supported yet)")
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
	oneOf(v, field(path, "kind"), s.Kind, []string{StorefrontShopify}, []string{StorefrontWooCommerce, StorefrontBigCommerce})
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
	oneOf(v, field(path, "mode"), s.Mode, []string{ModeGated}, []string{ModeAckGated, ModeShadow})
}

func (e *ERP) validate(v *validator, path string) {
	oneOf(v, field(path, "kind"), e.Kind, []string{ERPSandbox}, []string{ERPNetSuite, ERPCin7, ERPFishbowl})
	if e.BaseURL != "" && !validHTTPURL(e.BaseURL) {
		v.add(field(path, "base_url"), "invalid URL: want http://host or https://host")
	}
	if e.Concurrency < 1 || e.Concurrency > MaxERPConcurrency {
		v.add(field(path, "concurrency"), "%d is out of range: want 1 to %d", e.Concurrency, MaxERPConcurrency)
	}
	positive(v, field(path, "timeout"), e.Timeout)
	if e.Sandbox != nil {
		if e.Kind != ERPSandbox && e.Kind != "" {
			v.add(field(path, "sandbox"), "only for kind sandbox")
			return
		}
		e.Sandbox.validate(v, field(path, "sandbox"))
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
