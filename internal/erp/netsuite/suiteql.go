package netsuite

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/shopspring/decimal"
)

const suiteQLPath = "/services/rest/query/v1/suiteql"

// maxPerQuery keeps each IN list well under Oracle's 1000 and each reply
// within one page.
const maxPerQuery = 100

// itemRow is one row of itemQuery. SuiteQL names columns in lower case and
// sends numbers as strings.
type itemRow struct {
	ID        flexString       `json:"id"`
	SKU       flexString       `json:"sku"`
	Available *decimal.Decimal `json:"available"`
}

// suiteQLPage is one page of a SuiteQL reply, of rows of type R.
type suiteQLPage[R any] struct {
	Items   []R  `json:"items"`
	HasMore bool `json:"hasMore"`
}

// itemQuery returns the SuiteQL for items, their SKU (the item's Name/Number,
// itemid) and the quantity available summed over the locations, where
// column (item.itemid or item.id) is one of in, already quoted. Items with
// no location rows (non-inventory items) have a null sum.
func itemQuery(column string, in []string) string {
	return "SELECT item.id AS id, item.itemid AS sku, SUM(loc.quantityavailable) AS available" +
		" FROM item LEFT JOIN inventoryitemlocations loc ON loc.item = item.id" +
		" WHERE " + column + " IN (" + strings.Join(in, ", ") + ")" +
		" GROUP BY item.id, item.itemid"
}

// quote is a SuiteQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// queryItems runs itemQuery over keys in chunks and returns every row.
func (c *Client) queryItems(ctx context.Context, column string, keys []string) ([]itemRow, error) {
	var rows []itemRow
	for start := 0; start < len(keys); start += maxPerQuery {
		chunk := keys[start:min(start+maxPerQuery, len(keys))]
		in := make([]string, len(chunk))
		for i, k := range chunk {
			if column == "item.id" {
				in[i] = k // digits, checked by the caller
			} else {
				in[i] = quote(k)
			}
		}
		q := itemQuery(column, in)
		for offset := 0; ; {
			page, err := suiteQL[itemRow](ctx, c, q, offset)
			if err != nil {
				return nil, err
			}
			rows = append(rows, page.Items...)
			if !page.HasMore || len(page.Items) == 0 {
				break
			}
			offset += len(page.Items)
		}
	}
	return rows, nil
}

// suiteQL runs one query and returns a page of its rows. "Prefer:
// transient" is what NetSuite asks of SuiteQL over REST.
func suiteQL[R any](ctx context.Context, c *Client, q string, offset int) (*suiteQLPage[R], error) {
	rep, err := c.send(ctx, request{
		op:     opRead,
		method: http.MethodPost,
		path:   suiteQLPath,
		query:  url.Values{"limit": {"1000"}, "offset": {strconv.Itoa(offset)}},
		body:   map[string]string{"q": q},
		header: map[string]string{"Prefer": "transient"},
	})
	if err != nil {
		return nil, err
	}
	if rep.status != http.StatusOK {
		return nil, c.classify(rep, failure{op: opRead})
	}
	var page suiteQLPage[R]
	if err := decode(rep, &page, opRead); err != nil {
		return nil, err
	}
	return &page, nil
}

// items maps SKUs to NetSuite item internal ids and back. Internal ids are
// never reused, so the cache needs no expiry; a SKU whose item was replaced
// is looked up afresh when NetSuite refuses its cached id.
type items struct {
	mu    sync.Mutex
	bySKU map[string]string
	byID  map[string]string
}

func (it *items) put(rows []itemRow) {
	it.mu.Lock()
	defer it.mu.Unlock()
	for _, r := range rows {
		if r.ID == "" || r.SKU == "" {
			continue
		}
		it.bySKU[string(r.SKU)] = string(r.ID)
		it.byID[string(r.ID)] = string(r.SKU)
	}
}

func (it *items) forget(skus []string) {
	it.mu.Lock()
	defer it.mu.Unlock()
	for _, s := range skus {
		if id, ok := it.bySKU[s]; ok {
			delete(it.byID, id)
			delete(it.bySKU, s)
		}
	}
}

// resolve returns the internal id of each SKU NetSuite knows, and whether
// any came from the cache. With fresh it asks NetSuite for every SKU.
func (c *Client) resolve(ctx context.Context, skus []string, fresh bool) (ids map[string]string, cached bool, err error) {
	ids = make(map[string]string, len(skus))
	var missing []string
	c.items.mu.Lock()
	for _, s := range skus {
		if id, ok := c.items.bySKU[s]; ok && !fresh {
			ids[s], cached = id, true
		} else {
			missing = append(missing, s)
		}
	}
	c.items.mu.Unlock()
	if len(missing) == 0 {
		return ids, cached, nil
	}
	rows, err := c.queryItems(ctx, "item.itemid", missing)
	if err != nil {
		return nil, false, fmt.Errorf("look up items: %w", err)
	}
	c.items.put(rows)
	for _, r := range rows {
		ids[string(r.SKU)] = string(r.ID)
	}
	return ids, cached, nil
}

// skusOf returns the SKU of each item internal id; ids NetSuite no longer
// knows are absent.
func (c *Client) skusOf(ctx context.Context, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	var missing []string
	c.items.mu.Lock()
	for _, id := range ids {
		if s, ok := c.items.byID[id]; ok {
			out[id] = s
		} else if internalIDPattern.MatchString(id) {
			missing = append(missing, id)
		}
	}
	c.items.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	rows, err := c.queryItems(ctx, "item.id", missing)
	if err != nil {
		return nil, fmt.Errorf("look up items: %w", err)
	}
	c.items.put(rows)
	for _, r := range rows {
		out[string(r.ID)] = string(r.SKU)
	}
	return out, nil
}

// flexString takes a JSON string or number as a string.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexString(n.String())
	return nil
}
