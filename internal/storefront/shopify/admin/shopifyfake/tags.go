package shopifyfake

import (
	"slices"
	"strings"
)

// Tags returns the tags of the order whose legacy id is legacyID, in the
// order they were added; nil if it has none or there is no such order.
func (s *Server) Tags(legacyID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[legacyID]
	if !ok {
		return nil
	}
	return orderTags(o)
}

func orderTags(o map[string]any) []string {
	var out []string
	switch v := o["tags"].(type) {
	case []any:
		for _, t := range v {
			if ts, ok := t.(string); ok {
				out = append(out, ts)
			}
		}
	case []string:
		out = slices.Clone(v)
	}
	return out
}

// maxTagLength is the longest tag the fake accepts. Shopify's admin
// refuses longer ones; the figure is the fake's.
const maxTagLength = 255

// tagsAdd answers tagsAdd(id, tags) for an order: it needs write_orders;
// tags is a list or one comma-separated string; each is trimmed, and one
// the order has already is not added twice, so a repeat changes nothing.
// An unknown order, or an empty or overlong tag, is refused with
// userErrors, and nothing is added.
func (s *Server) tagsAdd(sel *selection, vars map[string]any) (any, error) {
	if err := s.requireScope("tagsAdd", "write_orders"); err != nil {
		return nil, err
	}
	gid := stringArg(sel, "id", vars)
	legacyID, ok := strings.CutPrefix(gid, "gid://shopify/Order/")
	if gid == "" || !ok {
		return nil, errorf("RESOURCE_NOT_FOUND", "fake: tagsAdd is modelled for orders only, not %q", gid)
	}
	var tags []string
	switch v := argValue(sel, "tags", vars).(type) {
	case []any:
		for _, t := range v {
			ts, ok := t.(string)
			if !ok {
				return nil, argErr(sel, "tags", "[String!]!")
			}
			tags = append(tags, ts)
		}
	case string:
		tags = strings.Split(v, ",")
	default:
		return nil, argErr(sel, "tags", "[String!]!")
	}
	var userErrors []map[string]any
	refuse := func(field []any, msg string) {
		userErrors = append(userErrors, map[string]any{"__typename": "UserError", "field": field, "message": msg})
	}
	o, found := s.orders[legacyID]
	if !found {
		refuse([]any{"id"}, "Order does not exist")
	}
	for i := range tags {
		tags[i] = strings.TrimSpace(tags[i])
		if tags[i] == "" || len(tags[i]) > maxTagLength {
			refuse([]any{"tags"}, "Tags are invalid")
		}
	}
	payload := map[string]any{"__typename": "TagsAddPayload", "node": nil, "userErrors": []map[string]any{}}
	if userErrors != nil {
		payload["userErrors"] = userErrors
		return resolve(sel, payload, vars)
	}
	have := orderTags(o)
	for _, t := range tags {
		if !slices.Contains(have, t) {
			have = append(have, t)
		}
	}
	list := make([]any, len(have))
	for i, t := range have {
		list[i] = t
	}
	o["tags"] = list
	payload["node"] = o
	return resolve(sel, payload, vars)
}

func argValue(sel *selection, name string, vars map[string]any) any {
	a, ok := sel.args[name]
	if !ok {
		return nil
	}
	return a.resolve(vars)
}
