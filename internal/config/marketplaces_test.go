package config

import (
	"strings"
	"testing"
	"time"
)

func TestParse_MarketplacesNameEachProblem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{
			name: "unknown kind",
			yaml: "marketplaces:\n  - {name: m1, kind: etsy}\n",
			want: []string{`marketplaces[0].kind: unknown kind "etsy": want sandbox, amazon, walmart or ebay`},
		},
		{
			name: "credentials missing for the kind",
			yaml: "marketplaces:\n  - {name: m1, kind: amazon}\n",
			want: []string{"marketplaces[0].amazon: required for kind amazon"},
		},
		{
			name: "credentials of another kind",
			yaml: "marketplaces:\n  - {name: m1, kind: sandbox, ebay: {client_id: x}}\n",
			want: []string{"marketplaces[0].ebay: set, but the kind is sandbox"},
		},
		{
			name: "a storefront's listings taking orders from a feed",
			yaml: "marketplaces:\n  - {name: shop1, kind: sandbox, take_orders: true}\n",
			want: []string{`marketplaces[0].take_orders: "shop1" is a storefront`},
		},
		{
			name: "a name used twice",
			yaml: "marketplaces:\n  - {name: m1, kind: sandbox}\n  - {name: m1, kind: sandbox}\n",
			want: []string{`marketplaces[1].name: "m1" names two marketplaces`},
		},
		{
			name: "negative buffer and lag",
			yaml: "marketplaces:\n  - {name: m1, kind: sandbox, buffer: -1, lag: -1s}\n",
			want: []string{"marketplaces[0].buffer: must not be negative", "marketplaces[0].lag:"},
		},
		{
			name: "negative share and idle_after",
			yaml: "inventory: {idle_after: -1s}\nmarketplaces:\n  - {name: m1, kind: sandbox, share: -2}\n",
			want: []string{"marketplaces[0].share: must not be negative, got -2", "inventory.idle_after:"},
		},
		{
			name: "orders taken only from the sandbox",
			yaml: "marketplaces:\n  - {name: m1, kind: walmart, take_orders: true, walmart: {client_id: x}}\n",
			want: []string{"marketplaces[0].take_orders: only the sandbox's orders can be taken in yet"},
		},
		{
			name: "an inventory erp that does not exist",
			yaml: "inventory: {erp: erp9}\nmarketplaces:\n  - {name: m1, kind: sandbox}\n",
			want: []string{`inventory.erp: no erp named "erp9"`},
		},
		{
			name: "a kit without components",
			yaml: "inventory: {bundles: [{sku: KIT}]}\nmarketplaces:\n  - {name: m1, kind: sandbox}\n",
			want: []string{"inventory.bundles[0].components: required"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(briefYAML+tt.yaml), env("SHOPIFY_WEBHOOK_SECRET", "s3cret"))
			if err == nil {
				t.Fatalf("Parse accepted:\n%s", tt.yaml)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestParse_MarketplaceDefaults(t *testing.T) {
	t.Parallel()
	c, err := Parse([]byte(briefYAML+"marketplaces:\n  - {name: m1, kind: sandbox, take_orders: true}\n"), env("SHOPIFY_WEBHOOK_SECRET", "s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	m := c.Marketplaces[0]
	if c.Inventory.ERP != "erp1" || m.ERP != "erp1" {
		t.Errorf("inventory.erp = %q, marketplace erp = %q; want the only erp, erp1", c.Inventory.ERP, m.ERP)
	}
	if *m.Lag != DefaultMarketplaceLag || m.FeedPoll != DefaultFeedPoll || c.Inventory.Refresh != time.Minute || c.Inventory.Sync != time.Second {
		t.Errorf("defaults not applied: lag %v, feed_poll %v, refresh %v, sync %v", *m.Lag, m.FeedPoll, c.Inventory.Refresh, c.Inventory.Sync)
	}
}

func TestRedacted_HidesMarketplaceCredentials(t *testing.T) {
	t.Parallel()
	c, err := Parse([]byte(briefYAML+"marketplaces:\n  - {name: m1, kind: amazon, amazon: {client_secret: amz-secret, refresh_token: amz-refresh}}\n"), env("SHOPIFY_WEBHOOK_SECRET", "s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Redacted()
	if a := r.Marketplaces[0].Amazon; a.ClientSecret != redacted || a.RefreshToken != redacted {
		t.Errorf("redacted amazon credentials = %q, %q", a.ClientSecret, a.RefreshToken)
	}
	if c.Marketplaces[0].Amazon.ClientSecret != "amz-secret" {
		t.Error("Redacted changed the original")
	}
}
