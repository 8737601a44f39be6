package netsuite

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/order"
)

const salesOrderPath = "/services/rest/record/v1/salesOrder/"

// ref is a NetSuite record reference.
type ref struct {
	ID      string `json:"id"`
	RefName string `json:"refName,omitempty"`
}

// salesOrderBody is what Submit sends.
type salesOrderBody struct {
	Entity          ref              `json:"entity"`
	Location        *ref             `json:"location,omitempty"`
	OrderStatus     string           `json:"orderStatus"`
	OtherRefNum     string           `json:"otherRefNum,omitempty"`
	Email           string           `json:"email,omitempty"`
	ShippingAddress *shipAddressBody `json:"shippingAddress,omitempty"`
	Item            itemSublist      `json:"item"`
}

// shipAddressBody is the sales order's shippingAddress subrecord: the
// fields of NetSuite's address (addressee, attention, addr1, addr2, city,
// state, zip, country, addrPhone). Sent, it replaces the ship-to the
// order would take from the customer's default shipping address.
type shipAddressBody struct {
	Addressee string `json:"addressee,omitempty"`
	Attention string `json:"attention,omitempty"`
	Addr1     string `json:"addr1,omitempty"`
	Addr2     string `json:"addr2,omitempty"`
	City      string `json:"city,omitempty"`
	State     string `json:"state,omitempty"`
	Zip       string `json:"zip,omitempty"`
	Country   string `json:"country,omitempty"`
	AddrPhone string `json:"addrPhone,omitempty"`
}

// shipAddress is the order's ship-to as NetSuite's address subrecord, or
// nil when the order has none, so that no empty subrecord is sent:
//
//   - addressee is the company when there is one, with the person as
//     attention (NetSuite's "Attn:" line), else the person;
//   - addr1 and addr2 are the street lines, the second moving up when the
//     first is blank;
//   - state is the region's code when the storefront gave one (Shopify's
//     province_code, WooCommerce's state), else its name (BigCommerce
//     gives only names);
//   - country is the ISO 3166-1 alpha-2 code, which is how NetSuite names
//     its countries ("US"); without one it is left off, since NetSuite
//     refuses a country's name;
//   - addrPhone only when NetSuite would take it (see customerPhone).
func shipAddress(a *order.Address) *shipAddressBody {
	if a == nil {
		return nil
	}
	t := strings.TrimSpace
	b := shipAddressBody{
		Addressee: t(a.Name),
		Addr1:     t(a.Line1),
		Addr2:     t(a.Line2),
		City:      t(a.City),
		State:     firstNonEmpty(a.RegionCode, a.Region),
		Zip:       t(a.PostalCode),
		AddrPhone: customerPhone(a.Phone),
	}
	if c := t(a.Company); c != "" {
		b.Addressee, b.Attention = c, b.Addressee
	}
	if b.Addr1 == "" {
		b.Addr1, b.Addr2 = b.Addr2, ""
	}
	if c := strings.ToUpper(strings.TrimSpace(a.CountryCode)); len(c) == 2 {
		b.Country = c
	}
	if b == (shipAddressBody{}) {
		return nil
	}
	return &b
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

type itemSublist struct {
	Items []itemLineBody `json:"items"`
}

type itemLineBody struct {
	Item     ref         `json:"item"`
	Quantity int         `json:"quantity"`
	Rate     json.Number `json:"rate,omitempty"` // a decimal, sent as a JSON number without passing through a float
}

// closeLinesBody closes lines by their key, leaving the others as they are.
type closeLinesBody struct {
	Item struct {
		Items []closeLine `json:"items"`
	} `json:"item"`
}

type closeLine struct {
	Line     json.Number `json:"line"`
	IsClosed bool        `json:"isClosed"`
}

// salesOrderRecord is what NetSuite returns for a sales order fetched with
// expandSubResources=true.
type salesOrderRecord struct {
	ID          flexString `json:"id"`
	ExternalID  string     `json:"externalId"`
	TranID      string     `json:"tranId"`
	OrderStatus enumValue  `json:"orderStatus"`
	ShipDate    string     `json:"shipDate"`
	Item        struct {
		Items []salesOrderLine `json:"items"`
	} `json:"item"`
}

type salesOrderLine struct {
	Line                json.Number      `json:"line"`
	Item                ref              `json:"item"`
	Quantity            decimal.Decimal  `json:"quantity"`
	QuantityCommitted   *decimal.Decimal `json:"quantityCommitted"`
	QuantityBackOrdered *decimal.Decimal `json:"quantityBackOrdered"`
	QuantityFulfilled   *decimal.Decimal `json:"quantityFulfilled"`
	IsClosed            bool             `json:"isClosed"`
}

// enumValue is a select field: NetSuite sends {"id": "B", "refName":
// "Pending Fulfillment"}, or just "B" with simpleEnumFormat.
type enumValue struct {
	ID      string
	RefName string
}

func (e *enumValue) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		e.ID = s
		return nil
	}
	var r ref
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	e.ID, e.RefName = r.ID, r.RefName
	return nil
}

// Sales order statuses (orderStatus ids; the SalesOrd:A…H of searches).
const (
	statusPendingApproval    = "A"
	statusPendingFulfillment = "B"
	statusCancelled          = "C"
	statusClosed             = "H"
)

// statusOf maps orderStatus to ours: A (Pending Approval) has committed
// nothing yet; B (Pending Fulfillment) and what follows it (D partially
// fulfilled, E pending billing/partially fulfilled, F pending billing, G
// billed) have committed stock; C (Cancelled) and H (Closed) released it.
// Anything else is taken as not yet validated.
func statusOf(orderStatus string) erp.Status {
	switch orderStatus {
	case "B", "D", "E", "F", "G":
		return erp.StatusAcknowledged
	case statusCancelled, statusClosed:
		return erp.StatusCancelled
	}
	return erp.StatusPending
}

// receipt turns a sales order into our receipt. skuOf maps item internal
// ids to SKUs; an item it lacks keeps NetSuite's name for it.
func receipt(rec salesOrderRecord, externalID string, skuOf map[string]string) erp.Receipt {
	rc := erp.Receipt{
		Ref:        string(rec.ID),
		ExternalID: externalID,
		Status:     statusOf(rec.OrderStatus.ID),
		Lines:      make([]erp.Line, 0, len(rec.Item.Items)),
	}
	if d, err := time.Parse(time.DateOnly, rec.ShipDate); err == nil {
		rc.ShipBy = d
	}
	for _, l := range rec.Item.Items {
		sku, ok := skuOf[l.Item.ID]
		if !ok {
			sku = l.Item.RefName
		}
		line := erp.Line{SKU: sku, Ordered: int(l.Quantity.Round(0).IntPart())}
		if rc.Status == erp.StatusAcknowledged {
			line.Validated = validated(l, line.Ordered)
			if line.Validated < line.Ordered {
				line.Short = erp.ShortBackordered
			}
		} else if rc.Status == erp.StatusCancelled {
			line.Validated = min(line.Ordered, int(zeroIfNil(l.QuantityFulfilled).Floor().IntPart()))
		}
		rc.Lines = append(rc.Lines, line)
	}
	return rc
}

// validated is how much of an approved line NetSuite holds for the
// customer: what it did not backorder, or, where it reports no backorder,
// what it committed or already fulfilled. A closed line holds only what
// was fulfilled. A line that reports neither (a non-inventory item, say)
// counts as not validated, so that a missing field can never pass for a
// clean acknowledgment.
func validated(l salesOrderLine, ordered int) int {
	fulfilled := zeroIfNil(l.QuantityFulfilled)
	var v decimal.Decimal
	switch {
	case l.IsClosed:
		v = fulfilled
	case l.QuantityBackOrdered != nil:
		v = l.Quantity.Sub(*l.QuantityBackOrdered)
	case l.QuantityCommitted != nil:
		v = l.QuantityCommitted.Add(fulfilled)
	default:
		v = fulfilled
	}
	n := int(v.Floor().IntPart())
	return max(0, min(n, ordered))
}

func zeroIfNil(d *decimal.Decimal) decimal.Decimal {
	if d == nil {
		return decimal.Zero
	}
	return *d
}
