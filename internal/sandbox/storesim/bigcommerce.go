package storesim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/storefront/bigcommerce"
	"github.com/ordergate/ordergate/internal/storefront/bigcommerce/bigcommercefake"
)

// The BigCommerce scopes: a cancellation is a status change, which fires
// store/order/statusUpdated with the old and new status ids.
var bigTopics = topicNames{
	actCreate: bigcommerce.ScopeOrderCreated,
	actUpdate: bigcommerce.ScopeOrderUpdated,
	actCancel: bigcommerce.ScopeOrderStatusUpdated,
}

// The v2 order statuses the simulator uses: a paid order awaits
// fulfillment until it is cancelled.
const (
	bigAwaitingFulfillment = 11
	bigCancelled           = 5
)

var bigStatusNames = map[int]string{bigAwaitingFulfillment: "Awaiting Fulfillment", bigCancelled: "Cancelled"}

// bigTime is how the v2 API writes dates (RFC 2822).
const bigTime = time.RFC1123Z

// bigPlatform puts every change into a fake BigCommerce store before it
// sends the callback, which carries only the order's id: the gateway
// fetches the order from the store's v2 API.
type bigPlatform struct {
	cfg   Config
	store *bigcommercefake.Store
}

// shippingJSON is the order's GET /v2/orders/{id}/shipping_addresses: one
// address, the planned one, with BigCommerce's field names.
func (p *bigPlatform) shippingJSON(o *plannedOrder) []byte {
	a := o.Address
	b, err := json.Marshal([]map[string]any{{
		"id": 1, "order_id": o.ID, "first_name": o.First, "last_name": o.Last, "company": "",
		"street_1": a.Address1, "street_2": "", "city": a.City, "state": a.Province, "zip": a.Zip,
		"country": a.Country, "country_iso2": a.CountryCode, "phone": o.Phone, "email": o.Email,
		"items_total": 0, "items_shipped": 0, "shipping_method": "Flat Rate",
	}})
	if err != nil {
		panic("storesim: encode shipping address: " + err.Error()) // plain values cannot fail to encode
	}
	return b
}

// orderName is "#" and the id, as BigCommerce shows it ("Order #218").
func (p *bigPlatform) orderName(o *plannedOrder) string { return "#" + idString(o.ID) }

func (p *bigPlatform) start(context.Context, *Sim) error { return nil }

// render saves the order as it stands at s in the store, then makes the
// callback, dated s.updated. A create overtaken by its update leaves the
// store alone: the store already holds the newer order, and BigCommerce
// would serve that.
func (p *bigPlatform) render(o *plannedOrder, e *event, s snapshot) error {
	if e.action != actCreate || !o.OutOfOrder {
		body, products, err := p.orderJSON(o, s)
		if err != nil {
			return fmt.Errorf("encode order: %w", err)
		}
		if err := p.store.PutOrder(body, products); err != nil {
			return err
		}
		if err := p.store.PutShippingAddresses(o.ID, p.shippingJSON(o)); err != nil {
			return err
		}
	}
	body := p.store.Webhook(e.Topic, o.ID, s.updated)
	if e.action == actCancel {
		var err error
		if body, err = withStatusChange(body, bigAwaitingFulfillment, bigCancelled); err != nil {
			return err
		}
	}
	var head struct {
		Hash string `json:"hash"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return fmt.Errorf("read callback: %w", err)
	}
	e.body, e.ID = body, head.Hash
	return nil
}

// withStatusChange adds data.status, as store/order/statusUpdated carries
// it, to a callback body.
func withStatusChange(body []byte, previous, next int) ([]byte, error) {
	var cb map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&cb); err != nil {
		return nil, fmt.Errorf("read callback: %w", err)
	}
	data, ok := cb["data"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("read callback: no data object")
	}
	data["status"] = map[string]int{"previous_status_id": previous, "new_status_id": next}
	return json.Marshal(cb)
}

// header returns the headers of a callback: the custom header the hook was
// created with holds the secret. The hash is the only id BigCommerce gives.
func (p *bigPlatform) header(d *delivery) (http.Header, string) {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(bigcommerce.DefaultHeader, string(p.cfg.Secret))
	return h, d.Event.ID
}

// bigOrderJSON is a v2 order (GET /v2/orders/{id}) with the members, in
// their order, of BigCommerce's documented example (testdata of the
// bigcommerce package). Money is a string with four places.
type bigOrderJSON struct {
	ID                     int64          `json:"id"`
	CustomerID             int64          `json:"customer_id"`
	DateCreated            string         `json:"date_created"`
	DateModified           string         `json:"date_modified"`
	DateShipped            string         `json:"date_shipped"`
	StatusID               int            `json:"status_id"`
	Status                 string         `json:"status"`
	SubtotalExTax          string         `json:"subtotal_ex_tax"`
	SubtotalIncTax         string         `json:"subtotal_inc_tax"`
	SubtotalTax            string         `json:"subtotal_tax"`
	BaseShippingCost       string         `json:"base_shipping_cost"`
	ShippingCostExTax      string         `json:"shipping_cost_ex_tax"`
	ShippingCostIncTax     string         `json:"shipping_cost_inc_tax"`
	ShippingCostTax        string         `json:"shipping_cost_tax"`
	ShippingCostTaxClassID int            `json:"shipping_cost_tax_class_id"`
	BaseHandlingCost       string         `json:"base_handling_cost"`
	HandlingCostExTax      string         `json:"handling_cost_ex_tax"`
	HandlingCostIncTax     string         `json:"handling_cost_inc_tax"`
	HandlingCostTax        string         `json:"handling_cost_tax"`
	HandlingCostTaxClassID int            `json:"handling_cost_tax_class_id"`
	BaseWrappingCost       string         `json:"base_wrapping_cost"`
	WrappingCostExTax      string         `json:"wrapping_cost_ex_tax"`
	WrappingCostIncTax     string         `json:"wrapping_cost_inc_tax"`
	WrappingCostTax        string         `json:"wrapping_cost_tax"`
	WrappingCostTaxClassID int            `json:"wrapping_cost_tax_class_id"`
	TotalExTax             string         `json:"total_ex_tax"`
	TotalIncTax            string         `json:"total_inc_tax"`
	TotalTax               string         `json:"total_tax"`
	IsTaxInclusivePricing  bool           `json:"is_tax_inclusive_pricing"`
	ItemsTotal             int            `json:"items_total"`
	ItemsShipped           int            `json:"items_shipped"`
	PaymentMethod          string         `json:"payment_method"`
	PaymentProviderID      string         `json:"payment_provider_id"`
	PaymentStatus          string         `json:"payment_status"`
	RefundedAmount         string         `json:"refunded_amount"`
	OrderIsDigital         bool           `json:"order_is_digital"`
	StoreCreditAmount      string         `json:"store_credit_amount"`
	GiftCertificateAmount  string         `json:"gift_certificate_amount"`
	IPAddress              string         `json:"ip_address"`
	IPAddressV6            string         `json:"ip_address_v6"`
	GeoipCountry           string         `json:"geoip_country"`
	GeoipCountryISO2       string         `json:"geoip_country_iso2"`
	CurrencyID             int            `json:"currency_id"`
	CurrencyCode           string         `json:"currency_code"`
	CurrencyExchangeRate   string         `json:"currency_exchange_rate"`
	DefaultCurrencyID      int            `json:"default_currency_id"`
	DefaultCurrencyCode    string         `json:"default_currency_code"`
	StaffNotes             string         `json:"staff_notes"`
	CustomerMessage        string         `json:"customer_message"`
	DiscountAmount         string         `json:"discount_amount"`
	CouponDiscount         string         `json:"coupon_discount"`
	ShippingAddressCount   int            `json:"shipping_address_count"`
	EbayOrderID            string         `json:"ebay_order_id"`
	CartID                 string         `json:"cart_id"`
	BillingAddress         bigAddressJSON `json:"billing_address"`
	IsEmailOptIn           bool           `json:"is_email_opt_in"`
	CreditCardType         *string        `json:"credit_card_type"`
	OrderSource            string         `json:"order_source"`
	ChannelID              int            `json:"channel_id"`
	ExternalSource         *string        `json:"external_source"`
	Products               bigResource    `json:"products"`
	ShippingAddresses      bigResource    `json:"shipping_addresses"`
	Coupons                bigResource    `json:"coupons"`
	ExternalID             *string        `json:"external_id"`
	ExternalMerchantID     *string        `json:"external_merchant_id"`
	TaxProviderID          string         `json:"tax_provider_id"`
	StoreDefaultCurrency   string         `json:"store_default_currency_code"`
	StoreDefaultToTxnRate  string         `json:"store_default_to_transactional_exchange_rate"`
	CustomStatus           string         `json:"custom_status"`
	CustomerLocale         string         `json:"customer_locale"`
	ExternalOrderID        string         `json:"external_order_id"`
	Fees                   []struct{}     `json:"fees"`
}

type bigAddressJSON struct {
	FirstName   string     `json:"first_name"`
	LastName    string     `json:"last_name"`
	Company     string     `json:"company"`
	Street1     string     `json:"street_1"`
	Street2     string     `json:"street_2"`
	City        string     `json:"city"`
	State       string     `json:"state"`
	Zip         string     `json:"zip"`
	Country     string     `json:"country"`
	CountryISO2 string     `json:"country_iso2"`
	Phone       string     `json:"phone"`
	Email       string     `json:"email"`
	FormFields  []struct{} `json:"form_fields"`
}

type bigResource struct {
	URL      string `json:"url"`
	Resource string `json:"resource"`
}

// bigProductJSON is one element of GET /v2/orders/{id}/products, members
// as in BigCommerce's documented example.
type bigProductJSON struct {
	ID                    int64           `json:"id"`
	OrderID               int64           `json:"order_id"`
	ProductID             int64           `json:"product_id"`
	VariantID             int64           `json:"variant_id"`
	OrderAddressID        int64           `json:"order_address_id"`
	Name                  string          `json:"name"`
	NameCustomer          string          `json:"name_customer"`
	NameMerchant          string          `json:"name_merchant"`
	SKU                   string          `json:"sku"`
	UPC                   string          `json:"upc"`
	Type                  string          `json:"type"`
	BasePrice             string          `json:"base_price"`
	PriceExTax            string          `json:"price_ex_tax"`
	PriceIncTax           string          `json:"price_inc_tax"`
	PriceTax              string          `json:"price_tax"`
	BaseTotal             string          `json:"base_total"`
	TotalExTax            string          `json:"total_ex_tax"`
	TotalIncTax           string          `json:"total_inc_tax"`
	TotalTax              string          `json:"total_tax"`
	Weight                string          `json:"weight"`
	Width                 string          `json:"width"`
	Height                string          `json:"height"`
	Depth                 string          `json:"depth"`
	Quantity              int             `json:"quantity"`
	BaseCostPrice         string          `json:"base_cost_price"`
	CostPriceIncTax       string          `json:"cost_price_inc_tax"`
	CostPriceExTax        string          `json:"cost_price_ex_tax"`
	CostPriceTax          string          `json:"cost_price_tax"`
	IsRefunded            bool            `json:"is_refunded"`
	QuantityRefunded      int             `json:"quantity_refunded"`
	RefundAmount          string          `json:"refund_amount"`
	ReturnID              int             `json:"return_id"`
	WrappingID            int             `json:"wrapping_id"`
	WrappingName          string          `json:"wrapping_name"`
	BaseWrappingCost      string          `json:"base_wrapping_cost"`
	WrappingCostExTax     string          `json:"wrapping_cost_ex_tax"`
	WrappingCostIncTax    string          `json:"wrapping_cost_inc_tax"`
	WrappingCostTax       string          `json:"wrapping_cost_tax"`
	WrappingMessage       string          `json:"wrapping_message"`
	QuantityShipped       int             `json:"quantity_shipped"`
	FixedShippingCost     string          `json:"fixed_shipping_cost"`
	EbayItemID            string          `json:"ebay_item_id"`
	EbayTransactionID     string          `json:"ebay_transaction_id"`
	OptionSetID           *int64          `json:"option_set_id"`
	ParentOrderProductID  *int64          `json:"parent_order_product_id"`
	IsBundledProduct      bool            `json:"is_bundled_product"`
	BinPickingNumber      string          `json:"bin_picking_number"`
	ExternalID            *string         `json:"external_id"`
	Brand                 string          `json:"brand"`
	AppliedDiscounts      []struct{}      `json:"applied_discounts"`
	ProductOptions        []bigOptionJSON `json:"product_options"`
	ConfigurableFields    []struct{}      `json:"configurable_fields"`
	GiftCertificateID     *int64          `json:"gift_certificate_id"`
	DiscountedTotalIncTax string          `json:"discounted_total_inc_tax"`
}

// bigOptionJSON is the option a variant was chosen by.
type bigOptionJSON struct {
	ID                   int64  `json:"id"`
	OptionID             int64  `json:"option_id"`
	OrderProductID       int64  `json:"order_product_id"`
	ProductOptionID      int64  `json:"product_option_id"`
	DisplayName          string `json:"display_name"`
	DisplayNameCustomer  string `json:"display_name_customer"`
	DisplayNameMerchant  string `json:"display_name_merchant"`
	DisplayValue         string `json:"display_value"`
	DisplayValueCustomer string `json:"display_value_customer"`
	DisplayValueMerchant string `json:"display_value_merchant"`
	Value                string `json:"value"`
	Type                 string `json:"type"`
	Name                 string `json:"name"`
	DisplayStyle         string `json:"display_style"`
}

// bigMoney writes an amount as the v2 API does: four places.
func bigMoney(d decimal.Decimal) string { return d.StringFixed(4) }

// orderJSON renders o as the v2 API would at the moment s describes: the
// order and its products. No tax, shipping or discount: the totals are the
// lines'. A cancelled order keeps its amounts, as BigCommerce does.
func (p *bigPlatform) orderJSON(o *plannedOrder, s snapshot) (order, products []byte, err error) {
	status := bigAwaitingFulfillment
	if s.cancelled {
		status = bigCancelled
	}
	zero := bigMoney(decimal.Zero)
	total := bigMoney(o.Total)
	key := stableHex("bigcommerce", idString(o.ID))
	api := "https://api.bigcommerce.com" + p.store.Prefix() + "/v2/orders/" + idString(o.ID)
	resource := func(name string) bigResource {
		return bigResource{URL: api + "/" + name, Resource: "/orders/" + idString(o.ID) + "/" + name}
	}
	j := bigOrderJSON{
		ID:                    o.ID,
		CustomerID:            o.CustomerID%1_000_000 + 1,
		DateCreated:           s.created.UTC().Format(bigTime),
		DateModified:          s.updated.UTC().Format(bigTime),
		StatusID:              status,
		Status:                bigStatusNames[status],
		SubtotalExTax:         total,
		SubtotalIncTax:        total,
		SubtotalTax:           zero,
		BaseShippingCost:      zero,
		ShippingCostExTax:     zero,
		ShippingCostIncTax:    zero,
		ShippingCostTax:       zero,
		BaseHandlingCost:      zero,
		HandlingCostExTax:     zero,
		HandlingCostIncTax:    zero,
		HandlingCostTax:       zero,
		BaseWrappingCost:      zero,
		WrappingCostExTax:     zero,
		WrappingCostIncTax:    zero,
		WrappingCostTax:       zero,
		TotalExTax:            total,
		TotalIncTax:           total,
		TotalTax:              zero,
		PaymentMethod:         "Credit Card",
		PaymentStatus:         "captured",
		RefundedAmount:        zero,
		StoreCreditAmount:     zero,
		GiftCertificateAmount: zero,
		IPAddress:             "198.51.100." + idString(int64(o.Number%250+1)),
		GeoipCountry:          o.Address.Country,
		GeoipCountryISO2:      o.Address.CountryCode,
		CurrencyID:            1,
		CurrencyCode:          "USD",
		CurrencyExchangeRate:  "1.0000000000",
		DefaultCurrencyID:     1,
		DefaultCurrencyCode:   "USD",
		CustomerMessage:       s.note,
		DiscountAmount:        zero,
		CouponDiscount:        zero,
		ShippingAddressCount:  1,
		EbayOrderID:           "0",
		CartID:                key[0:8] + "-" + key[8:12] + "-4" + key[13:16] + "-a" + key[17:20] + "-" + key[20:32],
		BillingAddress: bigAddressJSON{
			FirstName: o.First, LastName: o.Last, Street1: o.Address.Address1, City: o.Address.City,
			State: o.Address.Province, Zip: o.Address.Zip, Country: o.Address.Country, CountryISO2: o.Address.CountryCode,
			Phone: o.Phone, Email: o.Email, FormFields: []struct{}{},
		},
		IsEmailOptIn:          o.Number%3 == 0,
		OrderSource:           "www",
		ChannelID:             1,
		Products:              resource("products"),
		ShippingAddresses:     resource("shippingaddresses"),
		Coupons:               resource("coupons"),
		TaxProviderID:         "BasicTaxProvider",
		StoreDefaultToTxnRate: "1.0000000000",
		CustomStatus:          bigStatusNames[status],
		CustomerLocale:        "en",
		Fees:                  []struct{}{},
	}
	ps := []bigProductJSON{}
	for _, l := range o.Lines {
		j.ItemsTotal += l.Quantity
		price := bigMoney(l.Product.Price)
		lineTotal := bigMoney(l.Product.Price.Mul(decimal.NewFromInt(int64(l.Quantity))))
		pj := bigProductJSON{
			ID: l.ID, OrderID: o.ID, ProductID: l.ProductID, OrderAddressID: int64(o.Number),
			Name: l.Product.Title, NameCustomer: l.Product.Title, NameMerchant: l.Product.Title,
			SKU: l.Product.SKU, Type: "physical",
			BasePrice: price, PriceExTax: price, PriceIncTax: price, PriceTax: zero,
			BaseTotal: lineTotal, TotalExTax: lineTotal, TotalIncTax: lineTotal, TotalTax: zero,
			Weight: decimal.New(int64(l.Product.Grams), -3).StringFixed(4), Width: zero, Height: zero, Depth: zero,
			Quantity:      l.Quantity,
			BaseCostPrice: zero, CostPriceIncTax: zero, CostPriceExTax: zero, CostPriceTax: zero,
			RefundAmount:     zero,
			BaseWrappingCost: zero, WrappingCostExTax: zero, WrappingCostIncTax: zero, WrappingCostTax: zero,
			FixedShippingCost:     zero,
			Brand:                 l.Product.Vendor,
			AppliedDiscounts:      []struct{}{},
			ProductOptions:        []bigOptionJSON{},
			ConfigurableFields:    []struct{}{},
			DiscountedTotalIncTax: lineTotal,
		}
		if v := l.Product.Variant; v != "" {
			pj.VariantID = l.VariantID
			pj.ProductOptions = append(pj.ProductOptions, bigOptionJSON{
				ID: l.ID, OptionID: 1, OrderProductID: l.ID, ProductOptionID: 1,
				DisplayName: "Variant", DisplayNameCustomer: "Variant", DisplayNameMerchant: "Variant",
				DisplayValue: v, DisplayValueCustomer: v, DisplayValueMerchant: v, Value: v,
				Type: "Multiple choice", Name: "Variant", DisplayStyle: "Rectangle",
			})
		}
		ps = append(ps, pj)
	}
	if order, err = json.Marshal(j); err != nil {
		return nil, nil, err
	}
	if products, err = json.Marshal(ps); err != nil {
		return nil, nil, err
	}
	return order, products, nil
}
