package admin

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront/shopify"
)

// Snapshot is one order as the Admin API returned it: the order, decoded
// exactly as the webhook decoder (shopify.DecodeOrder) decodes the same
// order, and the cancellation details a webhook delivery carries beside it.
type Snapshot struct {
	Order order.Order
	// CancelledAt is when the order was cancelled; zero if it was not.
	CancelledAt time.Time
	// CancelReason is the OrderCancelReason in the webhook's spelling
	// ("customer", "fraud", "inventory", "declined", "other", "staff");
	// empty if the order was not cancelled.
	CancelReason string
}

// Cancelled reports whether Shopify has cancelled the order.
func (s Snapshot) Cancelled() bool { return !s.CancelledAt.IsZero() }

// orderNode is the part of a GraphQL Order the gate reads; orderFields in
// queries.go selects exactly these.
type orderNode struct {
	ID               string    `json:"id"`
	LegacyResourceID unsigned  `json:"legacyResourceId"`
	Name             string    `json:"name"`
	Email            string    `json:"email"`
	Phone            string    `json:"phone"`
	CurrencyCode     string    `json:"currencyCode"`
	CreatedAt        timestamp `json:"createdAt"`
	UpdatedAt        timestamp `json:"updatedAt"`
	CancelledAt      timestamp `json:"cancelledAt"`
	CancelReason     string    `json:"cancelReason"`
	TotalPriceSet    *moneyBag `json:"totalPriceSet"`
	Customer         *struct {
		FirstName           string `json:"firstName"`
		LastName            string `json:"lastName"`
		DefaultEmailAddress *struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"defaultEmailAddress"`
		DefaultPhoneNumber *struct {
			PhoneNumber string `json:"phoneNumber"`
		} `json:"defaultPhoneNumber"`
	} `json:"customer"`
	BillingAddress  *mailingAddress `json:"billingAddress"`
	ShippingAddress *mailingAddress `json:"shippingAddress"`
	LineItems       lineItemPage    `json:"lineItems"`
}

// mailingAddress is a MailingAddress. The billing address is asked for
// its name and phone only; the shipping address in full.
type mailingAddress struct {
	Name          string `json:"name"`
	Company       string `json:"company"`
	Address1      string `json:"address1"`
	Address2      string `json:"address2"`
	City          string `json:"city"`
	Province      string `json:"province"`
	ProvinceCode  string `json:"provinceCode"`
	Zip           string `json:"zip"`
	Country       string `json:"country"`
	CountryCodeV2 string `json:"countryCodeV2"`
	Phone         string `json:"phone"`
}

// shipTo is the address as the webhook decoder makes the ship-to of
// shipping_address (shopify.ShipTo): trimmed, nil when empty. Shopify
// fills name from the first and last name itself.
func (a *mailingAddress) shipTo() *order.Address {
	if a == nil {
		return nil
	}
	return shopify.ShipTo(order.Address{
		Name:        a.Name,
		Company:     a.Company,
		Line1:       a.Address1,
		Line2:       a.Address2,
		City:        a.City,
		Region:      a.Province,
		RegionCode:  a.ProvinceCode,
		PostalCode:  a.Zip,
		Country:     a.Country,
		CountryCode: a.CountryCodeV2,
		Phone:       a.Phone,
	})
}

type moneyBag struct {
	ShopMoney struct {
		Amount money `json:"amount"`
	} `json:"shopMoney"`
}

func (m *moneyBag) amount() money {
	if m == nil {
		return money{}
	}
	return m.ShopMoney.Amount
}

type pageInfo struct {
	HasNextPage bool   `json:"hasNextPage"`
	EndCursor   string `json:"endCursor"`
}

type lineItemPage struct {
	PageInfo pageInfo       `json:"pageInfo"`
	Nodes    []lineItemNode `json:"nodes"`
}

type lineItemNode struct {
	ID                   string    `json:"id"`
	SKU                  string    `json:"sku"`
	Title                string    `json:"title"`
	Name                 string    `json:"name"`
	Quantity             int       `json:"quantity"`
	OriginalUnitPriceSet *moneyBag `json:"originalUnitPriceSet"`
	RequiresShipping     bool      `json:"requiresShipping"`
}

// DecodeOrderNode decodes one GraphQL Order object, as selected by this
// package's queries, into a Snapshot keyed under storefrontName. Only the
// line items present in the node are decoded; the client fetches the rest
// of a long order's lines itself. Errors wrap shopify.ErrMalformed.
func DecodeOrderNode(storefrontName string, node []byte) (Snapshot, error) {
	var n orderNode
	if err := json.Unmarshal(node, &n); err != nil {
		return Snapshot{}, fmt.Errorf("shopify admin: %w: %v", shopify.ErrMalformed, err)
	}
	s, err := n.snapshot(storefrontName)
	if err != nil {
		return Snapshot{}, fmt.Errorf("shopify admin: %w", err)
	}
	return s, nil
}

// orderID is the REST id the webhook carries: legacyResourceId, checked
// against the global id when both are present.
func (n orderNode) orderID() (string, error) {
	fromGID, gidOK := gidTail(n.ID, "Order")
	switch {
	case n.ID != "" && !gidOK:
		return "", fmt.Errorf("%w: id %q is not an Order global id", shopify.ErrMalformed, n.ID)
	case n.LegacyResourceID.s != "" && gidOK && n.LegacyResourceID.s != fromGID:
		return "", fmt.Errorf("%w: legacyResourceId %s does not match id %s", shopify.ErrMalformed, n.LegacyResourceID.s, n.ID)
	case n.LegacyResourceID.s != "":
		return n.LegacyResourceID.s, nil
	case gidOK:
		return fromGID, nil
	}
	return "", fmt.Errorf("%w: missing order id", shopify.ErrMalformed)
}

func (n orderNode) snapshot(storefrontName string) (Snapshot, error) {
	id, err := n.orderID()
	if err != nil {
		return Snapshot{}, err
	}
	o := order.Order{
		Key:             order.Key{Storefront: storefrontName, ID: id},
		Name:            n.Name,
		Customer:        n.customer(),
		Currency:        n.CurrencyCode,
		Total:           n.TotalPriceSet.amount().d,
		ShipTo:          n.ShippingAddress.shipTo(),
		CapturedAt:      n.CreatedAt.t,
		SourceUpdatedAt: n.UpdatedAt.t,
	}
	if o.SourceUpdatedAt.IsZero() {
		o.SourceUpdatedAt = o.CapturedAt
	}
	lines, ships, err := decodeLines(id, 0, n.LineItems.Nodes)
	if err != nil {
		return Snapshot{}, err
	}
	o.Lines, o.NeedsShipping = lines, ships
	s := Snapshot{Order: o, CancelledAt: n.CancelledAt.t}
	if n.CancelReason != "" {
		s.CancelReason = strings.ToLower(n.CancelReason)
	}
	return s, nil
}

// decodeLines decodes line items the way the webhook decoder does: a
// negative quantity is malformed, the title falls back to the name, and a
// line with no SKU is kept with SKU "" for the gate to flag. ships says
// some line has requiresShipping. first is the index of lines[0] in the
// order, for messages.
func decodeLines(orderID string, first int, lines []lineItemNode) (out []order.LineItem, ships bool, err error) {
	for i, li := range lines {
		ships = ships || li.RequiresShipping
		if li.Quantity < 0 {
			return nil, false, fmt.Errorf("%w: order %s line %d: negative quantity %d", shopify.ErrMalformed, orderID, first+i, li.Quantity)
		}
		var lineID string
		if li.ID != "" {
			var ok bool
			if lineID, ok = gidTail(li.ID, "LineItem"); !ok {
				return nil, false, fmt.Errorf("%w: order %s line %d: id %q is not a LineItem global id", shopify.ErrMalformed, orderID, first+i, li.ID)
			}
		}
		title := li.Title
		if title == "" {
			title = li.Name
		}
		out = append(out, order.LineItem{
			LineID:   lineID,
			SKU:      li.SKU,
			Title:    title,
			Quantity: li.Quantity,
			Price:    li.OriginalUnitPriceSet.amount().d,
		})
	}
	return out, ships, nil
}

// customer picks the contact as the webhook decoder does: the order's own
// email first, then the customer record's; the order's phone, then the
// customer's, then the addresses'; the customer's name, then the addresses'.
// (The webhook's contact_email has no GraphQL field of its own: the Order's
// email is the same address.)
func (n orderNode) customer() order.Customer {
	var c order.Customer
	c.Email = first(n.Email)
	c.Phone = n.Phone // untrimmed, as the webhook decoder leaves it
	if cu := n.Customer; cu != nil {
		c.Name = strings.TrimSpace(cu.FirstName + " " + cu.LastName)
		if cu.DefaultEmailAddress != nil {
			c.Email = first(c.Email, cu.DefaultEmailAddress.EmailAddress)
		}
		if cu.DefaultPhoneNumber != nil {
			c.Phone = first(c.Phone, cu.DefaultPhoneNumber.PhoneNumber)
		}
	}
	for _, a := range []*mailingAddress{n.BillingAddress, n.ShippingAddress} {
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
