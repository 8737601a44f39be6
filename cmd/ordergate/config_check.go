package main

import (
	"fmt"
	"os"

	"go.yaml.in/yaml/v3"

	"github.com/ordergate/ordergate/internal/config"
)

type configCmd struct {
	Check configCheckCmd `cmd:"" help:"Validate a config file and report every problem, each naming its field. ERP credentials are checked for shape (a NetSuite key file is read), without calling the ERP."`
}

type configCheckCmd struct {
	Config string `arg:"" optional:"" env:"ORDERGATE_CONFIG" help:"Path to the YAML config file."`
	Print  bool   `help:"Print the config as understood, defaults filled in and secrets redacted."`
}

func (c *configCheckCmd) Run() error {
	if c.Config == "" {
		return fmt.Errorf("config check: give the config file's path")
	}
	cfg, err := config.Load(c.Config)
	if err != nil {
		return fmt.Errorf("%s:\n%w", c.Config, err)
	}
	if err := validateConnectors(cfg); err != nil {
		return fmt.Errorf("%s:\n%w", c.Config, err)
	}
	if c.Print {
		enc := yaml.NewEncoder(os.Stdout)
		enc.SetIndent(2)
		if err := enc.Encode(cfg.Redacted()); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "%s: ok (%d storefronts, %d erps, %d notifiers)\n", c.Config, len(cfg.Storefronts), len(cfg.ERPs), len(cfg.Notifiers))
	return nil
}
