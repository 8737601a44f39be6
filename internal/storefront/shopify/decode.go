package shopify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront"
)

// payload is the part of Shopify's order JSON the gate reads. The same shape
// arrives in orders/* webhooks and, wrapped in {"order": …}, from the REST
// Admin API.
type payload struct {
	ID           id        `json:"id"`
	Name         string    `json:"name"`
	Email        string    `json:"email"`
	ContactEmail string    `json:"contact_email"`
	Phone        string    `json:"phone"`
	Currency     string    `json:"currency"`
	TotalPrice   money     `json:"total_price"`
	CreatedAt    timestamp `json:"created_at"`
	UpdatedAt    timestamp `json:"updated_at"`
	CancelledAt  timestamp `json:"cancelled_at"`
	CancelReason string    `json:"cancel_reason"`
	Customer     *struct {
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
		Email     string `json:"email"`
		Phone     string `json:"phone"`
	} `json:"customer"`
	BillingAddress  *address `json:"billing_address"`
	ShippingAddress *address `json:"shipping_address"`
	LineItems       []struct {
		ID               id     `json:"id"`
		SKU              string `json:"sku"`
		Title            string `json:"title"`
		Name             string `json:"name"`
		Quantity         int    `json:"quantity"`
		Price            money  `json:"price"`
		RequiresShipping bool   `json:"requires_shipping"`
	} `json:"line_items"`
}

// address is a Shopify MailingAddress in the REST and webhook spelling.
// Every member may be null; latitude and longitude are not read.
type address struct {
	Name         string `json:"name"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Company      string `json:"company"`
	Address1     string `json:"address1"`
	Address2     string `json:"address2"`
	City         string `json:"city"`
	Province     string `json:"province"`
	ProvinceCode string `json:"province_code"`
	Zip          string `json:"zip"`
	Country      string `json:"country"`
	CountryCode  string `json:"country_code"`
	Phone        string `json:"phone"`
}

// shipTo is the address as the order's ship-to: every field trimmed, the
// name falling back to first and last name, and nil when nothing is left
// (an order of gift cards or downloads has shipping_address null; a
// draft order may have one with every member empty).
func (a *address) shipTo() *order.Address {
	if a == nil {
		return nil
	}
	return ShipTo(order.Address{
		Name:        first(a.Name, strings.TrimSpace(a.FirstName)+" "+strings.TrimSpace(a.LastName)),
		Company:     a.Company,
		Line1:       a.Address1,
		Line2:       a.Address2,
		City:        a.City,
		Region:      a.Province,
		RegionCode:  a.ProvinceCode,
		PostalCode:  a.Zip,
		Country:     a.Country,
		CountryCode: a.CountryCode,
		Phone:       a.Phone,
	})
}

// ShipTo returns a with every field trimmed of white space, or nil when
// every field is empty. The Admin API decoder uses it too, so that both
// decoders make the same ship-to of the same address.
func ShipTo(a order.Address) *order.Address {
	for _, f := range []*string{&a.Name, &a.Company, &a.Line1, &a.Line2, &a.City, &a.Region,
		&a.RegionCode, &a.PostalCode, &a.Country, &a.CountryCode, &a.Phone} {
		*f = strings.TrimSpace(*f)
	}
	if a == (order.Address{}) {
		return nil
	}
	return &a
}

// DecodeOrder decodes one Shopify order, either a webhook body or a REST
// Admin API response wrapped in {"order": …}, into an order.Order keyed under
// storefrontName. Errors wrap ErrMalformed.
//
// ShipTo is shipping_address (name, or first and last name; company;
// address1 and address2; city; province and province_code; zip; country
// and country_code; phone), nil when it is null, absent or all empty.
// NeedsShipping says some line item has requires_shipping true.
func DecodeOrder(storefrontName string, body []byte) (order.Order, error) {
	p, err := decode(body)
	if err != nil {
		return order.Order{}, fmt.Errorf("shopify: %w", err)
	}
	o, err := p.order(storefrontName)
	if err != nil {
		return order.Order{}, fmt.Errorf("shopify: %w", err)
	}
	return o, nil
}

func decode(body []byte) (payload, error) {
	var envelope struct {
		Order json.RawMessage `json:"order"`
	}
	if err := json.Unmarshal(body, &envelope); err != nil {
		return payload{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	// A webhook body is the order itself and has no "order" member; a REST
	// response is wrapped in one.
	if len(envelope.Order) > 0 && !bytes.Equal(envelope.Order, []byte("null")) {
		body = envelope.Order
	}
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		return payload{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return p, nil
}

func (p payload) order(storefrontName string) (order.Order, error) {
	if p.ID.n <= 0 {
		return order.Order{}, fmt.Errorf("%w: missing order id", ErrMalformed)
	}
	o := order.Order{
		Key:             order.Key{Storefront: storefrontName, ID: p.ID.String()},
		Name:            p.Name,
		Customer:        p.customer(),
		Currency:        p.Currency,
		Total:           p.TotalPrice.d,
		ShipTo:          p.ShippingAddress.shipTo(),
		CapturedAt:      p.CreatedAt.t,
		SourceUpdatedAt: p.UpdatedAt.t,
	}
	if o.SourceUpdatedAt.IsZero() {
		o.SourceUpdatedAt = o.CapturedAt
	}
	for i, li := range p.LineItems {
		// requires_shipping is Shopify's own per-line flag: false for
		// gift cards, digital goods and services.
		o.NeedsShipping = o.NeedsShipping || li.RequiresShipping
		if li.Quantity < 0 {
			return order.Order{}, fmt.Errorf("%w: order %s line %d: negative quantity %d", ErrMalformed, o.Key.ID, i, li.Quantity)
		}
		if li.Price.d.IsNegative() {
			return order.Order{}, fmt.Errorf("%w: order %s line %d: negative price %s", ErrMalformed, o.Key.ID, i, li.Price.d)
		}
		title := li.Title
		if title == "" {
			title = li.Name
		}
		o.Lines = append(o.Lines, order.LineItem{
			LineID:   li.ID.String(),
			SKU:      li.SKU,
			Title:    title,
			Quantity: li.Quantity,
			Price:    li.Price.d,
		})
	}
	storefront.CleanText(&o)
	if err := storefront.CheckOrder(o); err != nil {
		return order.Order{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return o, nil
}

// customer picks the contact the confirmation goes to: the order's own email
// first (what the customer typed at checkout), then contact_email, then the
// customer record's.
func (p payload) customer() order.Customer {
	var c order.Customer
	c.Email = first(p.Email, p.ContactEmail)
	c.Phone = p.Phone
	if p.Customer != nil {
		c.Name = strings.TrimSpace(p.Customer.FirstName + " " + p.Customer.LastName)
		c.Email = first(c.Email, p.Customer.Email)
		c.Phone = first(c.Phone, p.Customer.Phone)
	}
	for _, a := range []*address{p.BillingAddress, p.ShippingAddress} {
		if a != nil {
			c.Name = first(c.Name, strings.TrimSpace(a.Name))
			c.Phone = first(c.Phone, a.Phone)
		}
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
