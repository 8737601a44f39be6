package diagnose

import (
	"fmt"
	"slices"
	"strings"
)

// Source is one kind of export.
type Source int

// The exports diagnose reads. Their default columns are in schemas.
const (
	Webhooks      Source = iota // one row per delivery attempt (and per SKU line, when it has them)
	ERPReceipts                 // one row per order, or per SKU line
	Confirmations               // one row per confirmation sent
	Oversells                   // one row per marketplace oversell event
)

var sourceNames = [...]string{"webhooks", "erp_receipts", "confirmations", "oversells"}

// String returns the source's name as --map spells it.
func (s Source) String() string {
	if s < 0 || int(s) >= len(sourceNames) {
		return fmt.Sprintf("source(%d)", int(s))
	}
	return sourceNames[s]
}

// need says whether a column must be there.
type need int

const (
	optional need = iota
	// expected: a CSV header must have it; a row may leave it empty.
	expected
	// required: every row must give it.
	required
)

type column struct {
	name  string
	need  need
	alias string // another default name taken when name is absent
}

// The columns of each source, by index into row.vals.
const (
	colOrderID = 0

	whTriggered = 1
	whDelivered = 2
	whAttempt   = 3
	whSKU       = 4
	whQuantity  = 5

	erReceived = 1
	erSKU      = 2
	erQuantity = 3

	cfSent = 1

	ovAt          = 0
	ovMarketplace = 1
	ovSKU         = 2
	ovUnits       = 3
)

var schemas = [...][]column{
	Webhooks: {
		{name: "order_id", need: required},
		{name: "triggered_at", need: required, alias: "captured_at"},
		{name: "delivered_at", need: expected},
		{name: "attempt"},
		{name: "sku"},
		{name: "quantity"},
	},
	ERPReceipts: {
		{name: "order_id", need: required},
		{name: "received_at", need: required},
		{name: "sku"},
		{name: "quantity"},
	},
	Confirmations: {
		{name: "order_id", need: required},
		{name: "sent_at", need: required},
	},
	Oversells: {
		{name: "at", need: required},
		{name: "marketplace"},
		{name: "sku"},
		{name: "units"},
	},
}

// Mapping gives, per source, the export's own name for a column whose
// name differs from the default: Mapping{Webhooks: {"delivered_at":
// "DeliveredAt"}}. Names match without regard to case.
type Mapping map[Source]map[string]string

// ParseMapping reads SOURCE.COLUMN=NAME pairs, as --map takes them:
// webhooks.delivered_at=DeliveredAt. SOURCE is webhooks, erp_receipts (or
// erp), confirmations or oversells.
func ParseMapping(pairs []string) (Mapping, error) {
	m := Mapping{}
	for _, p := range pairs {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		left, name, ok := strings.Cut(p, "=")
		srcName, col, ok2 := strings.Cut(left, ".")
		name = strings.TrimSpace(name)
		if !ok || !ok2 || name == "" {
			return nil, fmt.Errorf("--map %q: want SOURCE.COLUMN=NAME, e.g. webhooks.delivered_at=DeliveredAt", p)
		}
		src, ok := sourceByName(strings.TrimSpace(srcName))
		if !ok {
			return nil, fmt.Errorf("--map %q: no source %q; want one of %s", p, srcName, strings.Join(sourceNames[:], ", "))
		}
		col = strings.ToLower(strings.TrimSpace(col))
		if !slices.ContainsFunc(schemas[src], func(c column) bool { return c.name == col }) {
			return nil, fmt.Errorf("--map %q: %s has no column %q; its columns are %s", p, src, col, strings.Join(columnNames(src), ", "))
		}
		if m[src] == nil {
			m[src] = map[string]string{}
		}
		m[src][col] = name
	}
	return m, nil
}

func sourceByName(s string) (Source, bool) {
	switch strings.ToLower(strings.ReplaceAll(s, "-", "_")) {
	case "webhooks", "webhook":
		return Webhooks, true
	case "erp_receipts", "erp_receipt", "erp":
		return ERPReceipts, true
	case "confirmations", "confirmation":
		return Confirmations, true
	case "oversells", "oversell":
		return Oversells, true
	}
	return 0, false
}

func columnNames(src Source) []string {
	var names []string
	for _, c := range schemas[src] {
		names = append(names, c.name)
	}
	return names
}

// names returns, for each of src's columns, the names to look for in an
// export: the mapped name alone, or the default and its alias.
func (m Mapping) names(src Source, c column) []string {
	if n, ok := m[src][c.name]; ok {
		return []string{n}
	}
	if c.alias != "" {
		return []string{c.name, c.alias}
	}
	return []string{c.name}
}

// hint says how to name a column the export lacks.
func (m Mapping) hint(src Source, c column) string {
	if n, ok := m[src][c.name]; ok {
		return fmt.Sprintf("no column %q (--map %s.%s=%s)", n, src, c.name, n)
	}
	return fmt.Sprintf("no column %q; if the export calls it something else, say so with --map %s.%s=NAME", c.name, src, c.name)
}
