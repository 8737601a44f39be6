// Package gate holds the use cases of the handoff and their job workers:
// ingest a delivery, submit the order to the ERP exactly once, await the
// ERP's acknowledgment, and only then send the customer's confirmation.
//
// Every step is a River job whose effects commit in one transaction with the
// order's new state, its timeline entries and the next job. Workers are
// idempotent: a job that a crash interrupts runs again and finds the order
// where the last commit left it.
package gate

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/store"
)

// Storefront is what the gate needs to know of one configured storefront.
type Storefront struct {
	Name     string
	Kind     string // shopify, …
	ERP      string // the name of its ERP
	Notifier string // the name of its notifier
}

// ERP is one configured ERP and how many calls it may have in flight.
type ERP struct {
	Client      erp.Client
	Concurrency int
}

// Config wires the gate. Zero durations mean the documented defaults.
type Config struct {
	Storefronts []Storefront
	ERPs        map[string]ERP
	Notifiers   map[string]notify.Sender

	RetryInitial time.Duration // first retry after a failed step; default 1s
	RetryMax     time.Duration // longest wait between retries; default 5m
	MaxAttempts  int           // attempts before an order is flagged; default 100
	AckPoll      time.Duration // how often a pending acknowledgment is polled; default 2s
	JobTimeout   time.Duration // default 2m
	RescueAfter  time.Duration // default 10m

	Logger *slog.Logger
	Now    func() time.Time
}

// Gate runs the handoff.
type Gate struct {
	cfg         Config
	storefronts map[string]Storefront
	store       store.Store
	log         *slog.Logger
}

// New returns a gate. Call Use with the store before working any job: the
// store needs the gate's workers to be opened, so the two are joined in two
// steps (New, open the store with RiverConfig, Use).
func New(cfg Config) (*Gate, error) {
	if cfg.RetryInitial <= 0 {
		cfg.RetryInitial = time.Second
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = 5 * time.Minute
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 100
	}
	if cfg.AckPoll <= 0 {
		cfg.AckPoll = 2 * time.Second
	}
	if cfg.JobTimeout <= 0 {
		cfg.JobTimeout = 2 * time.Minute
	}
	if cfg.RescueAfter <= 0 {
		cfg.RescueAfter = 10 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	g := &Gate{cfg: cfg, storefronts: make(map[string]Storefront), log: cfg.Logger}
	for _, sf := range cfg.Storefronts {
		if _, ok := cfg.ERPs[sf.ERP]; !ok {
			return nil, fmt.Errorf("gate: storefront %s: no erp %q", sf.Name, sf.ERP)
		}
		if _, ok := cfg.Notifiers[sf.Notifier]; !ok {
			return nil, fmt.Errorf("gate: storefront %s: no notifier %q", sf.Name, sf.Notifier)
		}
		g.storefronts[sf.Name] = sf
	}
	return g, nil
}

// Use joins the gate to its store.
func (g *Gate) Use(s store.Store) { g.store = s }

// Storefront returns the named storefront's configuration.
func (g *Gate) Storefront(name string) (Storefront, bool) {
	sf, ok := g.storefronts[name]
	return sf, ok
}

func (g *Gate) now() time.Time { return g.cfg.Now().UTC() }

// The queues: one per ERP, sized to its concurrency budget, so a slow ERP
// never starves another; and one for messages.
const notifyQueue = "notify"

func erpQueue(name string) string { return "erp_" + name }

// RiverConfig returns the job queue's configuration: the workers, a queue per
// ERP sized to its concurrency, and timings tuned for the gate's latency
// (River's defaults poll every second; a hop must take milliseconds).
func (g *Gate) RiverConfig() *river.Config {
	workers := river.NewWorkers()
	river.AddWorker(workers, &submitWorker{worker[SubmitArgs]{g: g}})
	river.AddWorker(workers, &awaitAckWorker{worker[AwaitAckArgs]{g: g}})
	river.AddWorker(workers, &confirmWorker{worker[ConfirmArgs]{g: g}})
	queues := map[string]river.QueueConfig{notifyQueue: {MaxWorkers: 10}}
	for name, e := range g.cfg.ERPs {
		n := e.Concurrency
		if n <= 0 {
			n = 8
		}
		queues[erpQueue(name)] = river.QueueConfig{MaxWorkers: n}
	}
	return &river.Config{
		Workers:              workers,
		Queues:               queues,
		FetchCooldown:        5 * time.Millisecond,
		FetchPollInterval:    50 * time.Millisecond,
		JobTimeout:           g.cfg.JobTimeout,
		RescueStuckJobsAfter: g.cfg.RescueAfter,
		MaxAttempts:          g.cfg.MaxAttempts,
		Logger:               slog.New(levelFloor{g.log.Handler(), slog.LevelWarn}),
	}
}

// backoff returns the wait before retry number attempt (1-based): doubling
// from RetryInitial up to RetryMax, with ±20% jitter so a backlog of retries
// does not hit the ERP in lockstep.
func (g *Gate) backoff(attempt int) time.Duration {
	d := g.cfg.RetryInitial
	for i := 1; i < attempt && d < g.cfg.RetryMax; i++ {
		d *= 2
	}
	d = min(d, g.cfg.RetryMax)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}
