package config

import (
	"log/slog"
	"strings"
)

// Storefront returns the storefront named name, or nil if there is none.
func (c *Config) Storefront(name string) *Storefront {
	for i := range c.Storefronts {
		if c.Storefronts[i].Name == name {
			return &c.Storefronts[i]
		}
	}
	return nil
}

// ERP returns the ERP named name, or nil if there is none.
func (c *Config) ERP(name string) *ERP {
	for i := range c.ERPs {
		if c.ERPs[i].Name == name {
			return &c.ERPs[i]
		}
	}
	return nil
}

// Notifier returns the notifier named name, or nil if there is none.
func (c *Config) Notifier(name string) *Notifier {
	for i := range c.Notifiers {
		if c.Notifiers[i].Name == name {
			return &c.Notifiers[i]
		}
	}
	return nil
}

// SQLitePath returns the database file of a sqlite:PATH or sqlite://PATH
// Database, and false for any other database.
func (c *Config) SQLitePath() (string, bool) {
	rest, ok := strings.CutPrefix(c.Database, "sqlite:")
	if !ok {
		return "", false
	}
	// sqlite://PATH; sqlite:///abs/path keeps its leading slash.
	rest = strings.TrimPrefix(rest, "//")
	return rest, true
}

// SlogLevel returns LogLevel as a slog.Level; info if LogLevel is not one
// of the accepted values (Validate refuses those).
func (c *Config) SlogLevel() slog.Level {
	switch c.LogLevel {
	case LogDebug:
		return slog.LevelDebug
	case LogWarn:
		return slog.LevelWarn
	case LogError:
		return slog.LevelError
	}
	return slog.LevelInfo
}

// BrandFor returns the shop name to show in messages about orders from
// the storefront named storefront: Brand if set, else storefront.
func (n *Notifier) BrandFor(storefront string) string {
	if n.Brand != "" {
		return n.Brand
	}
	return storefront
}
