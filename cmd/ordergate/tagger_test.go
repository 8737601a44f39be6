package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/config"
)

func TestGatedTagger_ShopifyWithATokenTagsElseWarnsWhenRolledOutInPart(t *testing.T) {
	t.Parallel()
	tag, none, ten, all := "ordergate-gated", "", 10, 100
	withToken := config.StorefrontAPI{AccessToken: "shpat_x", APIVersion: "2025-07", Timeout: time.Second}
	tests := []struct {
		name     string
		sf       config.Storefront
		tags     bool
		warnings int
	}{
		{"token and tag", config.Storefront{API: withToken, GatedTag: &tag, RolloutPercent: &ten}, true, 0},
		{"no token, part rolled out", config.Storefront{GatedTag: &tag, RolloutPercent: &ten}, false, 1},
		{"no token, all rolled out", config.Storefront{GatedTag: &tag, RolloutPercent: &all}, false, 0},
		{"tag turned off, part rolled out", config.Storefront{API: withToken, GatedTag: &none, RolloutPercent: &ten}, false, 1},
		{"no token, shadow", config.Storefront{GatedTag: &tag, RolloutPercent: &ten, Mode: config.ModeShadow}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sf := tt.sf
			sf.Name, sf.Kind, sf.ShopDomain = "shop1", config.StorefrontShopify, "shop1.myshopify.com"
			if sf.Mode == "" {
				sf.Mode = config.ModeGated
			}
			var logs bytes.Buffer
			tagger, gotTag, err := gatedTagger(sf, slog.New(slog.NewTextHandler(&logs, nil)))
			if err != nil {
				t.Fatal(err)
			}
			if (tagger != nil) != tt.tags || (tt.tags && gotTag != tag) {
				t.Errorf("tagger %v tag %q, want tagging %v", tagger, gotTag, tt.tags)
			}
			if n := strings.Count(logs.String(), "legacy connector cannot tell"); n != tt.warnings {
				t.Errorf("%d warnings, want %d:\n%s", n, tt.warnings, logs.String())
			}
		})
	}
}
