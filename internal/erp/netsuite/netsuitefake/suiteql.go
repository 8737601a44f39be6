package netsuitefake

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The SuiteQL statements the fake understands. itemQuery: items with their
// id, itemid and quantity available summed over locations, chosen by
// itemid or id. customerByExternalID: the id of the customer with an
// external id. customerByEmail: the ids of the active customers with an
// e-mail, in any case, by id.
var (
	itemQuery = regexp.MustCompile(`^SELECT item\.id AS id, item\.itemid AS sku, SUM\(loc\.quantityavailable\) AS available` +
		` FROM item LEFT JOIN inventoryitemlocations loc ON loc\.item = item\.id` +
		` WHERE item\.(itemid|id) IN \((.*)\)` +
		` GROUP BY item\.id, item\.itemid$`)
	customerByExternalID = regexp.MustCompile(`^SELECT id FROM customer WHERE externalid = ('.*')$`)
	customerByEmail      = regexp.MustCompile(`^SELECT id FROM customer WHERE LOWER\(email\) = ('.*') AND isinactive = 'F' ORDER BY id$`)
)

// suiteQL is POST /services/rest/query/v1/suiteql. NetSuite wants
// "Prefer: transient" on it; rows come as lower-case columns with numbers
// as strings, a null column left out; limit and offset page them.
func (f *Fake) suiteQL(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Prefer") != "transient" {
		writeError(w, http.StatusBadRequest, "Bad Request", detail{Detail: "Missing or invalid header Prefer: transient.", Code: "INVALID_HEADER", Header: "Prefer"})
		return
	}
	var body struct {
		Q string `json:"q"`
	}
	if err := json.Unmarshal(mustBody(r), &body); err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request", detail{Detail: "Invalid JSON: " + err.Error(), Code: "INVALID_CONTENT"})
		return
	}
	rows, ok := f.itemRows(body.Q)
	if !ok {
		rows, ok = f.customerRows(body.Q)
	}
	if !ok {
		writeError(w, http.StatusBadRequest, "Bad Request", detail{Detail: "Invalid search query. Detailed unprocessed description follows. Search error occurred: Invalid or unsupported search.", Code: "INVALID_PARAMETER"})
		return
	}

	q := r.URL.Query()
	limit, offset := 1000, 0
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 {
		limit = min(n, 1000)
	}
	if n, err := strconv.Atoi(q.Get("offset")); err == nil && n >= 0 {
		offset = n
	}
	page := rows[min(offset, len(rows)):min(offset+limit, len(rows))]
	writeJSON(w, http.StatusOK, map[string]any{
		"links":        []map[string]string{{"rel": "self", "href": link(r, suiteQLPath+"?"+r.URL.RawQuery)}},
		"count":        len(page),
		"hasMore":      offset+len(page) < len(rows),
		"items":        page,
		"offset":       offset,
		"totalResults": len(rows),
	})
}

// itemRows answers itemQuery; false if q is not it.
func (f *Fake) itemRows(q string) ([]map[string]any, bool) {
	m := itemQuery.FindStringSubmatch(q)
	if m == nil {
		return nil, false
	}
	keys, ok := literals(m[2])
	if !ok {
		return nil, false
	}
	byID := m[1] == "id"
	f.mu.Lock()
	var rows []map[string]any
	for _, it := range f.items {
		k := it.sku
		if byID {
			k = it.id
		}
		if !slices.Contains(keys, k) {
			continue
		}
		row := map[string]any{"links": []any{}, "id": it.id, "sku": it.sku}
		if len(it.stock) > 0 {
			row["available"] = strconv.Itoa(it.available())
		}
		rows = append(rows, row)
	}
	f.mu.Unlock()
	slices.SortFunc(rows, func(a, b map[string]any) int { return strings.Compare(a["id"].(string), b["id"].(string)) })
	return rows, true
}

// customerRows answers customerByExternalID and customerByEmail; false if
// q is neither.
func (f *Fake) customerRows(q string) ([]map[string]any, bool) {
	match := func(c *customer, key string) bool { return c.externalID != "" && c.externalID == key }
	m := customerByExternalID.FindStringSubmatch(q)
	if m == nil {
		m = customerByEmail.FindStringSubmatch(q)
		match = func(c *customer, key string) bool {
			return !c.inactive && c.email != "" && strings.ToLower(c.email) == key
		}
	}
	if m == nil {
		return nil, false
	}
	keys, ok := literals(m[1])
	if !ok || len(keys) != 1 {
		return nil, false
	}
	f.mu.Lock()
	var ids []string
	for _, c := range f.customers {
		if match(c, keys[0]) {
			ids = append(ids, c.id)
		}
	}
	f.mu.Unlock()
	slices.SortFunc(ids, compareIDs)
	rows := []map[string]any{}
	for _, id := range ids {
		rows = append(rows, map[string]any{"links": []any{}, "id": id})
	}
	return rows, true
}

// literals parses a SQL IN list of quoted strings (a quote in one doubled) or
// integers.
func literals(s string) ([]string, bool) {
	var out []string
	for s = strings.TrimSpace(s); s != ""; {
		if s[0] == '\'' {
			var b strings.Builder
			i := 1
			for ; i < len(s); i++ {
				if s[i] == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						b.WriteByte('\'')
						i++
						continue
					}
					break
				}
				b.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, false
			}
			out = append(out, b.String())
			s = s[i+1:]
		} else {
			end := strings.IndexByte(s, ',')
			if end < 0 {
				end = len(s)
			}
			n := strings.TrimSpace(s[:end])
			if _, err := strconv.Atoi(n); err != nil {
				return nil, false
			}
			out = append(out, n)
			s = s[end:]
		}
		s = strings.TrimSpace(s)
		if s == "" {
			break
		}
		if s[0] != ',' {
			return nil, false
		}
		s = strings.TrimSpace(s[1:])
	}
	return out, len(out) > 0
}
