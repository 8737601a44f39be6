package shopifyfake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
)

// connection is a list the schema exposes as a Relay connection: a field
// whose stored value is a connection must be asked for with first or last,
// and answers with nodes, edges and pageInfo. An item's "__cursor" string,
// when set, is its position key (items are stored in ascending key order);
// otherwise its index is.
type connection []map[string]any

// maxPageSize is the largest first or last Shopify accepts.
const maxPageSize = 250

// gqlErr is an error the fake reports in the reply's errors array.
type gqlErr struct {
	msg  string
	code string
	ext  map[string]any
}

func (e *gqlErr) Error() string { return e.msg }

func errorf(code, format string, args ...any) *gqlErr {
	return &gqlErr{msg: fmt.Sprintf(format, args...), code: code}
}

// project answers sels against obj: only the selected fields, under their
// aliases, inline fragments applied when obj's __typename matches.
func project(sels []*selection, obj map[string]any, vars map[string]any) (map[string]any, error) {
	out := map[string]any{}
	typ, _ := obj["__typename"].(string)
	for _, s := range sels {
		if s.on != "" {
			if s.on != typ {
				continue
			}
			sub, err := project(s.sel, obj, vars)
			if err != nil {
				return nil, err
			}
			for k, v := range sub {
				out[k] = v
			}
			continue
		}
		if s.name == "__typename" {
			if typ == "" {
				return nil, errorf("undefinedField", "fake: object has no __typename")
			}
			out[s.key()] = typ
			continue
		}
		v, ok := obj[s.name]
		if !ok || s.name == "__cursor" {
			return nil, errorf("undefinedField", "Field '%s' doesn't exist on type '%s'", s.name, typ)
		}
		r, err := resolve(s, v, vars)
		if err != nil {
			return nil, err
		}
		out[s.key()] = r
	}
	return out, nil
}

func resolve(s *selection, v any, vars map[string]any) (any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case connection:
		return page(s, v, vars)
	case map[string]any:
		if s.sel == nil {
			return nil, errorf("selectionMismatch", "Field '%s' of an object type must have a selection of subfields", s.name)
		}
		return project(s.sel, v, vars)
	case []map[string]any:
		out := make([]any, len(v))
		for i, e := range v {
			r, err := resolve(s, e, vars)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	default:
		if s.sel != nil {
			return nil, errorf("selectionMismatch", "Selections can't be made on scalars (field '%s')", s.name)
		}
		return v, nil
	}
}

// page answers one page of a connection: first (forward) only, after a
// cursor; last is refused, as this client never pages backwards.
func page(s *selection, items connection, vars map[string]any) (any, error) {
	if _, ok := s.args["last"]; ok {
		return nil, errorf("argumentNotAccepted", "fake: backward pagination (last) is not modelled")
	}
	n, ok, err := intArg(s, "first", vars)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errorf("missingRequiredArguments", "you must provide one of first or last (field '%s')", s.name)
	}
	if n < 0 || n > maxPageSize {
		return nil, errorf("BAD_REQUEST", "The %s field's first argument must be between 0 and %d", s.name, maxPageSize)
	}
	start := 0
	if a, ok := s.args["after"]; ok {
		if c, _ := a.resolve(vars).(string); c != "" {
			key, err := decodeCursor(c)
			if err != nil {
				return nil, errorf("BAD_REQUEST", "Invalid cursor for current pagination sort.")
			}
			start = len(items)
			for i, it := range items {
				if cursorKey(i, it) > key {
					start = i
					break
				}
			}
		}
	}
	end := min(start+n, len(items))
	nodes := make([]map[string]any, 0, end-start)
	edges := make([]map[string]any, 0, end-start)
	for i := start; i < end; i++ {
		nodes = append(nodes, items[i])
		edges = append(edges, map[string]any{"__typename": "Edge", "node": items[i], "cursor": encodeCursor(cursorKey(i, items[i]))})
	}
	info := map[string]any{
		"__typename":      "PageInfo",
		"hasNextPage":     end < len(items),
		"hasPreviousPage": start > 0,
		"startCursor":     nil,
		"endCursor":       nil,
	}
	if end > start {
		info["startCursor"] = encodeCursor(cursorKey(start, items[start]))
		info["endCursor"] = encodeCursor(cursorKey(end-1, items[end-1]))
	}
	conn := map[string]any{"__typename": "Connection", "nodes": nodes, "edges": edges, "pageInfo": info}
	if s.sel == nil {
		return nil, errorf("selectionMismatch", "Field '%s' of a connection type must have a selection of subfields", s.name)
	}
	return project(s.sel, conn, vars)
}

func cursorKey(i int, item map[string]any) string {
	if k, ok := item["__cursor"].(string); ok {
		return k
	}
	return fmt.Sprintf("%012d", i)
}

func encodeCursor(key string) string { return base64.RawURLEncoding.EncodeToString([]byte(key)) }

func decodeCursor(c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	return string(b), err
}

// intArg reads an Int argument, literal or variable.
func intArg(s *selection, name string, vars map[string]any) (int, bool, error) {
	a, ok := s.args[name]
	if !ok {
		return 0, false, nil
	}
	switch v := a.resolve(vars).(type) {
	case nil:
		return 0, false, nil
	case json.Number:
		n, err := strconv.Atoi(v.String())
		if err != nil {
			return 0, false, errorf("argumentLiteralsIncompatible", "Argument '%s' on Field '%s' has an invalid value (%s). Expected type 'Int'.", name, s.name, v)
		}
		return n, true, nil
	case int:
		return v, true, nil
	default:
		return 0, false, errorf("argumentLiteralsIncompatible", "Argument '%s' on Field '%s' has an invalid value. Expected type 'Int'.", name, s.name)
	}
}

// Cost, by Shopify's published table: scalars and enums 0, objects 1,
// mutations 10, connections "sized by first and last arguments". How a
// connection is sized is not published; the fake charges 2 + first × (1 +
// what each node selects), pageInfo included in the 2. A union or interface
// costs what its fragments select.

// requestedCost is the cost of sels before running them.
func requestedCost(sels []*selection, vars map[string]any) int {
	total := 0
	for _, s := range sels {
		switch {
		case s.on != "":
			total += requestedCost(s.sel, vars)
		case s.sel == nil:
		case isConnection(s):
			n, _, _ := intArg(s, "first", vars)
			per := 0
			for _, item := range itemSelections(s.sel) {
				per += 1 + requestedCost(item.sel, vars)
			}
			total += 2 + min(max(n, 0), 1<<20)*per
		default:
			total += 1 + requestedCost(s.sel, vars)
		}
	}
	return total
}

// actualCost is the cost of sels as answered in out: only the objects that
// came back, only the connection items that exist.
func actualCost(sels []*selection, out map[string]any) int {
	total := 0
	for _, s := range sels {
		if s.on != "" {
			total += actualCost(s.sel, out)
			continue
		}
		if s.sel == nil {
			continue
		}
		m, ok := out[s.key()].(map[string]any)
		if !ok {
			continue // null: nothing was fetched below it
		}
		if !isConnection(s) {
			total += 1 + actualCost(s.sel, m)
			continue
		}
		total += 2
		for _, item := range itemSelections(s.sel) {
			for _, node := range item.nodes(m) {
				total += 1 + actualCost(item.sel, node)
			}
		}
	}
	return total
}

func isConnection(s *selection) bool {
	_, first := s.args["first"]
	_, last := s.args["last"]
	return first || last
}

// itemSelection is how a connection's items are selected: through nodes
// or through edges { node }.
type itemSelection struct {
	path []string // keys from the connection's answer to the item list
	sel  []*selection
}

func (is itemSelection) nodes(conn map[string]any) []map[string]any {
	list, _ := conn[is.path[0]].([]any)
	var out []map[string]any
	for _, e := range list {
		m, _ := e.(map[string]any)
		if len(is.path) == 2 {
			m, _ = m[is.path[1]].(map[string]any)
		}
		if m != nil {
			out = append(out, m)
		}
	}
	return out
}

func itemSelections(sels []*selection) []itemSelection {
	var out []itemSelection
	for _, s := range sels {
		switch s.name {
		case "nodes":
			out = append(out, itemSelection{[]string{s.key()}, s.sel})
		case "edges":
			for _, e := range s.sel {
				if e.name == "node" {
					out = append(out, itemSelection{[]string{s.key(), e.key()}, e.sel})
				}
			}
		}
	}
	return out
}
