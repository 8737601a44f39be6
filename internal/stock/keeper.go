// Package stock keeps the marketplaces told no more than the ERP has really
// reserved (invariant I5). A Keeper joins the pure stock ledger
// (internal/inventory) to the world:
//
//   - the store is the truth of what is in flight: every Sync interval the
//     keeper reads the orders that may hold stock (Store.Holding) and
//     reserves, acknowledges and releases them in the ledger. Reading the
//     store rather than hooking the gate's commits means every replica's
//     orders count, and a new leader rebuilds the ledger in one read;
//   - the ERP's availability is read every Refresh interval, and soon after
//     any acknowledgment the sync finds (the ERP has taken that stock);
//   - each marketplace's order feed is polled and every sale is ingested
//     through the gate like a storefront order (it is handed to the ERP
//     exactly once, and its units are in flight everywhere at once), and
//     reserved in the ledger against its channel straight away;
//   - one pusher per marketplace (internal/marketplace) sends each channel's
//     figures, woken after every change.
//
// One keeper runs at a time: the gate's leader runs it as a periodic task
// (see Keeper.RunFor).
package stock

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/inventory"
	"github.com/ordergate/ordergate/internal/marketplace"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/storefront"
)

// Defaults of Config's intervals.
const (
	DefaultSync       = time.Second
	DefaultRefresh    = time.Minute
	DefaultMinRefresh = time.Second
	DefaultFeedPoll   = 5 * time.Second
	// availabilityBatch is the most SKUs asked of the ERP in one call.
	availabilityBatch = 200
)

// Holder is the store as the keeper reads it.
type Holder interface {
	Holding(ctx context.Context, ackedSince time.Time) ([]*order.Order, error)
}

// Sale is one order placed on a marketplace, as its feed reports it.
type Sale struct {
	ID       string
	Lines    []inventory.Line
	PlacedAt time.Time
	Currency string
	// Body is the marketplace's own record of the sale, kept with the
	// delivery for replay; empty means the sale as JSON.
	Body []byte
}

// Feed is a marketplace's order feed. Sales returns the sales placed at or
// after since, oldest first; a feed may return a sale more than once (the
// keeper deduplicates by ID).
type Feed interface {
	Channel() string
	Sales(ctx context.Context, since time.Time) ([]Sale, error)
}

// Ingester takes a sale in as an order (gate.Gate.Ingest).
type Ingester func(ctx context.Context, d storefront.Delivery) (store.IngestResult, error)

// Config wires a keeper.
type Config struct {
	Ledger *inventory.Ledger
	Store  Holder
	// ERP is where availability is read: the ERP that holds the stock.
	ERP erp.Client
	// SKUs are read from the ERP at every refresh, with every SKU of an
	// order in flight and every SKU the ledger already knows. List the
	// components of every bundle here: the ledger holds a bundle's
	// components, and a bundle has no ERP figure of its own.
	SKUs []string
	// ERPLag is the ledger's Config.ERPLag.
	ERPLag time.Duration
	// Pushers send each channel's figures, by channel name.
	Pushers map[string]*marketplace.Pusher
	Feeds   []Feed
	// Ingest takes the feeds' sales in; required with Feeds.
	Ingest Ingester

	Sync       time.Duration // how often the store is read; default DefaultSync
	Refresh    time.Duration // how often the ERP is read; default DefaultRefresh
	MinRefresh time.Duration // the least time between two ERP reads; default DefaultMinRefresh
	FeedPoll   time.Duration // how often each feed is read; default DefaultFeedPoll

	Logger *slog.Logger
	Now    func() time.Time
}

// Keeper keeps the ledger in step. Build it with New.
type Keeper struct {
	cfg Config
	log *slog.Logger

	poke chan struct{}
	// stop ends every Run at once, for good (Stop).
	stop     chan struct{}
	stopOnce sync.Once

	mu     sync.Mutex
	status Status
	// held is what the ledger was last given of each order, by key.
	held map[string]holding
	// asOf is when the last complete ERP read was sent; zero before one.
	asOf       time.Time
	lastRead   time.Time
	ackedSince bool // an acknowledgment was found since the last read
	cursors    map[string]time.Time
	sold       map[string]bool // sales taken in, by dedup key
}

type holding struct {
	lines []inventory.Line
	sig   string
	acked bool
}

// Status is what the keeper has done, for the API and the dashboard.
type Status struct {
	Running     bool      `json:"running"`
	LastSync    time.Time `json:"last_sync,omitzero"`
	LastRefresh time.Time `json:"last_refresh,omitzero"`
	Held        int       `json:"orders_held"`
	SKUs        int       `json:"skus"`
	SalesTaken  int       `json:"marketplace_orders_taken"`
	LastError   string    `json:"last_error,omitempty"`
}

// New checks cfg and returns a keeper.
func New(cfg Config) (*Keeper, error) {
	var errs []error
	if cfg.Ledger == nil {
		errs = append(errs, errors.New("stock: no ledger"))
	}
	if cfg.Store == nil {
		errs = append(errs, errors.New("stock: no store"))
	}
	if cfg.ERP == nil {
		errs = append(errs, errors.New("stock: no erp to read availability from"))
	}
	if len(cfg.Feeds) > 0 && cfg.Ingest == nil {
		errs = append(errs, errors.New("stock: feeds but nothing to ingest their sales"))
	}
	for _, f := range cfg.Feeds {
		if cfg.Ledger != nil && !cfg.Ledger.HasChannel(f.Channel()) {
			errs = append(errs, fmt.Errorf("stock: feed %s: the ledger has no channel of that name", f.Channel()))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	cfg.Sync = cmp.Or(cfg.Sync, DefaultSync)
	cfg.Refresh = cmp.Or(cfg.Refresh, DefaultRefresh)
	cfg.MinRefresh = cmp.Or(cfg.MinRefresh, DefaultMinRefresh)
	cfg.FeedPoll = cmp.Or(cfg.FeedPoll, DefaultFeedPoll)
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Keeper{cfg: cfg, log: cfg.Logger.With("component", "stock"), poke: make(chan struct{}, 1), stop: make(chan struct{}),
		held: map[string]holding{}, cursors: map[string]time.Time{}, sold: map[string]bool{}}, nil
}

// Status returns what the keeper has done so far.
func (k *Keeper) Status() Status {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.status
}

// Poke asks for an ERP read soon (within MinRefresh of the last).
func (k *Keeper) Poke() {
	k.mu.Lock()
	k.ackedSince = true
	k.mu.Unlock()
	select {
	case k.poke <- struct{}{}:
	default:
	}
}

// Stop ends the keeper's runs, now and later: the gateway is shutting
// down, and the job that runs the keeper must not hold the shutdown up.
func (k *Keeper) Stop() { k.stopOnce.Do(func() { close(k.stop) }) }

// RunFor runs the keeper for d (less a little, so that the next run, on
// whichever replica leads then, does not overlap it) or until ctx ends.
// It is the body of the leader's periodic stock task.
func (k *Keeper) RunFor(ctx context.Context, d time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, max(d-2*time.Second, time.Second))
	defer cancel()
	err := k.Run(ctx)
	select {
	case <-k.stop:
		return nil
	default:
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	return err
}

// Run keeps the ledger in step and runs the pushers until ctx ends.
func (k *Keeper) Run(ctx context.Context) error {
	k.mu.Lock()
	k.status.Running = true
	k.mu.Unlock()
	defer func() {
		k.mu.Lock()
		k.status.Running = false
		k.mu.Unlock()
	}()
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-k.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	for _, p := range k.cfg.Pushers {
		wg.Go(func() { p.Run(ctx) })
	}
	tick := time.NewTicker(k.cfg.Sync)
	defer tick.Stop()
	var lastFeed time.Time
	for {
		now := k.cfg.Now()
		feeds := now.Sub(lastFeed) >= k.cfg.FeedPoll
		if feeds {
			lastFeed = now
		}
		if err := k.Step(ctx, feeds); err != nil && ctx.Err() == nil {
			k.log.Warn("stock step failed; the next one tries again", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		case <-k.poke:
		}
	}
}

// Step does one round: read the feeds (if feeds), read the ERP if due,
// bring the ledger in step with the store, and wake the pushers. The ERP is
// read first on the first step, after the store, so that no SKU has a
// figure before the orders holding it are reserved.
func (k *Keeper) Step(ctx context.Context, feeds bool) error {
	var errs []error
	if feeds {
		errs = append(errs, k.takeSales(ctx))
	}
	k.mu.Lock()
	first := k.asOf.IsZero()
	k.mu.Unlock()
	// Before the first read, reserve what is in flight now, as of the read
	// about to be sent: orders acknowledged before it (less the lag) are in
	// the figure it brings.
	since := k.cutoff(k.cfg.Now())
	if err := k.sync(ctx, since); err != nil {
		errs = append(errs, err)
	}
	if first || k.refreshDue() {
		if err := k.refresh(ctx); err != nil {
			errs = append(errs, err)
		} else if err := k.sync(ctx, k.cutoff(time.Time{})); err != nil {
			errs = append(errs, err)
		}
	}
	for _, p := range k.cfg.Pushers {
		p.Notify()
	}
	err := errors.Join(errs...)
	k.mu.Lock()
	k.status.LastError = ""
	if err != nil {
		k.status.LastError = err.Error()
	}
	k.mu.Unlock()
	return err
}

// cutoff is the time from which acknowledged orders must still be held:
// those acknowledged before the last ERP read (less the lag) are in its
// figures. Before any read, it is as of now.
func (k *Keeper) cutoff(now time.Time) time.Time {
	k.mu.Lock()
	defer k.mu.Unlock()
	asOf := k.asOf
	if asOf.IsZero() {
		asOf = now
	}
	return asOf.Add(-k.cfg.ERPLag)
}

func (k *Keeper) refreshDue() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	since := k.cfg.Now().Sub(k.lastRead)
	return since >= k.cfg.Refresh || (k.ackedSince && since >= k.cfg.MinRefresh)
}

// sync reserves every order that holds stock, acknowledges those the ERP
// acknowledged, and releases those that hold it no longer (rejected,
// cancelled, or acknowledged and shown by the ERP's figures).
func (k *Keeper) sync(ctx context.Context, ackedSince time.Time) error {
	orders, err := k.cfg.Store.Holding(ctx, ackedSince)
	if err != nil {
		return fmt.Errorf("stock: read orders in flight: %w", err)
	}
	l := k.cfg.Ledger
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.cfg.Now()
	next := make(map[string]holding, len(orders))
	newAcks := false
	for _, o := range orders {
		key := o.Key.String()
		lines := linesOf(o)
		acked := !o.AcknowledgedAt.IsZero()
		h := holding{lines: lines, sig: signature(lines), acked: acked}
		was, seen := k.held[key]
		if !seen || (!was.acked && was.sig != h.sig) {
			if len(lines) > 0 {
				if err := k.reserve(o, lines); err != nil && !errors.Is(err, inventory.ErrAcknowledged) {
					k.log.Warn("order's lines not held in the stock ledger", "order", key, "err", err)
				}
			}
		}
		if acked && (!seen || !was.acked) {
			if err := l.Acknowledge(key, o.AcknowledgedAt); err != nil && !errors.Is(err, inventory.ErrUnknownOrder) {
				k.log.Warn("acknowledgment not taken by the stock ledger", "order", key, "err", err)
			}
			newAcks = true
		}
		next[key] = h
	}
	for key := range k.held {
		if _, ok := next[key]; !ok {
			l.Release(key)
		}
	}
	k.held = next
	if newAcks {
		k.ackedSince = true
	}
	k.status.LastSync, k.status.Held = now, len(next)
	return nil
}

// reserve holds an order's lines: against its channel when it was sold on
// one (a marketplace's sale, or a storefront that is a channel itself).
func (k *Keeper) reserve(o *order.Order, lines []inventory.Line) error {
	key := o.Key.String()
	if k.cfg.Ledger.HasChannel(o.Key.Storefront) {
		placed := o.CapturedAt
		if placed.IsZero() {
			placed = o.ReceivedAt
		}
		return k.cfg.Ledger.ReserveSale(key, o.Key.Storefront, lines, placed)
	}
	return k.cfg.Ledger.Reserve(key, lines, o.ReceivedAt)
}

// refresh reads the ERP's availability of every SKU the ledger needs.
func (k *Keeper) refresh(ctx context.Context) error {
	k.mu.Lock()
	want := map[string]bool{}
	for _, s := range k.cfg.SKUs {
		want[s] = true
	}
	for _, h := range k.held {
		for _, ln := range h.lines {
			want[ln.SKU] = true
		}
	}
	k.ackedSince = false
	k.mu.Unlock()
	for _, s := range k.cfg.Ledger.SKUs() {
		want[s] = true
	}
	skus := make([]string, 0, len(want))
	for s := range want {
		skus = append(skus, s)
	}
	slices.Sort(skus)
	asOf := k.cfg.Now()
	got := map[string]int{}
	for batch := range slices.Chunk(skus, availabilityBatch) {
		m, err := k.cfg.ERP.Availability(erp.AtPriority(ctx, erp.PriorityStock), batch)
		if err != nil {
			k.mu.Lock()
			k.lastRead = k.cfg.Now() // wait MinRefresh or Refresh before trying again
			k.ackedSince = true
			k.mu.Unlock()
			return fmt.Errorf("stock: read availability of %d skus: %w", len(batch), err)
		}
		for s, n := range m {
			got[s] = n
		}
	}
	for s, n := range got {
		if _, err := k.cfg.Ledger.SetERP(s, n, asOf); err != nil && !errors.Is(err, inventory.ErrBundle) {
			k.log.Warn("erp figure not taken by the stock ledger", "sku", s, "err", err)
		}
	}
	k.mu.Lock()
	k.asOf, k.lastRead = asOf, k.cfg.Now()
	k.status.LastRefresh, k.status.SKUs = asOf, len(got)
	k.mu.Unlock()
	return nil
}

// takeSales reads every feed and ingests the sales not taken before.
func (k *Keeper) takeSales(ctx context.Context) error {
	var errs []error
	for _, f := range k.cfg.Feeds {
		ch := f.Channel()
		k.mu.Lock()
		since := k.cursors[ch]
		k.mu.Unlock()
		sales, err := f.Sales(ctx, since)
		if err != nil {
			errs = append(errs, fmt.Errorf("stock: read %s's orders: %w", ch, err))
			continue
		}
		for _, s := range sales {
			if err := k.takeSale(ctx, ch, s); err != nil {
				errs = append(errs, err)
				break // the cursor stays: the next poll reads it again
			}
			k.mu.Lock()
			if s.PlacedAt.After(k.cursors[ch]) {
				k.cursors[ch] = s.PlacedAt
			}
			k.mu.Unlock()
		}
	}
	return errors.Join(errs...)
}

func (k *Keeper) takeSale(ctx context.Context, channel string, s Sale) error {
	dedup := channel + "|" + s.ID
	k.mu.Lock()
	done := k.sold[dedup]
	k.mu.Unlock()
	if done {
		return nil
	}
	body := s.Body
	if len(body) == 0 {
		body, _ = json.Marshal(s)
	}
	o := order.Order{
		Key:             order.Key{Storefront: channel, ID: s.ID},
		Name:            s.ID,
		Currency:        cmp.Or(s.Currency, "USD"),
		CapturedAt:      s.PlacedAt,
		SourceUpdatedAt: s.PlacedAt,
	}
	for i, ln := range s.Lines {
		o.Lines = append(o.Lines, order.LineItem{LineID: fmt.Sprint(i + 1), SKU: ln.SKU, Quantity: ln.Qty})
	}
	d := storefront.Delivery{
		Storefront: channel, Kind: KindMarketplace, Topic: storefront.OrderCreated, RawTopic: "marketplace/order",
		DedupKey: dedup, DeliveryID: s.ID, TriggeredAt: s.PlacedAt, Body: body, Order: o,
	}
	if _, err := k.cfg.Ingest(ctx, d); err != nil {
		return fmt.Errorf("stock: take in %s order %s: %w", channel, s.ID, err)
	}
	key := o.Key.String()
	lines := linesOf(&o)
	k.mu.Lock()
	defer k.mu.Unlock()
	k.sold[dedup] = true
	k.status.SalesTaken++
	if _, held := k.held[key]; !held && len(lines) > 0 {
		if err := k.cfg.Ledger.ReserveSale(key, channel, lines, s.PlacedAt); err != nil && !errors.Is(err, inventory.ErrAcknowledged) {
			k.log.Warn("sale's lines not held in the stock ledger", "order", key, "err", err)
		}
		k.held[key] = holding{lines: lines, sig: signature(lines)}
	}
	return nil
}

// KindMarketplace is the storefront kind of orders taken from a
// marketplace's feed.
const KindMarketplace = "marketplace"

// linesOf is an order's lines as the ledger holds them: lines without a SKU
// (a custom item, a tip) or without a positive quantity hold nothing.
func linesOf(o *order.Order) []inventory.Line {
	var out []inventory.Line
	for _, ln := range o.Lines {
		if ln.SKU == "" || ln.Quantity <= 0 {
			continue
		}
		out = append(out, inventory.Line{SKU: ln.SKU, Qty: ln.Quantity})
	}
	return out
}

func signature(lines []inventory.Line) string {
	parts := make([]string, len(lines))
	for i, ln := range lines {
		parts[i] = fmt.Sprintf("%s×%d", ln.SKU, ln.Qty)
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}
