package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/ordergate/ordergate/internal/config"
	"github.com/ordergate/ordergate/internal/diagnose"
	"github.com/ordergate/ordergate/internal/store/postgres"
	"github.com/ordergate/ordergate/internal/store/sqlite"
)

// diagnoseCmd finds where the capture-to-ERP gap comes from, from exports
// or from the gateway's own store. docs/DIAGNOSE.md has the method.
type diagnoseCmd struct {
	Webhooks      string   `placeholder:"FILE" help:"Webhook delivery log: order_id, triggered_at, delivered_at, attempt, and optionally sku, quantity; one row per attempt (and per SKU line). CSV or JSON lines, optionally gzipped; - reads standard input."`
	ERPReceipts   string   `name:"erp-receipts" placeholder:"FILE" help:"ERP receipts: order_id, received_at, and optionally sku, quantity; one row per order or per SKU line."`
	Confirmations string   `placeholder:"FILE" help:"Confirmations sent to customers: order_id, sent_at."`
	Oversells     string   `placeholder:"FILE" help:"Marketplace oversell events: at, and optionally marketplace, sku, units."`
	Map           []string `placeholder:"SOURCE.COLUMN=NAME" help:"The export's own name for a column, e.g. webhooks.delivered_at=DeliveredAt; repeat or separate with commas. Sources: webhooks, erp_receipts, confirmations, oversells."`

	FromStore bool   `name:"from-store" help:"Read the gateway's own database instead of --webhooks, --erp-receipts and --confirmations (--oversells still applies): capture, webhook receipt, ERP acknowledgment and confirmation sent, per order."`
	Config    string `short:"c" xor:"database" placeholder:"FILE" help:"With --from-store: the config file whose database to read."`
	Database  string `xor:"database" placeholder:"DSN" help:"With --from-store: the database to read, e.g. sqlite:ordergate.db or postgres://user@host/ordergate."`
	Since     string `placeholder:"TIME" help:"With --from-store: only orders the gateway received since TIME (RFC 3339) or since a duration ago (e.g. 72h)."`

	JSON    string `name:"json" placeholder:"FILE" help:"Write the whole report as JSON to FILE."`
	HTML    string `name:"html" placeholder:"FILE" help:"Write the report as one self-contained HTML page with charts, to read in a browser or mail."`
	Exposed string `placeholder:"FILE" help:"Write every order confirmed before (or without) an ERP receipt as CSV to FILE, the longest exposure first."`

	SkipBadRows bool          `help:"Skip rows that cannot be read, counting them and showing the first few, instead of stopping at the first."`
	TZ          string        `name:"tz" default:"UTC" placeholder:"ZONE" help:"Time zone for the by-hour profile and the times shown (IANA name, e.g. America/New_York; default ${default})."`
	Interval    time.Duration `placeholder:"DURATION" help:"Width of the intervals volume is counted in (default: the narrowest of 1m, 5m, 15m, 30m, 1h, 2h, 6h, 12h, 24h giving at most 300)."`
	Near        time.Duration `default:"1h" help:"An oversell within this long after a peak interval (the top tenth by volume) is near it."`
	List        int           `default:"100" placeholder:"N" help:"How many orders, oversells and SKUs the JSON report lists (the counts cover all; default ${default})."`

	MinOrders     int           `default:"500" placeholder:"N" help:"Joined orders below which the verdict is insufficient_data (default ${default})."`
	HealthyP95    time.Duration `name:"healthy-p95" default:"1m" help:"The whole gap's p95 at or below which the verdict is healthy."`
	MaxCV         float64       `name:"max-cv" default:"0.5" help:"The dominant leg's trimmed coefficient of variation above which its delay is variable."`
	MinVolumeCorr float64       `name:"min-volume-corr" default:"0.3" help:"Spearman correlation of interval volume and median delay at or above which (if significant) the delay follows volume."`
	MaxHourSwing  float64       `name:"max-hour-swing" default:"0.5" help:"Spread of the hourly medians, as a share of the median, above which the delay varies with the time of day."`
}

func (c *diagnoseCmd) Run() error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	opts, err := c.options()
	if err != nil {
		return err
	}
	d := diagnose.New(opts)
	if c.FromStore {
		if err := c.readStore(ctx, d); err != nil {
			return err
		}
	} else {
		for _, f := range []struct {
			src  diagnose.Source
			path string
		}{{diagnose.Webhooks, c.Webhooks}, {diagnose.ERPReceipts, c.ERPReceipts}, {diagnose.Confirmations, c.Confirmations}} {
			if f.path == "" {
				continue
			}
			if err := c.readFile(ctx, d, f.src, f.path); err != nil {
				return err
			}
		}
	}
	if c.Oversells != "" {
		if err := c.readFile(ctx, d, diagnose.Oversells, c.Oversells); err != nil {
			return err
		}
	}
	rep := d.Report()
	if err := rep.WriteText(os.Stdout); err != nil {
		return err
	}
	for _, out := range []struct {
		path  string
		write func(io.Writer) error
	}{{c.JSON, rep.WriteJSON}, {c.HTML, rep.WriteHTML}, {c.Exposed, d.WriteExposed}} {
		if out.path == "" {
			continue
		}
		if err := createWith(out.path, out.write); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "wrote %s\n", out.path)
	}
	return nil
}

// options checks the flags and turns them into diagnose.Options.
func (c *diagnoseCmd) options() (diagnose.Options, error) {
	var opts diagnose.Options
	if c.FromStore {
		if c.Webhooks != "" || c.ERPReceipts != "" || c.Confirmations != "" {
			return opts, errors.New("diagnose: --from-store reads the webhooks, ERP receipts and confirmations from the database; drop --webhooks, --erp-receipts and --confirmations (or drop --from-store)")
		}
		if c.Config == "" && c.Database == "" {
			return opts, errors.New("diagnose: --from-store needs the database: give --config FILE or --database DSN")
		}
	} else {
		if c.Webhooks == "" || c.ERPReceipts == "" {
			return opts, errors.New("diagnose: give --webhooks FILE and --erp-receipts FILE (and optionally --confirmations and --oversells), or --from-store with --config or --database")
		}
		if c.Config != "" || c.Database != "" || c.Since != "" {
			return opts, errors.New("diagnose: --config, --database and --since go with --from-store")
		}
	}
	loc, err := time.LoadLocation(c.TZ)
	if err != nil {
		return opts, fmt.Errorf("diagnose: --tz %q: %v", c.TZ, err)
	}
	m, err := diagnose.ParseMapping(c.Map)
	if err != nil {
		return opts, fmt.Errorf("diagnose: %w", err)
	}
	if c.Interval < 0 || (c.Interval > 0 && c.Interval < time.Second) {
		return opts, fmt.Errorf("diagnose: --interval %s: want 1s or more", c.Interval)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"--max-cv", c.MaxCV}, {"--min-volume-corr", c.MinVolumeCorr}, {"--max-hour-swing", c.MaxHourSwing}} {
		if f.v <= 0 {
			return opts, fmt.Errorf("diagnose: %s %g: want a number above 0", f.name, f.v)
		}
	}
	if c.MinOrders < 1 || c.HealthyP95 <= 0 || c.Near <= 0 || c.List < 1 {
		return opts, errors.New("diagnose: --min-orders, --healthy-p95, --near and --list must be above 0")
	}
	opts = diagnose.Options{
		Mapping: m, SkipBadRows: c.SkipBadRows, Interval: c.Interval, Near: c.Near, Location: loc, List: c.List,
		Thresholds: diagnose.Thresholds{MinOrders: c.MinOrders, HealthyP95: c.HealthyP95, MaxCV: c.MaxCV,
			MinVolumeCorr: c.MinVolumeCorr, MaxHourSwing: c.MaxHourSwing},
	}
	if isTerminal(os.Stderr) {
		opts.Progress = newReadProgress(os.Stderr).show
	}
	return opts, nil
}

func (c *diagnoseCmd) readFile(ctx context.Context, d *diagnose.Diagnosis, src diagnose.Source, path string) error {
	err := d.ReadFile(ctx, src, path)
	var re *diagnose.RowError
	if errors.As(err, &re) {
		return fmt.Errorf("%w\n(--skip-bad-rows skips such rows, counts them and shows the first few)", err)
	}
	return err
}

// readStore reads the orders of the database --config or --database
// names, opened read-only so that it can run beside a live gateway.
func (c *diagnoseCmd) readStore(ctx context.Context, d *diagnose.Diagnosis) error {
	dsn := c.Database
	if c.Config != "" {
		cfg, err := config.Load(c.Config)
		if err != nil {
			return fmt.Errorf("%s (read for its database; give --database DSN instead to skip it):\n%w", c.Config, err)
		}
		dsn = cfg.Database
	}
	since, err := sinceFlag(c.Since, time.Now())
	if err != nil {
		return err
	}
	if postgres.IsDSN(dsn) {
		s, err := postgres.Open(ctx, dsn, postgres.Options{ReadOnly: true})
		if err != nil {
			return err
		}
		defer s.Close()
		return d.ReadStore(ctx, s, (&config.Config{Database: dsn}).Redacted().Database, since)
	}
	path, ok := (&config.Config{Database: dsn}).SQLitePath()
	if !ok {
		return fmt.Errorf("diagnose: database %q: want sqlite:PATH or a postgres:// DSN", dsn)
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("diagnose: no database at %s: %w", path, err)
	}
	s, err := sqlite.Open(ctx, path, sqlite.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer s.Close()
	return d.ReadStore(ctx, s, "sqlite:"+path, since)
}

// sinceFlag reads --since: an RFC 3339 time, or a duration back from now.
func sinceFlag(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("diagnose: --since %q: want an RFC 3339 time (2026-03-02T00:00:00Z) or a duration (72h)", s)
}

func createWith(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// readProgress draws reading progress on one terminal line, at most ten
// times a second.
type readProgress struct {
	w     io.Writer
	start time.Time
	last  time.Time
	file  string
}

func newReadProgress(w io.Writer) *readProgress { return &readProgress{w: w} }

func (b *readProgress) show(p diagnose.Progress) {
	now := time.Now()
	if p.File != b.file {
		b.file, b.start = p.File, now
	}
	if p.Done {
		fmt.Fprint(b.w, "\r\033[K")
		return
	}
	if now.Sub(b.last) < 100*time.Millisecond {
		return
	}
	b.last = now
	line := fmt.Sprintf("  reading %s  %s rows", p.File, groupDigits(p.Rows))
	if p.Size > 0 {
		f := min(float64(p.Bytes)/float64(p.Size), 1)
		const width = 30
		full := int(f * width)
		line = fmt.Sprintf("  reading %s  [%s%s] %3.0f%%  %s rows", p.File, strings.Repeat("█", full), strings.Repeat("░", width-full), 100*f, groupDigits(p.Rows))
		if el := now.Sub(b.start).Seconds(); el > 0.5 && f > 0.01 {
			line += fmt.Sprintf("  %.0fs left", el*(1-f)/f)
		}
	}
	fmt.Fprint(b.w, "\r\033[K"+line)
}

// groupDigits writes n with thousands separators.
func groupDigits(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
