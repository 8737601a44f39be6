package config

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// briefYAML is the smallest useful configuration: one of everything.
const briefYAML = `
database: sqlite:ordergate.db        # a postgres:// DSN comes later
listen: 127.0.0.1:8080
storefronts:
  - {name: shop1, kind: shopify, webhook_secrets: ["${SHOPIFY_WEBHOOK_SECRET}"], erp: erp1, notifier: mail, mode: gated}
erps:
  - {name: erp1, kind: sandbox}
notifiers:
  - {name: mail, kind: smtp, addr: "127.0.0.1:1025", from: "orders@example.com"}
`

// env returns a getenv that knows only vars, given as NAME, value pairs.
func env(vars ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(vars); i += 2 {
		m[vars[i]] = vars[i+1]
	}
	return func(name string) string { return m[name] }
}

func TestParse_MinimalConfigGetsEveryDefault(t *testing.T) {
	t.Parallel()
	got, err := Parse([]byte(briefYAML), env("SHOPIFY_WEBHOOK_SECRET", "s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	sla, reconcileInterval, maxEventAge := 15*time.Minute, 15*time.Minute, 72*time.Hour
	allOrders, gatedTag := 100, "ordergate-gated"
	want := &Config{
		Database:     "sqlite:ordergate.db",
		Listen:       "127.0.0.1:8080",
		MaxBodyBytes: 1 << 20,
		LogLevel:     "info",
		Storefronts: []Storefront{{
			Name: "shop1", Kind: "shopify", WebhookSecrets: []string{"s3cret"},
			ERP: "erp1", Notifier: "mail", Mode: "gated", RolloutPercent: &allOrders, GatedTag: &gatedTag, Shortfall: "reject", ConfirmationSLA: &sla,
			API: StorefrontAPI{APIVersion: "2025-07", Timeout: 30 * time.Second},
		}},
		ERPs: []ERP{{
			Name: "erp1", Kind: "sandbox", MaxConcurrency: 8, Timeout: 30 * time.Second,
			Sandbox: &Sandbox{DefaultStock: 1_000_000, Faults: Faults{RetryAfter: time.Second}, ShipDays: 2},
		}},
		Notifiers: []Notifier{{
			Name: "mail", Kind: "smtp", Addr: "127.0.0.1:1025", From: "orders@example.com", TLS: "starttls",
		}},
		Retry:     Retry{Initial: time.Second, Max: 5 * time.Minute, MaxAttempts: 100},
		Jobs:      Jobs{Timeout: 2 * time.Minute, RescueAfter: 10 * time.Minute, SweepInterval: time.Minute},
		Alerts:    Alerts{Timeout: 10 * time.Second},
		Reconcile: Reconcile{Interval: &reconcileInterval, Window: 2 * time.Hour, MaxERPChecks: 1000},
		Limits:    Limits{MaxEventAge: &maxEventAge, MaxInFlight: 256, QueueWait: 50 * time.Millisecond},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse mismatch (-want +got):\n%s", diff)
	}
}

func TestParse_OmittedListenDefaults(t *testing.T) {
	t.Parallel()
	got, err := Parse([]byte(strings.Replace(briefYAML, "listen: 127.0.0.1:8080\n", "", 1)), env("SHOPIFY_WEBHOOK_SECRET", "x"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Listen != DefaultListen {
		t.Errorf("Listen = %q, want %q", got.Listen, DefaultListen)
	}
}

func TestParse_LatencyDefaultsFollowTheGivenPoint(t *testing.T) {
	t.Parallel()
	data := strings.Replace(briefYAML, "{name: erp1, kind: sandbox}",
		"{name: erp1, kind: sandbox, sandbox: {latency: {median: 50ms}}}", 1)
	got, err := Parse([]byte(data), env("SHOPIFY_WEBHOOK_SECRET", "x"))
	if err != nil {
		t.Fatal(err)
	}
	want := Latency{Min: 0, Median: 50 * time.Millisecond, P99: 50 * time.Millisecond}
	if diff := cmp.Diff(want, got.ERPs[0].Sandbox.Latency); diff != "" {
		t.Errorf("Latency mismatch (-want +got):\n%s", diff)
	}
}

func TestLoad_ExampleFileIsValid(t *testing.T) {
	t.Setenv("SHOPIFY_WEBHOOK_SECRET", "example-secret")
	t.Setenv("SMTP_PASSWORD", "")
	for _, name := range []string{"WOO_WEBHOOK_SECRET", "WOO_CONSUMER_KEY", "WOO_CONSUMER_SECRET", "BC_HOOK_TOKEN", "BC_ACCESS_TOKEN", "ERP1_CALLBACK_SECRET", "NS_CLIENT_ID", "NS_CERT_ID", "NS_CONSUMER_KEY", "NS_CONSUMER_SECRET",
		"NS_TOKEN_ID", "NS_TOKEN_SECRET", "CIN7_ACCOUNT_ID", "CIN7_APPLICATION_KEY", "FISHBOWL_PASSWORD"} {
		t.Setenv(name, "example-"+strings.ToLower(name))
	}
	got, err := Load("testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sb := got.ERPs[0].Sandbox
	if sb == nil || sb.Stock["MUG-BLUE"] != 0 || sb.Stock["TSHIRT-M"] != 25 || sb.Seed != 42 {
		t.Errorf("sandbox = %+v, want the example's stock and seed", sb)
	}
	if got.Storefronts[0].WebhookSecrets[0] != "example-secret" {
		t.Errorf("webhook secret not expanded: %q", got.Storefronts[0].WebhookSecrets[0])
	}
}

func TestLoad_MissingFileFails(t *testing.T) {
	t.Parallel()
	if _, err := Load("testdata/does-not-exist.yaml"); !os.IsNotExist(err) {
		t.Errorf("Load error = %v, want not exist", err)
	}
}

// The README points users to the example as the list of every setting, so
// a field added to Config must be added there too.
func TestExampleFile_SetsEveryField(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for _, missing := range missingKeys(doc.Content[0], reflect.TypeFor[Config](), "") {
		t.Errorf("example.yaml does not set %s", missing)
	}
}

// missingKeys lists the fields of struct type t that mapping n does not
// set. In a list a field counts as set if any element sets it, since some
// fields belong to one kind of entry only (a NetSuite account, a Cin7 key).
func missingKeys(n *yaml.Node, t reflect.Type, path string) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Slice {
		if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
			return nil // an empty list has no fields to show
		}
		count := map[string]int{}
		for _, el := range n.Content {
			for _, m := range missingKeys(el, t.Elem(), path) {
				count[m]++
			}
		}
		var missing []string
		for m, c := range count {
			if c == len(n.Content) {
				missing = append(missing, m)
			}
		}
		return missing
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var missing []string
	for name, f := range yamlFields(t) {
		var v *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == name {
				v = n.Content[i+1]
			}
		}
		if v == nil {
			missing = append(missing, field(path, name))
			continue
		}
		missing = append(missing, missingKeys(v, f.Type, field(path, name))...)
	}
	return missing
}
