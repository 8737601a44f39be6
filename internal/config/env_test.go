package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExpand(t *testing.T) {
	t.Parallel()
	getenv := env("SECRET", "s3cret", "QUOTE", `a"b`, "TRICKY", "x: y\n- z", "DOLLAR", "${SECRET}", "EMPTY", "")
	tests := []struct {
		name, in, want, err string
	}{
		{name: "no reference is unchanged", in: "plain", want: "plain"},
		{name: "variable is replaced", in: "${SECRET}", want: "s3cret"},
		{name: "variable inside text", in: "pre-${SECRET}-post", want: "pre-s3cret-post"},
		{name: "two variables", in: "${SECRET}${SECRET}", want: "s3crets3cret"},
		{name: "set variable beats default", in: "${SECRET:-other}", want: "s3cret"},
		{name: "unset variable takes default", in: "${NOPE:-fallback}", want: "fallback"},
		{name: "empty variable takes default", in: "${EMPTY:-fallback}", want: "fallback"},
		{name: "default may be empty", in: "${NOPE:-}", want: ""},
		{name: "default may hold colons and spaces", in: "${NOPE:-a: b c}", want: "a: b c"},
		{name: "quote in value is kept", in: "${QUOTE}", want: `a"b`},
		{name: "yaml syntax in value is kept", in: "${TRICKY}", want: "x: y\n- z"},
		{name: "value is not expanded again", in: "${DOLLAR}", want: "${SECRET}"},
		{name: "double dollar is a literal dollar", in: "pa$$word $${SECRET}", want: "pa$word ${SECRET}"},
		{name: "lone dollar is kept", in: "costs $5 or $", want: "costs $5 or $"},
		{name: "unset variable without default", in: "${NOPE}", err: "environment variable NOPE is not set"},
		{name: "empty variable without default", in: "${EMPTY}", err: "environment variable EMPTY is not set"},
		{name: "unterminated reference", in: "${SECRET", err: "unterminated ${ (write $${ for a literal ${)"},
		{name: "empty name", in: "${}", err: "invalid environment variable reference ${}: want ${NAME} or ${NAME:-default}"},
		{name: "name with a dash", in: "${MY-VAR}", err: "invalid environment variable reference ${MY-VAR}: want ${NAME} or ${NAME:-default}"},
		{name: "name starting with a digit", in: "${1X}", err: "invalid environment variable reference ${1X}: want ${NAME} or ${NAME:-default}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := expand(tt.in, getenv)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if got != tt.want || gotErr != tt.err {
				t.Errorf("expand(%q) = %q, %q; want %q, %q", tt.in, got, gotErr, tt.want, tt.err)
			}
		})
	}
}

// A secret is expanded after the YAML is parsed, so whatever it holds ends
// up in its own field and cannot change the document's structure.
func TestParse_SecretWithYAMLSyntaxExpandsIntact(t *testing.T) {
	t.Parallel()
	secrets := []string{
		`with"quote`,
		`key: value`,
		"\"]\n    erp: erp9\n    extra: [",
		`}, {name: evil`,
		"# not a comment",
		"'single' and \\backslash",
	}
	for _, secret := range secrets {
		c, err := Parse([]byte(briefYAML), env("SHOPIFY_WEBHOOK_SECRET", secret))
		if err != nil {
			t.Errorf("secret %q: %v", secret, err)
			continue
		}
		got := c.Storefronts[0]
		if diff := cmp.Diff([]string{secret}, got.WebhookSecrets); diff != "" {
			t.Errorf("secret %q mismatch (-want +got):\n%s", secret, diff)
		}
		if got.ERP != "erp1" || len(c.Storefronts) != 1 {
			t.Errorf("secret %q changed the structure: %+v", secret, c.Storefronts)
		}
	}
}

func TestParse_ExpandsEveryStringField(t *testing.T) {
	t.Parallel()
	data := `
database: ${DB:-sqlite:og.db}
listen: ${LISTEN}
admin_tokens: ["${TOKEN}"]
read_only_tokens: ["${RO_TOKEN}"]
erps: [{name: erp1, kind: sandbox, base_url: "${ERP_URL}", sandbox: {unknown_skus: ["${SKU}"]}}]
notifiers: [{name: mail, kind: smtp, addr: "${SMTP_ADDR}", from: "${FROM}", username: u, password: "${SMTP_PASSWORD}"}]
`
	c, err := Parse([]byte(data), env(
		"LISTEN", ":9000", "TOKEN", "t0k", "RO_TOKEN", "r0k", "ERP_URL", "http://127.0.0.1:9100", "SKU", "OLD-1",
		"SMTP_ADDR", "localhost:1025", "FROM", "a@example.com", "SMTP_PASSWORD", "pw"))
	if err != nil {
		t.Fatal(err)
	}
	got := []string{c.Database, c.Listen, c.AdminTokens[0], c.ReadOnlyTokens[0], c.ERPs[0].BaseURL, c.ERPs[0].Sandbox.UnknownSKUs[0],
		c.Notifiers[0].Addr, c.Notifiers[0].From, c.Notifiers[0].Password}
	want := []string{"sqlite:og.db", ":9000", "t0k", "r0k", "http://127.0.0.1:9100", "OLD-1", "localhost:1025", "a@example.com", "pw"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("expanded values mismatch (-want +got):\n%s", diff)
	}
}
