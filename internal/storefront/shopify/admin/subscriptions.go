package admin

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// OrderTopics are the webhook topics the gate acts on, in the Admin API's
// WebhookSubscriptionTopic spelling.
var OrderTopics = []string{"ORDERS_CREATE", "ORDERS_UPDATED", "ORDERS_CANCELLED"}

// Subscription is one webhook subscription of the shop.
type Subscription struct {
	ID    string // global id, "gid://shopify/WebhookSubscription/…"
	Topic string // "ORDERS_CREATE"
	// CallbackURL is where an HTTPS subscription delivers; empty for a
	// Pub/Sub or EventBridge one, whose Endpoint names its type.
	CallbackURL string
	Endpoint    string // the endpoint's __typename, e.g. "WebhookHttpEndpoint"
	Format      string // "JSON" or "XML"
}

// Report is what EnsureSubscriptions found and did.
type Report struct {
	// Present are the wanted subscriptions that already existed.
	Present []Subscription
	// Created are the subscriptions this call created.
	Created []Subscription
	// Foreign are subscriptions for the wanted topics that deliver
	// elsewhere (another URL, another kind of endpoint) or to the callback
	// URL in a format other than JSON. They are reported, never deleted:
	// they may belong to another integration.
	Foreign []Subscription
}

var topicRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// topicEnum turns "orders/create" into ORDERS_CREATE; an enum value is
// returned as is.
func topicEnum(t string) (string, error) {
	e := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(t), "/", "_"))
	if !topicRE.MatchString(e) {
		return "", fmt.Errorf("topic %q is not a webhook topic", t)
	}
	return e, nil
}

// EnsureSubscriptions makes sure the shop has a JSON webhook subscription to
// callbackURL (HTTPS) for each of topics ("orders/create" or
// "ORDERS_CREATE"; nil means OrderTopics), creating those that are missing
// — Shopify deletes a subscription made through the Admin API once its
// deliveries keep failing, and a merchant may remove one by hand. It is
// idempotent: a second call creates nothing. Addresses are compared exactly
// as written; Shopify allows one subscription per topic and address.
//
// The returned Report holds what was found and created even when err is
// not nil; err joins every userError of the creations that failed.
func (c *Client) EnsureSubscriptions(ctx context.Context, callbackURL string, topics []string) (Report, error) {
	if u, err := url.Parse(callbackURL); err != nil || u.Scheme != "https" || u.Host == "" {
		return Report{}, fmt.Errorf("shopify admin: callback url %q: Shopify delivers webhooks only to an absolute https URL", callbackURL)
	}
	if topics == nil {
		topics = OrderTopics
	}
	var wanted []string
	seen := map[string]bool{}
	for _, t := range topics {
		e, err := topicEnum(t)
		if err != nil {
			return Report{}, fmt.Errorf("shopify admin: %w", err)
		}
		if !seen[e] {
			seen[e] = true
			wanted = append(wanted, e)
		}
	}
	if len(wanted) == 0 {
		return Report{}, nil
	}
	existing, err := c.listSubscriptions(ctx, wanted)
	if err != nil {
		return Report{}, err
	}
	var r Report
	have := map[string]bool{}
	for _, s := range existing {
		if !seen[s.Topic] {
			continue // Shopify filtered by topic; this guards a shop that did not
		}
		if s.CallbackURL == callbackURL && s.Format == "JSON" {
			r.Present = append(r.Present, s)
			have[s.Topic] = true
		} else {
			r.Foreign = append(r.Foreign, s)
		}
	}
	var errs []error
	for _, t := range wanted {
		if have[t] {
			continue
		}
		s, err := c.createSubscription(ctx, t, callbackURL)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		r.Created = append(r.Created, s)
	}
	return r, errors.Join(errs...)
}

type subscriptionNode struct {
	ID       string `json:"id"`
	Topic    string `json:"topic"`
	Format   string `json:"format"`
	Endpoint *struct {
		Typename    string `json:"__typename"`
		CallbackURL string `json:"callbackUrl"`
	} `json:"endpoint"`
}

func (n subscriptionNode) subscription() Subscription {
	s := Subscription{ID: n.ID, Topic: n.Topic, Format: n.Format}
	if n.Endpoint != nil {
		s.Endpoint, s.CallbackURL = n.Endpoint.Typename, n.Endpoint.CallbackURL
	}
	return s
}

func (c *Client) listSubscriptions(ctx context.Context, topics []string) ([]Subscription, error) {
	var out []Subscription
	cursor := ""
	for {
		var data struct {
			WebhookSubscriptions struct {
				PageInfo pageInfo `json:"pageInfo"`
				Edges    []struct {
					Node subscriptionNode `json:"node"`
				} `json:"edges"`
			} `json:"webhookSubscriptions"`
		}
		vars := map[string]any{"first": subscriptionsPerPage, "topics": topics}
		if cursor != "" {
			vars["cursor"] = cursor
		}
		req := request{op: "WebhookSubscriptions", query: subscriptionsQuery, vars: vars, cost: subscriptionsCost(subscriptionsPerPage)}
		if err := c.do(ctx, req, &data); err != nil {
			return nil, err
		}
		for _, e := range data.WebhookSubscriptions.Edges {
			out = append(out, e.Node.subscription())
		}
		pi := data.WebhookSubscriptions.PageInfo
		if !pi.HasNextPage {
			return out, nil
		}
		if pi.EndCursor == "" || pi.EndCursor == cursor {
			return nil, fmt.Errorf("shopify admin: WebhookSubscriptions: hasNextPage without a new endCursor")
		}
		cursor = pi.EndCursor
	}
}

func (c *Client) createSubscription(ctx context.Context, topic, callbackURL string) (Subscription, error) {
	var data struct {
		WebhookSubscriptionCreate *struct {
			WebhookSubscription *subscriptionNode `json:"webhookSubscription"`
			UserErrors          []struct {
				Field   []string `json:"field"`
				Message string   `json:"message"`
			} `json:"userErrors"`
		} `json:"webhookSubscriptionCreate"`
	}
	vars := map[string]any{
		"topic":               topic,
		"webhookSubscription": map[string]any{"callbackUrl": callbackURL, "format": "JSON"},
	}
	req := request{op: "WebhookSubscriptionCreate", query: subscriptionCreateMutation, vars: vars, cost: mutationCost, mutation: true}
	if err := c.do(ctx, req, &data); err != nil {
		return Subscription{}, fmt.Errorf("%w (creating the %s subscription)", err, topic)
	}
	p := data.WebhookSubscriptionCreate
	if p == nil {
		return Subscription{}, fmt.Errorf("shopify admin: create %s subscription: reply has no payload", topic)
	}
	if len(p.UserErrors) > 0 {
		e := &SubscriptionError{Topic: topic, CallbackURL: callbackURL}
		for _, ue := range p.UserErrors {
			e.UserErrors = append(e.UserErrors, UserError{Field: ue.Field, Message: ue.Message})
		}
		return Subscription{}, e
	}
	if p.WebhookSubscription == nil {
		return Subscription{}, fmt.Errorf("shopify admin: create %s subscription: no subscription and no userErrors in the reply", topic)
	}
	return p.WebhookSubscription.subscription(), nil
}
