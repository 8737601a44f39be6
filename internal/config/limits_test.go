package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParse_LimitsDefaults(t *testing.T) {
	t.Parallel()
	c, err := Parse([]byte(briefYAML), env("SHOPIFY_WEBHOOK_SECRET", "s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	age := DefaultMaxEventAge
	want := Limits{MaxEventAge: &age, MaxInFlight: DefaultMaxInFlight, QueueWait: DefaultQueueWait}
	if diff := cmp.Diff(want, c.Limits); diff != "" {
		t.Errorf("limits mismatch (-want +got):\n%s", diff)
	}
}

func TestParse_LimitsBurstDefaultsToTwiceTheRate(t *testing.T) {
	t.Parallel()
	c, err := Parse([]byte(briefYAML+"limits: {rate_per_second: 20, max_event_age: 0s}\n"), env("SHOPIFY_WEBHOOK_SECRET", "s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Limits.RateBurst != 40 || *c.Limits.MaxEventAge != 0 {
		t.Errorf("limits = %+v, want burst 40 and no age check", c.Limits)
	}
}

func TestParse_LimitsProblemsNameTheField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		limits string
		want   string
	}{
		{"{max_event_age: -1h}", "limits.max_event_age: -1h0m0s is negative"},
		{"{max_event_age: 5m}", "limits.max_event_age: 5m0s is shorter than 1h0m0s: a storefront's honest retries would be refused (0s turns the check off)"},
		{"{rate_per_second: -1}", "limits.rate_per_second: -1 is negative"},
		{"{rate_burst: -2}", "limits.rate_burst: -2 is negative"},
		{`{trusted_proxy_header: "X Forwarded"}`, `limits.trusted_proxy_header: "X Forwarded" is not a header name`},
		{"{max_in_flight: -1}", "limits.max_in_flight: -1 is out of range: want at least 1"},
		{"{queue_wait: -1s}", "limits.queue_wait: -1s is not positive"},
		{"{queue_wait: 1m}", "limits.queue_wait: 1m0s is over 10s: a shed delivery must be answered quickly"},
		{"{max_in_flights: 3}", "limits.max_in_flights: unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.limits, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(briefYAML+"limits: "+tt.limits+"\n"), env("SHOPIFY_WEBHOOK_SECRET", "s3cret"))
			if diff := cmp.Diff([]string{tt.want}, errorLines(err)); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// A configuration file holding a secret written out must not be readable
// by every user; one whose secrets are all ${NAME} references may be.
func TestLoad_RefusesWorldReadableFileWithSecrets(t *testing.T) {
	t.Setenv("SHOPIFY_WEBHOOK_SECRET", "s3cret")
	literal := strings.Replace(briefYAML, "${SHOPIFY_WEBHOOK_SECRET}", "literal-secret", 1)
	inDSN := briefYAML + "admin_tokens: [\"${SHOPIFY_WEBHOOK_SECRET}\"]\n"
	inDSN = strings.Replace(inDSN, "database: sqlite:ordergate.db", "database: postgres://og:pw-in-file@db/og", 1)
	tests := []struct {
		name    string
		yaml    string
		mode    os.FileMode
		refused bool
	}{
		{"literal secret, 0644", literal, 0o644, true},
		{"literal secret, 0640", literal, 0o640, false},
		{"literal secret, 0600", literal, 0o600, false},
		{"password in the DSN, 0604", inDSN, 0o604, true},
		{"only references, 0644", briefYAML, 0o644, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ordergate.yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if !tt.refused {
				if err != nil {
					t.Fatalf("Load: %v, want it loaded", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Load took a world-readable file with secrets")
			}
			for _, want := range []string{path, "chmod 600 " + path, "readable by every user"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if strings.Contains(err.Error(), "literal-secret") || strings.Contains(err.Error(), "pw-in-file") {
				t.Errorf("error %q shows the secret", err)
			}
		})
	}
}

func TestSecrets_ListsEverySecretField(t *testing.T) {
	t.Parallel()
	c := &Config{
		Database:       "postgres://og:db-pw@db/og",
		AdminTokens:    []string{"admin-tok"},
		ReadOnlyTokens: []string{"ro-tok"},
		Storefronts: []Storefront{{WebhookSecrets: []string{"wh-1", "wh-2"},
			API: StorefrontAPI{AccessToken: "api-tok", ConsumerSecret: "cs"}}},
		ERPs: []ERP{{CallbackSecrets: []string{"cb"}, BaseURL: "https://u:base-pw@erp.example",
			Auth: ERPAuth{ConsumerSecret: "erp-cs", TokenSecret: "erp-ts", ApplicationKey: "erp-ak", Password: "erp-pw"}}},
		Notifiers: []Notifier{{Password: "smtp-pw"}},
		Alerts:    Alerts{WebhookURL: "https://hooks.slack.example/services/T0/B0/XyZ", Timeout: time.Second},
	}
	want := []string{"admin-tok", "ro-tok", "db-pw", "wh-1", "wh-2", "api-tok", "cs", "cb", "erp-cs", "erp-ts", "erp-ak", "erp-pw", "base-pw", "smtp-pw", "services/T0/B0/XyZ"}
	if diff := cmp.Diff(want, c.Secrets()); diff != "" {
		t.Errorf("secrets mismatch (-want +got):\n%s", diff)
	}
}
