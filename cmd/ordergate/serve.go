package main

import (
	"context"
	"os/signal"
	"syscall"
	"time"

	"github.com/ordergate/ordergate/internal/config"
)

type serveCmd struct {
	Config string        `short:"c" required:"" type:"existingfile" env:"ORDERGATE_CONFIG" help:"Path to the YAML config file (see internal/config/testdata/example.yaml)."`
	Grace  time.Duration `default:"30s" help:"On SIGTERM or SIGINT, how long running jobs may take to finish before the process exits (they run again at the next start)."`
}

func (c *serveCmd) Run() error {
	cfg, err := config.Load(c.Config)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	g, err := start(ctx, cfg, nil, log)
	if err != nil {
		return err
	}
	log.Info("ordergate serving", "addr", g.addr(), "storefronts", len(cfg.Storefronts), "database", redactedDB(cfg))
	<-ctx.Done()
	log.Info("shutting down", "grace", c.Grace)
	sctx, cancel := context.WithTimeout(context.Background(), c.Grace)
	defer cancel()
	g.shutdown(sctx)
	return nil
}

func redactedDB(cfg *config.Config) string { return cfg.Redacted().Database }
