package storesim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/storefront/woocommerce"
	"github.com/ordergate/ordergate/internal/storefront/woocommerce/woocommercefake"
)

// WooCommerce has no cancel topic: a cancellation is an order.updated whose
// order has status "cancelled".
var wooTopics = topicNames{actCreate: "order.created", actUpdate: "order.updated", actCancel: "order.updated"}

// The simulated shop's two webhooks, one per topic, as WooCommerce has one
// topic per webhook. Their ids go in X-WC-Webhook-ID.
const (
	wooCreatedHookID = 1
	wooUpdatedHookID = 2
)

// wooLayout is how WooCommerce writes dates, here date_modified_gmt in the
// dedup key.
const wooLayout = "2006-01-02T15:04:05"

// wooPlatform keeps every order in a fake WooCommerce shop and builds each
// delivery from it, as WooCommerce builds the payload from the order when
// it sends it.
type wooPlatform struct {
	cfg              Config
	shop             *woocommercefake.Shop
	created, updated woocommercefake.Webhook
}

func newWooPlatform(c Config) *wooPlatform {
	shop := c.WooCommerce
	if shop == nil {
		shop = woocommercefake.New(woocommercefake.Config{Location: shopZone, HomeURL: "https://" + c.ShopDomain + "/"})
	}
	secret := string(c.Secret)
	return &wooPlatform{
		cfg:     c,
		shop:    shop,
		created: woocommercefake.Webhook{ID: wooCreatedHookID, Topic: wooTopics[actCreate], Secret: secret},
		updated: woocommercefake.Webhook{ID: wooUpdatedHookID, Topic: wooTopics[actUpdate], Secret: secret},
	}
}

// orderName is "#" and the id: WooCommerce's order number is its id unless
// a plugin renumbers orders.
func (p *wooPlatform) orderName(o *plannedOrder) string { return "#" + idString(o.ID) }

// start sends the ping WooCommerce sends to a webhook's delivery URL when
// the webhook is saved, for each of the two webhooks. WooCommerce saves a
// webhook only when its ping is answered exactly 200; the simulator retries
// a ping on Retry's schedule (a merchant would press Save again) and
// otherwise stops.
func (p *wooPlatform) start(ctx context.Context, s *Sim) error {
	jitter := mrand.New(mrand.NewPCG(uint64(p.cfg.Seed), 0))
	for _, h := range []woocommercefake.Webhook{p.created, p.updated} {
		ping := woocommercefake.Ping(h)
		for retry := 0; ; retry++ {
			status, err := s.post(ctx, ping.Header.Clone(), ping.Body)
			if err == nil && status == http.StatusOK {
				break
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			why := "answered " + strconv.Itoa(status)
			if err != nil {
				why = err.Error()
			}
			s.cfg.Logger.Debug("woocommerce webhook ping failed", "webhook_id", h.ID, "retry", retry, "status", status, "error", why)
			if p.cfg.Retry.None || (!p.cfg.Retry.Forever && retry >= p.cfg.Retry.Retries) {
				return fmt.Errorf("webhook %d (%s): creation ping %s, want exactly 200: WooCommerce would not save the webhook", h.ID, h.Topic, why)
			}
			if !sleep(ctx, s.backoff(jitter, retry)) {
				return ctx.Err()
			}
		}
	}
	return nil
}

// render saves the order as it stands at s in the shop and builds the
// delivery from it.
func (p *wooPlatform) render(o *plannedOrder, e *event, s snapshot) error {
	if e.action == actUpdate {
		// The create this update overtakes was queued (and its payload
		// built) before the update was saved, so it carries the order as
		// created: build it first.
		if c := o.event(actCreate); c != nil && c.body == nil {
			if err := p.render(o, c, snapshot{created: s.created, updated: s.created}); err != nil {
				return err
			}
		}
	}
	p.shop.Put(p.order(o, s))
	hook := p.updated
	if e.action == actCreate {
		hook = p.created
	}
	d, err := p.shop.Delivery(hook, o.ID)
	if err != nil {
		return err
	}
	e.body, e.header = d.Body, d.Header
	// What woocommerce.Parse dedups on: WooCommerce has no event id.
	e.ID = d.Header.Get(woocommerce.HeaderSource) + "|" + strconv.FormatInt(hook.ID, 10) + "|" + idString(o.ID) + "|" +
		hook.Topic + "|" + s.updated.UTC().Format(wooLayout)
	return nil
}

// header returns the delivery's headers with a new X-WC-Webhook-Delivery-ID:
// WooCommerce makes one on every send.
func (p *wooPlatform) header(d *delivery) (http.Header, string) {
	var b [16]byte
	rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	h := d.Event.header.Clone()
	h.Set(woocommerce.HeaderDeliveryID, id)
	return h, id
}

// order is o as WooCommerce keeps it at the moment s describes: a paid
// checkout order, processing until it is cancelled. Amounts are decimal
// strings to two places; a line's price is its unit price as PHP writes the
// float (28, 24.99, 64.5).
func (p *wooPlatform) order(o *plannedOrder, s snapshot) woocommercefake.Order {
	status := "processing"
	if s.cancelled {
		status = "cancelled"
	}
	key := stableHex("woocommerce", idString(o.ID))
	billing := woocommercefake.Address{
		FirstName: o.First, LastName: o.Last, Address1: o.Address.Address1, City: o.Address.City,
		State: o.Address.ProvinceCode, Postcode: o.Address.Zip, Country: o.Address.CountryCode,
		Email: o.Email, Phone: o.Phone,
	}
	shipping := billing
	shipping.Email = ""
	w := woocommercefake.Order{
		ID:                 o.ID,
		OrderKey:           "wc_order_" + key[:13],
		CreatedVia:         "checkout",
		Version:            "9.9.5",
		Status:             status,
		Currency:           "USD",
		DateCreated:        s.created,
		DateModified:       s.updated,
		DiscountTotal:      "0.00",
		DiscountTax:        "0.00",
		ShippingTotal:      "0.00",
		ShippingTax:        "0.00",
		CartTax:            "0.00",
		Total:              o.Total.StringFixed(2),
		TotalTax:           "0.00",
		CustomerID:         o.CustomerID%1_000_000 + 1,
		CustomerIPAddress:  "198.51.100." + strconv.Itoa(o.Number%250+1),
		CustomerUserAgent:  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
		CustomerNote:       s.note,
		Billing:            billing,
		Shipping:           shipping,
		PaymentMethod:      "stripe",
		PaymentMethodTitle: "Credit Card (Stripe)",
		TransactionID:      "pi_" + key[13:37],
		DatePaid:           s.created,
		CartHash:           key[32:64],
	}
	for _, l := range o.Lines {
		sku := l.Product.SKU
		total := l.Product.Price.Mul(decimal.NewFromInt(int64(l.Quantity))).StringFixed(2)
		li := woocommercefake.LineItem{
			ID:          l.ID,
			Name:        l.Product.Title,
			ProductID:   l.ProductID,
			Quantity:    l.Quantity,
			Subtotal:    total,
			SubtotalTax: "0.00",
			Total:       total,
			TotalTax:    "0.00",
			SKU:         &sku,
			Price:       json.Number(l.Product.Price.String()),
		}
		if v := l.Product.Variant; v != "" {
			// A variation's line name, as WooCommerce writes it.
			li.Name += " &ndash; " + v
			li.VariationID = l.VariantID
		}
		w.LineItems = append(w.LineItems, li)
	}
	return w
}
