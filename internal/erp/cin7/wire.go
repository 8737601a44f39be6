package cin7

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Cin7's JSON, only the fields this client reads or writes. Names are
// Cin7's; see testdata/ for whole replies.

// Sale statuses (the "Available Sale Statuses" table).
const (
	statusDraft       = "DRAFT"
	statusVoided      = "VOIDED"
	statusEstimating  = "ESTIMATING"
	statusEstimated   = "ESTIMATED"
	statusOrdering    = "ORDERING"
	statusOrdered     = "ORDERED"
	statusBackordered = "BACKORDERED"
)

// Order statuses (the "Available Order Statuses" table).
const (
	orderAuthorised  = "AUTHORISED"
	orderAuthNoAlloc = "AUTH_NO_ALLOC"
)

// sale is a reply of GET /sale?ID=, POST /sale and DELETE /sale?…&Void=.
type sale struct {
	ID                string     `json:"ID"`
	Status            string     `json:"Status"`
	ExternalID        string     `json:"ExternalID"` // null when unset
	CustomerReference string     `json:"CustomerReference"`
	ShipBy            *string    `json:"ShipBy"`
	Order             *saleOrder `json:"Order"`
}

type saleOrder struct {
	SaleOrderNumber string      `json:"SaleOrderNumber"`
	Status          string      `json:"Status"`
	Lines           []orderLine `json:"Lines"`
}

type orderLine struct {
	ProductID         string          `json:"ProductID"`
	SKU               string          `json:"SKU"`
	Name              string          `json:"Name"`
	Quantity          decimal.Decimal `json:"Quantity"`
	BackorderQuantity decimal.Decimal `json:"BackorderQuantity"` // null reads as 0
}

// saleList is a reply of GET /saleList.
type saleList struct {
	Total    int           `json:"Total"`
	Page     int           `json:"Page"`
	SaleList []saleListRow `json:"SaleList"`
}

type saleListRow struct {
	SaleID      string `json:"SaleID"`
	ExternalID  string `json:"ExternalID"`
	Status      string `json:"Status"`
	OrderStatus string `json:"OrderStatus"`
	OrderNumber string `json:"OrderNumber"`
}

// saleCreate is the body of POST /sale.
type saleCreate struct {
	Customer          string       `json:"Customer"`
	Contact           string       `json:"Contact,omitempty"`
	Email             string       `json:"Email,omitempty"`
	Phone             string       `json:"Phone,omitempty"`
	SkipQuote         bool         `json:"SkipQuote"`
	ExternalID        string       `json:"ExternalID"`
	CustomerReference string       `json:"CustomerReference,omitempty"`
	TaxRule           string       `json:"TaxRule,omitempty"`
	ShippingAddress   *saleAddress `json:"ShippingAddress,omitempty"`
}

// saleAddress is Cin7's Sale Shipping Address Model, the fields this
// client sends. Line1 and Country are required.
type saleAddress struct {
	Line1       string `json:"Line1"`
	Line2       string `json:"Line2,omitempty"`
	City        string `json:"City,omitempty"`
	State       string `json:"State,omitempty"`
	Postcode    string `json:"Postcode,omitempty"`
	Country     string `json:"Country"`
	Company     string `json:"Company,omitempty"`
	Contact     string `json:"Contact,omitempty"`
	ShipToOther bool   `json:"ShipToOther"`
}

// orderCreate is the body of POST /sale/order.
type orderCreate struct {
	SaleID         string            `json:"SaleID"`
	Status         string            `json:"Status"`
	Lines          []orderLineCreate `json:"Lines"`
	TotalBeforeTax amount            `json:"TotalBeforeTax"`
	Tax            amount            `json:"Tax"`
	Total          amount            `json:"Total"`
}

type orderLineCreate struct {
	SKU      string `json:"SKU"`
	Name     string `json:"Name,omitempty"`
	Quantity int    `json:"Quantity"`
	Price    amount `json:"Price"`
	Discount amount `json:"Discount"`
	Tax      amount `json:"Tax"`
	TaxRule  string `json:"TaxRule,omitempty"`
	Total    amount `json:"Total"`
}

// productList is a reply of GET /product.
type productList struct {
	Total    int       `json:"Total"`
	Page     int       `json:"Page"`
	Products []product `json:"Products"`
}

type product struct {
	ID  string `json:"ID"`
	SKU string `json:"SKU"`
}

// availabilityList is a reply of GET /ref/productavailability: one row per
// product, location, batch and bin.
type availabilityList struct {
	Total int                `json:"Total"`
	Page  int                `json:"Page"`
	Rows  []availabilityLine `json:"ProductAvailabilityList"`
}

type availabilityLine struct {
	SKU       string          `json:"SKU"`
	Location  string          `json:"Location"`
	Available decimal.Decimal `json:"Available"`
}

// amount is money or a quantity sent as a JSON number, as Cin7 takes it
// (decimal.Decimal on its own marshals as a string).
type amount decimal.Decimal

func (a amount) MarshalJSON() ([]byte, error) { return []byte(decimal.Decimal(a).String()), nil }

// cin7Time reads Cin7's dates: yyyy-MM-ddTHH:mm:ss[.fff], UTC, sometimes
// with a Z. It returns the zero time for null, empty or unreadable values.
func cin7Time(s *string) time.Time {
	if s == nil {
		return time.Time{}
	}
	v := strings.TrimSpace(*s)
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", time.RFC3339Nano} {
		if t, err := time.ParseInLocation(layout, v, time.UTC); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
