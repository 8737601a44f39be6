package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/ordergate/ordergate/internal/cutover"
)

// cutoverCmd groups the commands of the parallel run before cutover, on a
// running gateway through its admin API (docs/CUTOVER.md).
type cutoverCmd struct {
	Server  string        `placeholder:"URL" help:"The gateway's address. Default: http:// and the listen address of --config when given, else $ORDERGATE_SERVER, else http://127.0.0.1:8080."`
	Config  string        `short:"c" type:"existingfile" placeholder:"FILE" help:"Read the gateway's address (listen) from this config file."`
	Token   string        `env:"ORDERGATE_ADMIN_TOKEN" placeholder:"TOKEN" help:"An admin API bearer token (a read-only token can read the report and the setting)."`
	JSON    bool          `name:"json" help:"Print the API's JSON as it comes."`
	Timeout time.Duration `default:"2m" help:"How long to wait for the gateway."`

	Report   cutoverReportCmd   `cmd:"" help:"Compare the gated and the legacy cohorts — orders, confirmed before ERP receipt, missing in the ERP after the SLA, capture-to-confirmation latency, rejections, manual interventions — and give a go/no-go verdict, listing the orders behind each discrepancy."`
	Status   cutoverStatusCmd   `cmd:"" help:"Show a storefront's mode and rollout percentage in effect, and the audit log of their changes."`
	Set      cutoverSetCmd      `cmd:"" help:"Change a storefront's mode and/or rollout percentage for new orders, without a restart; the change is recorded in the audit log."`
	Rollback cutoverRollbackCmd `cmd:"" help:"Send every new order of a storefront back to the legacy flow (rollout 0%); gated orders in flight finish through the gateway."`
}

func (c *cutoverCmd) client() (*apiClient, error) {
	return (&ordersCmd{Server: c.Server, Config: c.Config, Token: c.Token, Timeout: c.Timeout}).client()
}

type cutoverReportCmd struct {
	Storefront string `placeholder:"NAME" help:"Only this storefront. Default: all."`
	Since      string `default:"168h" placeholder:"WHEN" help:"Orders received since: a duration back from now (24h) or a time (2026-11-27T08:00:00Z)."`
	Strict     bool   `help:"Exit non-zero on a no-go verdict (for a pipeline step)."`

	MinGatedOrders             int           `default:"20" help:"Gated orders needed to judge."`
	MaxGatedConfirmedBeforeERP int           `default:"0" name:"max-gated-confirmed-before-erp" help:"Gated orders that may have been confirmed before the ERP held them."`
	MaxGatedMissingInERP       int           `default:"0" name:"max-gated-missing-in-erp" help:"Gated orders that may have been missing from the ERP after their SLA."`
	MaxRejectionRateIncrease   float64       `default:"0.02" help:"How much higher (a fraction) the gated rejection rate may be than the legacy one."`
	MaxManualRate              float64       `default:"0.05" help:"Share of gated orders that may have needed an operator."`
	MaxGatedP95                time.Duration `default:"0s" name:"max-gated-p95" help:"Upper bound on the gated capture-to-confirmation p95; 0 does not check it."`
}

func (c *cutoverReportCmd) Run(o *cutoverCmd) error {
	api, err := o.client()
	if err != nil {
		return err
	}
	since, err := reconcileSince(c.Since, time.Now())
	if err != nil {
		return err
	}
	q := url.Values{"since": {since.UTC().Format(time.RFC3339)},
		"min_gated_orders":               {strconv.Itoa(c.MinGatedOrders)},
		"max_gated_confirmed_before_erp": {strconv.Itoa(c.MaxGatedConfirmedBeforeERP)},
		"max_gated_missing_in_erp":       {strconv.Itoa(c.MaxGatedMissingInERP)},
		"max_rejection_rate_increase":    {strconv.FormatFloat(c.MaxRejectionRateIncrease, 'f', -1, 64)},
		"max_manual_rate":                {strconv.FormatFloat(c.MaxManualRate, 'f', -1, 64)},
	}
	if c.MaxGatedP95 > 0 {
		q.Set("max_gated_p95", c.MaxGatedP95.String())
	}
	if c.Storefront != "" {
		q.Set("storefront", c.Storefront)
	}
	body, err := api.do("GET", "/api/v1/cutover/report?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	var rep cutover.Report
	if err := json.Unmarshal(body, &rep); err != nil {
		return fmt.Errorf("the gateway's report: %w", err)
	}
	if o.JSON {
		err = writeRaw(body)
	} else {
		err = cutover.WriteText(os.Stdout, rep)
	}
	if err == nil && c.Strict && !rep.Verdict.Go {
		return errors.New("verdict: no-go")
	}
	return err
}

type cutoverStatusCmd struct {
	Storefront string `arg:"" name:"storefront" help:"The storefront's name."`
}

func (c *cutoverStatusCmd) Run(o *cutoverCmd) error {
	api, err := o.client()
	if err != nil {
		return err
	}
	body, err := api.do("GET", "/api/v1/cutover/"+url.PathEscape(c.Storefront), nil)
	if err != nil {
		return err
	}
	return printCutoverState(o, body)
}

type cutoverSetCmd struct {
	Storefront string `arg:"" name:"storefront" help:"The storefront's name."`
	Mode       string `enum:",gated,ack_gated,shadow" default:"" help:"gated, ack_gated or shadow (every new order to the legacy flow). Default: unchanged."`
	Percent    *int   `name:"percent" placeholder:"N" help:"Share of new orders (0 to 100) the gateway handles for real. Default: unchanged."`
	Reason     string `help:"Why, for the audit log."`
}

func (c *cutoverSetCmd) Run(o *cutoverCmd) error {
	if c.Mode == "" && c.Percent == nil {
		return errors.New("nothing to change: give --mode, --percent or both")
	}
	req := map[string]any{"reason": c.Reason}
	if c.Mode != "" {
		req["mode"] = c.Mode
	}
	if c.Percent != nil {
		req["rollout_percent"] = *c.Percent
	}
	return o.post("/api/v1/cutover/"+url.PathEscape(c.Storefront), req)
}

type cutoverRollbackCmd struct {
	Storefront string `arg:"" name:"storefront" help:"The storefront's name."`
	Reason     string `help:"Why, for the audit log."`
}

func (c *cutoverRollbackCmd) Run(o *cutoverCmd) error {
	return o.post("/api/v1/cutover/"+url.PathEscape(c.Storefront)+"/rollback", map[string]any{"reason": c.Reason})
}

func (o *cutoverCmd) post(path string, req map[string]any) error {
	api, err := o.client()
	if err != nil {
		return err
	}
	body, _ := json.Marshal(req)
	reply, err := api.do("POST", path, body)
	if err != nil {
		return err
	}
	return printCutoverState(o, reply)
}

func printCutoverState(o *cutoverCmd, body []byte) error {
	if o.JSON {
		return writeRaw(body)
	}
	var st cutover.State
	if err := json.Unmarshal(body, &st); err != nil {
		return fmt.Errorf("the gateway's reply: %w", err)
	}
	s := st.Setting
	fmt.Printf("%s: mode %s, rollout %d%% (set by %s)\n", s.Storefront, s.Mode, s.Percent, s.By)
	if len(st.History) > 0 {
		fmt.Println("audit log, newest first:")
	}
	for _, h := range st.History {
		what := fmt.Sprintf("mode %s, rollout %d%%", h.Mode, h.Percent)
		if h.Rollback {
			what = "ROLLBACK to " + what
		}
		fmt.Printf("  %s  %-20s %s%s\n", h.At.Local().Format(time.DateTime), h.By, what, reasonOf(h.Reason))
	}
	return nil
}

func reasonOf(r string) string {
	if r == "" {
		return ""
	}
	return " — " + r
}
