package admin

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ordergate/ordergate/internal/storefront"
	"github.com/ordergate/ordergate/internal/storefront/shopify/admin/shopifyfake"
)

var tagScopes = []string{"read_orders", "write_orders"}

// tagCalls counts the TagsAdd requests the fake answered, throttled or
// failed ones included.
func tagCalls(f *shopifyfake.Server) int {
	n := 0
	for _, r := range f.Requests() {
		if r.Operation == "TagsAdd" {
			n++
		}
	}
	return n
}

func TestAddOrderTags_AddsOnceAndKeepsOtherTags(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{Scopes: tagScopes})
	o := syntheticOrder(7, time.Date(2025, 7, 1, 10, 0, 0, 0, time.UTC), 1)
	o["tags"] = []any{"vip"}
	putOrders(t, b.fake, o)
	ctx := context.Background()
	for range 2 {
		if err := b.client.AddOrderTags(ctx, "7", "ordergate-gated"); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]string{"vip", "ordergate-gated"}, b.fake.Tags("7")); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	reqs := b.fake.Requests()
	if got := reqs[0].Variables["id"]; got != "gid://shopify/Order/7" {
		t.Errorf("id sent = %v, want gid://shopify/Order/7", got)
	}
}

func TestAddOrderTags_ThrottledIsRetried(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{Scopes: tagScopes})
	putOrders(t, b.fake, syntheticOrder(7, time.Date(2025, 7, 1, 10, 0, 0, 0, time.UTC), 1))
	b.fake.ThrottleNext("TagsAdd")
	if err := b.client.AddOrderTags(context.Background(), "7", "ordergate-gated"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"ordergate-gated"}, b.fake.Tags("7")); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	if got := tagCalls(b.fake); got != 2 {
		t.Errorf("TagsAdd sent %d times, want 2 (throttled, then done)", got)
	}
	if len(b.clock.Waits()) == 0 {
		t.Error("the client did not wait for the bucket to refill")
	}
}

func TestAddOrderTags_UnknownOutcomeIsRetried(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{Scopes: tagScopes})
	putOrders(t, b.fake, syntheticOrder(7, time.Date(2025, 7, 1, 10, 0, 0, 0, time.UTC), 1))
	b.fake.FailNext("TagsAdd", http.StatusBadGateway, nil, "bad gateway")
	if err := b.client.AddOrderTags(context.Background(), "7", "ordergate-gated"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"ordergate-gated"}, b.fake.Tags("7")); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
}

func TestAddOrderTags_UserErrorsAreRefusals(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{Scopes: tagScopes})
	err := b.client.AddOrderTags(context.Background(), "404", "ordergate-gated")
	var te *TagsError
	if !errors.As(err, &te) || !errors.Is(err, storefront.ErrRefused) {
		t.Fatalf("err = %v, want a *TagsError wrapping storefront.ErrRefused", err)
	}
	if len(te.UserErrors) != 1 || te.UserErrors[0].String() != "id: Order does not exist" {
		t.Errorf("user errors = %+v", te.UserErrors)
	}
	if got := tagCalls(b.fake); got != 1 {
		t.Errorf("TagsAdd sent %d times, want 1: a refusal is final", got)
	}
}

func TestAddOrderTags_WithoutWriteScopeIsFinalAndNamesIt(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{})
	putOrders(t, b.fake, syntheticOrder(7, time.Date(2025, 7, 1, 10, 0, 0, 0, time.UTC), 1))
	err := b.client.AddOrderTags(context.Background(), "7", "ordergate-gated")
	if !errors.Is(err, ErrForbidden) || !errors.Is(err, storefront.ErrRefused) {
		t.Fatalf("err = %v, want ErrForbidden, final", err)
	}
	if want := "write_orders"; !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want it to name %s", err, want)
	}
}
