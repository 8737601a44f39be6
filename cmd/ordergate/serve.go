package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ordergate/ordergate/internal/config"
)

type serveCmd struct {
	Config string        `short:"c" required:"" type:"existingfile" env:"ORDERGATE_CONFIG" help:"Path to the YAML config file (see internal/config/testdata/example.yaml)."`
	Grace  time.Duration `default:"30s" help:"On SIGTERM or SIGINT, how long running jobs may take to finish before the process exits (they run again at the next start)."`
	// LogFormat is a flag rather than a config field: how the logs are
	// written depends on where the process runs, not on what it serves.
	LogFormat string `default:"json" enum:"json,text" help:"Log format on stderr: json (one JSON object per line, for a log collector) or text (key=value, for a person)."`
}

func (c *serveCmd) Run() error {
	cfg, err := config.Load(c.Config)
	if err != nil {
		return err
	}
	log := serveLogger(cfg.LogLevel, c.LogFormat)
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

// serveLogger returns the logger of serve: JSON on stderr, or the text of
// newLogger when format is "text", at the named level.
func serveLogger(level, format string) *slog.Logger {
	if format == "text" {
		return newLogger(level)
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

func redactedDB(cfg *config.Config) string { return cfg.Redacted().Database }
