package marketplace

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/ordergate/ordergate/internal/inventory"
)

// Defaults of PusherConfig.
const (
	DefaultDebounce = 2 * time.Second
	// DefaultDebounceLimited is the debounce for a marketplace that limits
	// revisions per listing per day, where every push spends one.
	DefaultDebounceLimited = 30 * time.Second
	DefaultMinBackoff      = time.Second
	DefaultMaxBackoff      = 5 * time.Minute
	DefaultPoll            = 5 * time.Second
	DefaultCallTimeout     = 30 * time.Second
	DefaultKeep            = 1000
)

// Stock is the stock ledger as the pusher sees it; *inventory.Ledger is one.
//
// The pusher Claims the figure it is about to send, then reports what
// became of it: Told when the marketplace took it, Unclaim when it surely
// did not (throttled, refused, or never sent), nothing when it may have
// (a timeout, a 5xx), so that the claim keeps counting until a later push
// lands. Expire is called on every Step.
type Stock interface {
	Quote(channel, sku string) inventory.Quote
	Claim(channel, sku string, now time.Time) inventory.Quote
	Told(channel, sku string, qty int, at time.Time)
	Unclaim(channel, sku string)
	Expire(now time.Time)
	ChangedSince(seq uint64) ([]string, uint64)
}

var _ Stock = (*inventory.Ledger)(nil)

// PusherConfig sets a pusher up. The zero value of every optional field
// means its documented default.
type PusherConfig struct {
	// Channel is the ledger channel whose figures this pusher sends.
	// Required.
	Channel string
	// Stock is the ledger. Required.
	Stock Stock
	// Connector is the marketplace account. Required. Its Limits are
	// honoured: the token bucket, the batch size, the revisions per day.
	Connector Connector
	// Clock is the pusher's clock; nil means SystemClock.
	Clock Clock
	// Debounce is how long a change waits for more changes to the same SKU
	// before it is sent: DefaultDebounce, or DefaultDebounceLimited for a
	// marketplace that limits revisions per day. A SKU that sells out goes
	// at once.
	Debounce time.Duration
	// MinBackoff and MaxBackoff bound the wait before a failed push is
	// sent again, doubling from one to the other.
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// Poll is how often Run looks at the ledger for changes when nothing
	// calls Notify; default DefaultPoll.
	Poll time.Duration
	// CallTimeout bounds each call to the connector; default
	// DefaultCallTimeout.
	CallTimeout time.Duration
	// ApplyDelay is how long after the marketplace answers that it took a
	// quantity it may still sell against the previous one: 0 for a
	// marketplace that applies a quantity before it answers, more for one
	// that applies it asynchronously (Amazon's listings patches are
	// ACCEPTED and processed later), plus any skew between the
	// marketplace's order times and the pusher's clock. The ledger is told
	// the push landed at the answer plus ApplyDelay.
	ApplyDelay time.Duration
	// RevisionReserve, for a marketplace that limits revisions per day, is
	// the revisions of a listing kept for decreases: once only this many
	// are left for the day, increases wait for the next day. Default a
	// tenth of the limit, at least 1.
	RevisionReserve int
	// OnRecord, if set, gets every record as it is made, from the
	// goroutine that runs the pusher. It must not block for long.
	OnRecord func(Record)
	// Keep is how many records History keeps; default DefaultKeep.
	Keep   int
	Logger *slog.Logger
}

// Pusher sends a ledger channel's figures to one marketplace account: on a
// change, after a debounce, within the marketplace's limits, retrying with
// backoff, never more than the ledger allows at the moment of sending (I5).
// It is safe for concurrent use; run it with Run, or call Step from a job.
type Pusher struct {
	cfg    PusherConfig
	name   string
	limits Limits
	clock  Clock
	log    *slog.Logger
	wake   chan struct{}

	step     sync.Mutex // one Step at a time; held across calls
	seq      uint64     // the ledger's sequence as far as collected
	bucket   *bucket
	revs     *revisions
	listings map[string]*listing

	mu   sync.Mutex // guards hist and sent, which are read outside Step
	hist history
	sent map[string]int
}

// listing is the pusher's state for one SKU.
type listing struct {
	due      time.Time // when to push next; zero: nothing to push
	since    time.Time // when the pending change was first seen
	sent     int       // what the marketplace last took
	sentOK   bool      // sent is known
	failures int       // failed tries since the last success
}

// pending is one update about to go, with the figure it came from.
type pending struct {
	sku   string
	qty   int
	quote inventory.Quote
}

// NewPusher returns a pusher for cfg.
func NewPusher(cfg PusherConfig) (*Pusher, error) {
	var errs []error
	if cfg.Channel == "" {
		errs = append(errs, errors.New("channel: required"))
	}
	if cfg.Stock == nil {
		errs = append(errs, errors.New("stock: required"))
	} else if h, ok := cfg.Stock.(interface{ HasChannel(string) bool }); ok && cfg.Channel != "" && !h.HasChannel(cfg.Channel) {
		errs = append(errs, fmt.Errorf("channel: the ledger has no channel %q", cfg.Channel))
	}
	if cfg.Connector == nil {
		errs = append(errs, errors.New("connector: required"))
	}
	for _, f := range []struct {
		key string
		d   time.Duration
	}{{"debounce", cfg.Debounce}, {"min_backoff", cfg.MinBackoff}, {"max_backoff", cfg.MaxBackoff},
		{"poll", cfg.Poll}, {"call_timeout", cfg.CallTimeout}, {"apply_delay", cfg.ApplyDelay}} {
		if f.d < 0 {
			errs = append(errs, fmt.Errorf("%s: must not be negative, got %s", f.key, f.d))
		}
	}
	if cfg.RevisionReserve < 0 || cfg.Keep < 0 {
		errs = append(errs, errors.New("revision_reserve, keep: must not be negative"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("marketplace pusher: %w", err)
	}
	lim := cfg.Connector.Limits()
	cfg.Clock = cmp.Or[Clock](cfg.Clock, SystemClock{})
	if lim.RevisionsPerDay > 0 {
		cfg.Debounce = cmp.Or(cfg.Debounce, DefaultDebounceLimited)
		cfg.RevisionReserve = cmp.Or(cfg.RevisionReserve, lim.RevisionsPerDay/10)
		cfg.RevisionReserve = max(1, min(cfg.RevisionReserve, lim.RevisionsPerDay-1))
	}
	cfg.Debounce = cmp.Or(cfg.Debounce, DefaultDebounce)
	cfg.MinBackoff = cmp.Or(cfg.MinBackoff, DefaultMinBackoff)
	cfg.MaxBackoff = max(cfg.MinBackoff, cmp.Or(cfg.MaxBackoff, DefaultMaxBackoff))
	cfg.Poll = cmp.Or(cfg.Poll, DefaultPoll)
	cfg.CallTimeout = cmp.Or(cfg.CallTimeout, DefaultCallTimeout)
	cfg.Keep = cmp.Or(cfg.Keep, DefaultKeep)
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	lim.BatchSize = max(1, lim.BatchSize)
	name := cfg.Connector.Name()
	return &Pusher{
		cfg:      cfg,
		name:     name,
		limits:   lim,
		clock:    cfg.Clock,
		log:      cfg.Logger.With("marketplace", name, "channel", cfg.Channel),
		wake:     make(chan struct{}, 1),
		bucket:   newBucket(lim.RequestsPerSecond, lim.Burst),
		revs:     newRevisions(lim.RevisionsPerDay, lim.DayZone),
		listings: map[string]*listing{},
		hist:     history{keep: cfg.Keep},
		sent:     map[string]int{},
	}, nil
}

// Notify tells the pusher the ledger changed, so that Run looks now rather
// than at its next poll. It never blocks.
func (p *Pusher) Notify() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run pushes until ctx ends, then returns nil. It starts no goroutines.
func (p *Pusher) Run(ctx context.Context) error {
	for {
		next := p.Step(ctx)
		if ctx.Err() != nil {
			return nil
		}
		wait := p.cfg.Poll
		if !next.IsZero() {
			wait = min(wait, next.Sub(p.clock.Now()))
		}
		t := p.clock.NewTimer(max(0, wait))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-p.wake:
			t.Stop()
		case <-t.C():
		}
	}
}

// Step takes the ledger's changes, sends every push that is due and that
// the marketplace's limits allow now, and returns when the next push falls
// due (zero if none is pending).
func (p *Pusher) Step(ctx context.Context) time.Time {
	p.step.Lock()
	defer p.step.Unlock()
	now := p.clock.Now()
	p.collect(now)
	var blocked time.Time
	due := p.due(now)
	for ctx.Err() == nil && len(due) > 0 {
		var batch []pending
		batch, due = p.prepare(due, now)
		if len(batch) == 0 {
			continue
		}
		// The claims in batch were made just now; if the bucket has no
		// token they are given back and made again when it has.
		if wait := p.bucket.take(now); wait > 0 {
			for _, b := range batch {
				p.cfg.Stock.Unclaim(p.cfg.Channel, b.sku)
			}
			blocked = now.Add(wait)
			break
		}
		p.send(ctx, batch)
		now = p.clock.Now()
	}
	return p.next(blocked)
}

// collect schedules a push for every SKU the ledger changed.
func (p *Pusher) collect(now time.Time) {
	p.cfg.Stock.Expire(now)
	skus, seq := p.cfg.Stock.ChangedSince(p.seq)
	p.seq = seq
	for _, sku := range skus {
		l := p.listings[sku]
		if l == nil {
			l = &listing{}
			p.listings[sku] = l
		}
		if l.failures > 0 {
			continue // its retry claims afresh, and must keep its backoff
		}
		at := now.Add(p.cfg.Debounce)
		if l.sentOK && l.sent > 0 && p.cfg.Stock.Quote(p.cfg.Channel, sku).Available == 0 {
			at = now // sold out: every second listed is a second of overselling
		}
		if l.due.IsZero() || at.Before(l.due) {
			l.due = at
		}
		if l.since.IsZero() {
			l.since = now
		}
	}
}

// due returns the SKUs due by now, the longest waiting first.
func (p *Pusher) due(now time.Time) []string {
	var due []string
	for sku, l := range p.listings {
		if !l.due.IsZero() && !l.due.After(now) {
			due = append(due, sku)
		}
	}
	slices.SortFunc(due, func(a, b string) int {
		return cmp.Or(p.listings[a].due.Compare(p.listings[b].due), cmp.Compare(a, b))
	})
	return due
}

// prepare claims due SKUs, in order, until it has a batch, deciding what
// each may be told within the day's revisions; it returns the batch and
// the SKUs it did not reach. Every update in the batch is claimed in the
// ledger; a claim the pusher will not send is given back at once.
func (p *Pusher) prepare(due []string, now time.Time) ([]pending, []string) {
	var batch []pending
	for len(due) > 0 && len(batch) < p.limits.BatchSize {
		sku := due[0]
		due = due[1:]
		l := p.listings[sku]
		q := p.cfg.Stock.Claim(p.cfg.Channel, sku, now)
		if !q.Known || q.Keep {
			// No ERP figure yet: tell the marketplace nothing until
			// there is one (SetERP marks the SKU changed). Or the
			// listing's last figure still fits: a new one would not
			// undo what it sold before it landed.
			l.due, l.since = time.Time{}, time.Time{}
			continue
		}
		qty := q.Available
		if left := p.revs.left(sku, now); left >= 0 {
			switch {
			case left == 0:
				p.cfg.Stock.Unclaim(p.cfg.Channel, sku)
				p.hold(sku, l, q, now, "no revisions left today")
				continue
			case l.sentOK && qty > l.sent && left <= p.cfg.RevisionReserve:
				p.cfg.Stock.Unclaim(p.cfg.Channel, sku)
				p.hold(sku, l, q, now, fmt.Sprintf("%d revisions left today, kept for decreases", left))
				continue
			case left == 1 && qty > 0:
				// The day's last revision: a figure sent now could not be
				// lowered again today, so close the listing instead; it
				// reopens when the next day begins. A 0 claims nothing.
				p.cfg.Stock.Unclaim(p.cfg.Channel, sku)
				qty = 0
			}
		}
		batch = append(batch, pending{sku: sku, qty: min(qty, q.Available), quote: q})
	}
	return batch, due
}

// hold puts off an increase (or any push, with no revisions left) to the
// next day.
func (p *Pusher) hold(sku string, l *listing, q inventory.Quote, now time.Time, why string) {
	l.due = p.revs.nextDay(now)
	p.record(Record{At: now, SKU: sku, Quantity: q.Available, Quote: q, Outcome: Held,
		Attempt: l.failures + 1, RetryAt: l.due, Waited: waited(l, now), Err: why,
		Revisions: p.revs.used(sku, now)})
}

// send makes one call to the connector and books its outcome per SKU.
func (p *Pusher) send(ctx context.Context, batch []pending) {
	updates := make([]Update, len(batch))
	for i, b := range batch {
		updates[i] = Update{SKU: b.sku, Quantity: b.qty}
	}
	cctx, cancel := context.WithTimeout(ctx, p.cfg.CallTimeout)
	errs := p.cfg.Connector.SetQuantities(cctx, updates)
	cancel()
	done := p.clock.Now()
	for i, b := range batch {
		var err error
		if i < len(errs) {
			err = errs[i]
		} else {
			err = &Error{Marketplace: p.name, SKU: b.sku, Kind: ErrUnavailable, Message: "the connector gave no result"}
		}
		p.book(b, err, done)
	}
}

// book records one update's outcome and schedules what follows it.
func (p *Pusher) book(b pending, err error, now time.Time) {
	l := p.listings[b.sku]
	rec := Record{At: now, SKU: b.sku, Quantity: b.qty, Quote: b.quote, Attempt: l.failures + 1, Waited: waited(l, now)}
	if err == nil {
		p.cfg.Stock.Told(p.cfg.Channel, b.sku, b.qty, now.Add(p.cfg.ApplyDelay))
		p.revs.spend(b.sku, now)
		l.sent, l.sentOK, l.failures = b.qty, true, 0
		l.due, l.since = time.Time{}, time.Time{}
		if b.qty < b.quote.Available {
			l.due = p.revs.nextDay(now) // closed on the day's last revision
		}
		p.mu.Lock()
		p.sent[b.sku] = b.qty
		p.mu.Unlock()
		rec.Outcome = Sent
		rec.Revisions = p.revs.used(b.sku, now)
		p.record(rec)
		return
	}
	rec.Err = err.Error()
	if errors.Is(err, ErrThrottled) || errors.Is(err, ErrRejected) || errors.Is(err, ErrAuth) {
		// Refused: the marketplace did not take it.
		p.cfg.Stock.Unclaim(p.cfg.Channel, b.sku)
	} else {
		// It may have landed: its claim keeps counting, and the listing
		// is sent again even if the figure then is the same.
		l.sentOK = false
	}
	if errors.Is(err, ErrRejected) {
		l.failures = 0
		l.due, l.since = time.Time{}, time.Time{}
		rec.Outcome = Rejected
		p.record(rec)
		return
	}
	wait := p.backoff(l.failures)
	rec.Outcome = Failed
	if errors.Is(err, ErrThrottled) {
		rec.Outcome = Throttled
		wait = max(wait, RetryAfter(err))
		p.bucket.pause(now.Add(wait)) // the limit is the account's, not the SKU's
	}
	l.failures++
	l.due = now.Add(wait)
	rec.RetryAt = l.due
	p.record(rec)
}

// backoff is the wait after n failures in a row: MinBackoff doubled n
// times, at most MaxBackoff.
func (p *Pusher) backoff(n int) time.Duration {
	d := p.cfg.MinBackoff
	for ; n > 0 && d < p.cfg.MaxBackoff; n-- {
		d *= 2
	}
	return min(d, p.cfg.MaxBackoff)
}

// waited is how long the change pending on l has waited.
func waited(l *listing, now time.Time) time.Duration {
	if l.since.IsZero() {
		return 0
	}
	return now.Sub(l.since)
}

// next returns when the next push falls due: the earliest due listing, but
// not before the bucket has a token.
func (p *Pusher) next(blocked time.Time) time.Time {
	var next time.Time
	for _, l := range p.listings {
		if !l.due.IsZero() && (next.IsZero() || l.due.Before(next)) {
			next = l.due
		}
	}
	if !blocked.IsZero() && (next.IsZero() || next.Before(blocked)) {
		next = blocked
	}
	return next
}

func (p *Pusher) record(r Record) {
	r.Marketplace, r.Channel = p.name, p.cfg.Channel
	attrs := []any{"sku", r.SKU, "quantity", r.Quantity, "available", r.Quote.Available, "attempt", r.Attempt}
	switch r.Outcome {
	case Sent:
		p.log.Debug("marketplace quantity sent", attrs...)
	case Held:
		p.log.Info("marketplace increase held for the day's revisions", append(attrs, "reason", r.Err, "retry_at", r.RetryAt)...)
	case Rejected:
		p.log.Error("marketplace refused a quantity", append(attrs, "error", r.Err)...)
	default:
		p.log.Warn("marketplace push failed", append(attrs, "error", r.Err, "retry_at", r.RetryAt)...)
	}
	p.mu.Lock()
	p.hist.add(r)
	p.mu.Unlock()
	if p.cfg.OnRecord != nil {
		p.cfg.OnRecord(r)
	}
}

// History returns the last records, oldest first.
func (p *Pusher) History() []Record {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hist.all()
}

// Sent returns the quantity the marketplace last took for sku, and whether
// it took any since the pusher started.
func (p *Pusher) Sent(sku string) (int, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	q, ok := p.sent[sku]
	return q, ok
}
