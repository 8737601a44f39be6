package shopifyfake

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// PutOrder stores (or replaces) an order given as a GraphQL Order object:
// the fields a client may select, lineItems as a list of LineItem objects.
// It needs legacyResourceId and updatedAt. What the schema never leaves
// out is filled in: a MailingAddress field missing from billingAddress or
// shippingAddress is null, and a LineItem without requiresShipping (a
// non-null Boolean) requires shipping, as a physical good does.
func (s *Server) PutOrder(node map[string]any) error {
	id, _ := node["legacyResourceId"].(string)
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		return fmt.Errorf("shopifyfake: order without a legacyResourceId")
	}
	if _, err := orderTime(node, "updatedAt"); err != nil {
		return fmt.Errorf("shopifyfake: order %s: %w", id, err)
	}
	n := maps.Clone(node)
	n["__typename"] = "Order"
	for _, k := range []string{"billingAddress", "shippingAddress"} {
		if a, ok := n[k].(map[string]any); ok {
			a = maps.Clone(a)
			for _, f := range mailingAddressFields {
				if _, ok := a[f]; !ok {
					a[f] = nil
				}
			}
			n[k] = a
		}
	}
	if lines, ok := n["lineItems"].([]map[string]any); ok {
		c := make(connection, len(lines))
		for i, l := range lines {
			c[i] = maps.Clone(l)
			if _, ok := l["requiresShipping"]; !ok {
				c[i]["requiresShipping"] = true
			}
		}
		n["lineItems"] = c
	}
	if _, ok := n["lineItems"].(connection); !ok {
		n["lineItems"] = connection{}
	}
	if _, ok := n["tags"]; !ok {
		n["tags"] = []any{} // Order.tags is [String!]!
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orders[id] = n
	return nil
}

// PutOrderREST stores an order given as Shopify's REST or webhook JSON
// (bare or wrapped in {"order": …}), converted by OrderFromREST.
func (s *Server) PutOrderREST(body []byte) error {
	n, err := OrderFromREST(body)
	if err != nil {
		return err
	}
	return s.PutOrder(n)
}

// TouchOrder sets an order's updatedAt, as an edit in the shop would.
func (s *Server) TouchOrder(legacyID string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[legacyID]
	if !ok {
		return fmt.Errorf("shopifyfake: no order %s", legacyID)
	}
	o["updatedAt"] = at.UTC().Format(time.RFC3339)
	return nil
}

func orderTime(node map[string]any, field string) (time.Time, error) {
	v, _ := node[field].(string)
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q is not a DateTime", field, v)
	}
	return t, nil
}

// ordersField answers orders(first, after, sortKey, reverse, query).
func (s *Server) ordersField(sel *selection, vars map[string]any) (any, error) {
	if err := s.requireScope("orders", "read_orders"); err != nil {
		return nil, err
	}
	sortKey := "ID"
	if a, ok := sel.args["sortKey"]; ok {
		k, _ := a.resolve(vars).(string)
		sortKey = k
	}
	timeField := map[string]string{"UPDATED_AT": "updatedAt", "CREATED_AT": "createdAt", "ID": ""}
	field, ok := timeField[sortKey]
	if !ok {
		return nil, errorf("argumentLiteralsIncompatible", "fake: sortKey %v is not modelled", sortKey)
	}
	if a, ok := sel.args["reverse"]; ok && a.resolve(vars) == true {
		return nil, errorf("argumentNotAccepted", "fake: reverse is not modelled")
	}
	match, err := search(stringArg(sel, "query", vars))
	if err != nil {
		return nil, err
	}
	var list connection
	for id, o := range s.orders {
		if !match(o) {
			continue
		}
		key := fmt.Sprintf("%020s", id)
		if field != "" {
			t, _ := orderTime(o, field)
			key = t.UTC().Format("2006-01-02T15:04:05.000000000") + "|" + key
		}
		c := maps.Clone(o)
		c["__cursor"] = key
		list = append(list, c)
	}
	slices.SortFunc(list, func(a, b map[string]any) int { return strings.Compare(a["__cursor"].(string), b["__cursor"].(string)) })
	return resolve(sel, list, vars)
}

// orderField answers order(id:).
func (s *Server) orderField(sel *selection, vars map[string]any) (any, error) {
	if err := s.requireScope("order", "read_orders"); err != nil {
		return nil, err
	}
	gid := stringArg(sel, "id", vars)
	if gid == "" {
		return nil, argErr(sel, "id", "ID!")
	}
	for _, o := range s.orders {
		if o["id"] == gid {
			return resolve(sel, o, vars)
		}
	}
	return nil, nil
}

// search compiles the subset of Shopify's search syntax the fake knows:
// space-separated terms (an AND between them is allowed) of the form
// updated_at:>='2025-01-02T03:04:05Z' or created_at:<2025-01-02, with
// >, >=, < or <=. Anything else is refused, so that a client's typo shows.
func search(q string) (func(map[string]any) bool, error) {
	var preds []func(map[string]any) bool
	for _, term := range strings.Fields(q) {
		if term == "AND" {
			continue
		}
		name, rest, ok := strings.Cut(term, ":")
		field := map[string]string{"updated_at": "updatedAt", "created_at": "createdAt"}[name]
		if !ok || field == "" {
			return nil, errorf("BAD_REQUEST", "fake: search term %q is not modelled", term)
		}
		var op string
		for _, o := range []string{">=", "<=", ">", "<"} {
			if strings.HasPrefix(rest, o) {
				op, rest = o, rest[len(o):]
				break
			}
		}
		if op == "" {
			return nil, errorf("BAD_REQUEST", "fake: search term %q needs >, >=, < or <=", term)
		}
		rest = strings.Trim(rest, `'"`)
		at, err := time.Parse(time.RFC3339Nano, rest)
		if err != nil {
			if at, err = time.Parse("2006-01-02", rest); err != nil {
				return nil, errorf("BAD_REQUEST", "fake: search term %q: %q is not a time", term, rest)
			}
		}
		preds = append(preds, func(o map[string]any) bool {
			t, err := orderTime(o, field)
			if err != nil {
				return false
			}
			switch op {
			case ">=":
				return !t.Before(at)
			case "<=":
				return !t.After(at)
			case ">":
				return t.After(at)
			}
			return t.Before(at)
		})
	}
	return func(o map[string]any) bool {
		for _, p := range preds {
			if !p(o) {
				return false
			}
		}
		return true
	}, nil
}

// OrderFromREST converts an order in Shopify's REST or webhook JSON (bare,
// or wrapped in {"order": …}) to the GraphQL Order object the Admin API
// returns for the same order: global ids, UTC DateTimes, upper-case enums,
// money in MoneyBags, the customer's contacts under defaultEmailAddress and
// defaultPhoneNumber, the billing and shipping addresses as MailingAddress
// objects (country_code as countryCodeV2), and each line's
// requires_shipping as requiresShipping. Ids are read from the JSON text,
// never through float64.
func OrderFromREST(body []byte) (map[string]any, error) {
	var env struct {
		Order json.RawMessage `json:"order"`
	}
	if err := json.Unmarshal(body, &env); err == nil && len(env.Order) > 0 && string(env.Order) != "null" {
		body = env.Order
	}
	var o struct {
		ID           json.Number `json:"id"`
		Name         string      `json:"name"`
		Email        string      `json:"email"`
		Phone        string      `json:"phone"`
		Currency     string      `json:"currency"`
		TotalPrice   string      `json:"total_price"`
		CreatedAt    string      `json:"created_at"`
		UpdatedAt    string      `json:"updated_at"`
		CancelledAt  string      `json:"cancelled_at"`
		CancelReason string      `json:"cancel_reason"`
		Customer     *struct {
			FirstName string `json:"first_name"`
			LastName  string `json:"last_name"`
			Email     string `json:"email"`
			Phone     string `json:"phone"`
		} `json:"customer"`
		BillingAddress  *restAddress `json:"billing_address"`
		ShippingAddress *restAddress `json:"shipping_address"`
		LineItems       []struct {
			ID               json.Number `json:"id"`
			SKU              *string     `json:"sku"`
			Title            string      `json:"title"`
			Name             string      `json:"name"`
			Quantity         json.Number `json:"quantity"`
			Price            string      `json:"price"`
			RequiresShipping bool        `json:"requires_shipping"`
		} `json:"line_items"`
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	if err := dec.Decode(&o); err != nil {
		return nil, fmt.Errorf("shopifyfake: REST order: %w", err)
	}
	if _, err := strconv.ParseUint(o.ID.String(), 10, 64); err != nil {
		return nil, fmt.Errorf("shopifyfake: REST order id %q", o.ID)
	}
	created, err := utc(o.CreatedAt)
	if err != nil {
		return nil, err
	}
	updated, err := utc(o.UpdatedAt)
	if err != nil {
		return nil, err
	}
	if updated == nil {
		updated = created
	}
	cancelled, err := utc(o.CancelledAt)
	if err != nil {
		return nil, err
	}
	n := map[string]any{
		"__typename":       "Order",
		"id":               "gid://shopify/Order/" + o.ID.String(),
		"legacyResourceId": o.ID.String(),
		"name":             o.Name,
		"email":            nullable(o.Email),
		"phone":            nullable(o.Phone),
		"currencyCode":     o.Currency,
		"createdAt":        created,
		"updatedAt":        updated,
		"cancelledAt":      cancelled,
		"cancelReason":     nil,
		"totalPriceSet":    moneyBag(o.TotalPrice, o.Currency),
		"customer":         nil,
		"billingAddress":   o.BillingAddress.graphQL(),
		"shippingAddress":  o.ShippingAddress.graphQL(),
	}
	if o.CancelReason != "" {
		n["cancelReason"] = strings.ToUpper(o.CancelReason)
	}
	if c := o.Customer; c != nil {
		cu := map[string]any{
			"__typename":          "Customer",
			"firstName":           nullable(c.FirstName),
			"lastName":            nullable(c.LastName),
			"defaultEmailAddress": nil,
			"defaultPhoneNumber":  nil,
		}
		if c.Email != "" {
			cu["defaultEmailAddress"] = map[string]any{"__typename": "CustomerEmailAddress", "emailAddress": c.Email}
		}
		if c.Phone != "" {
			cu["defaultPhoneNumber"] = map[string]any{"__typename": "CustomerPhoneNumber", "phoneNumber": c.Phone}
		}
		n["customer"] = cu
	}
	lines := connection{}
	for _, li := range o.LineItems {
		var sku any
		if li.SKU != nil {
			sku = *li.SKU
		}
		lines = append(lines, map[string]any{
			"__typename":           "LineItem",
			"id":                   "gid://shopify/LineItem/" + li.ID.String(),
			"sku":                  sku,
			"title":                li.Title,
			"name":                 li.Name,
			"quantity":             li.Quantity,
			"originalUnitPriceSet": moneyBag(li.Price, o.Currency),
			"requiresShipping":     li.RequiresShipping,
		})
	}
	n["lineItems"] = lines
	return n, nil
}

// mailingAddressFields are the MailingAddress fields the fake serves.
var mailingAddressFields = []string{"name", "firstName", "lastName", "company", "address1", "address2",
	"city", "province", "provinceCode", "zip", "country", "countryCodeV2", "phone"}

// restAddress is a MailingAddress in the REST spelling.
type restAddress struct {
	Name         string `json:"name"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Company      string `json:"company"`
	Address1     string `json:"address1"`
	Address2     string `json:"address2"`
	City         string `json:"city"`
	Province     string `json:"province"`
	ProvinceCode string `json:"province_code"`
	Zip          string `json:"zip"`
	Country      string `json:"country"`
	CountryCode  string `json:"country_code"`
	Phone        string `json:"phone"`
}

// graphQL is the MailingAddress as the Admin API serves it: "" as null,
// the REST country_code as countryCodeV2, and name, which Shopify derives
// from the first and last name, filled from them when the REST body has
// none.
func (a *restAddress) graphQL() any {
	if a == nil {
		return nil
	}
	name := a.Name
	if name == "" {
		name = strings.TrimSpace(strings.TrimSpace(a.FirstName) + " " + strings.TrimSpace(a.LastName))
	}
	return map[string]any{
		"__typename": "MailingAddress",
		"name":       nullable(name), "firstName": nullable(a.FirstName), "lastName": nullable(a.LastName),
		"company": nullable(a.Company), "address1": nullable(a.Address1), "address2": nullable(a.Address2),
		"city": nullable(a.City), "province": nullable(a.Province), "provinceCode": nullable(a.ProvinceCode),
		"zip": nullable(a.Zip), "country": nullable(a.Country), "countryCodeV2": nullable(a.CountryCode),
		"phone": nullable(a.Phone),
	}
}

func moneyBag(amount, currency string) any {
	if amount == "" {
		return nil
	}
	m := map[string]any{"__typename": "MoneyV2", "amount": amount, "currencyCode": currency}
	return map[string]any{"__typename": "MoneyBag", "shopMoney": m, "presentmentMoney": m}
}

// utc turns a REST time with offset into the GraphQL DateTime form, UTC
// with a Z; "" and null become null.
func utc(s string) (any, error) {
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, fmt.Errorf("shopifyfake: REST time %q: %w", s, err)
	}
	return t.UTC().Format(time.RFC3339Nano), nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
