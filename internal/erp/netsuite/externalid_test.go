package netsuite

import (
	"regexp"
	"testing"
)

func TestNetSuiteExternalID_KeepsWhatFitsAndEncodesTheRestOneToOne(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"og-shop-1001":                "og-shop-1001",
		"og-shop-820982911946154508":  "og-shop-820982911946154508",
		"og-shop-#1001":               "og-shop-_231001",
		"og-my_shop-1":                "og-my_5Fshop-1",
		"og-shop-a|b":                 "og-shop-a_7Cb",
		"og-shop-gid://shopify/Order": "og-shop-gid_3A_2F_2Fshopify_2FOrder",
	}
	allowed := regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	seen := map[string]string{}
	for in, want := range cases {
		got := netsuiteExternalID(in)
		if got != want {
			t.Errorf("netsuiteExternalID(%q) = %q, want %q", in, got, want)
		}
		if !allowed.MatchString(got) {
			t.Errorf("%q has characters NetSuite does not take", got)
		}
		if other, ok := seen[got]; ok {
			t.Errorf("%q and %q share %q", in, other, got)
		}
		seen[got] = in
	}
	// '_' is always an escape, so text that looks like one cannot collide.
	if a, b := netsuiteExternalID("x_23"), netsuiteExternalID("x#"); a == b {
		t.Errorf("x_23 and x# share %q", a)
	}
}

func TestIdempotencyKey_IsAStableVersion5UUIDPerOrder(t *testing.T) {
	t.Parallel()
	v5 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, b := idempotencyKey("og-shop-1"), idempotencyKey("og-shop-2")
	if !v5.MatchString(a) || !v5.MatchString(b) {
		t.Fatalf("keys %q, %q are not version 5 UUIDs", a, b)
	}
	if a == b {
		t.Errorf("two orders share key %q", a)
	}
	if again := idempotencyKey("og-shop-1"); again != a {
		t.Errorf("key changed: %q then %q", a, again)
	}
}
