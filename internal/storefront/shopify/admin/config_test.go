package admin

import (
	"strings"
	"testing"
)

func validConfig() Config {
	return Config{Storefront: "shop1", ShopDomain: "northwind.myshopify.com", AccessToken: "shpat_x"}
}

func TestConfigValidate_NamesTheKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"no name", func(c *Config) { c.Storefront = "" }, "name: required"},
		{"no shop", func(c *Config) { c.ShopDomain = "" }, "shop_domain: required"},
		{"custom domain", func(c *Config) { c.ShopDomain = "shop.northwind.com" }, "shop_domain: "},
		{"scheme in domain", func(c *Config) { c.ShopDomain = "https://northwind.myshopify.com" }, "shop_domain: "},
		{"no token", func(c *Config) { c.AccessToken = " " }, "auth.access_token: required"},
		{"bad version", func(c *Config) { c.APIVersion = "2025-05" }, "api_version: "},
		{"too old", func(c *Config) { c.APIVersion = "2025-01" }, "api_version: 2025-01 is older than 2025-04"},
		{"relative base url", func(c *Config) { c.BaseURL = "/graphql.json" }, "base_url: "},
		{"negative timeout", func(c *Config) { c.Timeout = -1 }, "timeout: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := validConfig()
			tc.change(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate = %v, want it to say %q", err, tc.want)
			}
			if _, err := NewClient(c); err == nil {
				t.Error("NewClient accepted the config")
			}
		})
	}
}

func TestConfigValidate_ReportsEveryProblem(t *testing.T) {
	t.Parallel()
	err := Config{}.Validate()
	for _, key := range []string{"name:", "shop_domain:", "auth.access_token:"} {
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("Validate = %v, want it to name %s", err, key)
		}
	}
}

func TestNewClient_Defaults(t *testing.T) {
	t.Parallel()
	c, err := NewClient(validConfig())
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://northwind.myshopify.com/admin/api/2025-07/graphql.json"; c.cfg.BaseURL != want {
		t.Errorf("endpoint = %s, want %s", c.cfg.BaseURL, want)
	}
	if c.cfg.Timeout != DefaultTimeout || c.cfg.HTTPClient == nil || c.cfg.Now == nil || c.cfg.Sleep == nil {
		t.Errorf("defaults not filled in: %+v", c.cfg)
	}
	cfg := validConfig()
	cfg.APIVersion = "2026-01"
	c, err = NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://northwind.myshopify.com/admin/api/2026-01/graphql.json"; c.cfg.BaseURL != want {
		t.Errorf("endpoint = %s, want %s", c.cfg.BaseURL, want)
	}
}
