package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/ordergate/ordergate/internal/config"
	"github.com/ordergate/ordergate/internal/store/postgres"
	"github.com/ordergate/ordergate/internal/store/sqlite"
)

type migrateCmd struct {
	Config   string `short:"c" xor:"target" env:"ORDERGATE_CONFIG" help:"Path to the YAML config file; its database is migrated."`
	Database string `xor:"target" help:"The database to migrate instead of the config's, e.g. sqlite:ordergate.db or postgres://user@host/ordergate."`
}

func (c *migrateCmd) Run() error {
	dsn := c.Database
	if c.Config != "" {
		cfg, err := config.Load(c.Config)
		if err != nil {
			return err
		}
		dsn = cfg.Database
	}
	if dsn == "" {
		return errors.New("migrate: give --config or --database")
	}
	// What it did, the same for both stores; name is what to call the
	// database, without a DSN's password.
	var (
		name     string
		from, to int
		applied  []string
		river    []int
	)
	if postgres.IsDSN(dsn) {
		res, err := postgres.Migrate(context.Background(), dsn)
		if err != nil {
			return err
		}
		name = (&config.Config{Database: dsn}).Redacted().Database
		from, to, applied, river = res.From, res.To, res.Applied, res.RiverVersions
	} else {
		path, ok := (&config.Config{Database: dsn}).SQLitePath()
		if !ok {
			return errors.New("migrate: want sqlite:PATH or a postgres:// DSN")
		}
		res, err := sqlite.Migrate(context.Background(), path)
		if err != nil {
			return err
		}
		name = path
		from, to, applied, river = res.From, res.To, res.Applied, res.RiverVersions
	}
	if len(applied) == 0 && len(river) == 0 {
		fmt.Printf("%s is up to date (schema version %d)\n", name, to)
		return nil
	}
	fmt.Printf("%s migrated from schema version %d to %d", name, from, to)
	if len(river) > 0 {
		fmt.Printf("; job queue migrations %v applied", river)
	}
	fmt.Println()
	return nil
}
