package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// edit is one textual change to briefYAML.
type edit struct{ old, new string }

func TestParse_ReportsEachProblemWithItsField(t *testing.T) {
	t.Parallel()
	secret := env("SHOPIFY_WEBHOOK_SECRET", "s3cret")
	tests := []struct {
		name   string
		edits  []edit
		getenv func(string) string
		want   []string
	}{
		{
			name:  "misspelt key is an unknown field",
			edits: []edit{{"webhook_secrets:", "webhok_secrets:"}},
			want: []string{
				"storefronts[0].webhok_secrets: unknown field",
				"storefronts[0].webhook_secrets: required",
			},
		},
		{
			name:  "unknown top-level key",
			edits: []edit{{"listen:", "listne: x\nlisten:"}},
			want:  []string{"listne: unknown field"},
		},
		{
			name:   "unset variable names field and variable",
			getenv: env(),
			want:   []string{"storefronts[0].webhook_secrets[0]: environment variable SHOPIFY_WEBHOOK_SECRET is not set"},
		},
		{
			name:  "missing webhook secrets",
			edits: []edit{{`webhook_secrets: ["${SHOPIFY_WEBHOOK_SECRET}"], `, ""}},
			want:  []string{"storefronts[0].webhook_secrets: required"},
		},
		{
			name:  "empty webhook secret list",
			edits: []edit{{`["${SHOPIFY_WEBHOOK_SECRET}"]`, "[]"}},
			want:  []string{"storefronts[0].webhook_secrets: required"},
		},
		{
			name:  "empty webhook secret",
			edits: []edit{{`["${SHOPIFY_WEBHOOK_SECRET}"]`, `["${SHOPIFY_WEBHOOK_SECRET}", ""]`}},
			want:  []string{"storefronts[0].webhook_secrets[1]: empty"},
		},
		{
			name:  "reference to a missing erp",
			edits: []edit{{"erp: erp1", "erp: erp9"}},
			want:  []string{`storefronts[0].erp: "erp9" is not a configured erp`},
		},
		{
			name:  "reference to a missing notifier",
			edits: []edit{{"notifier: mail", "notifier: post"}},
			want:  []string{`storefronts[0].notifier: "post" is not a configured notifier`},
		},
		{
			name:  "storefront without erp and notifier",
			edits: []edit{{"erp: erp1, notifier: mail, ", ""}},
			want:  []string{"storefronts[0].erp: required", "storefronts[0].notifier: required"},
		},
		{
			name: "duplicate storefront name",
			edits: []edit{{"erps:", `  - {name: shop1, kind: shopify, webhook_secrets: [x], erp: erp1, notifier: mail}
erps:`}},
			want: []string{`storefronts[1].name: "shop1" is already the name of storefronts[0]`},
		},
		{
			name:  "duplicate erp name",
			edits: []edit{{"  - {name: erp1, kind: sandbox}", "  - {name: erp1, kind: sandbox}\n  - {name: erp1, kind: sandbox}"}},
			want:  []string{`erps[1].name: "erp1" is already the name of erps[0]`},
		},
		{
			name:  "duplicate notifier name",
			edits: []edit{{"notifiers:\n", "notifiers:\n  - {name: mail, kind: smtp, addr: \"127.0.0.1:25\", from: a@example.com}\n"}},
			want:  []string{`notifiers[1].name: "mail" is already the name of notifiers[0]`},
		},
		{
			name:  "malformed name",
			edits: []edit{{"name: shop1", "name: Shop 1"}},
			want:  []string{`storefronts[0].name: invalid name "Shop 1": use lower-case letters, digits, '-' and '_'`},
		},
		{
			name:  "missing name",
			edits: []edit{{"{name: erp1, kind: sandbox}", "{kind: sandbox}"}},
			want:  []string{"erps[0].name: required", `storefronts[0].erp: "erp1" is not a configured erp`},
		},
		{
			name:  "invalid listen address",
			edits: []edit{{"listen: 127.0.0.1:8080", "listen: localhost"}},
			want:  []string{`listen: invalid address "localhost": want host:port`},
		},
		{
			name:  "listen on every interface and any port",
			edits: []edit{{"listen: 127.0.0.1:8080", `listen: ":0"`}},
		},
		{
			name:  "missing database",
			edits: []edit{{"database: sqlite:ordergate.db", ""}},
			want:  []string{"database: required"},
		},
		{
			name:  "sqlite without a path",
			edits: []edit{{"database: sqlite:ordergate.db", "database: 'sqlite:'"}},
			want:  []string{"database: missing file path: want sqlite:PATH"},
		},
		{
			name:  "postgres DSN is accepted",
			edits: []edit{{"database: sqlite:ordergate.db", "database: postgres://og:pw@db/og"}},
		},
		{
			name:  "postgresql scheme and pool parameters are accepted too",
			edits: []edit{{"database: sqlite:ordergate.db", "database: postgresql://og@db/og?sslmode=verify-full&pool_max_conns=10"}},
		},
		{
			name:  "bad postgres DSN names the field and not the password",
			edits: []edit{{"database: sqlite:ordergate.db", "database: postgres://og:hunter2@db:notaport/og"}},
			want:  []string{"database: invalid postgres DSN: invalid port"},
		},
		{
			name:  "other database does not echo the dsn",
			edits: []edit{{"database: sqlite:ordergate.db", "database: mysql://root:hunter2@db/og"}},
			want:  []string{"database: unsupported database: want sqlite:PATH or postgres://user:password@host/dbname"},
		},
		{
			name:  "woocommerce needs only its secret",
			edits: []edit{{"kind: shopify", "kind: woocommerce"}},
		},
		{
			name:  "woocommerce api wants the site and both halves of the key",
			edits: []edit{{"kind: shopify", "kind: woocommerce, api: {consumer_key: ck_1}"}},
			want: []string{
				"storefronts[0].api.base_url: required with the other api settings: the REST API needs the site address and both halves of the key",
				"storefronts[0].api.consumer_secret: required with the other api settings: the REST API needs the site address and both halves of the key",
			},
		},
		{
			name:  "bigcommerce needs its api",
			edits: []edit{{"kind: shopify", "kind: bigcommerce"}},
			want: []string{
				"storefronts[0].api.access_token: required for bigcommerce: its callbacks carry only the order id, so every order is fetched from the v2 API",
				"storefronts[0].api.store_hash: required for bigcommerce (or api.base_url): the {store_hash} of https://api.bigcommerce.com/stores/{store_hash}",
			},
		},
		{
			name:  "bigcommerce with its api",
			edits: []edit{{"kind: shopify", "kind: bigcommerce, api: {store_hash: abc123, access_token: tok}, auth_header: X-Hook-Key"}},
		},
		{
			name:  "a setting of another storefront kind is refused",
			edits: []edit{{"kind: shopify", "kind: woocommerce, shop_domain: x.myshopify.com, auth_header: X-A, api: {store_hash: abc, access_token: t}"}},
			want: []string{
				"storefronts[0].shop_domain: only for kind shopify",
				"storefronts[0].auth_header: only for kind bigcommerce",
				"storefronts[0].api.access_token: only for kind shopify or bigcommerce",
				"storefronts[0].api.store_hash: only for kind bigcommerce",
			},
		},
		{
			name:  "shopify admin api needs the shop domain",
			edits: []edit{{"kind: shopify", "kind: shopify, api: {access_token: shpat_1, api_version: 2025-13}"}},
			want: []string{
				"storefronts[0].shop_domain: required with api.access_token: the shop the Admin API is called on",
				`storefronts[0].api.api_version: invalid version "2025-13": want YYYY-MM, e.g. 2025-07`,
			},
		},
		{
			name:  "public url",
			edits: []edit{{"listen: 127.0.0.1:8080", "listen: 127.0.0.1:8080\npublic_url: orders.example.com"}},
			want:  []string{"public_url: invalid URL: want https://host or https://host/prefix"},
		},
		{
			name:  "unknown storefront kind",
			edits: []edit{{"kind: shopify", "kind: magento"}},
			want:  []string{`storefronts[0].kind: invalid value "magento": want shopify, woocommerce, bigcommerce`},
		},
		{
			name:  "rollout percent out of range",
			edits: []edit{{"mode: gated", "mode: shadow, rollout_percent: 101"}},
			want:  []string{"storefronts[0].rollout_percent: 101 is not within 0..100"},
		},
		{
			name:  "invalid mode",
			edits: []edit{{"mode: gated", "mode: eager"}},
			want:  []string{`storefronts[0].mode: invalid value "eager": want gated, ack_gated, shadow`},
		},
		{
			name:  "still working notice only in ack_gated mode, shortfall policy named",
			edits: []edit{{"mode: gated", "mode: gated, still_working_after: 10m, shortfall: maybe, confirmation_sla: -1s"}},
			want: []string{
				`storefronts[0].shortfall: invalid value "maybe": want reject, backorder`,
				"storefronts[0].confirmation_sla: -1s is negative",
				"storefronts[0].still_working_after: only for mode ack_gated: in gated mode the customer has not heard from us yet",
			},
		},
		{
			name:  "invalid shop domain",
			edits: []edit{{"mode: gated", "mode: gated, shop_domain: 'https://example.myshopify.com/'"}},
			want:  []string{`storefronts[0].shop_domain: invalid domain "https://example.myshopify.com/": want a host name such as example.myshopify.com`},
		},
		{
			name:  "sandbox block only for sandbox, and one kind's fields refused on another",
			edits: []edit{{"{name: erp1, kind: sandbox}", "{name: erp1, kind: netsuite, account: '1', calls_per_minute: 30, auth: {app_id: '1234'}, sandbox: {seed: 1}}"}},
			want:  []string{"erps[0].calls_per_minute: only for kind cin7", "erps[0].auth.app_id: only for kind fishbowl", "erps[0].sandbox: only for kind sandbox"},
		},
		{
			name:  "fishbowl needs its server's address; sandbox callbacks need a secret",
			edits: []edit{{"{name: erp1, kind: sandbox}", "{name: erp1, kind: fishbowl}\n  - {name: erp2, kind: sandbox, sandbox: {callback: true}}"}},
			want: []string{
				"erps[0].base_url: required for fishbowl: the server's address and API port, e.g. https://fishbowl.example.com:2456",
				"erps[1].callback_secrets: required with sandbox.callback: the sandbox signs its callbacks with the first",
			},
		},
		{
			name:  "erp base url must be http",
			edits: []edit{{"kind: sandbox}", "kind: sandbox, base_url: 'ftp://erp.example.com'}"}},
			want:  []string{"erps[0].base_url: invalid URL: want http://host or https://host"},
		},
		{
			name:  "erp concurrency above range",
			edits: []edit{{"kind: sandbox}", "kind: sandbox, max_concurrency: 1001}"}},
			want:  []string{"erps[0].max_concurrency: 1001 is out of range: want 1 to 1000"},
		},
		{
			name:  "erp concurrency negative",
			edits: []edit{{"kind: sandbox}", "kind: sandbox, max_concurrency: -1}"}},
			want:  []string{"erps[0].max_concurrency: -1 is out of range: want 1 to 1000"},
		},
		{
			name:  "duration without unit",
			edits: []edit{{"kind: sandbox}", "kind: sandbox, timeout: 30}"}},
			want:  []string{`erps[0].timeout: invalid value "30": want a duration such as "250ms", "30s" or "5m"`},
		},
		{
			name:  "negative duration",
			edits: []edit{{"kind: sandbox}", "kind: sandbox, timeout: -5s}"}},
			want:  []string{"erps[0].timeout: -5s is not positive"},
		},
		{
			name:  "word where a number belongs",
			edits: []edit{{"kind: sandbox}", "kind: sandbox, max_concurrency: many}"}},
			want:  []string{`erps[0].max_concurrency: invalid value "many": want a whole number`},
		},
		{
			name:  "negative stock and fault rates out of range",
			edits: []edit{{"kind: sandbox}", "kind: sandbox, sandbox: {stock: {MUG: -1}, faults: {error_rate: 1.5, timeout_rate: -0.1}}}"}},
			want: []string{
				`erps[0].sandbox.stock["MUG"]: -1 is negative`,
				"erps[0].sandbox.faults.error_rate: 1.5 is out of range: want 0 to 1",
				"erps[0].sandbox.faults.timeout_rate: -0.1 is out of range: want 0 to 1",
			},
		},
		{
			name:  "fault rates adding up to more than one",
			edits: []edit{{"kind: sandbox}", "kind: sandbox, sandbox: {faults: {error_rate: 0.5, timeout_rate: 0.3, in_doubt_rate: 0.2, throttle_rate: 0.1}}}"}},
			want:  []string{"erps[0].sandbox.faults: rates add up to 1.1: want at most 1"},
		},
		{
			name:  "latency points out of order",
			edits: []edit{{"kind: sandbox}", "kind: sandbox, sandbox: {latency: {min: 100ms, median: 50ms, p99: 10ms}}}"}},
			want: []string{
				"erps[0].sandbox.latency.median: 50ms is less than min 100ms",
				"erps[0].sandbox.latency.p99: 10ms is less than median 50ms",
			},
		},
		{
			name:  "unknown key inside sandbox",
			edits: []edit{{"kind: sandbox}", "kind: sandbox, sandbox: {faults: {eror_rate: 0.1}}}"}},
			want:  []string{"erps[0].sandbox.faults.eror_rate: unknown field"},
		},
		{
			name:  "notifier kind not supported yet",
			edits: []edit{{"kind: smtp", "kind: webhook"}},
			want:  []string{"notifiers[0].kind: webhook is not supported yet"},
		},
		{
			name:  "smtp without addr",
			edits: []edit{{`addr: "127.0.0.1:1025", `, ""}},
			want:  []string{"notifiers[0].addr: required"},
		},
		{
			name:  "smtp addr without port",
			edits: []edit{{`addr: "127.0.0.1:1025"`, `addr: smtp.example.com`}},
			want:  []string{`notifiers[0].addr: invalid address "smtp.example.com": want host:port`},
		},
		{
			name:  "invalid from address",
			edits: []edit{{`from: "orders@example.com"`, `from: "orders at example"`}},
			want:  []string{`notifiers[0].from: invalid address "orders at example": want e.g. orders@example.com`},
		},
		{
			name:  "password without username",
			edits: []edit{{`from: "orders@example.com"`, `from: "orders@example.com", password: pw`}},
			want:  []string{"notifiers[0].username: required with password"},
		},
		{
			name:  "password in clear over the network",
			edits: []edit{{`addr: "127.0.0.1:1025", from: "orders@example.com"`, `addr: "smtp.example.com:25", from: "orders@example.com", username: u, password: pw, tls: none`}},
			want:  []string{"notifiers[0].tls: none would send the password in clear to smtp.example.com:25: use starttls or tls"},
		},
		{
			name:  "password in clear to a local server is allowed",
			edits: []edit{{`from: "orders@example.com"`, `from: "orders@example.com", username: u, password: pw, tls: none`}},
		},
		{
			name:  "invalid tls",
			edits: []edit{{`from: "orders@example.com"`, `from: "orders@example.com", tls: ssl`}},
			want:  []string{`notifiers[0].tls: invalid value "ssl": want none, starttls, tls`},
		},
		{
			name:  "rescue_after must exceed job timeout",
			edits: []edit{{"erps:", "jobs: {timeout: 10m, rescue_after: 5m}\nerps:"}},
			want:  []string{"jobs.rescue_after: 5m0s must exceed timeout 10m0s, or a job still running would be run twice"},
		},
		{
			name:  "sweep interval below a second",
			edits: []edit{{"erps:", "jobs: {sweep_interval: 500ms}\nerps:"}},
			want:  []string{"jobs.sweep_interval: 500ms is less than 1s"},
		},
		{
			name:  "retry max below initial",
			edits: []edit{{"erps:", "retry: {initial: 10m, max: 1m, max_attempts: -2}\nerps:"}},
			want: []string{
				"retry.max: 1m0s is less than initial 10m0s",
				"retry.max_attempts: -2 is out of range: want at least 1",
			},
		},
		{
			name:  "invalid log level and body size",
			edits: []edit{{"erps:", "log_level: verbose\nmax_body_bytes: -1\nerps:"}},
			want: []string{
				"max_body_bytes: must be positive",
				`log_level: invalid value "verbose": want debug, info, warn, error`,
			},
		},
		{
			name:  "empty admin token",
			edits: []edit{{"erps:", "admin_tokens: ['${ADMIN_TOKEN:-}']\nerps:"}},
			want:  []string{"admin_tokens[0]: empty"},
		},
		{
			name:  "empty read-only token",
			edits: []edit{{"erps:", "read_only_tokens: ['${RO_TOKEN:-}']\nerps:"}},
			want:  []string{"read_only_tokens[0]: empty"},
		},
		{
			name:  "token both admin and read-only",
			edits: []edit{{"erps:", "admin_tokens: [tok-a]\nread_only_tokens: [tok-r, tok-a]\nerps:"}},
			want:  []string{"read_only_tokens[1]: also listed in admin_tokens"},
		},
		{
			name:  "repeated key",
			edits: []edit{{"listen: 127.0.0.1:8080", "listen: 127.0.0.1:8080\nlisten: 127.0.0.1:9090"}},
			want:  []string{"listen: repeated key"},
		},
		{
			name:  "mapping where a list belongs",
			edits: []edit{{"erps:\n  - {name: erp1, kind: sandbox}", "erps: {name: erp1, kind: sandbox}"}},
			want:  []string{"erps: want a list, got a mapping", `storefronts[0].erp: "erp1" is not a configured erp`},
		},
		{
			name:  "yaml syntax error",
			edits: []edit{{"listen: 127.0.0.1:8080", "listen: [127.0.0.1:8080"}},
			want:  []string{"yaml: line 2: did not find expected ',' or ']'"},
		},
		{
			name: "every problem at once",
			edits: []edit{
				{"database: sqlite:ordergate.db", "database: oracle:x"},
				{"erp: erp1", "erp: erp9"},
				{"kind: smtp", "kind: pigeon"},
			},
			getenv: env(),
			want: []string{
				"storefronts[0].webhook_secrets[0]: environment variable SHOPIFY_WEBHOOK_SECRET is not set",
				"database: unsupported database: want sqlite:PATH or postgres://user:password@host/dbname",
				`storefronts[0].erp: "erp9" is not a configured erp`,
				`notifiers[0].kind: invalid value "pigeon": want smtp`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := briefYAML
			for _, e := range tt.edits {
				if !strings.Contains(data, e.old) {
					t.Fatalf("edit target %q not in briefYAML", e.old)
				}
				data = strings.Replace(data, e.old, e.new, 1)
			}
			getenv := tt.getenv
			if getenv == nil {
				getenv = secret
			}
			c, err := Parse([]byte(data), getenv)
			if diff := cmp.Diff(tt.want, errorLines(err)); diff != "" {
				t.Errorf("Parse problems mismatch (-want +got):\n%s", diff)
			}
			if (err == nil) != (c != nil) {
				t.Errorf("Parse returned config %v with error %v; want exactly one", c != nil, err)
			}
		})
	}
}

func errorLines(err error) []string {
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}

func TestParse_ProblemsAreFieldErrors(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte(briefYAML), env())
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v is not a *FieldError", err)
	}
	want := &FieldError{Path: "storefronts[0].webhook_secrets[0]", Problem: "environment variable SHOPIFY_WEBHOOK_SECRET is not set"}
	if diff := cmp.Diff(want, fe); diff != "" {
		t.Errorf("FieldError mismatch (-want +got):\n%s", diff)
	}
}

func TestParse_EmptyFileNeedsADatabase(t *testing.T) {
	t.Parallel()
	_, err := Parse(nil, nil)
	if diff := cmp.Diff([]string{"database: required"}, errorLines(err)); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
}

func TestValidate_TreatsZeroAsDefaultAndDoesNotChangeConfig(t *testing.T) {
	t.Parallel()
	c := &Config{
		Database:    "sqlite:x.db",
		Storefronts: []Storefront{{Name: "s", Kind: "shopify", WebhookSecrets: []string{"k"}, ERP: "e", Notifier: "n"}},
		ERPs:        []ERP{{Name: "e", Kind: "sandbox"}},
		Notifiers:   []Notifier{{Name: "n", Kind: "smtp", Addr: "localhost:25", From: "a@example.com"}},
	}
	before := c.clone()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, c); diff != "" {
		t.Errorf("Validate changed the config (-before +after):\n%s", diff)
	}
}
