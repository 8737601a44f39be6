package cin7

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/erp"
)

// saleListLimit is the page size of the sale lookup. A filter on our
// external id matches one sale, or a few when earlier ones were voided.
const saleListLimit = 100

// findSales returns the sales Cin7 holds under our external id.
func (c *Client) findSales(ctx context.Context, externalID string, k call) ([]saleListRow, error) {
	q := url.Values{"ExternalID": {externalID}, "Page": {"1"}, "Limit": {strconv.Itoa(saleListLimit)}}
	var l saleList
	if err := c.do(ctx, http.MethodGet, "/saleList", q, nil, &l, k); err != nil {
		return nil, fmt.Errorf("list sales: %w", err)
	}
	if l.Total > len(l.SaleList) {
		// Our filter matches a handful at most; this many means it was
		// not applied, and a page of someone else's sales proves nothing.
		return nil, fmt.Errorf("list sales: %d sales match ExternalID %s, more than one page: is the ExternalID filter applied?", l.Total, externalID)
	}
	var rows []saleListRow
	for _, r := range l.SaleList {
		if r.ExternalID == externalID { // the filter's matching is not documented: be exact
			rows = append(rows, r)
		}
	}
	return rows, nil
}

// pick chooses the sale that stands for the order: the first one not
// voided, or else the last voided one.
func pick(rows []saleListRow) (saleListRow, bool) {
	for _, r := range rows {
		if r.Status != statusVoided {
			return r, true
		}
	}
	if len(rows) == 0 {
		return saleListRow{}, false
	}
	return rows[len(rows)-1], true
}

// getSale reads one sale with its order lines.
func (c *Client) getSale(ctx context.Context, id string, k call) (sale, error) {
	var s sale
	q := url.Values{"ID": {id}, "HideInventoryMovements": {"true"}}
	if err := c.do(ctx, http.MethodGet, "/sale", q, nil, &s, k); err != nil {
		return sale{}, fmt.Errorf("read sale %s: %w", id, err)
	}
	if s.ID == "" {
		s.ID = id
	}
	return s, nil
}

// findSale returns the sale that stands for the order, read in full.
func (c *Client) findSale(ctx context.Context, externalID string, k call) (sale, bool, error) {
	rows, err := c.findSales(ctx, externalID, k)
	if err != nil {
		return sale{}, false, err
	}
	row, ok := pick(rows)
	if !ok {
		return sale{}, false, nil
	}
	s, err := c.getSale(ctx, row.SaleID, k)
	return s, err == nil, err
}

// Lookup finds the sale Cin7 holds under our external id.
func (c *Client) Lookup(ctx context.Context, externalID string) (erp.Receipt, error) {
	s, ok, err := c.findSale(ctx, externalID, readCall)
	if err != nil {
		return erp.Receipt{}, fmt.Errorf("cin7: look up sale %s: %w", externalID, err)
	}
	if !ok {
		return erp.Receipt{}, fmt.Errorf("cin7: look up sale %s: %w", externalID,
			erp.Errorf(erp.ErrNotFound, "", "no sale with ExternalID %s", externalID))
	}
	return receipt(externalID, s), nil
}

// acknowledged are the sale statuses of an authorised order: ORDERED and
// BACKORDERED, and every later stage.
var acknowledged = map[string]bool{
	statusOrdered: true, statusBackordered: true,
	"PICKING": true, "PICKED": true, "PACKING": true, "PACKED": true, "SHIPPING": true, "SHIPPED": true,
	"INVOICING": true, "INVOICED": true, "CREDITED": true, "COMPLETED": true,
}

// receipt says what a sale means for the gate.
func receipt(externalID string, s sale) erp.Receipt {
	rc := erp.Receipt{Ref: s.ID, ExternalID: externalID, ShipBy: cin7Time(s.ShipBy)}
	var lines []orderLine
	var orderStatus string
	if s.Order != nil {
		lines, orderStatus = s.Order.Lines, s.Order.Status
	}
	switch {
	case s.Status == statusVoided && len(lines) == 0:
		// Submit voids a sale Cin7 refused the lines of; a cancelled
		// order had its lines.
		rc.Status = erp.StatusRejected
		rc.Reason = "Cin7 holds the sale voided with no order lines: its order was refused (an unknown SKU) or it was voided before its order was authorised"
	case s.Status == statusVoided:
		rc.Status = erp.StatusCancelled
		rc.Lines = receiptLines(lines, false)
	case acknowledged[s.Status] && orderStatus == orderAuthNoAlloc:
		// Authorised without stock allocation: recorded, nothing reserved.
		rc.Status = erp.StatusAcknowledged
		rc.Lines = receiptLines(lines, false)
		for i := range rc.Lines {
			rc.Lines[i].Short = erp.ShortBackordered
		}
	case acknowledged[s.Status]:
		rc.Status = erp.StatusAcknowledged
		rc.Lines = receiptLines(lines, true)
	case s.Status == statusDraft || s.Status == statusEstimating || s.Status == statusEstimated || s.Status == statusOrdering:
		// Created, never authorised: the client stopped between /sale
		// and /sale/order, and only a Submit finishes it.
		rc.Status = erp.StatusIncomplete
		rc.Lines = receiptLines(lines, false)
	default:
		// A status this client does not know: recorded; poll it.
		rc.Status = erp.StatusPending
		rc.Lines = receiptLines(lines, false)
	}
	return rc
}

// receiptLines turns order lines into receipt lines. Validated lines have
// what Cin7 did not backorder; others have nothing validated. A fractional
// quantity, which no storefront order has, counts up when ordered and down
// when validated.
func receiptLines(lines []orderLine, validated bool) []erp.Line {
	out := make([]erp.Line, 0, len(lines))
	for _, l := range lines {
		ordered := int(l.Quantity.Ceil().IntPart())
		line := erp.Line{SKU: l.SKU, Ordered: ordered}
		if validated {
			v := int(l.Quantity.Sub(l.BackorderQuantity).Floor().IntPart())
			line.Validated = max(0, min(v, ordered))
			if line.Validated < ordered {
				line.Short = erp.ShortBackordered
			}
		}
		out = append(out, line)
	}
	return out
}

// Availability reads /ref/productavailability: the sum of Available over
// each SKU's locations, batches and bins, floored and never below 0. A few
// SKUs are asked for one at a time; more, by reading the whole list.
func (c *Client) Availability(ctx context.Context, skus []string) (map[string]int, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("cin7: availability: %w: %w", &erp.Error{Kind: erp.ErrUnavailable}, err)
	}
	want := make(map[string]bool, len(skus))
	for _, s := range skus {
		want[s] = true
	}
	sums := make(map[string]decimal.Decimal, len(want))
	// count adds a row of the SKUs asked for. The Sku filter's matching
	// is not documented, so rows are matched exactly, and a filtered
	// reply counts only for its own SKU.
	count := func(only string) func(availabilityLine) {
		return func(r availabilityLine) {
			if want[r.SKU] && (only == "" || r.SKU == only) {
				sums[r.SKU] = sums[r.SKU].Add(r.Available)
			}
		}
	}
	var err error
	if len(want) <= maxFilteredSKUs {
		for sku := range want {
			if err = c.availabilityPages(ctx, url.Values{"Sku": {sku}}, count(sku)); err != nil {
				break
			}
		}
	} else {
		err = c.availabilityPages(ctx, url.Values{}, count(""))
	}
	if err != nil {
		return nil, fmt.Errorf("cin7: availability of %d skus: %w", len(want), err)
	}
	out := make(map[string]int, len(sums))
	for sku, n := range sums {
		out[sku] = int(max(0, n.Floor().IntPart()))
	}
	return out, nil
}

const (
	// maxFilteredSKUs is how many SKUs are asked for one by one; more cost
	// more calls than reading the list, a page of which holds 1000 rows.
	maxFilteredSKUs = 3
	// availabilityLimit is Cin7's largest page.
	availabilityLimit = 1000
	// maxPages stops a reply whose Total never comes.
	maxPages = 1000
)

// availabilityPages reads every page of /ref/productavailability with the
// filter q.
func (c *Client) availabilityPages(ctx context.Context, q url.Values, visit func(availabilityLine)) error {
	seen := 0
	for page := 1; ; page++ {
		if page > maxPages {
			return fmt.Errorf("productavailability: more than %d pages", maxPages)
		}
		q.Set("Page", strconv.Itoa(page))
		q.Set("Limit", strconv.Itoa(availabilityLimit))
		var l availabilityList
		if err := c.do(ctx, http.MethodGet, "/ref/productavailability", q, nil, &l, readCall); err != nil {
			return fmt.Errorf("productavailability page %d: %w", page, err)
		}
		for _, r := range l.Rows {
			visit(r)
		}
		seen += len(l.Rows)
		if len(l.Rows) == 0 || seen >= l.Total {
			return nil
		}
	}
}
