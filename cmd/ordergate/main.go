// Command ordergate is the order handoff gateway: it takes storefront orders
// by signed webhook, stores them durably, hands each to the ERP exactly once,
// and sends the customer's confirmation only after the ERP's acknowledgment.
//
// This package holds the subcommands, config loading and wiring only.
package main

import (
	"fmt"
	"os"

	"github.com/alecthomas/kong"
)

// cli is the command line. Each subcommand's Run does its work.
type cli struct {
	Serve     serveCmd     `cmd:"" help:"Run the gateway from a config file: webhooks in, ERP handoff, confirmations out."`
	Demo      demoCmd      `cmd:"" help:"Run the whole flow on this machine with no accounts: embedded SQLite, a sandbox ERP, an in-process mailbox and a storefront simulator."`
	Migrate   migrateCmd   `cmd:"" help:"Create or upgrade the database schema (idempotent; serve also does it at start)."`
	Config    configCmd    `cmd:"" help:"Work with the config file."`
	Orders    ordersCmd    `cmd:"" help:"List, show and recover orders of a running gateway through its admin API."`
	Bench     benchCmd     `cmd:"" help:"Measure the gateway against a baseline run in the same command: ingest (signed webhooks, durable before the 200) and an ERP-bound flash sale."`
	Reconcile reconcileCmd `cmd:"" help:"Compare the storefronts, the gateway and the ERP on a running gateway, backfilling orders whose webhooks were lost; or list past runs."`
	Cutover   cutoverCmd   `cmd:"" help:"The parallel run before cutover: the gated and legacy cohorts compared with a go/no-go verdict, the rollout setting changed at run time, and rollback."`
	Diagnose  diagnoseCmd  `cmd:"" help:"Find where the capture-to-ERP gap comes from, from webhook and ERP exports or the gateway's store: distribution, verdict and the three signals."`
}

func main() {
	var c cli
	ctx := kong.Parse(&c,
		kong.Name("ordergate"),
		kong.Description("ordergate hands storefront orders to the ERP exactly once and confirms them to the customer only after the ERP has acknowledged them."),
		kong.UsageOnError(),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
	)
	if err := ctx.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "ordergate:", err)
		os.Exit(1)
	}
}
