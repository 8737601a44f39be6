package fishbowl

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/shopspring/decimal"
)

// inventoryRow is one row of GET /api/parts/inventory.
type inventoryRow struct {
	PartNumber string   `json:"partNumber"`
	Quantity   quantity `json:"quantity"`
}

// maxPartQueries is how many SKUs are asked for one by one; for more, the
// whole inventory is read page by page, which costs fewer calls.
const maxPartQueries = 20

// inventory returns the quantity Fishbowl's part inventory reports for each
// of skus it has a part for, summed over its rows (a part stocked in
// several locations may have one each). The quantity may be negative where
// issued orders hold more than is on hand.
func (c *Client) inventory(ctx context.Context, skus []string, o op) (map[string]decimal.Decimal, error) {
	want := make(map[string]bool, len(skus))
	for _, s := range skus {
		want[s] = true
	}
	got := make(map[string]decimal.Decimal, len(want))
	if len(want) > maxPartQueries {
		return got, c.inventoryPages(ctx, "", want, got, o)
	}
	for sku := range want {
		if err := c.inventoryPages(ctx, sku, want, got, o); err != nil {
			return nil, err
		}
	}
	return got, nil
}

// inventoryPages reads every page of the inventory search for number (all
// parts if ""), adding the rows of wanted parts to got. Fishbowl's number
// filter may match more than the one part, so only the rows of that part
// are counted.
func (c *Client) inventoryPages(ctx context.Context, number string, want map[string]bool, got map[string]decimal.Decimal, o op) error {
	for p := 1; p <= maxPages; p++ {
		q := url.Values{
			"pageNumber":            {strconv.Itoa(p)},
			"pageSize":              {strconv.Itoa(pageSize)},
			"includeZeroQuantities": {"true"},
		}
		if number != "" {
			q.Set("number", number)
		}
		var res page[inventoryRow]
		r := request{method: http.MethodGet, path: "/api/parts/inventory", query: q, what: "part inventory (Part and Inventory modules)"}
		if err := c.do(ctx, r, o, &res); err != nil {
			return err
		}
		for _, row := range res.Results {
			if number != "" && row.PartNumber != number {
				continue // counted in its own part's query, if wanted
			}
			if want[row.PartNumber] {
				got[row.PartNumber] = got[row.PartNumber].Add(row.Quantity.Decimal)
			}
		}
		if len(res.Results) == 0 || p >= res.TotalPages {
			return nil
		}
	}
	return nil
}
