package config

import (
	"maps"
	"net/url"
	"slices"
)

// redacted replaces each secret in the copy Redacted returns.
const redacted = "REDACTED"

// Redacted returns a deep copy of c fit to print or log: webhook secrets,
// admin and read-only tokens, ERP credentials and callback secrets, the alert webhook's
// path and passwords, including those inside the database DSN and ERP base
// URLs, are replaced by "REDACTED". Secrets that are empty stay
// empty, so the copy still shows which are unset.
func (c *Config) Redacted() *Config {
	r := c.clone()
	redactAll(r.AdminTokens)
	redactAll(r.ReadOnlyTokens)
	r.Database = redactURL(r.Database)
	for i := range r.Storefronts {
		s := &r.Storefronts[i]
		redactAll(s.WebhookSecrets)
		redactOne(&s.API.AccessToken)
		redactOne(&s.API.ConsumerSecret)
		s.API.BaseURL = redactURL(s.API.BaseURL)
	}
	for i := range r.ERPs {
		e := &r.ERPs[i]
		e.BaseURL = redactURL(e.BaseURL)
		redactAll(e.CallbackSecrets)
		for _, s := range []*string{&e.Auth.ConsumerSecret, &e.Auth.TokenSecret, &e.Auth.ApplicationKey, &e.Auth.Password} {
			redactOne(s)
		}
	}
	r.Alerts.WebhookURL = redactWebhook(r.Alerts.WebhookURL)
	r.redactMarketplaces()
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

// redactWebhook keeps a webhook URL's scheme and host: Slack-style URLs carry
// their secret in the path.
func redactWebhook(s string) string {
	if s == "" {
		return s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return redacted
	}
	if u.Path == "" && u.RawQuery == "" {
		return s
	}
	return u.Scheme + "://" + u.Host + "/" + redacted
}

// clone returns a deep copy of c: no slice, map or pointer is shared.
func (c *Config) clone() *Config {
	d := *c
	d.AdminTokens = slices.Clone(c.AdminTokens)
	d.ReadOnlyTokens = slices.Clone(c.ReadOnlyTokens)
	d.Storefronts = slices.Clone(c.Storefronts)
	for i := range d.Storefronts {
		d.Storefronts[i].WebhookSecrets = slices.Clone(d.Storefronts[i].WebhookSecrets)
	}
	d.ERPs = slices.Clone(c.ERPs)
	for i := range d.ERPs {
		d.ERPs[i].CallbackSecrets = slices.Clone(d.ERPs[i].CallbackSecrets)
		if s := d.ERPs[i].Sandbox; s != nil {
			cp := *s
			cp.Stock = maps.Clone(s.Stock)
			cp.UnknownSKUs = slices.Clone(s.UnknownSKUs)
			d.ERPs[i].Sandbox = &cp
		}
	}
	d.Notifiers = slices.Clone(c.Notifiers)
	d.cloneMarketplaces()
	return &d
}
