package woocommercefake

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Order is one order of the fake shop, holding what the REST v3 order
// carries (woocommerce-rest-api-docs, "Retrieve an order"). Times are
// instants, to the second as WordPress stores them; the fake writes each
// both in the site's time zone (date_created) and in GMT
// (date_created_gmt), as WooCommerce does.
type Order struct {
	ID                 int64
	ParentID           int64
	Number             string // "" means the id
	OrderKey           string
	CreatedVia         string
	Version            string
	Status             string // "" means processing
	Currency           string // "" means USD
	DateCreated        time.Time
	DateModified       time.Time
	DiscountTotal      string
	DiscountTax        string
	ShippingTotal      string
	ShippingTax        string
	CartTax            string
	Total              string
	TotalTax           string
	PricesIncludeTax   bool
	CustomerID         int64
	CustomerIPAddress  string
	CustomerUserAgent  string
	CustomerNote       string
	Billing            Address
	Shipping           Address
	PaymentMethod      string
	PaymentMethodTitle string
	TransactionID      string
	DatePaid           time.Time // zero: null
	DateCompleted      time.Time // zero: null
	CartHash           string
	LineItems          []LineItem

	// Passed through as they are; nil is [].
	MetaData, TaxLines, ShippingLines, FeeLines, CouponLines, Refunds json.RawMessage
}

// Address is a billing or shipping address. The shipping address has no
// email; its phone is written only when set (WooCommerce 5.6 added it; the
// documented example predates it).
type Address struct {
	FirstName, LastName, Company, Address1, Address2 string
	City, State, Postcode, Country, Email, Phone     string
}

// LineItem is one line of an order.
type LineItem struct {
	ID          int64
	Name        string
	ProductID   int64
	VariationID int64
	Quantity    int
	TaxClass    string
	Subtotal    string
	SubtotalTax string
	Total       string
	TotalTax    string
	// SKU nil is written null, as WooCommerce does for a product since
	// deleted.
	SKU *string
	// Price is the unit price as PHP writes the float: "3", "12.5",
	// "3.0", "3.3333333333333335". "" is written 0.
	Price json.Number
	// Taxes and MetaData are passed through; nil is [].
	Taxes, MetaData json.RawMessage
}

// wireOrder is the order as the REST API writes it, members in
// WooCommerce's order.
type wireOrder struct {
	ID                 int64           `json:"id"`
	ParentID           int64           `json:"parent_id"`
	Number             string          `json:"number"`
	OrderKey           string          `json:"order_key"`
	CreatedVia         string          `json:"created_via"`
	Version            string          `json:"version"`
	Status             string          `json:"status"`
	Currency           string          `json:"currency"`
	DateCreated        *string         `json:"date_created"`
	DateCreatedGMT     *string         `json:"date_created_gmt"`
	DateModified       *string         `json:"date_modified"`
	DateModifiedGMT    *string         `json:"date_modified_gmt"`
	DiscountTotal      string          `json:"discount_total"`
	DiscountTax        string          `json:"discount_tax"`
	ShippingTotal      string          `json:"shipping_total"`
	ShippingTax        string          `json:"shipping_tax"`
	CartTax            string          `json:"cart_tax"`
	Total              string          `json:"total"`
	TotalTax           string          `json:"total_tax"`
	PricesIncludeTax   bool            `json:"prices_include_tax"`
	CustomerID         int64           `json:"customer_id"`
	CustomerIPAddress  string          `json:"customer_ip_address"`
	CustomerUserAgent  string          `json:"customer_user_agent"`
	CustomerNote       string          `json:"customer_note"`
	Billing            wireBilling     `json:"billing"`
	Shipping           wireShipping    `json:"shipping"`
	PaymentMethod      string          `json:"payment_method"`
	PaymentMethodTitle string          `json:"payment_method_title"`
	TransactionID      string          `json:"transaction_id"`
	DatePaid           *string         `json:"date_paid"`
	DatePaidGMT        *string         `json:"date_paid_gmt"`
	DateCompleted      *string         `json:"date_completed"`
	DateCompletedGMT   *string         `json:"date_completed_gmt"`
	CartHash           string          `json:"cart_hash"`
	MetaData           json.RawMessage `json:"meta_data"`
	LineItems          []wireLine      `json:"line_items"`
	TaxLines           json.RawMessage `json:"tax_lines"`
	ShippingLines      json.RawMessage `json:"shipping_lines"`
	FeeLines           json.RawMessage `json:"fee_lines"`
	CouponLines        json.RawMessage `json:"coupon_lines"`
	Refunds            json.RawMessage `json:"refunds"`
	Links              wireLinks       `json:"_links"`
}

type wireBilling struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Company   string `json:"company"`
	Address1  string `json:"address_1"`
	Address2  string `json:"address_2"`
	City      string `json:"city"`
	State     string `json:"state"`
	Postcode  string `json:"postcode"`
	Country   string `json:"country"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
}

type wireShipping struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Company   string `json:"company"`
	Address1  string `json:"address_1"`
	Address2  string `json:"address_2"`
	City      string `json:"city"`
	State     string `json:"state"`
	Postcode  string `json:"postcode"`
	Country   string `json:"country"`
	Phone     string `json:"phone,omitempty"`
}

type wireLine struct {
	ID          int64           `json:"id"`
	Name        string          `json:"name"`
	ProductID   int64           `json:"product_id"`
	VariationID int64           `json:"variation_id"`
	Quantity    int             `json:"quantity"`
	TaxClass    string          `json:"tax_class"`
	Subtotal    string          `json:"subtotal"`
	SubtotalTax string          `json:"subtotal_tax"`
	Total       string          `json:"total"`
	TotalTax    string          `json:"total_tax"`
	Taxes       json.RawMessage `json:"taxes"`
	MetaData    json.RawMessage `json:"meta_data"`
	SKU         *string         `json:"sku"`
	Price       json.Number     `json:"price"`
}

type wireLinks struct {
	Self       []wireHref `json:"self"`
	Collection []wireHref `json:"collection"`
}

type wireHref struct {
	Href string `json:"href"`
}

// wcLayout is how WooCommerce writes dates (wc_rest_prepare_date_response).
const wcLayout = "2006-01-02T15:04:05"

var emptyList = json.RawMessage("[]")

func orEmpty(r json.RawMessage) json.RawMessage {
	if len(r) == 0 {
		return emptyList
	}
	return r
}

// wire renders o as the REST API would on a site in loc whose home is
// home (ending in "/").
func (o Order) wire(loc *time.Location, home string) wireOrder {
	pair := func(t time.Time) (local, gmt *string) {
		if t.IsZero() {
			return nil, nil
		}
		l, g := t.In(loc).Format(wcLayout), t.UTC().Format(wcLayout)
		return &l, &g
	}
	w := wireOrder{
		ID: o.ID, ParentID: o.ParentID, Number: o.Number, OrderKey: o.OrderKey, CreatedVia: o.CreatedVia,
		Version: o.Version, Status: o.Status, Currency: o.Currency,
		DiscountTotal: o.DiscountTotal, DiscountTax: o.DiscountTax, ShippingTotal: o.ShippingTotal,
		ShippingTax: o.ShippingTax, CartTax: o.CartTax, Total: o.Total, TotalTax: o.TotalTax,
		PricesIncludeTax: o.PricesIncludeTax, CustomerID: o.CustomerID, CustomerIPAddress: o.CustomerIPAddress,
		CustomerUserAgent: o.CustomerUserAgent, CustomerNote: o.CustomerNote,
		Billing: wireBilling{
			FirstName: o.Billing.FirstName, LastName: o.Billing.LastName, Company: o.Billing.Company,
			Address1: o.Billing.Address1, Address2: o.Billing.Address2, City: o.Billing.City, State: o.Billing.State,
			Postcode: o.Billing.Postcode, Country: o.Billing.Country, Email: o.Billing.Email, Phone: o.Billing.Phone,
		},
		Shipping: wireShipping{
			FirstName: o.Shipping.FirstName, LastName: o.Shipping.LastName, Company: o.Shipping.Company,
			Address1: o.Shipping.Address1, Address2: o.Shipping.Address2, City: o.Shipping.City, State: o.Shipping.State,
			Postcode: o.Shipping.Postcode, Country: o.Shipping.Country, Phone: o.Shipping.Phone,
		},
		PaymentMethod: o.PaymentMethod, PaymentMethodTitle: o.PaymentMethodTitle, TransactionID: o.TransactionID,
		CartHash: o.CartHash, MetaData: orEmpty(o.MetaData), LineItems: []wireLine{},
		TaxLines: orEmpty(o.TaxLines), ShippingLines: orEmpty(o.ShippingLines), FeeLines: orEmpty(o.FeeLines),
		CouponLines: orEmpty(o.CouponLines), Refunds: orEmpty(o.Refunds),
		Links: wireLinks{
			Self:       []wireHref{{Href: home + "wp-json/wc/v3/orders/" + strconv.FormatInt(o.ID, 10)}},
			Collection: []wireHref{{Href: home + "wp-json/wc/v3/orders"}},
		},
	}
	if w.Number == "" {
		w.Number = strconv.FormatInt(o.ID, 10)
	}
	if w.Status == "" {
		w.Status = "processing"
	}
	if w.Currency == "" {
		w.Currency = "USD"
	}
	w.DateCreated, w.DateCreatedGMT = pair(o.DateCreated)
	w.DateModified, w.DateModifiedGMT = pair(o.DateModified)
	w.DatePaid, w.DatePaidGMT = pair(o.DatePaid)
	w.DateCompleted, w.DateCompletedGMT = pair(o.DateCompleted)
	for _, l := range o.LineItems {
		price := l.Price
		if price == "" {
			price = "0"
		}
		w.LineItems = append(w.LineItems, wireLine{
			ID: l.ID, Name: l.Name, ProductID: l.ProductID, VariationID: l.VariationID, Quantity: l.Quantity,
			TaxClass: l.TaxClass, Subtotal: l.Subtotal, SubtotalTax: l.SubtotalTax, Total: l.Total, TotalTax: l.TotalTax,
			Taxes: orEmpty(l.Taxes), MetaData: orEmpty(l.MetaData), SKU: l.SKU, Price: price,
		})
	}
	return w
}

// LoadOrder reads an order in the REST v3 shape (such as the documented
// example) into an Order. Its times are taken from the *_gmt members.
func LoadOrder(restJSON []byte) (Order, error) {
	var w wireOrder
	if err := json.Unmarshal(restJSON, &w); err != nil {
		return Order{}, err
	}
	gmt := func(s *string) (time.Time, error) {
		if s == nil || *s == "" {
			return time.Time{}, nil
		}
		return time.ParseInLocation(wcLayout, *s, time.UTC)
	}
	o := Order{
		ID: w.ID, ParentID: w.ParentID, Number: w.Number, OrderKey: w.OrderKey, CreatedVia: w.CreatedVia,
		Version: w.Version, Status: w.Status, Currency: w.Currency,
		DiscountTotal: w.DiscountTotal, DiscountTax: w.DiscountTax, ShippingTotal: w.ShippingTotal,
		ShippingTax: w.ShippingTax, CartTax: w.CartTax, Total: w.Total, TotalTax: w.TotalTax,
		PricesIncludeTax: w.PricesIncludeTax, CustomerID: w.CustomerID, CustomerIPAddress: w.CustomerIPAddress,
		CustomerUserAgent: w.CustomerUserAgent, CustomerNote: w.CustomerNote,
		Billing:       Address(w.Billing),
		Shipping:      Address{FirstName: w.Shipping.FirstName, LastName: w.Shipping.LastName, Company: w.Shipping.Company, Address1: w.Shipping.Address1, Address2: w.Shipping.Address2, City: w.Shipping.City, State: w.Shipping.State, Postcode: w.Shipping.Postcode, Country: w.Shipping.Country, Phone: w.Shipping.Phone},
		PaymentMethod: w.PaymentMethod, PaymentMethodTitle: w.PaymentMethodTitle, TransactionID: w.TransactionID,
		CartHash: w.CartHash, MetaData: w.MetaData, TaxLines: w.TaxLines, ShippingLines: w.ShippingLines,
		FeeLines: w.FeeLines, CouponLines: w.CouponLines, Refunds: w.Refunds,
	}
	var err error
	for _, f := range []struct {
		dst *time.Time
		src *string
	}{{&o.DateCreated, w.DateCreatedGMT}, {&o.DateModified, w.DateModifiedGMT}, {&o.DatePaid, w.DatePaidGMT}, {&o.DateCompleted, w.DateCompletedGMT}} {
		if *f.dst, err = gmt(f.src); err != nil {
			return Order{}, fmt.Errorf("order %d: %w", w.ID, err)
		}
	}
	for _, l := range w.LineItems {
		o.LineItems = append(o.LineItems, LineItem{
			ID: l.ID, Name: l.Name, ProductID: l.ProductID, VariationID: l.VariationID, Quantity: l.Quantity,
			TaxClass: l.TaxClass, Subtotal: l.Subtotal, SubtotalTax: l.SubtotalTax, Total: l.Total, TotalTax: l.TotalTax,
			SKU: l.SKU, Price: l.Price, Taxes: l.Taxes, MetaData: l.MetaData,
		})
	}
	return o, nil
}
