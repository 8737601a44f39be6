// Package gate holds the use cases of the handoff and their job workers:
// ingest a delivery, submit the order to the ERP exactly once, await the
// ERP's acknowledgment (in the create's reply, by its callback, or by
// polling), and only then send the customer's confirmation; tell the
// customer of a problem; cancel in the ERP what the storefront cancelled;
// mark and announce orders past their SLA; and the operator's recovery
// actions (retry, release, cancel, replay).
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
	"github.com/ordergate/ordergate/internal/metrics"
	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/storefront"
)

// Mode is when a storefront's customers hear from the gateway.
type Mode string

// The modes.
const (
	// ModeGated sends the confirmation only after the ERP acknowledges.
	ModeGated Mode = "gated"
	// ModeAckGated also sends "order received, confirmation pending" as
	// soon as the order is stored, and optionally "still working on it".
	ModeAckGated Mode = "ack_gated"
	// ModeShadow leaves every new order to the legacy flow and only
	// watches: nothing goes to the ERP or the customer (shadow.go).
	ModeShadow Mode = "shadow"
)

// Shortfall is what happens when the ERP accepts less than was ordered.
type Shortfall string

// The shortfall policies.
const (
	// ShortfallReject holds the order for an operator and tells the
	// customer there is a problem; release confirms it as it stands.
	ShortfallReject Shortfall = "reject"
	// ShortfallBackorder confirms it, saying which lines ship later.
	ShortfallBackorder Shortfall = "backorder"
)

// Storefront is what the gate needs to know of one configured storefront.
type Storefront struct {
	Name     string
	Kind     string // shopify, …
	ERP      string // the name of its ERP
	Notifier string // the name of its notifier

	Mode      Mode      // default ModeGated
	Shortfall Shortfall // default ShortfallReject
	// SLA is how long after receipt an unsettled order becomes overdue; 0
	// means never.
	SLA time.Duration
	// LeadTime gives the expected ship date (acknowledgment + LeadTime)
	// when the ERP gives none; 0 means say none.
	LeadTime time.Duration
	// StillWorkingAfter, in ModeAckGated, sends "still working on it" to a
	// customer whose order is not acknowledged that long after receipt; 0
	// means never.
	StillWorkingAfter time.Duration
	// Silent storefronts are channels that tell their buyers themselves
	// (a marketplace's orders, taken from its feed): the gate sends them
	// no message, confirming each order once the ERP acknowledges it, and
	// does not flag a missing e-mail address.
	Silent bool
	// RolloutPercent is the share of new orders, chosen by a stable hash
	// of the order id, that the gate handles for real; the rest stay with
	// the legacy flow and are shadowed. nil means 100. A setting changed at
	// run time overrides it and Mode (shadow.go).
	RolloutPercent *int
	// Tagger, with GatedTag not empty, tags each order put in the gated
	// cohort with GatedTag in the storefront, so that the legacy
	// connector can skip it (tag.go). Nil means no tags.
	Tagger   Tagger
	GatedTag string
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

	// Alerts, if set, is told of each order that becomes overdue, once.
	Alerts Alerter

	// Fetchers fetch the orders that a storefront's notices name, by
	// storefront name: storefronts whose webhooks carry only an order id
	// (BigCommerce) need one.
	Fetchers map[string]storefront.Fetcher

	// Tasks are leader-only work from outside the gate, run on a
	// schedule by one replica at a time (reconciliation).
	Tasks []Task

	// SweepInterval is how often the elected leader runs the SLA sweep,
	// the safety net behind each order's own SLA job; default 1m.
	SweepInterval time.Duration
	// Instance names this process in the logs of leader-only work, so an
	// operator can tell which replica ran it; default hostname:pid.
	Instance string

	// Metrics, if set, counts the ERP calls, the messages and the
	// handoff latencies, and reads the ERP budgets at each scrape; the
	// HTTP edge reports its webhooks to it through Gate.Metrics.
	Metrics *metrics.Recorder

	Logger *slog.Logger
	Now    func() time.Time
}

// Gate runs the handoff.
type Gate struct {
	cfg         Config
	storefronts map[string]Storefront
	clients     map[string]erp.Client // by ERP name, each within its budget
	store       store.Store
	log         *slog.Logger
	rollout     rolloutCache
	handoff     handoffs // acknowledgment committed → confirmation's worker (handoff.go)
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
	if cfg.SweepInterval <= 0 {
		cfg.SweepInterval = time.Minute
	}
	if cfg.Instance == "" {
		cfg.Instance = defaultInstance()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	g := &Gate{cfg: cfg, storefronts: make(map[string]Storefront), clients: make(map[string]erp.Client), log: cfg.Logger}
	for name, e := range cfg.ERPs {
		b := erp.NewBudget(concurrency(e))
		cfg.Metrics.WatchBudget(name, b)
		g.clients[name] = erp.Limit(cfg.Metrics.InstrumentERP(name, e.Client), b)
	}
	for _, sf := range cfg.Storefronts {
		switch sf.Mode {
		case "":
			sf.Mode = ModeGated
		case ModeGated, ModeAckGated, ModeShadow:
		default:
			return nil, fmt.Errorf("gate: storefront %s: unknown mode %q", sf.Name, sf.Mode)
		}
		switch sf.Shortfall {
		case "":
			sf.Shortfall = ShortfallReject
		case ShortfallReject, ShortfallBackorder:
		default:
			return nil, fmt.Errorf("gate: storefront %s: unknown shortfall policy %q", sf.Name, sf.Shortfall)
		}
		if p := sf.RolloutPercent; p != nil && (*p < 0 || *p > 100) {
			return nil, fmt.Errorf("gate: storefront %s: rollout percent %d is not within 0..100", sf.Name, *p)
		}
		if _, ok := cfg.ERPs[sf.ERP]; !ok {
			return nil, fmt.Errorf("gate: storefront %s: no erp %q", sf.Name, sf.ERP)
		}
		if _, ok := cfg.Notifiers[sf.Notifier]; !ok && !sf.Silent {
			return nil, fmt.Errorf("gate: storefront %s: no notifier %q", sf.Name, sf.Notifier)
		}
		g.storefronts[sf.Name] = sf
	}
	names := map[string]bool{}
	for _, t := range cfg.Tasks {
		switch {
		case t.Name == "" || names[t.Name]:
			return nil, fmt.Errorf("gate: task %q: name empty or used twice", t.Name)
		case t.Interval < time.Second:
			return nil, fmt.Errorf("gate: task %s: interval %v is under a second", t.Name, t.Interval)
		case t.Run == nil:
			return nil, fmt.Errorf("gate: task %s: nothing to run", t.Name)
		}
		names[t.Name] = true
	}
	for name := range cfg.Fetchers {
		if _, ok := g.storefronts[name]; !ok {
			return nil, fmt.Errorf("gate: fetcher for unknown storefront %q", name)
		}
	}
	return g, nil
}

// Use joins the gate to its store.
func (g *Gate) Use(s store.Store) { g.store = s }

// Metrics returns the recorder the gate reports to, for the HTTP edge's
// own figures; nil if none (a nil recorder records nothing).
func (g *Gate) Metrics() *metrics.Recorder {
	if g == nil {
		return nil
	}
	return g.cfg.Metrics
}

// Storefront returns the named storefront's configuration.
func (g *Gate) Storefront(name string) (Storefront, bool) {
	sf, ok := g.storefronts[name]
	return sf, ok
}

func (g *Gate) now() time.Time { return g.cfg.Now().UTC() }

// client returns the ERP client of a storefront, within its ERP's budget.
func (g *Gate) client(sf Storefront) erp.Client { return g.clients[sf.ERP] }

// ERPClient returns the named storefront's ERP client, within the same
// budget as the gate's own calls, for other leader-only work
// (reconciliation); nil for an unknown storefront.
func (g *Gate) ERPClient(storefront string) erp.Client {
	sf, ok := g.storefronts[storefront]
	if !ok {
		return nil
	}
	return g.client(sf)
}

// ERPClientNamed returns the named ERP's client, within the same budget
// as the gate's own calls (the stock keeper's availability reads); nil for
// an unknown ERP.
func (g *Gate) ERPClientNamed(name string) erp.Client { return g.clients[name] }

func concurrency(e ERP) int {
	if e.Concurrency <= 0 {
		return 8
	}
	return e.Concurrency
}

// queueWorkers sizes an ERP's queue a little above its budget. A job
// spends part of its run outside the ERP call: the steps it commits before
// and after, its pickup. With exactly as many workers as slots, each such
// moment was a slot left idle (the budget was 94% busy under a backlog of
// 10,000 orders); a few more workers than slots keep one waiting on the
// budget for every slot that frees, and the budget, not the queue, keeps the
// calls in flight within the ERP's limit and in priority order.
func queueWorkers(e ERP) int {
	c := concurrency(e)
	return c + max(2, c/3)
}

// The queues: one per ERP, sized to its concurrency budget, so a slow ERP
// never starves another; one for messages and alerts.
const notifyQueue = "notify"

// Job priorities within an ERP's queue (River runs 1 before 2): new orders
// before updates. The budget orders the calls the same way.
const (
	priorityNew    = 1
	priorityUpdate = 2
)

func erpQueue(name string) string { return "erp_" + name }

// RiverConfig returns the job queue's configuration: the workers, a queue per
// ERP sized to its concurrency, the leader-only periodic jobs (leader.go),
// and timings tuned for the gate's latency (River's defaults poll every
// second; a hop must take milliseconds).
func (g *Gate) RiverConfig() *river.Config {
	workers := river.NewWorkers()
	river.AddWorker(workers, &submitWorker{worker[SubmitArgs]{g: g}})
	river.AddWorker(workers, &awaitAckWorker{worker[AwaitAckArgs]{g: g}})
	river.AddWorker(workers, &notifyWorker{worker[NotifyArgs]{g: g}})
	river.AddWorker(workers, &erpCancelWorker{worker[ERPCancelArgs]{g: g}})
	river.AddWorker(workers, &overdueWorker{worker[OverdueArgs]{g: g}})
	river.AddWorker(workers, &alertWorker{worker[AlertArgs]{g: g}})
	river.AddWorker(workers, &fetchWorker{worker[FetchArgs]{g: g}})
	river.AddWorker(workers, &shadowWorker{worker[ShadowArgs]{g: g}})
	river.AddWorker(workers, &tagWorker{worker[TagArgs]{g: g}})
	leaderJobs := g.leaderJobs()
	periodic := make([]*river.PeriodicJob, 0, len(leaderJobs))
	for _, j := range leaderJobs {
		if j.addWorker != nil {
			j.addWorker(workers)
		}
		periodic = append(periodic, g.periodicJob(j))
	}
	queues := map[string]river.QueueConfig{notifyQueue: {MaxWorkers: 10}, periodicQueue: {MaxWorkers: len(leaderJobs)}, fetchQueue: {MaxWorkers: 4}}
	for name, e := range g.cfg.ERPs {
		queues[erpQueue(name)] = river.QueueConfig{MaxWorkers: queueWorkers(e)}
	}
	for _, sf := range g.storefronts {
		if sf.tags() {
			queues[tagQueue] = river.QueueConfig{MaxWorkers: 2}
		}
	}
	return &river.Config{
		Workers:              workers,
		Queues:               queues,
		PeriodicJobs:         periodic,
		FetchCooldown:        time.Millisecond,
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
