package storesim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ordergate/ordergate/internal/storefront/woocommerce/woocommercefake"
)

// Sim is a simulated storefront of one flavor delivering order webhooks to
// one target. Its methods are safe to call from any goroutine while Run is
// going.
type Sim struct {
	cfg      Config
	platform platform
	plan     []plannedOrder
	ran      atomic.Bool
	start    atomic.Int64 // unix nanoseconds when Run began

	mu       sync.Mutex
	records  []OrderRecord
	stats    Stats
	started  int
	accepted int
	done     int
}

// New returns a simulator for cfg, its orders already drawn from cfg.Seed.
// The config is checked by Run.
func New(cfg Config) *Sim {
	cfg = cfg.withDefaults()
	s := &Sim{cfg: cfg, platform: newPlatform(cfg), plan: plan(cfg)}
	s.records = make([]OrderRecord, len(s.plan))
	for i := range s.plan {
		name := ""
		if s.platform != nil {
			name = s.platform.orderName(&s.plan[i])
		}
		s.records[i] = newRecord(s.plan[i], name)
	}
	return s
}

// Flavor returns the platform the simulator plays.
func (s *Sim) Flavor() Flavor { return s.cfg.Flavor }

// WooCommerceShop returns the shop a WooCommerce simulator keeps its orders
// in, as they stand after each event: Config.WooCommerce, or the one the
// simulator made. Serve it (woocommercefake.Shop is an http.Handler) to
// give a backfill its REST API. It is nil for the other flavors.
func (s *Sim) WooCommerceShop() *woocommercefake.Shop {
	if p, ok := s.platform.(*wooPlatform); ok {
		return p.shop
	}
	return nil
}

// Run places every order and delivers its webhooks, Concurrency orders at a
// time and at most Rate orders a second, and returns when all are accepted
// or given up, or when ctx ends (returning its error). It returns an error
// too when any delivery was given up. A dropped order's webhooks are not
// waited for: they are never sent, so never given up, and Run returns nil
// when every delivery it sent was accepted. A Sim runs once.
func (s *Sim) Run(ctx context.Context) error {
	if err := s.cfg.validate(); err != nil {
		return err
	}
	if !s.ran.CompareAndSwap(false, true) {
		return errors.New("storesim: run: already run")
	}
	start := time.Now()
	s.start.Store(start.UnixNano())
	log := s.cfg.Logger.With("target", s.cfg.Target, "flavor", s.cfg.Flavor)
	if s.cfg.ShopDomain != "" {
		log = log.With("shop", s.cfg.ShopDomain)
	}
	log.Info(string(s.cfg.Flavor)+" simulator started", "orders", len(s.plan), "rate", s.cfg.Rate, "concurrency", s.cfg.Concurrency)
	if err := s.platform.start(ctx, s); err != nil {
		return fmt.Errorf("storesim: %s: %w", s.cfg.Flavor, err)
	}

	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := range s.cfg.Concurrency {
		jitter := rand.New(rand.NewPCG(uint64(s.cfg.Seed), uint64(w)+1))
		wg.Go(func() {
			for i := range jobs {
				s.place(ctx, jitter, i)
			}
		})
	}
	s.dispatch(ctx, start, jobs)
	close(jobs)
	wg.Wait()

	p := s.Progress()
	log.Info(string(s.cfg.Flavor)+" simulator finished", "accepted", p.Accepted, "orders", p.Orders,
		"sent", p.Stats.Sent, "retries", p.Stats.Retries, "given_up", p.Stats.GivenUp, "dropped", p.Stats.Dropped,
		"elapsed_ms", p.Elapsed.Milliseconds())
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("storesim: run stopped after %d of %d orders: %w", p.Done, p.Orders, err)
	}
	if p.Stats.GivenUp > 0 {
		return fmt.Errorf("storesim: %d deliveries given up after %d retries", p.Stats.GivenUp, s.cfg.Retry.retries())
	}
	return nil
}

// dispatch hands out order indexes, paced to Rate when it is set.
func (s *Sim) dispatch(ctx context.Context, start time.Time, jobs chan<- int) {
	for i := range s.plan {
		if s.cfg.Rate > 0 {
			due := start.Add(time.Duration(float64(i) / s.cfg.Rate * float64(time.Second)))
			if !sleep(ctx, time.Until(due)) {
				return
			}
		}
		select {
		case jobs <- i:
		case <-ctx.Done():
			return
		}
	}
}

// Orders returns a copy of every order's record, in the order they were
// planned, dropped orders included. The orders in the storefront are those
// with a CapturedAt.
func (s *Sim) Orders() []OrderRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]OrderRecord, len(s.records))
	for i, r := range s.records {
		out[i] = r.clone()
	}
	return out
}

// Accepted returns how many orders the gateway has answered 2xx for. A
// dropped order is never among them.
func (s *Sim) Accepted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted
}

// Stats returns the request counters so far.
func (s *Sim) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Progress returns a snapshot of the run so far.
func (s *Sim) Progress() Progress {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := Progress{Orders: len(s.plan), Started: s.started, Accepted: s.accepted, Done: s.done, Stats: s.stats}
	if ns := s.start.Load(); ns != 0 {
		p.Elapsed = time.Since(time.Unix(0, ns))
	}
	return p
}

// sleep waits d or until ctx ends, reporting whether the full wait passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
