package storesim

import (
	"context"
	"net/http"
)

// action is what happened to an order, whatever the platform calls it.
type action int

const (
	actCreate action = iota
	actUpdate
	actCancel
)

// topicNames are a platform's raw topics, by action.
type topicNames [3]string

// topics returns the raw topic of each action in flavor f.
func (f Flavor) topics() topicNames {
	switch f {
	case WooCommerce:
		return wooTopics
	case BigCommerce:
		return bigTopics
	}
	return shopifyTopics
}

// platform is what differs between flavors: what an event's body is, the
// headers each send carries, and what happens before the first order. The
// plan, the pacing, the retries and the records are shared.
type platform interface {
	// orderName is the order's name as the gateway will decode it.
	orderName(o *plannedOrder) string
	// render sets e's body (and whatever else its sends need) from the
	// order as it stands at s. It runs once per event, the first time the
	// event goes out, in the goroutine placing the order; a platform whose
	// deliveries are built from a fake store brings the store up to s
	// first.
	render(o *plannedOrder, e *event, s snapshot) error
	// header returns the headers of one send of d and the id the platform
	// gives that send, for the records.
	header(d *delivery) (http.Header, string)
	// start runs once, before any order is placed.
	start(ctx context.Context, s *Sim) error
}

// newPlatform returns the platform of c's flavor; nil for an unknown one,
// which validate refuses.
func newPlatform(c Config) platform {
	switch c.Flavor {
	case Shopify:
		return &shopifyPlatform{cfg: c}
	case WooCommerce:
		return newWooPlatform(c)
	case BigCommerce:
		return &bigPlatform{cfg: c, store: c.BigCommerce}
	}
	return nil
}
