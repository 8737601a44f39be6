package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ordergate/ordergate/internal/bench"
	"github.com/ordergate/ordergate/internal/config"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
)

// benchCmd measures the gateway against a baseline run in the same
// command, since absolute figures on a shared machine mean little.
type benchCmd struct {
	Workload     []string      `default:"ingest" sep:"," placeholder:"NAMES" help:"What to measure, comma-separated: ingest (signed Shopify webhooks, durable before the 200, closed loop and open loop at --rates, against a bare verify-and-200 handler), gate (ERP acknowledgment → confirmation handed to its worker, quiet and while ingesting --gate-rate webhooks/s), erp-bound (a flash sale of --orders against a sandbox ERP limited to 15 concurrent requests of 1–2 s: budget use, throttling, backlog age, time to confirm all, against the ERP's own ceiling), memory (the gateway's own peak RSS, ingest at --gate-rate webhooks/s and disk bytes per order with --stored orders, against the same on an empty store; the gateway runs in a process of its own)."`
	DB           string        `default:"sqlite" enum:"sqlite,postgres" help:"The store: sqlite (a new file in a temporary directory; WAL, synchronous=FULL) or postgres (a new schema in the database of --postgres, dropped after)."`
	Postgres     string        `env:"ORDERGATE_TEST_POSTGRES" placeholder:"DSN" help:"The PostgreSQL to use with --db postgres, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable."`
	Duration     time.Duration `default:"10s" help:"How long each measured phase runs."`
	Connections  int           `default:"16" help:"Connections of the closed-loop generator."`
	Rates        []float64     `default:"2000,5000" sep:"," placeholder:"N,N" help:"Open-loop rates, requests a second (0 or none: skip the open loop)."`
	Orders       int           `default:"10000" help:"erp-bound: orders in the flash sale. 10,000 take an ERP of 15 slots and 1–2 s calls about 17 minutes."`
	GateRate     float64       `default:"2000" help:"gate and memory: webhooks a second arriving meanwhile."`
	Stored       int           `default:"1000000" help:"memory: orders stored (cloned in SQL from one real order) before the traffic starts."`
	StoreDir     string        `placeholder:"DIR" help:"memory, sqlite: keep the seeded database in DIR and reuse it in a later run with the same --stored (seeding a million orders takes minutes)."`
	ServeGateway string        `hidden:"" placeholder:"CONFIG" help:"Run only the gateway of CONFIG until SIGINT: the memory workload's gateway process."`
	JSON         string        `name:"json" placeholder:"FILE" help:"Write the results as JSON to FILE."`
	CPUProfile   string        `placeholder:"FILE" help:"Write a CPU profile of the whole run (gateway and generator) to FILE, for go tool pprof."`
	BlockProfile string        `placeholder:"FILE" help:"Write a profile of where goroutines waited (channels, locks, the database pool) to FILE, for go tool pprof."`
	MutexProfile string        `placeholder:"FILE" help:"Write a mutex contention profile to FILE, for go tool pprof."`
	Log          string        `placeholder:"FILE" help:"Append the gateway's warnings and errors to FILE (by default they are discarded)."`
}

// benchRow is one measured figure beside its baseline.
type benchRow struct {
	Workload     string      `json:"workload"`
	Mode         string      `json:"mode"` // closed, open@2000, …
	Rate         float64     `json:"rate"`
	BaselineRate float64     `json:"baseline_rate"`
	Ratio        float64     `json:"ratio"`
	P50          float64     `json:"p50_ms"`
	P99          float64     `json:"p99_ms"`
	P999         float64     `json:"p999_ms"`
	Max          float64     `json:"max_ms"`
	BaselineP99  float64     `json:"baseline_p99_ms"`
	Requests     int         `json:"requests"`
	Non2xx       int         `json:"non_2xx"`
	Errors       int         `json:"errors"`
	Statuses     map[int]int `json:"statuses,omitempty"`
	Note         string      `json:"note,omitempty"`
	BaselineP50  float64     `json:"baseline_p50_ms,omitempty"`
	Samples      int         `json:"samples,omitempty"` // gate: handoffs measured
	// gate: the span between the timeline entries, which includes the
	// acknowledgment's transaction and the worker's first (bench_gate.go).
	SpanP50     float64 `json:"span_p50_ms,omitempty"`
	SpanP99     float64 `json:"span_p99_ms,omitempty"`
	SpanP999    float64 `json:"span_p999_ms,omitempty"`
	SpanMax     float64 `json:"span_max_ms,omitempty"`
	SpanSamples int     `json:"span_samples,omitempty"`
	// memory figures.
	StoredOrders        int     `json:"stored_orders,omitempty"`
	PeakRSSMB           float64 `json:"peak_rss_mb,omitempty"`
	IdleRSSMB           float64 `json:"idle_rss_mb,omitempty"`
	BaselineRSSMB       float64 `json:"baseline_rss_mb,omitempty"`        // the gateway's peak on an empty store under the same traffic
	SeedBytesPerOrder   float64 `json:"seed_bytes_per_order,omitempty"`   // disk growth per cloned order
	IngestBytesPerOrder float64 `json:"ingest_bytes_per_order,omitempty"` // disk growth per order through the front door, jobs included
	// erp-bound figures.
	BudgetBusy     float64 `json:"budget_busy,omitempty"` // share of the ERP's slots in use while a backlog existed
	Throttled      int     `json:"throttled,omitempty"`   // ERP throttling errors caused
	MaxBacklogAgeS float64 `json:"max_backlog_age_s,omitempty"`
	AllConfirmedS  float64 `json:"all_confirmed_s,omitempty"` // time until every order is settled
	CeilingS       float64 `json:"ceiling_s,omitempty"`       // the ERP's own floor: orders × mean call ÷ slots
}

func (c *benchCmd) Run() error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if c.CPUProfile != "" {
		f, err := os.Create(c.CPUProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if c.BlockProfile != "" {
		runtime.SetBlockProfileRate(int(50 * time.Microsecond))
		defer writeProfile("block", c.BlockProfile)
	}
	if c.MutexProfile != "" {
		runtime.SetMutexProfileFraction(10)
		defer writeProfile("mutex", c.MutexProfile)
	}
	if c.ServeGateway != "" {
		return c.serveGateway(ctx)
	}
	var rows []benchRow
	for _, w := range c.Workload {
		var (
			got []benchRow
			err error
		)
		switch w {
		case "ingest":
			got, err = c.ingest(ctx)
		case "gate":
			got, err = c.gate(ctx)
		case "erp-bound":
			got, err = c.erpBound(ctx)
		case "memory":
			got, err = c.memory(ctx)
		default:
			return fmt.Errorf("--workload: unknown %q: want ingest, gate, erp-bound or memory", w)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", w, err)
		}
		rows = append(rows, got...)
	}
	printBench(rows)
	if c.JSON != "" {
		return writeJSONFile(c.JSON, map[string]any{"db": c.DB, "duration_s": c.Duration.Seconds(), "results": rows})
	}
	return nil
}

// benchGateway starts a gateway on a fresh store with one Shopify
// storefront, an in-process sandbox ERP shaped by erp, and a mailbox.
func (c *benchCmd) benchGateway(ctx context.Context, erpYAML string) (*gateway, string, func(), error) {
	return c.benchGatewayWith(ctx, erpYAML, "")
}

// benchGatewayWith is benchGateway with, when bulkERPYAML is set, a second
// Shopify storefront, bulk (same secret), whose orders go to that ERP.
func (c *benchCmd) benchGatewayWith(ctx context.Context, erpYAML, bulkERPYAML string) (*gateway, string, func(), error) {
	var cleanups []func()
	cleanup := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	db, drop, err := c.database()
	if err != nil {
		return nil, "", nil, err
	}
	cleanups = append(cleanups, drop)
	mb, err := mailbox.Start(mailbox.Options{})
	if err != nil {
		cleanup()
		return nil, "", nil, err
	}
	cleanups = append(cleanups, func() { mb.Close() })
	secret := randomHex(32)
	bulkSF, bulkERP := "", ""
	if bulkERPYAML != "" {
		bulkSF = "\n  - {name: bulk, kind: shopify, webhook_secrets: [\"${BENCH_SECRET}\"], erp: bulk, notifier: mailbox, confirmation_sla: 0s}"
		bulkERP = "\n  - " + bulkERPYAML
	}
	yaml := fmt.Sprintf(`database: %q
listen: 127.0.0.1:0
log_level: error
storefronts:
  - {name: bench, kind: shopify, webhook_secrets: ["${BENCH_SECRET}"], erp: erp, notifier: mailbox, confirmation_sla: 0s}%s
erps:
  - %s%s
notifiers:
  - {name: mailbox, kind: smtp, addr: %q, from: "Bench <orders@bench.example>", tls: none}
retry: {initial: 200ms, max: 5s, max_attempts: 1000}
reconcile: {interval: 0s}
# internal/bench sends one fixed sample order, dated: no replay window.
limits: {max_event_age: 0s}
`, db, bulkSF, erpYAML, bulkERP, mb.Addr())
	cfg, err := config.Parse([]byte(yaml), func(k string) string {
		if k == "BENCH_SECRET" {
			return secret
		}
		return ""
	})
	if err != nil {
		cleanup()
		return nil, "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cleanup()
		return nil, "", nil, err
	}
	log := slog.New(slog.DiscardHandler)
	if c.Log != "" {
		f, err := os.OpenFile(c.Log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			cleanup()
			return nil, "", nil, err
		}
		cleanups = append(cleanups, func() { f.Close() })
		log = slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	gw, err := start(ctx, cfg, ln, log)
	if err != nil {
		cleanup()
		return nil, "", nil, err
	}
	cleanups = append(cleanups, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		gw.shutdown(sctx)
	})
	return gw, secret, cleanup, nil
}

// database returns a fresh database for one run and a function that drops
// it.
func (c *benchCmd) database() (string, func(), error) {
	if c.DB == "sqlite" {
		dir, err := os.MkdirTemp("", "ordergate-bench-")
		if err != nil {
			return "", nil, err
		}
		return "sqlite:" + filepath.Join(dir, "bench.db"), func() { os.RemoveAll(dir) }, nil
	}
	if c.Postgres == "" {
		return "", nil, errors.New("--db postgres: give --postgres DSN (or set ORDERGATE_TEST_POSTGRES)")
	}
	u, err := url.Parse(c.Postgres)
	if err != nil {
		return "", nil, fmt.Errorf("--postgres: %w", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "ogbench_" + hex.EncodeToString(b)
	exec := func(sql string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, c.Postgres)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := exec("CREATE SCHEMA " + schema); err != nil {
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("pool_max_conns", "32")
	u.RawQuery = q.Encode()
	return u.String(), func() { exec("DROP SCHEMA " + schema + " CASCADE") }, nil
}

// ingest measures signed webhooks into the gateway against the bare handler.
func (c *benchCmd) ingest(ctx context.Context) ([]benchRow, error) {
	secret := []byte(randomHex(32))
	bareURL, closeBare, err := serveLoopback(bench.Bare(secret))
	if err != nil {
		return nil, err
	}
	defer closeBare()
	hc := bench.Client(c.Connections)

	fmt.Fprintf(os.Stderr, "ingest: baseline, closed loop, %d connections, %s\n", c.Connections, c.Duration)
	base := bench.Closed(ctx, bench.NewWebhooks(bareURL+"/webhooks/shopify/bench", secret, 1<<53), hc, c.Connections, c.Duration)

	// The ack path alone: the ERP takes one order at a time and each call
	// takes ten minutes, so the submit jobs wait their turn in the queue
	// and the measure is of ingest, not of the ERP's backlog (erp-bound
	// measures that).
	sim := erpsim.New(erpsim.Config{Latency: erpsim.Latency{Min: 10 * time.Minute}})
	defer sim.Close()
	erpURL, closeERP, err := serveLoopback(sim)
	if err != nil {
		return nil, err
	}
	defer closeERP()
	gw, gwSecret, cleanup, err := c.benchGateway(ctx, fmt.Sprintf("{name: erp, kind: sandbox, base_url: %q, max_concurrency: 1, timeout: 15m}", erpURL))
	if err != nil {
		return nil, err
	}
	defer cleanup()
	target := gw.addr() + "/webhooks/shopify/bench"
	fmt.Fprintf(os.Stderr, "ingest: gateway (%s), closed loop, %d connections, %s\n", c.DB, c.Connections, c.Duration)
	b0, d0 := commitStats(gw)
	w0 := walStats(gw)
	got := bench.Closed(ctx, bench.NewWebhooks(target, []byte(gwSecret), 1<<53), hc, c.Connections, c.Duration)
	rows := []benchRow{row("ingest", "closed", got, base)}
	if b1, d1 := commitStats(gw); b1 > b0 {
		rows[0].Note = fmt.Sprintf("%d deliveries in %d group commits, %.1f a commit", d1-d0, b1-b0, float64(d1-d0)/float64(b1-b0))
	}
	rows[0].Note = joinText(rows[0].Note, walStats(gw).since(w0))

	next := int64(1<<53) + 100_000_000
	for _, rate := range c.Rates {
		if rate <= 0 {
			continue
		}
		fmt.Fprintf(os.Stderr, "ingest: open loop at %.0f/s, %s each (baseline, then gateway)\n", rate, c.Duration)
		b, berr := bench.Open(ctx, bench.NewWebhooks(bareURL+"/webhooks/shopify/bench", secret, next), hc, rate, c.Duration, 4096)
		next += 100_000_000
		w0 := walStats(gw)
		g, gerr := bench.Open(ctx, bench.NewWebhooks(target, []byte(gwSecret), next), hc, rate, c.Duration, 4096)
		next += 100_000_000
		r := row("ingest", fmt.Sprintf("open@%.0f", rate), g, b)
		r.Note = joinText(joinNotes(berr, gerr), walStats(gw).since(w0))
		rows = append(rows, r)
	}
	return rows, nil
}

func row(workload, mode string, got, base bench.Result) benchRow {
	r := benchRow{Workload: workload, Mode: mode, Rate: got.Rate, BaselineRate: base.Rate, P50: got.P50, P99: got.P99, P999: got.P999,
		Max: got.Max, BaselineP99: base.P99, Requests: got.Requests, Non2xx: got.Non2xx, Errors: got.Errors, Statuses: got.Statuses}
	if base.Rate > 0 {
		r.Ratio = got.Rate / base.Rate
	}
	return r
}

func joinNotes(errs ...error) string {
	if err := errors.Join(errs...); err != nil {
		return err.Error()
	}
	return ""
}

// erpBound runs a flash sale against an ERP of 15 slots and 1–2 s calls.
func (c *benchCmd) erpBound(ctx context.Context) ([]benchRow, error) {
	const slots = 15
	lat := erpsim.Latency{Min: time.Second, Median: 1500 * time.Millisecond, P99: 2 * time.Second}
	sim := erpsim.New(erpsim.Config{Latency: lat})
	defer sim.Close()
	// The ERP's own limit: a call beyond its slots is refused with 429,
	// as NetSuite refuses a request over the account's concurrency.
	limit := bench.NewConcurrencyLimit(sim, slots)
	erpURL, closeERP, err := serveLoopback(limit)
	if err != nil {
		return nil, err
	}
	defer closeERP()
	gw, secret, cleanup, err := c.benchGateway(ctx, fmt.Sprintf("{name: erp, kind: sandbox, base_url: %q, max_concurrency: %d, timeout: 10s}", erpURL, slots))
	if err != nil {
		return nil, err
	}
	defer cleanup()
	hc := bench.Client(c.Connections)
	hooks := bench.NewWebhooks(gw.addr()+"/webhooks/shopify/bench", []byte(secret), 1<<53)
	fmt.Fprintf(os.Stderr, "erp-bound: %d orders at once into an ERP of %d slots and %s–%s calls\n", c.Orders, slots, lat.Min, lat.P99)
	start := time.Now()
	in := bench.Count(ctx, hooks, hc, c.Connections, c.Orders)
	ingested := time.Since(start)

	// Sample the budget and the backlog until every order is settled.
	var busySum, samples float64
	maxAge := 0.0
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		counts, err := gw.store.Counts(ctx)
		if err != nil {
			return nil, err
		}
		open := counts[order.Received] + counts[order.Submitted] + counts[order.Acknowledged]
		settled := counts[order.Confirmed] + counts[order.Rejected] + counts[order.Cancelled]
		if open > 0 {
			if keys, err := gw.store.Unsettled(ctx, "bench", time.Now(), 1); err == nil && len(keys) > 0 {
				if o, err := gw.store.Get(ctx, keys[0]); err == nil {
					maxAge = max(maxAge, time.Since(o.ReceivedAt).Seconds())
				}
			}
			busySum += float64(limit.InFlight()) / slots
			samples++
		}
		if settled >= in.Requests-in.Non2xx-in.Errors && open == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
		if time.Since(start) > time.Duration(c.Orders)*time.Second {
			return nil, fmt.Errorf("orders still open after %s", time.Since(start).Round(time.Second))
		}
	}
	total := time.Since(start)
	ceiling := float64(c.Orders) * lat.Median.Seconds() / slots
	r := benchRow{Workload: "erp-bound", Mode: fmt.Sprintf("%d orders", c.Orders), Requests: in.Requests, Non2xx: in.Non2xx, Errors: in.Errors,
		AllConfirmedS: total.Seconds(), CeilingS: ceiling, MaxBacklogAgeS: maxAge, Throttled: limit.Refused(),
		Rate: float64(c.Orders) / total.Seconds(), BaselineRate: slots / lat.Median.Seconds(),
		Note: fmt.Sprintf("ingested all %d in %s; at most %d calls in flight at the ERP; baseline is the ERP's own ceiling, slots ÷ median call",
			c.Orders, ingested.Round(time.Millisecond), limit.MaxInFlight())}
	if samples > 0 {
		r.BudgetBusy = busySum / samples
	}
	r.Ratio = r.Rate / r.BaselineRate
	return []benchRow{r}, nil
}

func printBench(rows []benchRow) {
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\tmode\trate/s\tbaseline/s\tratio\tp50 ms\tp99 ms\tp99.9 ms\tmax ms\tnon-2xx\terrors\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%.0f\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t%d\t%d\t\n",
			r.Workload, r.Mode, r.Rate, r.BaselineRate, r.Ratio, r.P50, r.P99, r.P999, r.Max, r.Non2xx, r.Errors)
	}
	tw.Flush()
	for _, r := range rows {
		if r.Workload == "erp-bound" {
			fmt.Printf("erp-bound: every order settled in %.0fs (the ERP's own floor: %.0fs); budget %.0f%% busy while a backlog existed; %d throttling errors; oldest backlog %.0fs\n",
				r.AllConfirmedS, r.CeilingS, 100*r.BudgetBusy, r.Throttled, r.MaxBacklogAgeS)
		}
		if r.Workload == "gate" {
			fmt.Printf("gate %s: acknowledgment committed → confirmation's worker started, over %d orders: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.1f ms\n",
				r.Mode, r.Samples, r.P50, r.P99, r.P999, r.Max)
			fmt.Printf("gate %s: timeline entries, acknowledgment (stamped in its transaction, before its fsync) → the worker's first (stamped in its first transaction), over %d orders: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.1f ms\n",
				r.Mode, r.SpanSamples, r.SpanP50, r.SpanP99, r.SpanP999, r.SpanMax)
		}
		if r.Workload == "memory" {
			fmt.Printf("memory %s: %d orders stored; the gateway process's RSS %.1f MB started, %.1f MB peak under traffic (empty store, same traffic: %.1f MB); disk %.0f bytes/order seeded, %.0f bytes/order ingested through the gateway\n",
				r.Mode, r.StoredOrders, r.IdleRSSMB, r.PeakRSSMB, r.BaselineRSSMB, r.SeedBytesPerOrder, r.IngestBytesPerOrder)
		}
		if r.Note != "" {
			fmt.Printf("%s %s: %s\n", r.Workload, r.Mode, r.Note)
		}
	}
}

// commitStats reads the SQLite store's group-commit counters; zeros for
// PostgreSQL, which commits each delivery on its own connection.
func commitStats(gw *gateway) (batches, deliveries int64) {
	if s, ok := gw.store.(interface{ CommitStats() (int64, int64) }); ok {
		return s.CommitStats()
	}
	return 0, 0
}

// walCounts are the SQLite store's checkpoint counters (checkpoint.go).
type walCounts struct {
	ok                  bool
	restarts, truncates int64
}

func walStats(gw *gateway) walCounts {
	if s, ok := gw.store.(interface{ CheckpointStats() (int64, int64) }); ok {
		r, t := s.CheckpointStats()
		return walCounts{true, r, t}
	}
	return walCounts{}
}

// since says how often the WAL started over, and had to be truncated
// (each truncation stalls the writer), since before.
func (w walCounts) since(before walCounts) string {
	if !w.ok {
		return ""
	}
	return fmt.Sprintf("WAL started over %d times, truncated %d", w.restarts-before.restarts, w.truncates-before.truncates)
}

func joinText(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// writeProfile writes the named runtime profile to path.
func writeProfile(name, path string) {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %s profile: %v\n", name, err)
		return
	}
	defer f.Close()
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %s profile: %v\n", name, err)
	}
}
