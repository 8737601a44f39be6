// Package sandbox is an in-process marketplace for demos and tests. It
// takes quantities like any connector (marketplace.Connector) and sells
// against the quantity it was last told, never more: Sell sells at most
// what the last push listed, less what it sold since. A demo that counts
// the units the ERP could not fulfil among its sales counts oversold units
// caused by pushes, not by the sandbox.
//
// Its orders are a feed (Orders) for the gateway to take in, as it would a
// real marketplace's order API; each order takes stock in the ledger with
// inventory.Ledger.ReserveSale, under its ID and at its PlacedAt, so that
// it counts against what the sandbox was told. A quantity lands when
// SetQuantities returns: a pusher needs no ApplyDelay for it.
package sandbox

import (
	"cmp"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ordergate/ordergate/internal/marketplace"
)

// DefaultName is the sandbox's name when Config.Name is empty.
const DefaultName = "sandbox"

// Config sets a sandbox marketplace up.
type Config struct {
	// Name names it in errors, records and order ids; empty means
	// DefaultName.
	Name string
	// Limits are what it reports; the sandbox enforces none of them.
	Limits marketplace.Limits
	// Now is its clock, for order times; nil means time.Now.
	Now func() time.Time
}

// Order is one sale on the sandbox.
type Order struct {
	ID          string    `json:"id"` // "<name>-000001", in order of sale
	Marketplace string    `json:"marketplace"`
	SKU         string    `json:"sku"`
	Quantity    int       `json:"quantity"`
	PlacedAt    time.Time `json:"placed_at"`
}

// Marketplace is a sandbox marketplace. It is safe for concurrent use.
type Marketplace struct {
	cfg Config

	mu       sync.Mutex
	listings map[string]*listing
	orders   []Order
}

type listing struct {
	told      int // what the last push said
	soldSince int // sold since that push
	sold      int // sold ever
	pushes    int
}

var _ marketplace.Connector = (*Marketplace)(nil)

// New returns a sandbox with no listings.
func New(cfg Config) *Marketplace {
	cfg.Name = cmp.Or(cfg.Name, DefaultName)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Marketplace{cfg: cfg, listings: map[string]*listing{}}
}

// Name returns the sandbox's name.
func (m *Marketplace) Name() string { return m.cfg.Name }

// Limits returns the configured limits.
func (m *Marketplace) Limits() marketplace.Limits { return m.cfg.Limits }

// SetQuantities lists each SKU at its quantity from now on: what it sold
// before the push no longer counts against it, as on a real marketplace
// told a new available quantity.
func (m *Marketplace) SetQuantities(ctx context.Context, updates []marketplace.Update) []error {
	errs := marketplace.CheckUpdates(m.cfg.Name, updates)
	if err := ctx.Err(); err != nil {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = &marketplace.Error{Marketplace: m.cfg.Name, SKU: updates[i].SKU, Kind: marketplace.ErrUnavailable, Err: err}
			}
		}
		return errs
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, u := range updates {
		if errs[i] != nil {
			continue
		}
		l := m.listing(u.SKU)
		l.told, l.soldSince = u.Quantity, 0
		l.pushes++
	}
	return errs
}

func (m *Marketplace) listing(sku string) *listing {
	l := m.listings[sku]
	if l == nil {
		l = &listing{}
		m.listings[sku] = l
	}
	return l
}

// Sell sells up to n units of sku and returns how many it sold: never more
// than the last push listed, less what it sold since. A sale is an order in
// the feed.
func (m *Marketplace) Sell(sku string, n int) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.listings[sku]
	if !ok || n <= 0 {
		return 0
	}
	sold := min(n, max(0, l.told-l.soldSince))
	if sold == 0 {
		return 0
	}
	l.soldSince += sold
	l.sold += sold
	m.orders = append(m.orders, Order{
		ID:          fmt.Sprintf("%s-%06d", m.cfg.Name, len(m.orders)+1),
		Marketplace: m.cfg.Name,
		SKU:         sku,
		Quantity:    sold,
		PlacedAt:    m.cfg.Now(),
	})
	return sold
}

// Listed returns what a buyer sees of sku now: the last quantity pushed
// less what sold since, and whether it was ever pushed.
func (m *Marketplace) Listed(sku string) (int, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.listings[sku]
	if !ok || l.pushes == 0 {
		return 0, false
	}
	return l.told - l.soldSince, true
}

// Sold returns the units of sku sold ever.
func (m *Marketplace) Sold(sku string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if l, ok := m.listings[sku]; ok {
		return l.sold
	}
	return 0
}

// Orders returns the orders placed at or after since, oldest first. Polls
// overlap at the boundary, as real order feeds do; callers deduplicate by
// ID.
func (m *Marketplace) Orders(since time.Time) []Order {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Order
	for _, o := range m.orders {
		if !o.PlacedAt.Before(since) {
			out = append(out, o)
		}
	}
	return out
}

// Pushes returns how many listing updates the sandbox has taken, over all
// its SKUs.
func (m *Marketplace) Pushes() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, l := range m.listings {
		n += l.pushes
	}
	return n
}
