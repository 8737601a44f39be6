package config

import (
	"fmt"
	"io/fs"
	"net/url"
	"strings"
)

// Secrets returns every secret c holds, non-empty ones only: the same
// fields Redacted hides (tokens, webhook, callback and API secrets, ERP
// and SMTP credentials) and the passwords inside the database DSN, the
// base URLs and the alert webhook's path. A test or a log scrubber can
// look for each in what the gateway wrote.
func (c *Config) Secrets() []string {
	var out []string
	add := func(vs ...string) {
		for _, v := range vs {
			if v != "" {
				out = append(out, v)
			}
		}
	}
	add(c.AdminTokens...)
	add(c.ReadOnlyTokens...)
	add(urlSecret(c.Database))
	for _, s := range c.Storefronts {
		add(s.WebhookSecrets...)
		add(s.API.AccessToken, s.API.ConsumerSecret, urlSecret(s.API.BaseURL))
	}
	for _, e := range c.ERPs {
		add(e.CallbackSecrets...)
		add(e.Auth.ConsumerSecret, e.Auth.TokenSecret, e.Auth.ApplicationKey, e.Auth.Password, urlSecret(e.BaseURL))
	}
	for _, n := range c.Notifiers {
		add(n.Password)
	}
	if u, err := url.Parse(c.Alerts.WebhookURL); err == nil && u.Host != "" {
		add(strings.TrimPrefix(u.Path, "/"), u.RawQuery)
	}
	return out
}

// urlSecret returns the password in a URL's user info or password query
// parameter, or in a key=value DSN's password=, or "".
func urlSecret(s string) string {
	if u, err := url.Parse(s); err == nil && u.Scheme != "" {
		if pw, ok := u.User.Password(); ok {
			return pw
		}
		return u.Query().Get("password")
	}
	for _, kv := range strings.Fields(s) {
		if v, ok := strings.CutPrefix(kv, "password="); ok {
			return strings.Trim(v, `'`)
		}
	}
	return ""
}

// envMark stands for a variable's value while looking for secrets written
// literally in the file: a value made only of references holds none.
const envMark = "\x00"

// checkPermissions refuses a configuration file that every user of the
// machine may read when it holds a secret written literally; secrets
// given as ${NAME} references live in the environment, not the file.
func checkPermissions(path string, mode fs.FileMode, data []byte) error {
	if mode.Perm()&0o004 == 0 {
		return nil
	}
	var (
		c Config
		p problems
	)
	if !decode(data, &c, &p) {
		return nil // Parse reports what is wrong with the file
	}
	expandAll(&c, func(string) string { return envMark }, &p)
	for _, s := range c.Secrets() {
		if strings.ReplaceAll(s, envMark, "") != "" {
			return fmt.Errorf("config file %s holds secrets and is readable by every user (mode %v): run chmod 600 %s, or give the secrets as ${NAME} environment references", path, mode.Perm(), path)
		}
	}
	return nil
}
