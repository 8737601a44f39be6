package storesim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/ordergate/ordergate/internal/storefront/shopify"
)

// The Shopify topics the simulator sends.
const (
	TopicCreate    = "orders/create"
	TopicUpdated   = "orders/updated"
	TopicCancelled = "orders/cancelled"
)

var shopifyTopics = topicNames{actCreate: TopicCreate, actUpdate: TopicUpdated, actCancel: TopicCancelled}

const shopifyTime = "2006-01-02T15:04:05-07:00"

// shopifyPlatform delivers the whole order in every webhook, signed with
// the app's secret, and keeps the order in the Admin API fake when there is
// one.
type shopifyPlatform struct {
	cfg Config
}

func (p *shopifyPlatform) orderName(o *plannedOrder) string { return "#" + idString(int64(o.Number)) }

func (p *shopifyPlatform) start(context.Context, *Sim) error { return nil }

// render builds the webhook's body and saves the same order, as it stands
// at s, in the Admin API fake. A create overtaken by its update leaves the
// fake alone: it already holds the newer order, which Shopify would list.
func (p *shopifyPlatform) render(o *plannedOrder, e *event, s snapshot) error {
	body, err := o.body(s)
	if err != nil {
		return fmt.Errorf("encode order: %w", err)
	}
	if api := p.cfg.ShopifyAdmin; api != nil && (e.action != actCreate || !o.OutOfOrder) {
		if err := api.PutOrderREST(body); err != nil {
			return fmt.Errorf("admin api: %w", err)
		}
	}
	e.body, e.at = body, s.updated.UTC().Format(time.RFC3339Nano)
	return nil
}

// header returns the headers Shopify sends.
func (p *shopifyPlatform) header(d *delivery) (http.Header, string) {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "Shopify-Captain-Hook")
	h.Set(shopify.HeaderHmac, shopify.Sign(d.Event.body, p.cfg.Secret))
	h.Set(shopify.HeaderTopic, d.Event.Topic)
	h.Set(shopify.HeaderShopDomain, p.cfg.ShopDomain)
	h.Set(shopify.HeaderAPIVersion, p.cfg.APIVersion)
	h.Set(shopify.HeaderWebhookID, d.WebhookID)
	h.Set(shopify.HeaderEventID, d.Event.ID)
	h.Set(shopify.HeaderTriggeredAt, d.Event.at)
	return h, d.WebhookID
}

// orderJSON is an orders/* webhook body with the field names, nulls and
// string-typed amounts of Shopify's own sample (testdata of the shopify
// package). Ids are int64 and encode exactly.
type orderJSON struct {
	ID                    int64          `json:"id"`
	AdminGraphQLAPIID     string         `json:"admin_graphql_api_id"`
	AppID                 *int64         `json:"app_id"`
	BuyerAcceptsMarketing bool           `json:"buyer_accepts_marketing"`
	CancelReason          *string        `json:"cancel_reason"`
	CancelledAt           *string        `json:"cancelled_at"`
	ClosedAt              *string        `json:"closed_at"`
	Confirmed             bool           `json:"confirmed"`
	ContactEmail          string         `json:"contact_email"`
	CreatedAt             string         `json:"created_at"`
	Currency              string         `json:"currency"`
	CurrentSubtotalPrice  string         `json:"current_subtotal_price"`
	CurrentTotalPrice     string         `json:"current_total_price"`
	CustomerLocale        string         `json:"customer_locale"`
	DiscountCodes         []struct{}     `json:"discount_codes"`
	Email                 string         `json:"email"`
	FinancialStatus       string         `json:"financial_status"`
	FulfillmentStatus     *string        `json:"fulfillment_status"`
	Name                  string         `json:"name"`
	Note                  *string        `json:"note"`
	Number                int            `json:"number"`
	OrderNumber           int            `json:"order_number"`
	PaymentGatewayNames   []string       `json:"payment_gateway_names"`
	Phone                 *string        `json:"phone"`
	PresentmentCurrency   string         `json:"presentment_currency"`
	ProcessedAt           string         `json:"processed_at"`
	SourceName            string         `json:"source_name"`
	SubtotalPrice         string         `json:"subtotal_price"`
	Tags                  string         `json:"tags"`
	TaxesIncluded         bool           `json:"taxes_included"`
	Test                  bool           `json:"test"`
	TotalDiscounts        string         `json:"total_discounts"`
	TotalLineItemsPrice   string         `json:"total_line_items_price"`
	TotalPrice            string         `json:"total_price"`
	TotalTax              string         `json:"total_tax"`
	TotalWeight           int            `json:"total_weight"`
	UpdatedAt             string         `json:"updated_at"`
	BillingAddress        addressJSON    `json:"billing_address"`
	ShippingAddress       addressJSON    `json:"shipping_address"`
	Customer              customerJSON   `json:"customer"`
	LineItems             []lineItemJSON `json:"line_items"`
	Fulfillments          []struct{}     `json:"fulfillments"`
	Refunds               []struct{}     `json:"refunds"`
	ShippingLines         []struct{}     `json:"shipping_lines"`
	TaxLines              []struct{}     `json:"tax_lines"`
}

type addressJSON struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Name      string `json:"name"`
	Phone     string `json:"phone"`
	address
}

type customerJSON struct {
	ID                int64   `json:"id"`
	Email             string  `json:"email"`
	FirstName         string  `json:"first_name"`
	LastName          string  `json:"last_name"`
	Phone             *string `json:"phone"`
	State             string  `json:"state"`
	VerifiedEmail     bool    `json:"verified_email"`
	Currency          string  `json:"currency"`
	AdminGraphQLAPIID string  `json:"admin_graphql_api_id"`
}

type lineItemJSON struct {
	ID                  int64      `json:"id"`
	AdminGraphQLAPIID   string     `json:"admin_graphql_api_id"`
	CurrentQuantity     int        `json:"current_quantity"`
	FulfillableQuantity int        `json:"fulfillable_quantity"`
	FulfillmentService  string     `json:"fulfillment_service"`
	FulfillmentStatus   *string    `json:"fulfillment_status"`
	GiftCard            bool       `json:"gift_card"`
	Grams               int        `json:"grams"`
	Name                string     `json:"name"`
	Price               string     `json:"price"`
	ProductExists       bool       `json:"product_exists"`
	ProductID           int64      `json:"product_id"`
	Properties          []struct{} `json:"properties"`
	Quantity            int        `json:"quantity"`
	RequiresShipping    bool       `json:"requires_shipping"`
	SKU                 string     `json:"sku"`
	Taxable             bool       `json:"taxable"`
	Title               string     `json:"title"`
	TotalDiscount       string     `json:"total_discount"`
	VariantID           *int64     `json:"variant_id"`
	VariantTitle        *string    `json:"variant_title"`
	Vendor              string     `json:"vendor"`
	TaxLines            []struct{} `json:"tax_lines"`
}

// body renders o as Shopify would at the moment s describes.
func (o *plannedOrder) body(s snapshot) ([]byte, error) {
	name := o.First + " " + o.Last
	total := o.Total.StringFixed(2)
	j := orderJSON{
		ID:                    o.ID,
		AdminGraphQLAPIID:     "gid://shopify/Order/" + idString(o.ID),
		BuyerAcceptsMarketing: o.Number%3 == 0,
		Confirmed:             true,
		ContactEmail:          o.Email,
		CreatedAt:             s.created.In(shopZone).Format(shopifyTime),
		Currency:              "USD",
		CurrentSubtotalPrice:  total,
		CurrentTotalPrice:     total,
		CustomerLocale:        "en",
		DiscountCodes:         []struct{}{},
		Email:                 o.Email,
		FinancialStatus:       "paid",
		Name:                  "#" + idString(int64(o.Number)),
		Number:                o.Number - 1000,
		OrderNumber:           o.Number,
		PaymentGatewayNames:   []string{"shopify_payments"},
		PresentmentCurrency:   "USD",
		ProcessedAt:           s.created.In(shopZone).Format(shopifyTime),
		SourceName:            "web",
		SubtotalPrice:         total,
		Tags:                  "",
		TotalDiscounts:        "0.00",
		TotalLineItemsPrice:   total,
		TotalPrice:            total,
		TotalTax:              "0.00",
		UpdatedAt:             s.updated.In(shopZone).Format(shopifyTime),
		Customer: customerJSON{
			ID: o.CustomerID, Email: o.Email, FirstName: o.First, LastName: o.Last,
			State: "enabled", VerifiedEmail: true, Currency: "USD",
			AdminGraphQLAPIID: "gid://shopify/Customer/" + idString(o.CustomerID),
		},
		Fulfillments:  []struct{}{},
		Refunds:       []struct{}{},
		ShippingLines: []struct{}{},
		TaxLines:      []struct{}{},
	}
	addr := addressJSON{FirstName: o.First, LastName: o.Last, Name: name, Phone: o.Phone, address: o.Address}
	j.BillingAddress, j.ShippingAddress = addr, addr
	if s.note != "" {
		j.Note = &s.note
	}
	if s.cancelled {
		at := s.updated.In(shopZone).Format(shopifyTime)
		reason := o.CancelReason
		j.CancelledAt, j.ClosedAt, j.CancelReason = &at, &at, &reason
		j.FinancialStatus = "voided"
		j.CurrentSubtotalPrice, j.CurrentTotalPrice = "0.00", "0.00"
	}
	for _, l := range o.Lines {
		li := lineItemJSON{
			ID:                  l.ID,
			AdminGraphQLAPIID:   "gid://shopify/LineItem/" + idString(l.ID),
			CurrentQuantity:     l.Quantity,
			FulfillableQuantity: l.Quantity,
			FulfillmentService:  "manual",
			Grams:               l.Product.Grams,
			Name:                l.Product.Title,
			Price:               l.Product.Price.StringFixed(2),
			ProductExists:       !l.Unknown,
			ProductID:           l.ProductID,
			Properties:          []struct{}{},
			Quantity:            l.Quantity,
			RequiresShipping:    true,
			SKU:                 l.Product.SKU,
			Taxable:             true,
			Title:               l.Product.Title,
			TotalDiscount:       "0.00",
			Vendor:              l.Product.Vendor,
			TaxLines:            []struct{}{},
		}
		if l.Product.Variant != "" {
			v, id := l.Product.Variant, l.VariantID
			li.Name += " - " + v
			li.VariantTitle, li.VariantID = &v, &id
		}
		if s.cancelled {
			li.CurrentQuantity, li.FulfillableQuantity = 0, 0
		}
		j.LineItems = append(j.LineItems, li)
		j.TotalWeight += l.Product.Grams * l.Quantity
	}
	return json.Marshal(j)
}
