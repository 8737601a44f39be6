package config

import (
	"log/slog"
	"testing"
)

func TestLookups_FindByNameOrReturnNil(t *testing.T) {
	t.Parallel()
	c, err := Parse([]byte(briefYAML), env("SHOPIFY_WEBHOOK_SECRET", "x"))
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Storefront("shop1"); s == nil || s.ERP != "erp1" {
		t.Errorf("Storefront(shop1) = %+v", s)
	}
	if e := c.ERP("erp1"); e == nil || e.Kind != ERPSandbox {
		t.Errorf("ERP(erp1) = %+v", e)
	}
	if n := c.Notifier("mail"); n == nil || n.Kind != NotifierSMTP {
		t.Errorf("Notifier(mail) = %+v", n)
	}
	if c.Storefront("nope") != nil || c.ERP("nope") != nil || c.Notifier("nope") != nil {
		t.Error("lookup of an unknown name returned non-nil")
	}
}

func TestSQLitePath_AcceptsBothForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		database string
		want     string
		ok       bool
	}{
		{"sqlite:ordergate.db", "ordergate.db", true},
		{"sqlite://ordergate.db", "ordergate.db", true},
		{"sqlite:///var/lib/ordergate/og.db", "/var/lib/ordergate/og.db", true},
		{"sqlite:/var/lib/og.db", "/var/lib/og.db", true},
		{"postgres://u:p@db/og", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		c := &Config{Database: tt.database}
		got, ok := c.SQLitePath()
		if got != tt.want || ok != tt.ok {
			t.Errorf("SQLitePath(%q) = %q, %v; want %q, %v", tt.database, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSlogLevel_MapsEachLevel(t *testing.T) {
	t.Parallel()
	for level, want := range map[string]slog.Level{
		"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError,
	} {
		if got := (&Config{LogLevel: level}).SlogLevel(); got != want {
			t.Errorf("SlogLevel(%q) = %v, want %v", level, got, want)
		}
	}
}

func TestBrandFor_DefaultsToTheStorefrontName(t *testing.T) {
	t.Parallel()
	if got := (&Notifier{}).BrandFor("shop1"); got != "shop1" {
		t.Errorf("BrandFor = %q, want shop1", got)
	}
	if got := (&Notifier{Brand: "Example"}).BrandFor("shop1"); got != "Example" {
		t.Errorf("BrandFor = %q, want Example", got)
	}
}
