package bigcommerce

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront"
)

// Snapshot is an order as the v2 API returned it: the order.Order the gate
// keeps, and the status the gate needs to tell a live order from a
// cancelled or unfinished one (order.Order has no field for a storefront's
// status).
type Snapshot struct {
	Order    order.Order
	StatusID int    // v2 status_id; see StatusName
	Status   string // status as the API named it, e.g. "Awaiting Payment"
	// Archived is is_deleted: the order was archived in the control panel.
	Archived bool
}

// Cancelled reports whether the order is in a status the gate treats as a
// cancellation (Cancelled or Declined; see Cancelling).
func (s Snapshot) Cancelled() bool { return Cancelling(s.StatusID) }

// Incomplete reports whether the order is status 0, Incomplete: "a shopper
// reached the payment page, but did not complete the transaction".
// BigCommerce fires store/order/created for these too ("It also fires for
// incomplete orders, including failed payment"), so the gate should hold
// such an order rather than hand it to the ERP; a later statusUpdated moves
// it on.
func (s Snapshot) Incomplete() bool { return s.StatusID == StatusIncomplete }

// orderPayload is the part of a v2 order (GET /v2/orders/{id}, or one
// element of GET /v2/orders) the gate reads.
type orderPayload struct {
	ID                  id        `json:"id"`
	DateCreated         date      `json:"date_created"`
	DateModified        date      `json:"date_modified"`
	StatusID            *quantity `json:"status_id"`
	Status              string    `json:"status"`
	TotalIncTax         money     `json:"total_inc_tax"`
	CurrencyCode        string    `json:"currency_code"`
	DefaultCurrencyCode string    `json:"default_currency_code"`
	IsDeleted           bool      `json:"is_deleted"`
	BillingAddress      *struct {
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
		Email     string `json:"email"`
		Phone     string `json:"phone"`
	} `json:"billing_address"`
	// ShippingAddressCount is how many shipping addresses the order has,
	// a JSON number; kept as written, since it only saves a request and
	// must never fail an order.
	ShippingAddressCount json.RawMessage `json:"shipping_address_count"`
}

// hasNoShippingAddress reports whether the order says it has no shipping
// address (shipping_address_count 0), so that there is none to fetch.
// Anything else, the member missing included, is read as "maybe".
func (p orderPayload) hasNoShippingAddress() bool {
	s, err := unquote(p.ShippingAddressCount)
	if err != nil {
		return false
	}
	d, err := decimal.NewFromString(strings.TrimSpace(s))
	return err == nil && d.IsZero()
}

// productPayload is one element of GET /v2/orders/{id}/products.
type productPayload struct {
	ID           id       `json:"id"`
	SKU          string   `json:"sku"`
	Name         string   `json:"name"`
	NameCustomer string   `json:"name_customer"`
	Quantity     quantity `json:"quantity"`
	PriceIncTax  money    `json:"price_inc_tax"`
	Type         string   `json:"type"` // physical, digital or giftcertificate
}

// ships reports whether the product is a good to ship: every type but
// digital and giftcertificate, a row without a type included.
func (pr productPayload) ships() bool {
	return pr.Type != "digital" && pr.Type != "giftcertificate"
}

// shippingAddressPayload is one element of GET
// /v2/orders/{id}/shipping_addresses.
type shippingAddressPayload struct {
	FirstName   text `json:"first_name"`
	LastName    text `json:"last_name"`
	Company     text `json:"company"`
	Street1     text `json:"street_1"`
	Street2     text `json:"street_2"`
	City        text `json:"city"`
	State       text `json:"state"`
	Zip         text `json:"zip"`
	Country     text `json:"country"`
	CountryISO2 text `json:"country_iso2"`
	Phone       text `json:"phone"`
}

// DecodeShippingAddresses decodes one page of GET
// /v2/orders/{id}/shipping_addresses (a JSON array, or empty for a 204)
// into the order's ship-to: the first address, its fields trimmed, nil
// when there is none or every field is empty. The state is a name
// ("Texas"), so it is Region; country_iso2 is CountryCode. A Snapshot from
// Decode has no ship-to: set Order.ShipTo from this. Errors wrap
// ErrMalformed.
//
// An order shipped to several addresses ("ship to multiple addresses" at
// checkout) has one element per address; only the first is the ship-to.
func DecodeShippingAddresses(body []byte) (*order.Address, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	var as []shippingAddressPayload
	if err := json.Unmarshal(body, &as); err != nil {
		return nil, fmt.Errorf("bigcommerce: %w: shipping addresses: %v", ErrMalformed, err)
	}
	if len(as) == 0 {
		return nil, nil
	}
	a := as[0]
	t := func(v text) string { return strings.TrimSpace(v.s) }
	s := order.Address{
		Name:        strings.TrimSpace(t(a.FirstName) + " " + t(a.LastName)),
		Company:     t(a.Company),
		Line1:       t(a.Street1),
		Line2:       t(a.Street2),
		City:        t(a.City),
		Region:      t(a.State),
		PostalCode:  t(a.Zip),
		Country:     t(a.Country),
		CountryCode: t(a.CountryISO2),
		Phone:       t(a.Phone),
	}
	if s == (order.Address{}) {
		return nil, nil
	}
	return &s, nil
}

// Decode decodes a v2 order body and the bodies of its product pages (each
// a JSON array, or empty for a 204) into a Snapshot keyed under
// storefrontName. Errors wrap ErrMalformed.
//
// The v2 order carries only its billing address; the ship-to is a
// sub-resource, read by DecodeShippingAddresses, so the Snapshot's
// Order.ShipTo is nil. Order.NeedsShipping says some product is a good to
// ship: its type is physical (or missing), not digital or giftcertificate.
// That is BigCommerce's own per-line distinction, as Shopify's
// requires_shipping is; shipping_address_count is not used, since an order
// can need shipping and lack an address, which is what the gate must
// notice.
func Decode(storefrontName string, orderBody []byte, productPages ...[]byte) (Snapshot, error) {
	var p orderPayload
	if err := json.Unmarshal(orderBody, &p); err != nil {
		return Snapshot{}, fmt.Errorf("bigcommerce: %w: order: %v", ErrMalformed, err)
	}
	var products []productPayload
	for i, page := range productPages {
		ps, err := decodeProducts(page)
		if err != nil {
			return Snapshot{}, fmt.Errorf("bigcommerce: order %s products page %d: %w", p.ID, i+1, err)
		}
		products = append(products, ps...)
	}
	s, err := p.snapshot(storefrontName, products)
	if err != nil {
		return Snapshot{}, fmt.Errorf("bigcommerce: %w", err)
	}
	return s, nil
}

// decodeProducts reads one page of order products; an empty body (204 No
// Content) is an empty page.
func decodeProducts(body []byte) ([]productPayload, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	var ps []productPayload
	if err := json.Unmarshal(body, &ps); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return ps, nil
}

func (p orderPayload) snapshot(storefrontName string, products []productPayload) (Snapshot, error) {
	if p.ID.n <= 0 {
		return Snapshot{}, fmt.Errorf("%w: missing order id", ErrMalformed)
	}
	if p.StatusID == nil {
		return Snapshot{}, fmt.Errorf("%w: order %s has no status_id", ErrMalformed, p.ID)
	}
	id := p.ID.String()
	o := order.Order{
		Key: order.Key{Storefront: storefrontName, ID: id},
		// BigCommerce shows the customer the order id ("Order #218").
		Name:            "#" + id,
		Currency:        first(p.DefaultCurrencyCode, p.CurrencyCode),
		Total:           p.TotalIncTax.d,
		CapturedAt:      p.DateCreated.t,
		SourceUpdatedAt: p.DateModified.t,
	}
	if o.SourceUpdatedAt.IsZero() {
		o.SourceUpdatedAt = o.CapturedAt
	}
	if b := p.BillingAddress; b != nil {
		o.Customer = order.Customer{
			Name:  strings.TrimSpace(strings.TrimSpace(b.FirstName) + " " + strings.TrimSpace(b.LastName)),
			Email: strings.TrimSpace(b.Email),
			Phone: strings.TrimSpace(b.Phone),
		}
	}
	// Every product row becomes a line, as Shopify's do:
	//   - a row with no SKU (a custom product added in the control panel)
	//     is kept with SKU "", not dropped: dropping it would confirm an
	//     order short of what the customer bought; the ERP refuses it and
	//     the order is rejected with a notice, or an operator maps it.
	//   - a bundled row (is_bundled_product, parent_order_product_id set:
	//     a pick-list item) is kept too, at its own price (0.0000 in
	//     BigCommerce's example): it is stock that ships, and its price is
	//     already in the parent's.
	for i, pr := range products {
		if pr.Quantity.n < 0 {
			return Snapshot{}, fmt.Errorf("%w: order %s product %d: negative quantity %d", ErrMalformed, id, i, pr.Quantity.n)
		}
		o.NeedsShipping = o.NeedsShipping || pr.ships()
		o.Lines = append(o.Lines, order.LineItem{
			LineID:   pr.ID.String(),
			SKU:      pr.SKU, // as sent: the ERP matches it exactly
			Title:    first(pr.NameCustomer, pr.Name),
			Quantity: pr.Quantity.n,
			Price:    pr.PriceIncTax.d,
		})
	}
	storefront.CleanText(&o)
	return Snapshot{
		Order:    o,
		StatusID: p.StatusID.n,
		Status:   p.Status,
		Archived: p.IsDeleted,
	}, nil
}

func first(vs ...string) string {
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// stamp formats t for messages.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "(none)"
	}
	return t.UTC().Format(time.RFC3339)
}
