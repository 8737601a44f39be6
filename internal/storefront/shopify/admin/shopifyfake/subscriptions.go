package shopifyfake

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Subscription is one webhook subscription the fake holds.
type Subscription struct {
	ID          string // "gid://shopify/WebhookSubscription/…"
	Topic       string // "ORDERS_CREATE"
	CallbackURL string // https://…, or pubsub://project:topic for a Pub/Sub endpoint
	Format      string // "JSON" or "XML"
	CreatedAt   time.Time
}

// knownTopics are the WebhookSubscriptionTopic values the fake accepts.
var knownTopics = []string{
	"ORDERS_CREATE", "ORDERS_UPDATED", "ORDERS_CANCELLED", "ORDERS_DELETE",
	"ORDERS_EDITED", "ORDERS_FULFILLED", "ORDERS_PAID", "ORDERS_PARTIALLY_FULFILLED",
	"APP_UNINSTALLED", "PRODUCTS_UPDATE",
}

// Subscriptions returns the subscriptions held, oldest first.
func (s *Server) Subscriptions() []Subscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.subs)
}

// AddSubscription adds a subscription as the merchant or another app
// would, and returns its id. It does not check for duplicates.
func (s *Server) AddSubscription(topic, callbackURL, format string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addSubscription(topic, callbackURL, format)
}

func (s *Server) addSubscription(topic, callbackURL, format string) string {
	s.nextSubID++
	id := fmt.Sprintf("gid://shopify/WebhookSubscription/%d", s.nextSubID)
	s.subs = append(s.subs, Subscription{ID: id, Topic: topic, CallbackURL: callbackURL, Format: format, CreatedAt: s.opts.Now().UTC()})
	return id
}

// DeleteSubscription removes a subscription, as Shopify does after its
// deliveries keep failing; it reports whether there was one.
func (s *Server) DeleteSubscription(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.subs, func(sub Subscription) bool { return sub.ID == id })
	if i < 0 {
		return false
	}
	s.subs = slices.Delete(s.subs, i, i+1)
	return true
}

func (sub Subscription) graphQL() map[string]any {
	endpoint := map[string]any{"__typename": "WebhookHttpEndpoint", "callbackUrl": sub.CallbackURL}
	callback := any(sub.CallbackURL)
	if rest, ok := strings.CutPrefix(sub.CallbackURL, "pubsub://"); ok {
		project, topic, _ := strings.Cut(rest, ":")
		endpoint = map[string]any{"__typename": "WebhookPubSubEndpoint", "pubSubProject": project, "pubSubTopic": topic}
		callback = nil
	}
	at := sub.CreatedAt.Format(time.RFC3339)
	return map[string]any{
		"__typename":  "WebhookSubscription",
		"id":          sub.ID,
		"topic":       sub.Topic,
		"format":      sub.Format,
		"callbackUrl": callback,
		"endpoint":    endpoint,
		"createdAt":   at,
		"updatedAt":   at,
	}
}

// subscriptionsField answers webhookSubscriptions(first, after, topics,
// format).
func (s *Server) subscriptionsField(sel *selection, vars map[string]any) (any, error) {
	var topics []string
	if a, ok := sel.args["topics"]; ok {
		switch v := a.resolve(vars).(type) {
		case nil:
		case []any:
			for _, t := range v {
				ts, ok := t.(string)
				if !ok || !slices.Contains(knownTopics, ts) {
					return nil, argErr(sel, "topics", "[WebhookSubscriptionTopic!]")
				}
				topics = append(topics, ts)
			}
		case string: // a single value is coerced to a list
			topics = []string{v}
		default:
			return nil, argErr(sel, "topics", "[WebhookSubscriptionTopic!]")
		}
	}
	format := stringArg(sel, "format", vars)
	list := connection{}
	for _, sub := range s.subs {
		if (topics == nil || slices.Contains(topics, sub.Topic)) && (format == "" || sub.Format == format) {
			list = append(list, sub.graphQL())
		}
	}
	return resolve(sel, list, vars)
}

// createSubscription answers webhookSubscriptionCreate(topic,
// webhookSubscription: {callbackUrl, format}).
func (s *Server) createSubscription(sel *selection, vars map[string]any) (any, error) {
	topic := stringArg(sel, "topic", vars)
	if !slices.Contains(knownTopics, topic) {
		return nil, errorf("INVALID_VARIABLE", "Variable $topic of type WebhookSubscriptionTopic! was provided invalid value")
	}
	in, _ := sel.args["webhookSubscription"].resolve(vars).(map[string]any)
	if in == nil {
		return nil, argErr(sel, "webhookSubscription", "WebhookSubscriptionInput!")
	}
	callback, _ := in["callbackUrl"].(string)
	format, _ := in["format"].(string)
	if format == "" {
		format = "JSON"
	}
	if format != "JSON" && format != "XML" {
		return nil, errorf("INVALID_VARIABLE", "Variable $webhookSubscription of type WebhookSubscriptionInput! was provided invalid value for format")
	}
	field := []any{"webhookSubscription", "callbackUrl"}
	var userErrors []map[string]any
	refuse := func(msg string) {
		userErrors = append(userErrors, map[string]any{"__typename": "UserError", "field": field, "message": msg})
	}
	u, err := url.Parse(callback)
	switch {
	case callback == "":
		refuse("Address can't be blank")
	case err != nil || u.Host == "":
		refuse("Address is invalid")
	case u.Scheme != "https":
		refuse("Address protocol " + u.Scheme + ":// is not supported")
	case slices.ContainsFunc(s.subs, func(sub Subscription) bool { return sub.Topic == topic && sub.CallbackURL == callback }):
		refuse("Address for this topic has already been taken")
	}
	payload := map[string]any{"__typename": "WebhookSubscriptionCreatePayload", "webhookSubscription": nil, "userErrors": userErrors}
	if userErrors == nil {
		payload["userErrors"] = []map[string]any{}
		s.addSubscription(topic, callback, format)
		payload["webhookSubscription"] = s.subs[len(s.subs)-1].graphQL()
	}
	return resolve(sel, payload, vars)
}
