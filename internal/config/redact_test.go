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
		Database:    "postgres://og:dbpass@db.internal/og?sslmode=require",
		AdminTokens: []string{"tok1", ""},
		Storefronts: []Storefront{{Name: "shop1", WebhookSecrets: []string{"whsec1", "whsec2"}}},
		ERPs: []ERP{
			{Name: "erp1", BaseURL: "https://api:erppass@erp.example.com/v1", Sandbox: &Sandbox{Stock: map[string]int{"MUG": 1}}},
			{Name: "erp2", BaseURL: "https://erp.example.com/v1?password=qpass"},
		},
		Notifiers: []Notifier{{Name: "mail", Username: "u", Password: "smtppass"}, {Name: "open"}},
	}
	before := c.clone()

	r := c.Redacted()

	want := &Config{
		Database:    "postgres://og:REDACTED@db.internal/og?sslmode=require",
		AdminTokens: []string{"REDACTED", ""},
		Storefronts: []Storefront{{Name: "shop1", WebhookSecrets: []string{"REDACTED", "REDACTED"}}},
		ERPs: []ERP{
			{Name: "erp1", BaseURL: "https://api:REDACTED@erp.example.com/v1", Sandbox: &Sandbox{Stock: map[string]int{"MUG": 1}}},
			{Name: "erp2", BaseURL: "https://erp.example.com/v1?password=REDACTED"},
		},
		Notifiers: []Notifier{{Name: "mail", Username: "u", Password: "REDACTED"}, {Name: "open"}},
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
