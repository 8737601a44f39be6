package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/ordergate/ordergate/internal/alert"
	"github.com/ordergate/ordergate/internal/config"
	"github.com/ordergate/ordergate/internal/gate"
	"github.com/ordergate/ordergate/internal/inventory"
	"github.com/ordergate/ordergate/internal/marketplace"
	"github.com/ordergate/ordergate/internal/metrics"
	"github.com/ordergate/ordergate/internal/metrics/storegauges"
	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/notify/smtp"
	"github.com/ordergate/ordergate/internal/reconcile"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/store/postgres"
	"github.com/ordergate/ordergate/internal/store/sqlite"
	"github.com/ordergate/ordergate/internal/web"
)

// gateway is a wired, running ordergate.
type gateway struct {
	cfg     *config.Config
	log     *slog.Logger
	store   store.Store
	gate    *gate.Gate
	http    *http.Server
	ln      net.Listener
	closers []func()
	// reconciler runs reconciliations: the leader's loop and the API's
	// POST /api/v1/reconcile.
	reconciler *reconcile.Runner
	// stock is the stock ledger, its marketplaces and its keeper; nil
	// without marketplaces.
	stock *stockParts
	// stockView, if set, is what the pushers quote instead of the ledger
	// (the flash-sale demo's baseline).
	stockView func(*inventory.Ledger) marketplace.Stock
}

// start wires everything cfg names, opens the store (migrating it), starts
// the workers and begins serving HTTP on ln (or cfg.Listen when ln is nil).
func start(ctx context.Context, cfg *config.Config, ln net.Listener, log *slog.Logger, opts ...func(*gateway)) (*gateway, error) {
	g := &gateway{cfg: cfg, log: log}
	for _, o := range opts {
		o(g)
	}
	ok := false
	defer func() {
		if !ok {
			g.close()
		}
	}()

	if err := validateConnectors(cfg); err != nil {
		return nil, err
	}
	// Listen first: an in-process sandbox ERP calls back to this address.
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", cfg.Listen); err != nil {
			return nil, fmt.Errorf("listen: %w", err)
		}
	}
	g.ln = ln
	g.closers = append(g.closers, func() { ln.Close() })
	erps := make(map[string]gate.ERP)
	callbacks := make(map[string][][]byte)
	for _, e := range cfg.ERPs {
		client, err := g.erpClient(e, ln.Addr())
		if err != nil {
			return nil, fmt.Errorf("erps %s: %w", e.Name, err)
		}
		erps[e.Name] = gate.ERP{Client: client, Concurrency: e.MaxConcurrency}
		for _, s := range e.CallbackSecrets {
			callbacks[e.Name] = append(callbacks[e.Name], []byte(s))
		}
	}
	var alerts gate.Alerter
	if cfg.Alerts.WebhookURL != "" {
		w, err := alert.New(cfg.Alerts.WebhookURL, cfg.Alerts.Timeout, nil)
		if err != nil {
			return nil, fmt.Errorf("alerts: %w", err)
		}
		alerts = w
	}
	senders := make(map[string]notify.Sender)
	for _, n := range cfg.Notifiers {
		s, err := smtp.New(smtp.Config{Addr: n.Addr, From: n.From, Username: n.Username, Password: n.Password, TLS: n.TLS, Brand: n.BrandFor(firstUser(cfg, n.Name))})
		if err != nil {
			return nil, fmt.Errorf("notifiers %s: %w", n.Name, err)
		}
		senders[n.Name] = s
	}
	var sfs []gate.Storefront
	var webSFs []web.Storefront
	for _, sf := range cfg.Storefronts {
		gsf := gate.Storefront{Name: sf.Name, Kind: sf.Kind, ERP: sf.ERP, Notifier: sf.Notifier,
			Mode: gate.Mode(sf.Mode), Shortfall: gate.Shortfall(sf.Shortfall), LeadTime: sf.LeadTime, StillWorkingAfter: sf.StillWorkingAfter}
		if sf.ConfirmationSLA != nil {
			gsf.SLA = *sf.ConfirmationSLA
		}
		gsf.RolloutPercent = sf.RolloutPercent
		tagger, tag, err := gatedTagger(sf, log)
		if err != nil {
			return nil, err
		}
		gsf.Tagger, gsf.GatedTag = tagger, tag
		sfs = append(sfs, gsf)
		var secrets [][]byte
		for _, s := range sf.WebhookSecrets {
			secrets = append(secrets, []byte(s))
		}
		webSFs = append(webSFs, web.Storefront{Name: sf.Name, Kind: sf.Kind, Secrets: secrets, ShopDomain: sf.ShopDomain, AuthHeader: sf.AuthHeader, ERP: sf.ERP})
	}
	sfs = append(sfs, marketplaceStorefronts(cfg)...)
	fetch, err := fetchers(cfg)
	if err != nil {
		return nil, err
	}
	// One registry per gateway; the gate reports to it, and the HTTP edge
	// through the gate.
	rec := metrics.New(log)
	if g.stock, err = newStockParts(cfg, rec, g); err != nil {
		return nil, err
	}
	var tasks []gate.Task
	if every := *cfg.Reconcile.Interval; every > 0 {
		// The runner exists once the store is open, before any job runs.
		tasks = append(tasks, gate.Task{Name: "reconcile", Interval: every, Timeout: every,
			Run: func(ctx context.Context) error {
				_, err := g.reconciler.Run(ctx, reconcile.Options{Since: time.Now().Add(-cfg.Reconcile.Window), Trigger: "schedule"})
				return err
			}})
	}
	if g.stock != nil {
		tasks = append(tasks, g.stockTask())
	}
	g.gate, err = gate.New(gate.Config{
		Storefronts: sfs, ERPs: erps, Notifiers: senders, Fetchers: fetch, Tasks: tasks,
		RetryInitial: cfg.Retry.Initial, RetryMax: cfg.Retry.Max, MaxAttempts: cfg.Retry.MaxAttempts,
		JobTimeout: cfg.Jobs.Timeout, RescueAfter: cfg.Jobs.RescueAfter, Alerts: alerts, Logger: log,
		SweepInterval: cfg.Jobs.SweepInterval, Metrics: rec,
	})
	if err != nil {
		return nil, err
	}
	// Each store is assigned only once it opened: a nil *Store in the
	// interface would not be nil to close.
	if postgres.IsDSN(cfg.Database) {
		s, err := postgres.Open(ctx, cfg.Database, postgres.Options{River: g.gate.RiverConfig(), Logger: log})
		if err != nil {
			return nil, err
		}
		g.store = s
	} else {
		path, isSQLite := cfg.SQLitePath()
		if !isSQLite {
			return nil, errors.New("database: want sqlite:PATH or a postgres:// DSN")
		}
		s, err := sqlite.Open(ctx, path, sqlite.Options{River: g.gate.RiverConfig(), Logger: log})
		if err != nil {
			return nil, err
		}
		g.store = s
	}
	g.gate.Use(g.store)
	rec.Register(storegauges.New(g.store, log))
	// The job gauges: every queue the gate works, in every unfinished
	// state, zero when empty, so that a dashboard sees an idle queue.
	st, queues := g.store, slices.Sorted(maps.Keys(g.gate.RiverConfig().Queues))
	rec.ReadJobs(func(ctx context.Context) ([]metrics.QueueJobs, error) {
		jobs, err := st.Jobs(ctx)
		if err != nil {
			return nil, err
		}
		held := make(map[[2]string]store.JobCount, len(jobs))
		for _, j := range jobs {
			held[[2]string{j.Queue, j.State}] = j
		}
		var out []metrics.QueueJobs
		for _, q := range queues {
			for _, state := range store.JobStates {
				j := held[[2]string{q, state}]
				out = append(out, metrics.QueueJobs{Queue: q, State: state, Count: j.Count, Oldest: j.Oldest})
			}
		}
		return out, nil
	})
	if g.reconciler, err = g.newReconciler(); err != nil {
		return nil, err
	}
	if err := g.startKeeper(); err != nil {
		return nil, err
	}
	if err := g.store.Start(ctx); err != nil {
		return nil, err
	}

	tokens := append([]string(nil), cfg.AdminTokens...)
	if t := os.Getenv("ORDERGATE_ADMIN_TOKEN"); t != "" {
		tokens = append(tokens, t)
	}
	readOnly := append([]string(nil), cfg.ReadOnlyTokens...)
	if t := os.Getenv("ORDERGATE_READONLY_TOKEN"); t != "" {
		readOnly = append(readOnly, t)
	}
	if len(tokens) == 0 && len(readOnly) == 0 {
		log.Warn("no admin token configured: the /api/v1 endpoints and the dashboard will refuse every request (set ORDERGATE_ADMIN_TOKEN or admin_tokens)")
	}
	var stockReporter web.StockReporter
	if g.stock != nil {
		stockReporter = g.stock.keeper
	}
	srv := web.New(g.gate, g.store, web.Config{Stock: stockReporter, Storefronts: webSFs, AdminTokens: tokens, ReadOnlyTokens: readOnly, MaxBodyBytes: cfg.MaxBodyBytes, ERPCallbacks: callbacks,
		Reconciler: g.reconciler, ReconcileWindow: cfg.Reconcile.Window, Limits: webLimits(cfg.Limits), Logger: log})
	log.Info("dashboard", "url", "http://"+ln.Addr().String()+"/")
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", rec.Handler())
	mux.Handle("/", srv.Handler())
	g.http = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	go func() {
		if err := g.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server stopped", "err", err)
		}
	}()
	watchCtx, stopWatch := context.WithCancel(context.WithoutCancel(ctx))
	g.closers = append(g.closers, stopWatch)
	watchSubscriptions(watchCtx, cfg, log, subscriptionCheckInterval)
	ok = true
	return g, nil
}

// firstUser returns the name of the first storefront sending through the
// named notifier: the brand a notifier without one shows.
func firstUser(cfg *config.Config, notifier string) string {
	for _, sf := range cfg.Storefronts {
		if sf.Notifier == notifier {
			return sf.Name
		}
	}
	return notifier
}

// addr is where the gateway listens, as a URL.
func (g *gateway) addr() string { return "http://" + g.ln.Addr().String() }

// shutdown stops taking requests, lets running jobs finish (up to ctx), and
// closes the store.
func (g *gateway) shutdown(ctx context.Context) {
	if g.http != nil {
		g.http.Shutdown(ctx)
	}
	if g.stock != nil && g.stock.keeper != nil {
		g.stock.keeper.Stop()
	}
	if g.store != nil {
		if err := g.store.Stop(ctx); err != nil {
			g.log.Warn("workers did not stop cleanly", "err", err)
		}
	}
	g.close()
}

func (g *gateway) close() {
	if g.store != nil {
		g.store.Close()
		g.store = nil
	}
	for _, c := range g.closers {
		c()
	}
	g.closers = nil
}

// newLogger returns a text logger on stderr at the named level (debug,
// info, warn, error; anything else is info).
func newLogger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// serveLoopback serves h on a free loopback port and returns its URL and a
// function that closes it.
func serveLoopback(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	return "http://" + ln.Addr().String(), func() { hs.Close() }, nil
}

// webLimits is the limits block as the HTTP edge takes it.
func webLimits(l config.Limits) web.Limits {
	w := web.Limits{RatePerSecond: l.RatePerSecond, RateBurst: l.RateBurst, TrustedProxyHeader: l.TrustedProxyHeader,
		MaxInFlight: l.MaxInFlight, QueueWait: l.QueueWait}
	if l.MaxEventAge != nil {
		w.MaxEventAge = *l.MaxEventAge
	}
	return w
}
