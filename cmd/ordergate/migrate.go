package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/ordergate/ordergate/internal/config"
	"github.com/ordergate/ordergate/internal/store/sqlite"
)

type migrateCmd struct {
	Config   string `short:"c" xor:"target" env:"ORDERGATE_CONFIG" help:"Path to the YAML config file; its database is migrated."`
	Database string `xor:"target" help:"The database to migrate instead of the config's, e.g. sqlite:ordergate.db."`
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
	path, ok := (&config.Config{Database: dsn}).SQLitePath()
	if !ok {
		return fmt.Errorf("migrate: %q is not an sqlite database (sqlite:PATH); postgres comes in a later version", dsn)
	}
	res, err := sqlite.Migrate(context.Background(), path)
	if err != nil {
		return err
	}
	if len(res.Applied) == 0 && len(res.RiverVersions) == 0 {
		fmt.Printf("%s is up to date (schema version %d)\n", path, res.To)
		return nil
	}
	fmt.Printf("%s migrated from schema version %d to %d", path, res.From, res.To)
	if len(res.RiverVersions) > 0 {
		fmt.Printf("; job queue migrations %v applied", res.RiverVersions)
	}
	fmt.Println()
	return nil
}
