package config

import (
	"maps"
	"net/url"
	"slices"
)

// redacted replaces each secret in the copy Redacted returns.
const redacted = "REDACTED"

// Redacted returns a deep copy of c fit to print or log: webhook secrets,
// admin tokens and passwords, including those inside the database DSN and
// ERP base URLs, are replaced by "REDACTED". Secrets that are empty stay
// empty, so the copy still shows which are unset.
func (c *Config) Redacted() *Config {
	r := c.clone()
	redactAll(r.AdminTokens)
	r.Database = redactURL(r.Database)
	for i := range r.Storefronts {
		redactAll(r.Storefronts[i].WebhookSecrets)
	}
	for i := range r.ERPs {
		r.ERPs[i].BaseURL = redactURL(r.ERPs[i].BaseURL)
	}
	for i := range r.Notifiers {
		redactOne(&r.Notifiers[i].Password)
	}
	return r
}

func redactAll(secrets []string) {
	for i := range secrets {
		redactOne(&secrets[i])
	}
}

func redactOne(s *string) {
	if *s != "" {
		*s = redacted
	}
}

// redactURL replaces the password in a URL's user info or its password
// query parameter. A string that does not parse as a URL is replaced whole,
// since where its password is cannot be told.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return redacted
	}
	changed := false
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), redacted)
		changed = true
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", redacted)
		u.RawQuery = q.Encode()
		changed = true
	}
	if !changed {
		return s
	}
	return u.String()
}

// clone returns a deep copy of c: no slice, map or pointer is shared.
func (c *Config) clone() *Config {
	d := *c
	d.AdminTokens = slices.Clone(c.AdminTokens)
	d.Storefronts = slices.Clone(c.Storefronts)
	for i := range d.Storefronts {
		d.Storefronts[i].WebhookSecrets = slices.Clone(d.Storefronts[i].WebhookSecrets)
	}
	d.ERPs = slices.Clone(c.ERPs)
	for i := range d.ERPs {
		if s := d.ERPs[i].Sandbox; s != nil {
			cp := *s
			cp.Stock = maps.Clone(s.Stock)
			cp.UnknownSKUs = slices.Clone(s.UnknownSKUs)
			d.ERPs[i].Sandbox = &cp
		}
	}
	d.Notifiers = slices.Clone(c.Notifiers)
	return &d
}
