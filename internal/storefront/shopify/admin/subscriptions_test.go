package admin

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/ordergate/ordergate/internal/storefront/shopify/admin/shopifyfake"
)

const callback = "https://gate.example/webhooks/shopify/shop1"

func topicsOf(subs []Subscription) []string {
	var out []string
	for _, s := range subs {
		out = append(out, s.Topic)
	}
	return out
}

// held returns the fake's subscriptions as (topic, url, format) triples.
func held(f *shopifyfake.Server) []string {
	var out []string
	for _, s := range f.Subscriptions() {
		out = append(out, s.Topic+" "+s.CallbackURL+" "+s.Format)
	}
	return out
}

func ensure(t *testing.T, c *Client, topics []string) Report {
	t.Helper()
	r, err := c.EnsureSubscriptions(context.Background(), callback, topics)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestEnsureSubscriptions_CreatesMissingAndIsIdempotent(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{})
	r := ensure(t, b.client, nil)
	if diff := cmp.Diff(OrderTopics, topicsOf(r.Created)); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	for _, s := range r.Created {
		if s.ID == "" || s.CallbackURL != callback || s.Format != "JSON" || s.Endpoint != "WebhookHttpEndpoint" {
			t.Errorf("created %+v", s)
		}
	}
	want := []string{
		"ORDERS_CREATE " + callback + " JSON",
		"ORDERS_UPDATED " + callback + " JSON",
		"ORDERS_CANCELLED " + callback + " JSON",
	}
	if diff := cmp.Diff(want, held(b.fake)); diff != "" {
		t.Errorf("shop holds (-want +got):\n%s", diff)
	}

	before := len(b.fake.Requests())
	again := ensure(t, b.client, nil)
	if len(again.Created) != 0 {
		t.Errorf("second call created %v", again.Created)
	}
	if diff := cmp.Diff(r.Created, again.Present, cmpopts.SortSlices(func(a, b Subscription) bool { return a.ID < b.ID })); diff != "" {
		t.Errorf("second call present (-first created +present):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"WebhookSubscriptions"}, operations(b.fake.Requests()[before:])); diff != "" {
		t.Errorf("second call's requests (-want +got):\n%s", diff)
	}
}

// Shopify deletes a subscription whose deliveries keep failing; the next
// check re-creates exactly that one.
func TestEnsureSubscriptions_RecreatesADeletedSubscription(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{})
	first := ensure(t, b.client, nil)
	var removed string
	for _, s := range first.Created {
		if s.Topic == "ORDERS_UPDATED" {
			removed = s.ID
		}
	}
	if !b.fake.DeleteSubscription(removed) {
		t.Fatalf("no subscription %s to delete", removed)
	}
	r := ensure(t, b.client, nil)
	if diff := cmp.Diff([]string{"ORDERS_UPDATED"}, topicsOf(r.Created)); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"ORDERS_CREATE", "ORDERS_CANCELLED"}, topicsOf(r.Present)); diff != "" {
		t.Errorf("present (-want +got):\n%s", diff)
	}
	if r.Created[0].ID == removed {
		t.Errorf("re-created subscription kept the deleted id %s", removed)
	}
	if n := len(b.fake.Subscriptions()); n != 3 {
		t.Errorf("shop holds %d subscriptions, want 3", n)
	}
}

// Subscriptions for the same topics that deliver elsewhere are reported
// and left alone, across more than one page of them.
func TestEnsureSubscriptions_ReportsForeignSubscriptionsWithoutDeleting(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{})
	for i := range 120 {
		b.fake.AddSubscription("ORDERS_CREATE", fmt.Sprintf("https://erp-%d.example/hook", i), "JSON")
	}
	b.fake.AddSubscription("ORDERS_UPDATED", "pubsub://northwind:orders", "JSON")
	b.fake.AddSubscription("PRODUCTS_UPDATE", callback, "JSON") // not a wanted topic

	r := ensure(t, b.client, nil)
	if len(r.Foreign) != 121 {
		t.Fatalf("%d foreign subscriptions, want 121", len(r.Foreign))
	}
	pubsub := r.Foreign[120]
	if pubsub.Endpoint != "WebhookPubSubEndpoint" || pubsub.CallbackURL != "" || pubsub.Topic != "ORDERS_UPDATED" {
		t.Errorf("pub/sub subscription reported as %+v", pubsub)
	}
	if diff := cmp.Diff(OrderTopics, topicsOf(r.Created)); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	if n := len(b.fake.Subscriptions()); n != 122+3 {
		t.Errorf("shop holds %d subscriptions, want 125: nothing deleted", n)
	}
	if diff := cmp.Diff([]string{"WebhookSubscriptions", "WebhookSubscriptions"}, operations(b.fake.Requests())[:2]); diff != "" {
		t.Errorf("listing requests (-want +got):\n%s", diff)
	}
}

// An XML subscription to our own address is foreign (the gate reads JSON),
// and Shopify refuses a second one to the same address: the userError
// comes back, and the other topics are still created.
func TestEnsureSubscriptions_SurfacesUserErrors(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{})
	b.fake.AddSubscription("ORDERS_CREATE", callback, "XML")
	r, err := b.client.EnsureSubscriptions(context.Background(), callback, nil)
	var se *SubscriptionError
	if !errors.As(err, &se) {
		t.Fatalf("EnsureSubscriptions = %v, want a *SubscriptionError", err)
	}
	want := []UserError{{Field: []string{"webhookSubscription", "callbackUrl"}, Message: "Address for this topic has already been taken"}}
	if se.Topic != "ORDERS_CREATE" || !cmp.Equal(want, se.UserErrors) {
		t.Errorf("refused %s with %+v, want ORDERS_CREATE with %+v", se.Topic, se.UserErrors, want)
	}
	if diff := cmp.Diff([]string{"ORDERS_UPDATED", "ORDERS_CANCELLED"}, topicsOf(r.Created)); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	if len(r.Foreign) != 1 || r.Foreign[0].Format != "XML" {
		t.Errorf("foreign = %+v, want the XML subscription", r.Foreign)
	}
}

func TestEnsureSubscriptions_AcceptsWebhookTopicNames(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{})
	r := ensure(t, b.client, []string{"orders/create", "ORDERS_CREATE", "orders/cancelled"})
	if diff := cmp.Diff([]string{"ORDERS_CREATE", "ORDERS_CANCELLED"}, topicsOf(r.Created)); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
}

func TestEnsureSubscriptions_RefusesBadInputBeforeAsking(t *testing.T) {
	t.Parallel()
	b := setup(t, shopifyfake.Options{})
	tests := []struct {
		url    string
		topics []string
	}{
		{"http://gate.example/h", nil},
		{"/webhooks/shopify/shop1", nil},
		{callback, []string{"orders create"}},
	}
	for _, tc := range tests {
		if _, err := b.client.EnsureSubscriptions(context.Background(), tc.url, tc.topics); err == nil {
			t.Errorf("EnsureSubscriptions(%q, %q) succeeded", tc.url, tc.topics)
		}
	}
	if n := len(b.fake.Requests()); n != 0 {
		t.Errorf("%d requests sent for bad input", n)
	}
}
