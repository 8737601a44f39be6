package cin7

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/order"
)

// Submit creates the sale and authorises its order, or finishes a sale made
// for the order earlier, then reads it back. Every failure whose outcome is
// unclear is erp.ErrInDoubt: Submit itself looks up before it creates, so
// retrying it is safe.
func (c *Client) Submit(ctx context.Context, o order.Order) (erp.Receipt, error) {
	id := o.Key.ExternalID()
	rc, err := c.submit(ctx, o, id)
	if err != nil {
		return erp.Receipt{}, fmt.Errorf("cin7: submit sale %s: %w", id, err)
	}
	return rc, nil
}

func (c *Client) submit(ctx context.Context, o order.Order, id string) (erp.Receipt, error) {
	body, err := c.orderBody(o)
	if err != nil {
		return erp.Receipt{}, err
	}
	s, found, err := c.findSale(ctx, id, submitCall)
	if err != nil {
		return erp.Receipt{}, err
	}
	saleID := ""
	if found {
		switch {
		case s.Status == statusVoided && s.Order != nil && len(s.Order.Lines) > 0:
			// Cancelled in Cin7: a new sale would be a second order.
			return erp.Receipt{}, erp.Errorf(erp.ErrRejected, "", "Cin7 holds sale %s for this order voided (it was cancelled there)", s.ID)
		case s.Status == statusVoided:
			// Voided before it was ever an order (Submit voids a sale
			// whose lines Cin7 refused): nothing stands for the order,
			// so a fresh sale is no duplicate. This lets an operator
			// replay an order once its SKUs exist.
		case awaitingOrder[s.Status]:
			saleID = s.ID // made earlier, never authorised: finish it
		default:
			return receipt(id, s), nil
		}
	}
	if saleID == "" {
		if saleID, err = c.createSale(ctx, o, id); err != nil {
			return erp.Receipt{}, err
		}
	}
	body.SaleID = saleID
	return c.authorise(ctx, o, id, body)
}

// awaitingOrder are the sale statuses whose order may still be placed:
// POST /sale/order takes an order that is NOT AVAILABLE or DRAFT.
var awaitingOrder = map[string]bool{statusDraft: true, statusEstimating: true, statusEstimated: true, statusOrdering: true}

// createSale makes the sale, quote skipped, and returns its ID.
func (c *Client) createSale(ctx context.Context, o order.Order, id string) (string, error) {
	req := saleCreate{
		Customer:          c.customer,
		Email:             o.Customer.Email,
		Phone:             o.Customer.Phone,
		SkipQuote:         true,
		ExternalID:        id,
		CustomerReference: o.Name,
		TaxRule:           c.taxRule,
		ShippingAddress:   shippingAddress(o.ShipTo),
	}
	if req.Customer == "" {
		req.Customer = o.Customer.Name
	} else {
		req.Contact = o.Customer.Name
	}
	if req.Customer == "" {
		req.Customer = o.Customer.Email
	}
	if req.Customer == "" {
		return "", errors.New("the order names no customer and the config sets none (customer)")
	}
	if req.CustomerReference == "" {
		req.CustomerReference = o.Key.ID
	}
	var s sale
	if err := c.do(ctx, http.MethodPost, "/sale", nil, req, &s, submitCall); err != nil {
		return "", fmt.Errorf("create sale: %w", err)
	}
	if s.ID == "" {
		return "", fmt.Errorf("create sale: %w", erp.Errorf(erp.ErrInDoubt, "", "Cin7 answered 200 with no sale ID"))
	}
	return s.ID, nil
}

// shippingAddress is the order's ship-to as the sale's ShippingAddress, or
// nil when the order has none:
//
//   - Contact is the person, Company the company;
//   - Line1 and Line2 are the street lines, the second moving up when the
//     first is blank;
//   - State is the region's code when the storefront gave one, else its
//     name; Country is the country's name when the storefront gave one
//     (Cin7's address model holds a country name), else its ISO code
//     (WooCommerce gives only the code);
//   - ShipToOther is true: the address is this sale's alone. With false,
//     Cin7 adds an address it does not know to the customer's address
//     book, and with one customer for every web order (Config.Customer)
//     that book would fill with every shopper's address.
//
// Cin7 requires Line1 and Country: an address without them is left off
// the sale rather than have Cin7 refuse the sale and with it the order;
// the gate flags an order that needs shipping and whose address lacks a
// street or a country (order.Address.Missing), for an operator to add it
// in Cin7.
func shippingAddress(a *order.Address) *saleAddress {
	if a == nil {
		return nil
	}
	t := strings.TrimSpace
	s := saleAddress{
		Line1:       t(a.Line1),
		Line2:       t(a.Line2),
		City:        t(a.City),
		State:       firstNonEmpty(a.RegionCode, a.Region),
		Postcode:    t(a.PostalCode),
		Country:     firstNonEmpty(a.Country, a.CountryCode),
		Company:     t(a.Company),
		Contact:     t(a.Name),
		ShipToOther: true,
	}
	if s.Line1 == "" {
		s.Line1, s.Line2 = s.Line2, ""
	}
	if s.Line1 == "" || s.Country == "" {
		return nil
	}
	return &s
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// orderBody is the order of o as POST /sale/order takes it, authorised,
// without the sale's ID.
func (c *Client) orderBody(o order.Order) (orderCreate, error) {
	body := orderCreate{Status: orderAuthorised}
	var total decimal.Decimal
	for _, l := range o.Lines {
		if l.Quantity == 0 {
			continue
		}
		if l.Quantity < 0 || l.SKU == "" {
			return orderCreate{}, erp.Errorf(erp.ErrRejected, "", "line %q has quantity %d and SKU %q", l.LineID, l.Quantity, l.SKU)
		}
		price := l.Price.Round(4)
		lineTotal := price.Mul(decimal.NewFromInt(int64(l.Quantity))).Round(4)
		body.Lines = append(body.Lines, orderLineCreate{
			SKU: l.SKU, Name: l.Title, Quantity: l.Quantity,
			Price: amount(price), Total: amount(lineTotal), TaxRule: c.taxRule,
		})
		total = total.Add(lineTotal)
	}
	if len(body.Lines) == 0 {
		return orderCreate{}, erp.Errorf(erp.ErrRejected, "", "the order has no lines to place")
	}
	body.TotalBeforeTax, body.Total = amount(total), amount(total)
	return body, nil
}

// authorise places the sale's order as AUTHORISED, then reads the sale
// back: Cin7 says only there whether it backordered lines.
func (c *Client) authorise(ctx context.Context, o order.Order, id string, body orderCreate) (erp.Receipt, error) {
	err := c.do(ctx, http.MethodPost, "/sale/order", nil, body, nil, submitCall)
	if br, ok := isBadRequest(err); ok {
		return erp.Receipt{}, c.refused(ctx, o, body.SaleID, br)
	}
	if err != nil {
		return erp.Receipt{}, fmt.Errorf("authorise order of sale %s: %w", body.SaleID, err)
	}
	s, err := c.getSale(ctx, body.SaleID, submitCall)
	if err != nil {
		return erp.Receipt{}, err
	}
	return receipt(id, s), nil
}

// refused handles a 400 to the order. If Cin7 does not know some SKUs, the
// order is rejected and the sale voided so that nothing half-made stays
// live. Otherwise the fault is not the order's: the 400 is returned as it
// is, the sale stays a draft (Lookup: pending), and the next Submit tries
// its order again.
func (c *Client) refused(ctx context.Context, o order.Order, saleID string, br *badRequest) error {
	unknown, err := c.unknownSKUs(ctx, o)
	if err != nil {
		return fmt.Errorf("%w; then, finding which SKUs Cin7 lacks: %w", br, err)
	}
	if len(unknown) == 0 {
		return fmt.Errorf("authorise order of sale %s: %w", saleID, br)
	}
	var voided sale
	q := url.Values{"ID": {saleID}, "Void": {"true"}}
	if err := c.do(ctx, http.MethodDelete, "/sale", q, nil, &voided, submitCall); err != nil {
		return fmt.Errorf("void sale %s whose SKUs %s Cin7 does not know: %w", saleID, strings.Join(unknown, ", "), err)
	}
	msg := fmt.Sprintf("Cin7 does not know SKU %s: %s", strings.Join(unknown, ", "), br.words)
	if br.code != "" {
		msg += " (Cin7 code " + br.code + ")"
	}
	return &erp.Error{Kind: erp.ErrRejected, Code: erp.CodeUnknownSKU, Message: msg}
}

// productLimit is the page size of the product lookup.
const productLimit = 100

// unknownSKUs returns the SKUs of o that /product does not have.
func (c *Client) unknownSKUs(ctx context.Context, o order.Order) ([]string, error) {
	var unknown []string
	asked := map[string]bool{}
	for _, l := range o.Lines {
		if l.Quantity <= 0 || asked[l.SKU] {
			continue
		}
		asked[l.SKU] = true
		known, err := c.productExists(ctx, l.SKU)
		if err != nil {
			return nil, err
		}
		if !known {
			unknown = append(unknown, l.SKU)
		}
	}
	return unknown, nil
}

func (c *Client) productExists(ctx context.Context, sku string) (bool, error) {
	seen := 0
	for page := 1; page <= maxPages; page++ {
		q := url.Values{"Sku": {sku}, "Page": {strconv.Itoa(page)}, "Limit": {strconv.Itoa(productLimit)}}
		var l productList
		if err := c.do(ctx, http.MethodGet, "/product", q, nil, &l, submitCall); err != nil {
			return false, fmt.Errorf("look up product %s: %w", sku, err)
		}
		for _, p := range l.Products {
			if p.SKU == sku {
				return true, nil
			}
		}
		seen += len(l.Products)
		if len(l.Products) == 0 || seen >= l.Total {
			return false, nil
		}
	}
	return false, fmt.Errorf("look up product %s: more than %d pages", sku, maxPages)
}
