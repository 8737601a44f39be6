package bigcommerce

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ordergate/ordergate/internal/storefront"
)

// Kind is the storefront kind this package handles, as set on every
// Delivery it returns.
const Kind = "bigcommerce"

// The callback scopes the connector acts on.
const (
	ScopeOrderCreated       = "store/order/created"
	ScopeOrderUpdated       = "store/order/updated"
	ScopeOrderStatusUpdated = "store/order/statusUpdated"
	ScopeOrderArchived      = "store/order/archived"
)

// Errors ParseHook and the decoders return (wrapped).
var (
	// ErrUnsupportedTopic means the callback is for a scope the gate does
	// not act on. It is not a failure of the sender: answer 200.
	ErrUnsupportedTopic = errors.New("unsupported topic")
	// ErrMalformed means the body is not what BigCommerce sends: invalid
	// JSON, no order id, no hash, a price that is not a decimal, and so on.
	ErrMalformed = errors.New("malformed payload")
)

// topics maps the scopes the gate acts on to its topics. A status change
// is an update unless the new status cancels the order (see ParseHook).
//
// store/order/archived is deliberately absent: archiving hides an order in
// the control panel (the API's DELETE /v2/orders/{id} "archives" it) without
// changing its status, and merchants archive shipped and test orders alike.
// Cancelling an ERP sales order because a confirmed order was tidied away
// would be wrong; a merchant who means to cancel sets the status, which
// fires store/order/statusUpdated.
var topics = map[string]storefront.Topic{
	ScopeOrderCreated:       storefront.OrderCreated,
	ScopeOrderUpdated:       storefront.OrderUpdated,
	ScopeOrderStatusUpdated: storefront.OrderUpdated,
}

// StatusChange is what a store/order/statusUpdated callback says changed.
type StatusChange struct {
	PreviousID int // -1 when the body does not say
	NewID      int
}

// Hook is one verified BigCommerce callback. It carries only the order's
// id: the order itself is fetched from the v2 API (Client.Fetch) and the
// delivery assembled with SnapshotDelivery (or Delivery).
type Hook struct {
	Storefront string           // the configured storefront's name
	Scope      string           // e.g. "store/order/created"
	Topic      storefront.Topic // normalised
	StoreID    string           // as sent: a string now, a number in older docs
	Producer   string           // "stores/{store_hash}"
	OrderID    string           // data.id in decimal, read from its text
	Hash       string           // the same on every repeat of one event
	CreatedAt  time.Time        // when BigCommerce fired it
	// Status is set on store/order/statusUpdated when the body says what
	// the status changed from and to.
	Status *StatusChange
	// DedupKey is the same for every repeat of one event: store, scope and
	// hash. The scope is needed because BigCommerce's own samples give
	// store/order/created and store/order/updated one hash.
	DedupKey string
}

// envelope is the callback body: {scope, store_id, data, hash, created_at,
// producer}.
type envelope struct {
	Scope     string   `json:"scope"`
	StoreID   text     `json:"store_id"`
	Hash      string   `json:"hash"`
	CreatedAt unixTime `json:"created_at"`
	Producer  string   `json:"producer"`
	Data      struct {
		Type   string `json:"type"`
		ID     id     `json:"id"`
		Status *struct {
			PreviousStatusID *quantity `json:"previous_status_id"`
			NewStatusID      *quantity `json:"new_status_id"`
		} `json:"status"`
	} `json:"data"`
}

// ParseHook decodes a callback body for the storefront configured as
// storefrontName. It does not authenticate the callback: the caller runs
// Verify on the request first.
//
// Topics: store/order/created is OrderCreated; store/order/updated and
// store/order/statusUpdated are OrderUpdated, except a status change to
// Cancelled or Declined (see Cancelling), which is OrderCancelled. Every
// other scope, store/order/archived included, is ErrUnsupportedTopic.
func ParseHook(storefrontName string, body []byte) (Hook, error) {
	var e envelope
	if err := json.Unmarshal(body, &e); err != nil {
		return Hook{}, fmt.Errorf("bigcommerce: %w: %v", ErrMalformed, err)
	}
	topic, ok := topics[e.Scope]
	if !ok {
		return Hook{}, fmt.Errorf("bigcommerce: %w: %q", ErrUnsupportedTopic, e.Scope)
	}
	if t := e.Data.Type; t != "" && t != "order" {
		return Hook{}, fmt.Errorf("bigcommerce: %s callback: %w: data.type %q, want \"order\"", e.Scope, ErrMalformed, t)
	}
	if e.Data.ID.n <= 0 {
		return Hook{}, fmt.Errorf("bigcommerce: %s callback: %w: missing data.id", e.Scope, ErrMalformed)
	}
	hash := strings.TrimSpace(e.Hash)
	if hash == "" {
		return Hook{}, fmt.Errorf("bigcommerce: %s callback for order %s: %w: missing hash", e.Scope, e.Data.ID, ErrMalformed)
	}
	h := Hook{
		Storefront: storefrontName,
		Scope:      e.Scope,
		Topic:      topic,
		StoreID:    e.StoreID.s,
		Producer:   e.Producer,
		OrderID:    e.Data.ID.String(),
		Hash:       hash,
		CreatedAt:  e.CreatedAt.t,
		DedupKey:   e.StoreID.s + "|" + e.Scope + "|" + hash,
	}
	if s := e.Data.Status; e.Scope == ScopeOrderStatusUpdated && s != nil && s.NewStatusID != nil {
		h.Status = &StatusChange{NewID: s.NewStatusID.n, PreviousID: -1}
		if s.PreviousStatusID != nil {
			h.Status.PreviousID = s.PreviousStatusID.n
		}
		if Cancelling(h.Status.NewID) {
			h.Topic = storefront.OrderCancelled
		}
	}
	return h, nil
}
