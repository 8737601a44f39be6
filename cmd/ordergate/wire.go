package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/ordergate/ordergate/internal/config"
	"github.com/ordergate/ordergate/internal/erp/sandbox"
	"github.com/ordergate/ordergate/internal/gate"
	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/notify/smtp"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/store/sqlite"
	"github.com/ordergate/ordergate/internal/web"
)

// gateway is a wired, running ordergate.
type gateway struct {
	cfg     *config.Config
	log     *slog.Logger
	store   *sqlite.Store
	gate    *gate.Gate
	http    *http.Server
	ln      net.Listener
	closers []func()
}

// start wires everything cfg names, opens the store (migrating it), starts
// the workers and begins serving HTTP on ln (or cfg.Listen when ln is nil).
func start(ctx context.Context, cfg *config.Config, ln net.Listener, log *slog.Logger) (*gateway, error) {
	g := &gateway{cfg: cfg, log: log}
	ok := false
	defer func() {
		if !ok {
			g.close()
		}
	}()

	erps := make(map[string]gate.ERP)
	for _, e := range cfg.ERPs {
		client, err := g.erpClient(e)
		if err != nil {
			return nil, fmt.Errorf("erps %s: %w", e.Name, err)
		}
		erps[e.Name] = gate.ERP{Client: client, Concurrency: e.Concurrency}
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
		sfs = append(sfs, gate.Storefront{Name: sf.Name, Kind: sf.Kind, ERP: sf.ERP, Notifier: sf.Notifier})
		var secrets [][]byte
		for _, s := range sf.WebhookSecrets {
			secrets = append(secrets, []byte(s))
		}
		webSFs = append(webSFs, web.Storefront{Name: sf.Name, Kind: sf.Kind, Secrets: secrets, ShopDomain: sf.ShopDomain})
	}
	var err error
	g.gate, err = gate.New(gate.Config{
		Storefronts: sfs, ERPs: erps, Notifiers: senders,
		RetryInitial: cfg.Retry.Initial, RetryMax: cfg.Retry.Max, MaxAttempts: cfg.Retry.MaxAttempts,
		JobTimeout: cfg.Jobs.Timeout, RescueAfter: cfg.Jobs.RescueAfter, Logger: log,
	})
	if err != nil {
		return nil, err
	}
	path, isSQLite := cfg.SQLitePath()
	if !isSQLite {
		return nil, errors.New("database: only sqlite is supported in this version")
	}
	g.store, err = sqlite.Open(ctx, path, sqlite.Options{River: g.gate.RiverConfig(), Logger: log})
	if err != nil {
		return nil, err
	}
	g.gate.Use(g.store)
	if err := g.store.Start(ctx); err != nil {
		return nil, err
	}

	tokens := append([]string(nil), cfg.AdminTokens...)
	if t := os.Getenv("ORDERGATE_ADMIN_TOKEN"); t != "" {
		tokens = append(tokens, t)
	}
	if len(tokens) == 0 {
		log.Warn("no admin token configured: the /api/v1 endpoints will refuse every request (set ORDERGATE_ADMIN_TOKEN or admin_tokens)")
	}
	srv := web.New(g.gate, g.store, web.Config{Storefronts: webSFs, AdminTokens: tokens, MaxBodyBytes: cfg.MaxBodyBytes, Logger: log})
	if ln == nil {
		ln, err = net.Listen("tcp", cfg.Listen)
		if err != nil {
			return nil, fmt.Errorf("listen: %w", err)
		}
	}
	g.ln = ln
	g.http = &http.Server{
		Handler:           srv.Handler(),
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

// erpClient returns the client for one configured ERP. A sandbox ERP with no
// base_url runs in this process on a loopback port (its records live only as
// long as the process).
func (g *gateway) erpClient(e config.ERP) (*sandbox.Client, error) {
	if e.Kind != config.ERPSandbox {
		return nil, fmt.Errorf("kind %s is not supported yet", e.Kind)
	}
	base := e.BaseURL
	if base == "" {
		sim := erpsim.New(simConfig(e.Sandbox))
		url, closeSrv, err := serveLoopback(sim)
		if err != nil {
			return nil, err
		}
		g.closers = append(g.closers, func() { sim.Close(); closeSrv() })
		base = url
		g.log.Info("sandbox erp running in process", "erp", e.Name, "url", base)
	}
	return sandbox.New(sandbox.Config{BaseURL: base, Timeout: e.Timeout})
}

// simConfig maps the config's sandbox block onto the simulator's.
func simConfig(s *config.Sandbox) erpsim.Config {
	if s == nil {
		return erpsim.Config{}
	}
	return erpsim.Config{
		Stock: s.Stock, DefaultStock: s.DefaultStock, UnknownSKUs: s.UnknownSKUs,
		Latency: erpsim.Latency{Min: s.Latency.Min, Median: s.Latency.Median, P99: s.Latency.P99},
		Faults: erpsim.Faults{ErrorRate: s.Faults.ErrorRate, TimeoutRate: s.Faults.TimeoutRate, InDoubtRate: s.Faults.InDoubtRate,
			ThrottleRate: s.Faults.ThrottleRate, RetryAfter: s.Faults.RetryAfter},
		AckDelay: s.AckDelay, Seed: s.Seed,
	}
}

// addr is where the gateway listens, as a URL.
func (g *gateway) addr() string { return "http://" + g.ln.Addr().String() }

// shutdown stops taking requests, lets running jobs finish (up to ctx), and
// closes the store.
func (g *gateway) shutdown(ctx context.Context) {
	if g.http != nil {
		g.http.Shutdown(ctx)
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
