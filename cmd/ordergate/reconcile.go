package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ordergate/ordergate/internal/config"
	"github.com/ordergate/ordergate/internal/reconcile"
	"github.com/ordergate/ordergate/internal/storefront"
	"github.com/ordergate/ordergate/internal/storefront/bigcommerce"
	"github.com/ordergate/ordergate/internal/storefront/shopify/admin"
	"github.com/ordergate/ordergate/internal/storefront/woocommerce"
)

// listers returns the API listers of the storefronts that have an api
// configured, by name.
func listers(cfg *config.Config) (map[string]storefront.Lister, error) {
	out := make(map[string]storefront.Lister)
	for _, sf := range cfg.Storefronts {
		c := storefrontAPIFor(sf)
		var (
			l   storefront.Lister
			err error
		)
		switch {
		case c.shopify != nil:
			l, err = admin.NewClient(*c.shopify)
		case c.woocommerce != nil:
			l, err = woocommerce.NewClient(*c.woocommerce)
		case c.bigcommerce != nil:
			l, err = bigcommerce.NewClient(*c.bigcommerce)
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("storefronts %s: %w", sf.Name, err)
		}
		out[sf.Name] = l
	}
	return out, nil
}

// newReconciler returns the reconciliation runner of a started gateway.
func (g *gateway) newReconciler() (*reconcile.Runner, error) {
	ls, err := listers(g.cfg)
	if err != nil {
		return nil, err
	}
	var sfs []reconcile.Storefront
	for _, sf := range g.cfg.Storefronts {
		r := reconcile.Storefront{Name: sf.Name, ERP: g.gate.ERPClient(sf.Name)}
		if l, ok := ls[sf.Name]; ok {
			r.Lister = l
		}
		if sf.ConfirmationSLA != nil {
			r.SLA = *sf.ConfirmationSLA
		}
		sfs = append(sfs, r)
	}
	return reconcile.New(reconcile.Config{Storefronts: sfs, Store: g.store, Ingest: g.gate.Ingest,
		MaxERPChecks: g.cfg.Reconcile.MaxERPChecks, Logger: g.log}), nil
}

// reconcileCmd runs a reconciliation on a running gateway, or lists the
// history of runs.
type reconcileCmd struct {
	Since       string        `placeholder:"WHEN" help:"The start of the window: a duration back from now (24h, 90m) or a time (2026-11-27T08:00:00Z). Default: the config's reconcile.window, 2h."`
	DryRun      bool          `help:"Report only: backfill and apply nothing."`
	Storefront  []string      `placeholder:"NAME" help:"Only this storefront (repeat for several). Default: all."`
	Runs        bool          `help:"List the latest runs instead of running one."`
	Show        string        `placeholder:"RUN_ID" help:"Show one stored run instead of running one."`
	Server      string        `placeholder:"URL" help:"The gateway's address. Default: http:// and the listen address of --config when given, else $ORDERGATE_SERVER, else http://127.0.0.1:8080."`
	Config      string        `short:"c" type:"existingfile" placeholder:"FILE" help:"Read the gateway's address (listen) from this config file."`
	Token       string        `env:"ORDERGATE_ADMIN_TOKEN" placeholder:"TOKEN" help:"An admin API bearer token (a read-only token can list and show runs)."`
	JSON        bool          `name:"json" help:"Print the API's JSON as it comes."`
	Timeout     time.Duration `default:"15m" help:"How long to wait for the gateway; a wide window over a slow ERP takes a while."`
	MaxFindings int           `default:"50" help:"List at most this many findings (0: all)."`
}

func (c *reconcileCmd) Run() error {
	oc := &ordersCmd{Server: c.Server, Config: c.Config, Token: c.Token, Timeout: c.Timeout}
	api, err := oc.client()
	if err != nil {
		return err
	}
	switch {
	case c.Runs:
		return c.list(api)
	case c.Show != "":
		body, err := api.do("GET", "/api/v1/reconcile/runs/"+url.PathEscape(c.Show), nil)
		if err != nil {
			return err
		}
		return c.print(body)
	}
	req := map[string]any{"dry_run": c.DryRun}
	if c.Since != "" {
		since, err := reconcileSince(c.Since, time.Now())
		if err != nil {
			return err
		}
		req["since"] = since.UTC().Format(time.RFC3339)
	}
	if len(c.Storefront) > 0 {
		req["storefronts"] = c.Storefront
	}
	body, _ := json.Marshal(req)
	reply, err := api.do("POST", "/api/v1/reconcile", body)
	if err != nil {
		return err
	}
	return c.print(reply)
}

func (c *reconcileCmd) print(body []byte) error {
	if c.JSON {
		_, err := os.Stdout.Write(body)
		return err
	}
	var rep reconcile.Report
	if err := json.Unmarshal(body, &rep); err != nil {
		return fmt.Errorf("the gateway's reply is not a reconciliation report: %w", err)
	}
	reconcile.Fprint(os.Stdout, rep, c.MaxFindings)
	return nil
}

func (c *reconcileCmd) list(api *apiClient) error {
	body, err := api.do("GET", "/api/v1/reconcile/runs", nil)
	if err != nil {
		return err
	}
	if c.JSON {
		_, err := os.Stdout.Write(body)
		return err
	}
	var reply struct {
		Runs []reconcile.Report `json:"runs"`
	}
	if err := json.Unmarshal(body, &reply); err != nil {
		return fmt.Errorf("the gateway's reply is not a list of runs: %w", err)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSTARTED\tTRIGGER\tSINCE\tFINDINGS\tRECOVERED\tERRORS")
	for _, r := range reply.Runs {
		dry := ""
		if r.DryRun {
			dry = " (dry)"
		}
		fmt.Fprintf(tw, "%s%s\t%s\t%s\t%s\t%d\t%d\t%d\n", r.ID, dry, r.StartedAt.Format(time.RFC3339), r.Trigger,
			r.Since.Format(time.RFC3339), len(r.Findings), r.Recovered, len(r.Errors))
	}
	return tw.Flush()
}

// reconcileSince reads --since: a duration back from now, or a time.
func reconcileSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, fmt.Errorf("--since %q: want a positive duration back from now, e.g. 24h", s)
		}
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.After(now) {
				return time.Time{}, fmt.Errorf("--since %q is in the future", s)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--since %q: want a duration (24h, 90m) or a time (2026-11-27T08:00:00Z, or a date, UTC)", s)
}
