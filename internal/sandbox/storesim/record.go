package storesim

import (
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// OrderRecord is what the simulator placed and how its webhooks fared.
type OrderRecord struct {
	// ID is the platform's order id in decimal: the gateway's order.Key.ID.
	ID string
	// Name is the order's name as the gateway decodes it: "#1001" (the
	// order number) for Shopify, "#" and the id for WooCommerce (whose
	// order number is its id) and BigCommerce.
	Name  string
	Email string
	Lines []LineRecord
	Total decimal.Decimal
	// CapturedAt is the order's created_at, zero until the order is in
	// the storefront: from then on the storefront holds it, whether or not
	// a webhook of it is ever delivered, and the flavor's API store
	// (Config.ShopifyAdmin, Config.WooCommerce or Sim.WooCommerceShop,
	// Config.BigCommerce) lists it. Every order the run got to has it,
	// dropped ones included.
	CapturedAt time.Time

	// OutOfOrder says its update went out before its create.
	OutOfOrder bool
	// Duplicated says its create was delivered twice.
	Duplicated bool
	// Late says its create was delivered once more, Config.LateDelay
	// after its other webhooks (Config.LateRate).
	Late bool
	// Dropped says every webhook of the order is lost (Config.DropRate):
	// none is sent, so the gateway can learn of the order only from the
	// storefront's API. Its other flags say what happens to it in the
	// storefront; it has no Attempts and never an AcceptedAt.
	Dropped bool
	// Cancelled says the simulator cancels the order: a cancel (Shopify's
	// orders/cancelled, a WooCommerce order.updated with status
	// cancelled, a BigCommerce store/order/statusUpdated to Cancelled)
	// follows its create (for a dropped order, only in the storefront).
	// CancelAcceptedAt says when the gateway took it.
	Cancelled bool
	// CancelReason is the reason the merchant gave; only Shopify's
	// webhook carries it.
	CancelReason     string
	CancelAcceptedAt time.Time

	// AcceptedAt is the first 2xx for any of its webhooks: from then on the
	// gateway holds the order and must not lose it.
	AcceptedAt time.Time
	// Done says every webhook of the order was accepted or given up, or,
	// for a dropped order, that every change planned for it was made in
	// the storefront.
	Done     bool
	Attempts []Attempt
}

// LineRecord is one line of an order as sent.
type LineRecord struct {
	LineID   string
	SKU      string
	Title    string
	Quantity int
	Price    decimal.Decimal
	// Unknown says the SKU is in no catalogue: the ERP should reject it.
	Unknown bool
}

// Attempt is one HTTP request of one delivery.
type Attempt struct {
	// Topic is the platform's raw topic: "orders/create", "order.updated",
	// "store/order/statusUpdated".
	Topic string
	// EventID is the same for every delivery of one event: Shopify's
	// X-Shopify-Event-Id; for WooCommerce, which has no event id, the
	// key the gateway dedups on (source|webhook id|order id|topic|
	// date_modified_gmt); BigCommerce's hash.
	EventID string
	// WebhookID is the platform's id of this request: Shopify's
	// X-Shopify-Webhook-Id (the same on retries), WooCommerce's
	// X-WC-Webhook-Delivery-ID (new on every send), BigCommerce's hash
	// (it has no other).
	WebhookID string
	Duplicate bool
	Retry     int // 0 for the first attempt of a delivery
	At        time.Time
	Took      time.Duration
	Status    int    // 0 when there was no reply
	Err       string // the transport error, when there was no reply
}

// Accepted reports whether the gateway answered 2xx.
func (a Attempt) Accepted() bool { return a.Err == "" && a.Status >= 200 && a.Status < 300 }

// Stats counts what went over the wire.
type Stats struct {
	Sent            int // requests made
	Retries         int // requests that repeat a delivery after a failure
	Status2xx       int
	Status4xx       int
	Status5xx       int
	StatusOther     int // 1xx and 3xx, failures to Shopify and BigCommerce
	TransportErrors int // no reply: refused, reset, timed out
	DuplicatesSent  int // deliveries repeating an event already delivered
	GivenUp         int // deliveries abandoned after Retry.Retries (or at once, with Retry.None)
	// Dropped counts the orders placed whose webhooks were all withheld
	// (Config.DropRate). Their deliveries are neither sent nor given up.
	Dropped int
}

func (s *Stats) count(a Attempt) {
	s.Sent++
	if a.Retry > 0 {
		s.Retries++
	}
	switch {
	case a.Err != "":
		s.TransportErrors++
	case a.Status >= 200 && a.Status < 300:
		s.Status2xx++
	case a.Status >= 400 && a.Status < 500:
		s.Status4xx++
	case a.Status >= 500:
		s.Status5xx++
	default:
		s.StatusOther++
	}
}

// Progress is a snapshot of a run, for a live progress line.
type Progress struct {
	Orders   int // planned
	Started  int // placed: created in the storefront, or about to be
	Accepted int // at least one webhook answered 2xx; never a dropped order
	Done     int // every webhook accepted or given up, or dropped
	Elapsed  time.Duration
	Stats    Stats
}

// String renders p on one line, e.g.
// "orders 120/500 accepted 118 done 117 | sent 131 retries 9 4xx 0 5xx 7 err 2 dup 12 gave up 0 dropped 3 | 40.3 orders/s".
func (p Progress) String() string {
	rate := 0.0
	if s := p.Elapsed.Seconds(); s > 0 {
		rate = float64(p.Accepted) / s
	}
	return fmt.Sprintf("orders %d/%d accepted %d done %d | sent %d retries %d 4xx %d 5xx %d err %d dup %d gave up %d dropped %d | %.1f orders/s",
		p.Started, p.Orders, p.Accepted, p.Done,
		p.Stats.Sent, p.Stats.Retries, p.Stats.Status4xx, p.Stats.Status5xx, p.Stats.TransportErrors, p.Stats.DuplicatesSent, p.Stats.GivenUp,
		p.Stats.Dropped, rate)
}

func (r OrderRecord) clone() OrderRecord {
	r.Lines = slices.Clone(r.Lines)
	r.Attempts = slices.Clone(r.Attempts)
	return r
}

func newRecord(o plannedOrder, name string) OrderRecord {
	r := OrderRecord{
		ID:           idString(o.ID),
		Name:         name,
		Email:        o.Email,
		Total:        o.Total,
		OutOfOrder:   o.OutOfOrder,
		Dropped:      o.Dropped,
		Cancelled:    o.CancelReason != "",
		CancelReason: o.CancelReason,
	}
	for _, d := range o.deliveries {
		r.Duplicated = r.Duplicated || (d.Duplicate && !d.Late)
		r.Late = r.Late || d.Late
	}
	for _, l := range o.Lines {
		r.Lines = append(r.Lines, LineRecord{
			LineID: idString(l.ID), SKU: l.Product.SKU, Title: l.Product.Title,
			Quantity: l.Quantity, Price: l.Product.Price, Unknown: l.Unknown,
		})
	}
	return r
}
