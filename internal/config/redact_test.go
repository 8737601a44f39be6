package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

func TestRedacted_HidesEverySecretAndLeavesTheOriginal(t *testing.T) {
	t.Parallel()
	c := &Config{
		Database:       "postgres://og:dbpass@db.internal/og?sslmode=require",
		AdminTokens:    []string{"tok1", ""},
		ReadOnlyTokens: []string{"ro1"},
		Storefronts:    []Storefront{{Name: "shop1", WebhookSecrets: []string{"whsec1", "whsec2"}}},
		ERPs: []ERP{
			{Name: "erp1", BaseURL: "https://api:erppass@erp.example.com/v1", Sandbox: &Sandbox{Stock: map[string]int{"MUG": 1}}},
			{Name: "erp2", BaseURL: "https://erp.example.com/v1?password=qpass"},
			{Name: "ns", CallbackSecrets: []string{"cbsec"}, Auth: ERPAuth{Method: "tba", ConsumerKey: "ck", ConsumerSecret: "cs", TokenID: "ti", TokenSecret: "ts"}},
			{Name: "c7", Auth: ERPAuth{AccountID: "acct", ApplicationKey: "appkey"}},
			{Name: "fb", Auth: ERPAuth{Username: "og", Password: "fbpass"}},
		},
		Notifiers: []Notifier{{Name: "mail", Username: "u", Password: "smtppass"}, {Name: "open"}},
		Alerts:    Alerts{WebhookURL: "https://hooks.example.com/services/T0/B0/secret"},
	}
	before := c.clone()

	r := c.Redacted()

	want := &Config{
		Database:       "postgres://og:REDACTED@db.internal/og?sslmode=require",
		AdminTokens:    []string{"REDACTED", ""},
		ReadOnlyTokens: []string{"REDACTED"},
		Storefronts:    []Storefront{{Name: "shop1", WebhookSecrets: []string{"REDACTED", "REDACTED"}}},
		ERPs: []ERP{
			{Name: "erp1", BaseURL: "https://api:REDACTED@erp.example.com/v1", Sandbox: &Sandbox{Stock: map[string]int{"MUG": 1}}},
			{Name: "erp2", BaseURL: "https://erp.example.com/v1?password=REDACTED"},
			{Name: "ns", CallbackSecrets: []string{"REDACTED"}, Auth: ERPAuth{Method: "tba", ConsumerKey: "ck", ConsumerSecret: "REDACTED", TokenID: "ti", TokenSecret: "REDACTED"}},
			{Name: "c7", Auth: ERPAuth{AccountID: "acct", ApplicationKey: "REDACTED"}},
			{Name: "fb", Auth: ERPAuth{Username: "og", Password: "REDACTED"}},
		},
		Notifiers: []Notifier{{Name: "mail", Username: "u", Password: "REDACTED"}, {Name: "open"}},
		Alerts:    Alerts{WebhookURL: "https://hooks.example.com/REDACTED"},
	}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("Redacted mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, c); diff != "" {
		t.Errorf("Redacted changed the original (-before +after):\n%s", diff)
	}
	r.ERPs[0].Sandbox.Stock["MUG"] = 99
	if c.ERPs[0].Sandbox.Stock["MUG"] != 1 {
		t.Error("Redacted copy shares the sandbox stock map with the original")
	}
}

func TestRedacted_PrintedYAMLHasNoSecretAndReadableDurations(t *testing.T) {
	t.Parallel()
	c, err := Parse([]byte(briefYAML), env("SHOPIFY_WEBHOOK_SECRET", "whsec-very-secret"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := yaml.Marshal(c.Redacted())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "whsec-very-secret") {
		t.Errorf("printed config holds the secret:\n%s", out)
	}
	if !strings.Contains(string(out), "timeout: 30s") {
		t.Errorf("printed config does not show durations as text:\n%s", out)
	}
	// What config check --print shows must load again.
	if _, err := Parse(out, nil); err != nil {
		t.Errorf("printed config does not parse back: %v\n%s", err, out)
	}
}
