package inventory

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// SnapshotVersion is the format of Snapshot this package writes. Restore
// reads it and version 1, which had no listings.
const SnapshotVersion = 2

// Snapshot is the ledger's state, for persisting as JSON. Channels and
// bundles are configuration and not part of it.
type Snapshot struct {
	Version  int           `json:"version"`
	ERP      []ERPFigure   `json:"erp"`
	Orders   []Reservation `json:"orders"`
	Listings []Listing     `json:"listings,omitempty"`
}

// Listing is what one channel was told of one SKU or bundle, and what it
// may still sell that the ledger has not seen (see Claim).
type Listing struct {
	Channel string `json:"channel"`
	SKU     string `json:"sku"`
	// Pushed says a push has landed; Told, PushedAt, SoldSince and
	// OldPending describe the last one.
	Pushed     bool      `json:"pushed,omitempty"`
	Told       int       `json:"told,omitempty"`
	PushedAt   time.Time `json:"pushed_at,omitzero"`
	SoldSince  int       `json:"sold_since,omitempty"`
	OldPending int       `json:"old_pending,omitempty"`
	// Claimed is the figures claimed and not settled. A restored ledger
	// counts them as pushes that may have landed, until the next Told.
	Claimed int `json:"claimed,omitempty"`
	// Sales and OldSales are the keys of the sales counted since and
	// before the last push, so that a repeated ReserveSale counts nothing.
	Sales    []string `json:"sales,omitempty"`
	OldSales []string `json:"old_sales,omitempty"`
	// ActiveAt is when the listing last sold or was opened: it counts as
	// idle IdleAfter later (see Claim). Restored as PushedAt when absent.
	ActiveAt time.Time `json:"active_at,omitzero"`
}

// ERPFigure is the ERP's availability of one SKU and when it was true.
type ERPFigure struct {
	SKU  string    `json:"sku"`
	Qty  int       `json:"qty"`
	AsOf time.Time `json:"as_of"`
}

// Reservation is what one order holds: its lines not yet shown by an ERP
// figure (components, for bundles).
type Reservation struct {
	Key            string    `json:"key"`
	Lines          []Line    `json:"lines"`
	ReservedAt     time.Time `json:"reserved_at"`
	AcknowledgedAt time.Time `json:"acknowledged_at,omitzero"`
}

// Snapshot returns the ledger's state, sorted so that equal ledgers give
// equal snapshots.
func (l *Ledger) Snapshot() Snapshot {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := Snapshot{Version: SnapshotVersion, ERP: []ERPFigure{}, Orders: []Reservation{}}
	for _, sku := range sortedKeys(l.erp) {
		f := l.erp[sku]
		s.ERP = append(s.ERP, ERPFigure{SKU: sku, Qty: f.qty, AsOf: f.asOf})
	}
	for _, key := range sortedKeys(l.orders) {
		r := l.orders[key]
		res := Reservation{Key: key, Lines: []Line{}, ReservedAt: r.reservedAt, AcknowledgedAt: r.ackedAt}
		for _, sku := range sortedKeys(r.lines) {
			res.Lines = append(res.Lines, Line{SKU: sku, Qty: r.lines[sku]})
		}
		s.Orders = append(s.Orders, res)
	}
	keys := slices.SortedFunc(maps.Keys(l.exposed), func(a, b listingKey) int {
		return cmp.Or(cmp.Compare(a.channel, b.channel), cmp.Compare(a.sku, b.sku))
	})
	for _, k := range keys {
		e := l.exposed[k]
		if !e.pushed && e.claim+e.doubt == 0 && len(e.oldKeys) == 0 {
			continue
		}
		s.Listings = append(s.Listings, Listing{
			Channel: k.channel, SKU: k.sku,
			Pushed: e.pushed, Told: e.told, PushedAt: e.pushedAt, SoldSince: e.soldSince, OldPending: e.oldPending,
			Claimed: e.claim + e.doubt, Sales: sortedKeys(e.keys), OldSales: sortedKeys(e.oldKeys),
			ActiveAt: e.activeAt,
		})
	}
	return s
}

// Restore replaces the ledger's state with a snapshot's and marks every SKU
// changed. On error the ledger is unchanged.
func (l *Ledger) Restore(s Snapshot) error {
	if s.Version != SnapshotVersion && s.Version != 1 {
		return fmt.Errorf("inventory: restore: snapshot version %d, want 1 or %d", s.Version, SnapshotVersion)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	erp := map[string]figure{}
	var errs []error
	for i, f := range s.ERP {
		switch _, dup := erp[f.SKU]; {
		case f.SKU == "":
			errs = append(errs, fmt.Errorf("erp[%d].sku: empty", i))
		case dup:
			errs = append(errs, fmt.Errorf("erp[%d].sku: %q twice", i, f.SKU))
		case l.bundles[f.SKU] != nil:
			errs = append(errs, fmt.Errorf("erp[%d].sku: %q: %w", i, f.SKU, ErrBundle))
		}
		erp[f.SKU] = figure{qty: f.Qty, asOf: f.AsOf}
	}
	orders := map[string]*reservation{}
	for i, o := range s.Orders {
		if _, dup := orders[o.Key]; o.Key == "" || dup {
			errs = append(errs, fmt.Errorf("orders[%d].key: %q empty or twice", i, o.Key))
			continue
		}
		r := &reservation{lines: map[string]int{}, reservedAt: o.ReservedAt, ackedAt: o.AcknowledgedAt}
		for j, ln := range o.Lines {
			if ln.SKU == "" || ln.Qty <= 0 || l.bundles[ln.SKU] != nil {
				errs = append(errs, fmt.Errorf("orders[%d].lines[%d]: %q × %d is not a held line", i, j, ln.SKU, ln.Qty))
			}
			r.lines[ln.SKU] += ln.Qty
		}
		orders[o.Key] = r
	}
	exposed := map[listingKey]*exposure{}
	for i, ls := range s.Listings {
		k := listingKey{ls.Channel, ls.SKU}
		_, known := l.channels[ls.Channel]
		_, dup := exposed[k]
		switch {
		case !known:
			errs = append(errs, fmt.Errorf("listings[%d].channel: %q is not a channel", i, ls.Channel))
		case ls.SKU == "" || dup:
			errs = append(errs, fmt.Errorf("listings[%d].sku: %q empty or twice for %s", i, ls.SKU, ls.Channel))
		case ls.Told < 0 || ls.SoldSince < 0 || ls.OldPending < 0 || ls.Claimed < 0:
			errs = append(errs, fmt.Errorf("listings[%d]: negative figure", i))
		}
		e := &exposure{pushed: ls.Pushed, told: ls.Told, pushedAt: ls.PushedAt, soldSince: ls.SoldSince,
			oldPending: ls.OldPending, doubt: ls.Claimed, activeAt: ls.ActiveAt}
		if e.activeAt.IsZero() && e.pushed {
			e.activeAt = e.pushedAt
		}
		for _, key := range ls.Sales {
			e.keys = add(e.keys, key)
		}
		for _, key := range ls.OldSales {
			e.oldKeys = add(e.oldKeys, key)
		}
		exposed[k] = e
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("inventory: restore: %w", err)
	}
	old := slices.Collect(maps.Keys(l.changed))
	l.exposed = exposed
	l.erp, l.orders = erp, orders
	l.held, l.acked = map[string]int{}, map[string]map[string]struct{}{}
	for key, r := range orders {
		for sku, n := range r.lines {
			if !r.ackedAt.IsZero() {
				if f, ok := erp[sku]; ok && l.shows(f.asOf, r.ackedAt) {
					delete(r.lines, sku) // the figure shows it already
					continue
				}
				if l.acked[sku] == nil {
					l.acked[sku] = map[string]struct{}{}
				}
				l.acked[sku][key] = struct{}{}
			}
			l.held[sku] += n
		}
		if len(r.lines) == 0 && !r.ackedAt.IsZero() {
			delete(orders, key)
		}
	}
	for _, sku := range old {
		l.touch(sku)
	}
	for sku := range erp {
		l.touch(sku)
	}
	for sku := range l.held {
		l.touch(sku)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
