package woocommerce

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront"
)

// payload is the part of WooCommerce's REST v3 order the gate reads. The
// same shape arrives in order.created and order.updated webhooks ("exactly
// the same as if requested via the REST API") and from GET
// /wp-json/wc/v3/orders/{id}; order.deleted sends only {"id": …}.
type payload struct {
	ID              id         `json:"id"`
	Number          text       `json:"number"`
	Status          string     `json:"status"`
	Currency        string     `json:"currency"`
	DateCreatedGMT  gmtTime    `json:"date_created_gmt"`
	DateModifiedGMT gmtTime    `json:"date_modified_gmt"`
	Total           money      `json:"total"`
	Billing         *address   `json:"billing"`
	Shipping        *address   `json:"shipping"`
	LineItems       []lineItem `json:"line_items"`
	ShippingLines   count      `json:"shipping_lines"`

	// Legacy is the {"order": …} envelope of the Legacy REST API's
	// webhook payloads, read only to say what is wrong.
	Legacy json.RawMessage `json:"order"`
}

// address is a billing or shipping address. state is the code of a
// country's state where WooCommerce has a list of them ("CA"), or what the
// shopper typed where it has none; country is an ISO 3166-1 alpha-2 code.
// phone is in the shipping address from WooCommerce 5.6 on.
type address struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
	Company   text   `json:"company"`
	Address1  text   `json:"address_1"`
	Address2  text   `json:"address_2"`
	City      text   `json:"city"`
	State     text   `json:"state"`
	Postcode  text   `json:"postcode"`
	Country   text   `json:"country"`
}

// shipTo is the address as the order's ship-to, trimmed, or nil when it is
// absent or every field is empty (an order of virtual products has an
// all-empty shipping address).
func (a *address) shipTo() *order.Address {
	if a == nil {
		return nil
	}
	s := order.Address{
		Name:        strings.TrimSpace(strings.TrimSpace(a.FirstName) + " " + strings.TrimSpace(a.LastName)),
		Company:     strings.TrimSpace(string(a.Company)),
		Line1:       strings.TrimSpace(string(a.Address1)),
		Line2:       strings.TrimSpace(string(a.Address2)),
		City:        strings.TrimSpace(string(a.City)),
		PostalCode:  strings.TrimSpace(string(a.Postcode)),
		CountryCode: strings.TrimSpace(string(a.Country)),
		Phone:       strings.TrimSpace(a.Phone),
	}
	if state := strings.TrimSpace(string(a.State)); stateCode(state) {
		s.RegionCode = state
	} else {
		s.Region = state
	}
	if s == (order.Address{}) {
		return nil
	}
	return &s
}

// stateCode reports whether a state looks like one of WooCommerce's state
// codes (US "CA", JP "JP13", TH "TH-10", BG "BG-02") rather than free text
// a shopper typed for a country without a list ("West Yorkshire"). An
// empty state is neither.
func stateCode(s string) bool {
	if s == "" || len(s) > 6 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// UnmarshalJSON also takes [], which is how PHP's json_encode writes an
// empty associative array.
func (a *address) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("[]")) {
		*a = address{}
		return nil
	}
	type plain address
	return json.Unmarshal(b, (*plain)(a))
}

type lineItem struct {
	ID       id    `json:"id"`
	Name     text  `json:"name"`
	SKU      text  `json:"sku"`
	Quantity int   `json:"quantity"`
	Subtotal money `json:"subtotal"`
	Total    money `json:"total"`
	Price    exact `json:"price"`
}

// wcRoundingPrecision is WooCommerce's WC_ROUNDING_PRECISION, the decimals
// it keeps internally; used only to derive a missing line price.
const wcRoundingPrecision = 6

// DecodeOrder decodes one WooCommerce order in the REST v3 shape (a webhook
// body or a GET /wp-json/wc/v3/orders/{id} response) into an order.Order
// keyed under storefrontName. Errors wrap ErrMalformed.
//
// Mapping: Key.ID is the order id ("id", an integer, kept as its decimal
// text); Name is "#" and the order "number" (what WooCommerce's e-mails
// show, "Order #727"; a sequential-numbers plugin may make it "#WC-1001"),
// or the id when there is no number. The customer is the billing contact
// (name, email, phone), falling back to the shipping name and phone.
// CapturedAt and SourceUpdatedAt are date_created_gmt and date_modified_gmt,
// which are UTC though written without a zone; the site-time fields without
// _gmt are ignored. Total is "total", a decimal string. A missing email or
// address is not an error: the gate flags the order later.
//
// Each line keeps its id, SKU, quantity and "price": WooCommerce's unit
// price after discounts, without tax (line total ÷ quantity, a PHP float
// such as 3, 12.5 or 3.3333333333333335), decoded exactly from its JSON
// text, never through float64. It differs from Shopify's pre-discount
// price. A line without "price" gets total ÷ quantity to six places. The
// title is the line's "name" with HTML entities decoded: WooCommerce
// writes variation names like "Ship Your Idea &ndash; Color: Black". A
// line without a SKU (a product with none, or one since deleted, for which
// WooCommerce sends null) is kept with SKU "", as Shopify's are: the ERP
// refuses it with a reason the customer and the operator see, rather than
// the order being dropped here.
//
// ShipTo is "shipping": first and last name, company, address_1 and
// address_2, city, state (a code such as "CA" becomes RegionCode, free text
// Region), postcode, country (an ISO code, so CountryCode) and phone; nil
// when absent, [] or all empty. WooCommerce's order has no per-line
// shipping flag (it lives on the product, as virtual), so NeedsShipping
// says the order has a shipping line (shipping_lines is not empty: the
// shopper chose a shipping method, local pickup included) or a shipping
// address: WooCommerce leaves both empty when every item is virtual.
func DecodeOrder(storefrontName string, body []byte) (order.Order, error) {
	p, err := decode(body)
	if err != nil {
		return order.Order{}, fmt.Errorf("woocommerce: %w", err)
	}
	o, err := p.order(storefrontName)
	if err != nil {
		return order.Order{}, fmt.Errorf("woocommerce: %w", err)
	}
	return o, nil
}

func decode(body []byte) (payload, error) {
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		return payload{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return p, nil
}

func (p payload) order(storefrontName string) (order.Order, error) {
	if p.ID.n <= 0 {
		if len(p.Legacy) > 0 {
			return order.Order{}, fmt.Errorf("%w: a Legacy REST API payload ({\"order\": …}): set the webhook's API version to WP REST API Integration v3", ErrMalformed)
		}
		return order.Order{}, fmt.Errorf("%w: missing order id", ErrMalformed)
	}
	key := p.ID.String()
	name := strings.TrimSpace(string(p.Number))
	if name == "" {
		name = key
	}
	o := order.Order{
		Key:             order.Key{Storefront: storefrontName, ID: key},
		Name:            "#" + name,
		Customer:        p.customer(),
		Currency:        p.Currency,
		Total:           p.Total.d,
		ShipTo:          p.Shipping.shipTo(),
		CapturedAt:      p.DateCreatedGMT.t,
		SourceUpdatedAt: p.DateModifiedGMT.t,
	}
	o.NeedsShipping = p.ShippingLines > 0 || o.ShipTo != nil
	if o.SourceUpdatedAt.IsZero() {
		o.SourceUpdatedAt = o.CapturedAt
	}
	for i, li := range p.LineItems {
		if li.Quantity < 0 {
			return order.Order{}, fmt.Errorf("%w: order %s line %d: negative quantity %d", ErrMalformed, key, i, li.Quantity)
		}
		price := li.Price.d
		if !li.Price.present && li.Quantity > 0 {
			price = li.Total.d.DivRound(decimal.NewFromInt(int64(li.Quantity)), wcRoundingPrecision)
		}
		o.Lines = append(o.Lines, order.LineItem{
			LineID:   li.ID.String(),
			SKU:      strings.TrimSpace(string(li.SKU)),
			Title:    strings.TrimSpace(html.UnescapeString(string(li.Name))),
			Quantity: li.Quantity,
			Price:    price,
		})
	}
	storefront.CleanText(&o)
	if err := storefront.CheckOrder(o); err != nil {
		return order.Order{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return o, nil
}

// customer is the billing contact, with the shipping name and phone
// filling what billing lacks.
func (p payload) customer() order.Customer {
	var c order.Customer
	for _, a := range []*address{p.Billing, p.Shipping} {
		if a == nil {
			continue
		}
		c.Name = first(c.Name, strings.TrimSpace(a.FirstName+" "+a.LastName))
		c.Email = first(c.Email, a.Email)
		c.Phone = first(c.Phone, a.Phone)
	}
	return c
}

func first(vs ...string) string {
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}
