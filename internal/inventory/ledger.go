package inventory

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Errors callers branch on.
var (
	// ErrUnknownOrder: the ledger holds no reservation under the key.
	ErrUnknownOrder = errors.New("no reservation for the order")
	// ErrAcknowledged: the order is acknowledged; its lines are the ERP's now.
	ErrAcknowledged = errors.New("order already acknowledged")
	// ErrBundle: the SKU is a bundle, whose stock is its components'.
	ErrBundle = errors.New("sku is a bundle")
)

// Channel is a marketplace (or any other outlet) the ledger quotes for.
type Channel struct {
	// Name identifies the channel, e.g. "amazon-us".
	Name string `json:"name"`
	// Buffer is the units of every SKU held back from this channel, to
	// cover the time a push takes to land and a sale to come back.
	Buffer int `json:"buffer"`
	// Cap is the most this channel is ever told of one SKU; 0 means no cap.
	Cap int `json:"cap"`
	// Lag is how late a sale on this channel may reach the ledger
	// (ReserveSale) after it was placed: its order feed's or webhook's
	// delay. The ledger keeps counting what the channel was told before a
	// push until Lag after the push landed (see Claim). 0 for a channel
	// whose sales reach the ledger at once.
	Lag time.Duration `json:"lag"`
	// Share is the channel's weight when the ledger splits a SKU's stock
	// among the channels (see Claim): a channel is told at most its share,
	// ⌊pool × Share / Σ Share⌋ plus perhaps one unit of the remainder. 0
	// means 1.
	Share int `json:"share"`
}

// Bundle is a SKU sold as a kit of other SKUs.
type Bundle struct {
	SKU string `json:"sku"`
	// Components maps a component SKU to the units of it in one bundle.
	Components map[string]int `json:"components"`
}

// Line is units of one SKU an order takes.
type Line struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

// Config sets a ledger up. The zero value is a ledger with no channels.
type Config struct {
	Channels []Channel
	Bundles  []Bundle
	// ERPLag is how long after the gateway learns of an acknowledgment the
	// ERP's availability may still not show it; an acknowledged order
	// stays held until a refresh sent later than that. 0 for an ERP whose
	// availability shows an order as soon as it acknowledges it.
	ERPLag time.Duration
	// IdleAfter is how long a channel may hold stock of a SKU without
	// selling any before it counts as idle: once another channel has sold
	// out its share of the SKU, an idle channel's figure is lowered to 0
	// and its share goes to the channels that sell (see Claim). 0 means
	// DefaultIdleAfter.
	IdleAfter time.Duration
}

// figure is the ERP's availability of one SKU and when it was true.
type figure struct {
	qty  int
	asOf time.Time
}

// reservation is what one order holds.
type reservation struct {
	lines      map[string]int // units per SKU still held, components for bundles
	reservedAt time.Time
	ackedAt    time.Time // zero until acknowledged
}

// Ledger is the stock ledger. Its zero value is not usable; call New.
type Ledger struct {
	mu       sync.Mutex
	channels map[string]Channel
	bundles  map[string]map[string]int // bundle SKU → component → units
	partOf   map[string][]string       // component SKU → bundles using it
	lag      time.Duration
	idle     time.Duration // Config.IdleAfter
	names    []string      // the channels' names, sorted

	erp    map[string]figure
	orders map[string]*reservation
	held   map[string]int                 // units held per SKU
	acked  map[string]map[string]struct{} // SKU → keys of acknowledged orders still holding it

	seq     uint64
	changed map[string]uint64 // SKU → seq of its last change

	exposed map[listingKey]*exposure // what each channel was told, per SKU or bundle
}

// New returns an empty ledger. It fails on a configuration it cannot
// honour, naming the field.
func New(cfg Config) (*Ledger, error) {
	l := &Ledger{
		channels: map[string]Channel{},
		bundles:  map[string]map[string]int{},
		partOf:   map[string][]string{},
		lag:      cfg.ERPLag,
		erp:      map[string]figure{},
		orders:   map[string]*reservation{},
		held:     map[string]int{},
		acked:    map[string]map[string]struct{}{},
		changed:  map[string]uint64{},
		exposed:  map[listingKey]*exposure{},
	}
	var errs []error
	if cfg.ERPLag < 0 {
		errs = append(errs, fmt.Errorf("erp_lag: must not be negative, got %s", cfg.ERPLag))
	}
	if cfg.IdleAfter < 0 {
		errs = append(errs, fmt.Errorf("idle_after: must not be negative, got %s", cfg.IdleAfter))
	}
	l.idle = cmp.Or(cfg.IdleAfter, DefaultIdleAfter)
	for i, c := range cfg.Channels {
		switch {
		case c.Name == "":
			errs = append(errs, fmt.Errorf("channels[%d].name: required", i))
		case l.channels[c.Name].Name != "":
			errs = append(errs, fmt.Errorf("channels[%d].name: %q named twice", i, c.Name))
		}
		if c.Buffer < 0 {
			errs = append(errs, fmt.Errorf("channels[%d].buffer: must not be negative, got %d", i, c.Buffer))
		}
		if c.Cap < 0 {
			errs = append(errs, fmt.Errorf("channels[%d].cap: must not be negative, got %d", i, c.Cap))
		}
		if c.Lag < 0 {
			errs = append(errs, fmt.Errorf("channels[%d].lag: must not be negative, got %s", i, c.Lag))
		}
		if c.Share < 0 {
			errs = append(errs, fmt.Errorf("channels[%d].share: must not be negative, got %d", i, c.Share))
		}
		l.channels[c.Name] = c
	}
	for i, b := range cfg.Bundles {
		if b.SKU == "" {
			errs = append(errs, fmt.Errorf("bundles[%d].sku: required", i))
			continue
		}
		if _, dup := l.bundles[b.SKU]; dup {
			errs = append(errs, fmt.Errorf("bundles[%d].sku: %q defined twice", i, b.SKU))
			continue
		}
		if len(b.Components) == 0 {
			errs = append(errs, fmt.Errorf("bundles[%d].components: required", i))
		}
		comp := make(map[string]int, len(b.Components))
		for _, sku := range sortedKeys(b.Components) {
			n := b.Components[sku]
			switch {
			case sku == "" || sku == b.SKU:
				errs = append(errs, fmt.Errorf("bundles[%d].components: %q cannot be a component of %q", i, sku, b.SKU))
			case n <= 0:
				errs = append(errs, fmt.Errorf("bundles[%d].components[%s]: units per bundle must be positive, got %d", i, sku, n))
			}
			comp[sku] = n
		}
		l.bundles[b.SKU] = comp
	}
	for _, b := range sortedKeys(l.bundles) {
		for _, sku := range sortedKeys(l.bundles[b]) {
			if _, nested := l.bundles[sku]; nested {
				errs = append(errs, fmt.Errorf("bundles: %q is a component of %q and a bundle itself; list its components instead", sku, b))
			}
			l.partOf[sku] = append(l.partOf[sku], b)
		}
	}
	for _, bs := range l.partOf {
		slices.Sort(bs)
	}
	l.names = sortedKeys(l.channels)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	return l, nil
}

// HasChannel reports whether the ledger quotes for a channel of that name.
func (l *Ledger) HasChannel(name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.channels[name]
	return ok
}

// SetERP records that the ERP had qty of sku available at asOf (the time
// the read was sent, on the gateway's clock). It reports whether the figure
// was taken: one older than the figure held is ignored. qty may be negative
// (an ERP that oversold); available floors at 0. Acknowledged orders the
// new figure shows stop being held.
func (l *Ledger) SetERP(sku string, qty int, asOf time.Time) (bool, error) {
	if sku == "" {
		return false, errors.New("inventory: set erp: empty sku")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.bundles[sku]; ok {
		return false, fmt.Errorf("inventory: set erp %s: %w", sku, ErrBundle)
	}
	old, known := l.erp[sku]
	if known && asOf.Before(old.asOf) {
		return false, nil
	}
	before := old.qty - l.held[sku]
	l.erp[sku] = figure{qty: qty, asOf: asOf}
	for key := range l.acked[sku] {
		r := l.orders[key]
		if l.shows(asOf, r.ackedAt) {
			l.drop(key, r, sku)
		}
	}
	if !known || qty-l.held[sku] != before {
		l.touch(sku)
	}
	return true, nil
}

// shows reports whether an ERP figure as of asOf shows an order
// acknowledged at ackedAt.
func (l *Ledger) shows(asOf, ackedAt time.Time) bool {
	return asOf.After(ackedAt.Add(l.lag))
}

// Reserve holds lines for an order received but not yet acknowledged by the
// ERP; marketplace orders reserve like any other. Reserving again under the
// same key replaces the order's lines (an edit before the ERP took it); once
// acknowledged the lines are the ERP's, and Reserve fails with
// ErrAcknowledged. Lines for one SKU add up; a bundle's lines hold its
// components.
func (l *Ledger) Reserve(key string, lines []Line, at time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, err := l.reserve(key, lines, at)
	return err
}

// reserve holds lines under key and returns the order's units per SKU as
// sold (a bundle as the bundle). Callers hold l.mu.
func (l *Ledger) reserve(key string, lines []Line, at time.Time) (map[string]int, error) {
	if key == "" {
		return nil, errors.New("inventory: reserve: empty order key")
	}
	want := map[string]int{}
	given := map[string]int{}
	for i, ln := range lines {
		if ln.SKU == "" {
			return nil, fmt.Errorf("inventory: reserve %s: lines[%d]: empty sku", key, i)
		}
		if ln.Qty <= 0 {
			return nil, fmt.Errorf("inventory: reserve %s: lines[%d] (%s): quantity must be positive, got %d", key, i, ln.SKU, ln.Qty)
		}
		given[ln.SKU] += ln.Qty
		if comp, ok := l.bundles[ln.SKU]; ok {
			for sku, n := range comp {
				want[sku] += ln.Qty * n
			}
			continue
		}
		want[ln.SKU] += ln.Qty
	}
	if r, ok := l.orders[key]; ok {
		if !r.ackedAt.IsZero() {
			return nil, fmt.Errorf("inventory: reserve %s: %w", key, ErrAcknowledged)
		}
		for sku := range r.lines {
			l.drop(key, r, sku)
		}
		at = r.reservedAt
	}
	r := &reservation{lines: want, reservedAt: at}
	l.orders[key] = r
	for sku, n := range want {
		l.held[sku] += n
		l.touch(sku)
	}
	return given, nil
}

// Acknowledge records that the ERP acknowledged the order at at (when the
// gateway learned of it). Its lines stay held until an ERP figure as of a
// later time shows them. Acknowledging again keeps the first time.
func (l *Ledger) Acknowledge(key string, at time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.orders[key]
	if !ok {
		return fmt.Errorf("inventory: acknowledge %s: %w", key, ErrUnknownOrder)
	}
	if !r.ackedAt.IsZero() {
		return nil
	}
	r.ackedAt = at
	for sku := range r.lines {
		if f, ok := l.erp[sku]; ok && l.shows(f.asOf, at) {
			l.drop(key, r, sku)
			continue
		}
		if l.acked[sku] == nil {
			l.acked[sku] = map[string]struct{}{}
		}
		l.acked[sku][key] = struct{}{}
	}
	if len(r.lines) == 0 {
		delete(l.orders, key)
	}
	return nil
}

// Release lets go of everything an order holds: the ERP rejected it, or it
// was cancelled. It reports whether the ledger held anything for it; an
// order whose lines the ERP figures already show holds nothing.
func (l *Ledger) Release(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.orders[key]
	if !ok {
		return false
	}
	for sku := range r.lines {
		l.drop(key, r, sku)
	}
	delete(l.orders, key)
	return true
}

// drop stops holding an order's units of one SKU, forgetting the order
// once it holds nothing. Callers hold l.mu.
func (l *Ledger) drop(key string, r *reservation, sku string) {
	n := r.lines[sku]
	delete(r.lines, sku)
	if l.held[sku] -= n; l.held[sku] == 0 {
		delete(l.held, sku)
	}
	if ks := l.acked[sku]; ks != nil {
		delete(ks, key)
		if len(ks) == 0 {
			delete(l.acked, sku)
		}
	}
	if len(r.lines) == 0 && !r.ackedAt.IsZero() {
		delete(l.orders, key)
	}
	l.touch(sku)
}

// touch marks a SKU, and the bundles built from it, changed. Callers hold l.mu.
func (l *Ledger) touch(sku string) {
	l.seq++
	l.changed[sku] = l.seq
	for _, b := range l.partOf[sku] {
		l.changed[b] = l.seq
	}
}

// ChangedSince returns, sorted, the SKUs whose availability may have moved
// since the ledger's sequence stood at seq, and the sequence now. Start at
// 0 to get every SKU the ledger has seen.
func (l *Ledger) ChangedSince(seq uint64) ([]string, uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var skus []string
	for sku, s := range l.changed {
		if s > seq {
			skus = append(skus, sku)
		}
	}
	slices.Sort(skus)
	return skus, l.seq
}

// SKUs returns, sorted, every SKU with an ERP figure and every bundle.
func (l *Ledger) SKUs() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	skus := make([]string, 0, len(l.erp)+len(l.bundles))
	for sku := range l.erp {
		skus = append(skus, sku)
	}
	for sku := range l.bundles {
		skus = append(skus, sku)
	}
	slices.Sort(skus)
	return skus
}
