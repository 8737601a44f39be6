package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ordergate/ordergate/internal/bench"
	"github.com/ordergate/ordergate/internal/config"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
)

// seedChunk is how many orders one seeding transaction clones.
const seedChunk = 50_000

// memory measures the gateway's resident memory, its ingest at a fixed
// rate and the database's bytes per order with --stored orders in the
// store, against the same gateway and traffic on an empty store.
//
// The gateway runs in a process of its own (this binary, bench
// --serve-gateway), started after the store is seeded, so that its RSS
// and its profiles are the gateway's alone: the load generator, the
// sandbox ERP and the mailbox stay in this process, and the seeding
// happens while no gateway runs. The stored orders are clones, made in
// SQL, of one order that went through the gateway (its row, its raw
// delivery and its timeline, set confirmed so that they carry no jobs): a
// bench-only bulk path, since a million orders through the front door
// would take the run's whole budget.
func (c *benchCmd) memory(ctx context.Context) ([]benchRow, error) {
	sim := erpsim.New(erpsim.Config{Latency: erpsim.Latency{Min: time.Millisecond, Median: 2 * time.Millisecond, P99: 5 * time.Millisecond}})
	defer sim.Close()
	erpURL, closeERP, err := serveLoopback(sim)
	if err != nil {
		return nil, err
	}
	defer closeERP()
	mb, err := mailbox.Start(mailbox.Options{})
	if err != nil {
		return nil, err
	}
	defer mb.Close()
	dir, err := os.MkdirTemp("", "ordergate-bench-memory-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	run := &memoryRun{c: c, dir: dir, secret: randomHex(32), token: randomHex(16), erpURL: erpURL, mailbox: mb.Addr()}
	defer func() {
		for _, drop := range run.drops {
			drop()
		}
	}()

	// The baseline: the same gateway and traffic on an empty store.
	emptyDB, dropEmpty, err := c.database()
	if err != nil {
		return nil, err
	}
	defer dropEmpty()
	fmt.Fprintf(os.Stderr, "memory: baseline, the gateway on an empty store at %.0f/s for %s\n", c.GateRate, c.Duration)
	base, err := run.traffic(ctx, emptyDB, "empty", "")
	if err != nil {
		return nil, fmt.Errorf("empty store: %w", err)
	}

	storedDB, seeded, err := run.storedDatabase(ctx)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "memory: %d stored, the gateway at %.0f/s for %s\n", c.Stored, c.GateRate, c.Duration)
	got, err := run.traffic(ctx, storedDB, "stored", ".gateway")
	if err != nil {
		return nil, fmt.Errorf("%d stored: %w", c.Stored, err)
	}

	rows := []benchRow{base.row(c, "empty store", 1), got.row(c, fmt.Sprintf("%d stored", c.Stored), c.Stored+1)}
	// The empty store is both rows' baseline.
	for i := range rows {
		rows[i].BaselineP50, rows[i].BaselineP99, rows[i].BaselineRSSMB = base.load.P50, base.load.P99, mb1(base.peakRSS)
	}
	if c.Stored > 0 && seeded.bytes > 0 {
		rows[1].SeedBytesPerOrder = float64(seeded.bytes) / float64(c.Stored)
	}
	if seeded.took > 0 {
		rows[1].Note += fmt.Sprintf("; seeded in %s", seeded.took.Round(time.Second))
	} else {
		rows[1].Note += "; seeded store reused from --store-dir"
	}
	return rows, nil
}

// memoryRun is what the memory workload's gateway processes share.
type memoryRun struct {
	c       *benchCmd
	dir     string // configs and logs
	secret  string // the storefront's webhook secret
	token   string // an admin token, to read the template order
	erpURL  string
	mailbox string
	drops   []func() // databases to drop when the run ends
}

// gatewayResult is one gateway process under the memory workload's traffic.
type gatewayResult struct {
	load                 bench.Result
	loadErr              error
	idleRSS, peakRSS     int64 // the gateway process's, before and during the traffic
	bytesBefore, bytesAf int64 // the database's pages in use
	// What the gateway read from and wrote to the disk under the
	// traffic (not from the OS's page cache): a store that outgrew the
	// caches shows here first.
	readBytes, writeBytes int64
}

func mb1(b int64) float64 { return float64(b) / (1 << 20) }

func (g gatewayResult) row(c *benchCmd, mode string, before int) benchRow {
	r := benchRow{Workload: "memory", Mode: mode, Rate: g.load.Rate, BaselineRate: c.GateRate, P50: g.load.P50, P99: g.load.P99,
		P999: g.load.P999, Max: g.load.Max, Requests: g.load.Requests, Non2xx: g.load.Non2xx, Errors: g.load.Errors,
		Statuses: g.load.Statuses, PeakRSSMB: mb1(g.peakRSS), IdleRSSMB: mb1(g.idleRSS)}
	ok := g.load.Requests - g.load.Non2xx - g.load.Errors
	r.StoredOrders = before + ok
	if c.GateRate > 0 {
		r.Ratio = g.load.Rate / c.GateRate
	}
	if ok > 0 && g.bytesAf > g.bytesBefore {
		r.IngestBytesPerOrder = float64(g.bytesAf-g.bytesBefore) / float64(ok)
	}
	r.Note = joinNotes(g.loadErr)
	if r.Note != "" {
		r.Note += "; "
	}
	r.Note += fmt.Sprintf("RSS is the gateway process's alone (bench --serve-gateway; the generator, sandbox ERP and mailbox run in this one); under traffic it read %.1f MB from the disk and wrote %.1f MB",
		mb1(g.readBytes), mb1(g.writeBytes))
	return r
}

// seedResult is how the stored orders came to be.
type seedResult struct {
	took  time.Duration // 0: reused
	bytes int64         // the database's growth from seeding
}

// storedDatabase returns a database holding c.Stored seeded orders (and
// one template order): a new one, or with --store-dir one seeded by an
// earlier run with the same --stored.
func (r *memoryRun) storedDatabase(ctx context.Context) (string, seedResult, error) {
	c := r.c
	var db string
	if c.StoreDir != "" && c.DB == "sqlite" {
		if err := os.MkdirAll(c.StoreDir, 0o755); err != nil {
			return "", seedResult{}, err
		}
		path := filepath.Join(c.StoreDir, fmt.Sprintf("stored-%d.db", c.Stored))
		db = "sqlite:" + path
		if _, err := os.Stat(path + ".seeded"); err == nil {
			return db, seedResult{}, nil
		}
		for _, suffix := range []string{"", "-wal", "-shm", ".lock"} {
			os.Remove(path + suffix)
		}
	} else {
		var drop func()
		var err error
		if db, drop, err = c.database(); err != nil {
			return "", seedResult{}, err
		}
		// Dropped when the run ends; see memory.
		r.drops = append(r.drops, drop)
	}
	// The template: one order through a gateway of its own, confirmed.
	g, err := r.start(ctx, db, "template", "")
	if err != nil {
		return "", seedResult{}, err
	}
	key, err := r.template(ctx, g)
	g.stop()
	if err != nil {
		return "", seedResult{}, err
	}
	empty, err := dbBytes(ctx, db)
	if err != nil {
		return "", seedResult{}, err
	}
	fmt.Fprintf(os.Stderr, "memory: seeding %d orders (no gateway running)\n", c.Stored)
	t0 := time.Now()
	if err := seed(ctx, db, key, c.Stored); err != nil {
		return "", seedResult{}, fmt.Errorf("seed: %w", err)
	}
	res := seedResult{took: time.Since(t0)}
	full, err := dbBytes(ctx, db)
	if err != nil {
		return "", seedResult{}, err
	}
	res.bytes = full - empty
	if path, ok := strings.CutPrefix(db, "sqlite:"); ok && c.StoreDir != "" {
		if err := os.WriteFile(path+".seeded", []byte(strconv.Itoa(c.Stored)+"\n"), 0o644); err != nil {
			return "", seedResult{}, err
		}
	}
	return db, res, nil
}

// traffic starts a gateway on db, leaves it a moment to settle, offers it
// c.GateRate webhooks a second for c.Duration, and stops it. profile, if
// not empty, is appended to the --*-profile paths for this gateway's
// profiles.
func (r *memoryRun) traffic(ctx context.Context, db, name, profile string) (gatewayResult, error) {
	var res gatewayResult
	var err error
	if res.bytesBefore, err = dbBytes(ctx, db); err != nil {
		return res, err
	}
	g, err := r.start(ctx, db, name, profile)
	if err != nil {
		return res, err
	}
	defer g.stop()
	// Startup's own work (River electing its leader, the periodic jobs
	// run on start) is not the traffic's.
	select {
	case <-ctx.Done():
		return res, ctx.Err()
	case <-time.After(2 * time.Second):
	}
	res.idleRSS, _ = procStatus(g.pid, "VmRSS:")
	resetPeakRSS(g.pid)
	read0, write0 := procIO(g.pid)
	var peak atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if v, err := procStatus(g.pid, "VmRSS:"); err == nil && v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	// Order ids unique across runs on a reused store.
	first := int64(1<<53) + 1_000_000_000*(time.Now().Unix()%1_000_000)
	res.load, res.loadErr = bench.Open(ctx, bench.NewWebhooks(g.addr+"/webhooks/shopify/bench", []byte(r.secret), first),
		bench.Client(r.c.Connections), r.c.GateRate, r.c.Duration, 4096)
	close(stop)
	<-sampled
	// VmHWM also catches a peak between two samples.
	if hwm, err := procStatus(g.pid, "VmHWM:"); err == nil && hwm > peak.Load() {
		peak.Store(hwm)
	}
	res.peakRSS = peak.Load()
	read1, write1 := procIO(g.pid)
	res.readBytes, res.writeBytes = read1-read0, write1-write0
	if err := g.stop(); err != nil {
		return res, fmt.Errorf("gateway process: %w", err)
	}
	res.bytesAf, err = dbBytes(ctx, db)
	return res, err
}

// gatewayProc is a gateway in a process of its own.
type gatewayProc struct {
	cmd  *exec.Cmd
	pid  int
	addr string
	once sync.Once
	err  error
}

// start runs this binary's bench --serve-gateway on db, with the config
// of benchGateway, and returns once it listens.
func (r *memoryRun) start(ctx context.Context, db, name, profile string) (*gatewayProc, error) {
	yaml := fmt.Sprintf(`database: %q
listen: 127.0.0.1:0
log_level: error
storefronts:
  - {name: bench, kind: shopify, webhook_secrets: ["${BENCH_SECRET}"], erp: erp, notifier: mailbox, confirmation_sla: 0s}
erps:
  - {name: erp, kind: sandbox, base_url: %q, max_concurrency: 32, timeout: 10s}
notifiers:
  - {name: mailbox, kind: smtp, addr: %q, from: "Bench <orders@bench.example>", tls: none}
retry: {initial: 200ms, max: 5s, max_attempts: 1000}
reconcile: {interval: 0s}
# internal/bench sends one fixed sample order, dated: no replay window.
limits: {max_event_age: 0s}
`, db, r.erpURL, r.mailbox)
	cfgPath := filepath.Join(r.dir, name+".yaml")
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o600); err != nil {
		return nil, err
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{"bench", "--serve-gateway", cfgPath}
	if r.c.Log != "" {
		args = append(args, "--log", r.c.Log)
	}
	if profile != "" {
		for _, p := range []struct{ flag, path string }{{"--cpu-profile", r.c.CPUProfile}, {"--block-profile", r.c.BlockProfile}, {"--mutex-profile", r.c.MutexProfile}} {
			if p.path != "" {
				args = append(args, p.flag, p.path+profile)
				fmt.Fprintf(os.Stderr, "memory: the gateway's %s goes to %s\n", strings.TrimPrefix(p.flag, "--"), p.path+profile)
			}
		}
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), "BENCH_SECRET="+r.secret, "ORDERGATE_ADMIN_TOKEN="+r.token)
	cmd.Stderr = os.Stderr
	// Interrupted, not killed, so that it writes its profiles.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	g := &gatewayProc{cmd: cmd, pid: cmd.Process.Pid}
	line, err := bufio.NewReader(out).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		g.stop()
		return nil, fmt.Errorf("gateway process did not start (%q): %v", line, err)
	}
	g.addr = addr
	return g, nil
}

// stop ends the gateway as serve is ended (SIGINT: running jobs finish,
// profiles are written) and waits for it.
func (g *gatewayProc) stop() error {
	g.once.Do(func() {
		g.cmd.Process.Signal(os.Interrupt)
		g.err = g.cmd.Wait()
	})
	return g.err
}

// template sends one order through g and waits until it is confirmed.
func (r *memoryRun) template(ctx context.Context, g *gatewayProc) (order.Key, error) {
	const first = 1 << 53
	hooks := bench.NewWebhooks(g.addr+"/webhooks/shopify/bench", []byte(r.secret), first)
	in := bench.Count(ctx, hooks, bench.Client(1), 1, 1)
	if in.Non2xx+in.Errors > 0 {
		return order.Key{}, fmt.Errorf("template order refused: %v", in.Statuses)
	}
	key := order.Key{Storefront: "bench", ID: strconv.FormatInt(first+1, 10)}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.addr+"/api/v1/orders/"+key.Storefront+"/"+key.ID, nil)
		if err != nil {
			return key, err
		}
		req.Header.Set("Authorization", "Bearer "+r.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return key, err
		}
		var o struct {
			State order.State `json:"state"`
		}
		json.NewDecoder(resp.Body).Decode(&o)
		resp.Body.Close()
		if o.State == order.Confirmed {
			return key, nil
		}
		select {
		case <-ctx.Done():
			return key, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return key, errors.New("the template order was not confirmed within 30s")
}

// serveGateway is bench --serve-gateway: the gateway alone, in this
// process, until SIGINT; the memory workload's gateway process. It prints
// "listening URL" on stdout once it takes requests.
func (c *benchCmd) serveGateway(ctx context.Context) error {
	cfg, err := config.Load(c.ServeGateway)
	if err != nil {
		return err
	}
	log := slog.New(slog.DiscardHandler)
	if c.Log != "" {
		f, err := os.OpenFile(c.Log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		log = slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	gw, err := start(ctx, cfg, ln, log)
	if err != nil {
		return err
	}
	fmt.Println("listening", gw.addr())
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	gw.shutdown(sctx)
	return nil
}

// seed clones the order key n times, seedChunk orders a transaction.
func seed(ctx context.Context, db string, key order.Key, n int) error {
	exec, closeDB, err := seedConn(ctx, db)
	if err != nil {
		return err
	}
	defer closeDB()
	for lo := 1; lo <= n; lo += seedChunk {
		hi := min(lo+seedChunk-1, n)
		seq := fmt.Sprintf("WITH RECURSIVE seq(i) AS (SELECT %d UNION ALL SELECT i+1 FROM seq WHERE i < %d) ", lo, hi)
		where := fmt.Sprintf(" WHERE t.storefront = '%s' AND t.order_id = '%s'", sqlString(key.Storefront), sqlString(key.ID))
		stmts := []string{
			seq + `INSERT INTO orders (storefront, order_id, name, state, email, document, captured_at, source_updated_at, received_at,
				acknowledged_at, settled_at, erp_ref, attempts, attention, overdue_at, updated_at)
				SELECT t.storefront, 'seed-' || seq.i, '#S' || seq.i, 'confirmed', 'buyer' || seq.i || '@example.com', t.document, t.captured_at,
				t.source_updated_at, t.received_at, t.acknowledged_at, t.settled_at, 'SO-seed-' || seq.i, t.attempts, t.attention, t.overdue_at, t.updated_at
				FROM orders t, seq` + where,
			seq + `INSERT INTO deliveries (dedup_key, storefront, topic, delivery_id, order_id, received_at, body)
				SELECT 'seed-' || seq.i, t.storefront, t.topic, 'seed-' || seq.i, 'seed-' || seq.i, t.received_at, t.body
				FROM deliveries t, seq` + where,
			seq + `INSERT INTO order_events (storefront, order_id, at, kind, source, attempt, detail, error)
				SELECT t.storefront, 'seed-' || seq.i, t.at, t.kind, t.source, t.attempt, t.detail, t.error
				FROM order_events t, seq` + where,
		}
		if err := exec(ctx, stmts); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "memory: seeded %d\n", hi)
	}
	return nil
}

// sqlString escapes s for a single-quoted SQL literal.
func sqlString(s string) string { return strings.ReplaceAll(s, "'", "''") }

// seedConn opens a connection of the bench's own to the gateway's database
// and returns a function running statements in one transaction.
func seedConn(ctx context.Context, db string) (func(context.Context, []string) error, func(), error) {
	if path, ok := (&config.Config{Database: db}).SQLitePath(); ok {
		// Not the ack path: the seed need not be durable before it is
		// used, so it skips the fsyncs.
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(30000)&_pragma=synchronous(OFF)&_pragma=temp_store(MEMORY)&_txlock=immediate")
		if err != nil {
			return nil, nil, err
		}
		db.SetMaxOpenConns(1)
		return func(ctx context.Context, stmts []string) error {
				tx, err := db.BeginTx(ctx, nil)
				if err != nil {
					return err
				}
				for _, s := range stmts {
					if _, err := tx.ExecContext(ctx, s); err != nil {
						tx.Rollback()
						return err
					}
				}
				return tx.Commit()
			}, func() {
				// Leave the WAL empty, so that the traffic measured does not
				// pay for copying the seed into the database.
				db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
				db.Close()
			}, nil
	}
	conn, err := pgx.Connect(ctx, pgConnString(db))
	if err != nil {
		return nil, nil, err
	}
	return func(ctx context.Context, stmts []string) error {
		return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit = off"); err != nil {
				return err
			}
			for _, s := range stmts {
				if _, err := tx.Exec(ctx, s); err != nil {
					return err
				}
			}
			return nil
		})
	}, func() { conn.Close(context.Background()) }, nil
}

// pgConnString drops the pool's parameters, which a single connection
// would send to the server as settings.
func pgConnString(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") {
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// dbBytes is the database's size on disk: the SQLite pages in use, or
// the PostgreSQL schema's tables with their indexes and TOAST.
func dbBytes(ctx context.Context, database string) (int64, error) {
	if path, ok := (&config.Config{Database: database}).SQLitePath(); ok {
		// The pages in use, WAL included: the files' sizes would count a
		// WAL not yet truncated, and free pages.
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
		if err != nil {
			return 0, err
		}
		defer db.Close()
		var n int64
		err = db.QueryRowContext(ctx, `SELECT (p.page_count - f.freelist_count) * s.page_size FROM pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s`).Scan(&n)
		return n, err
	}
	conn, err := pgx.Connect(ctx, pgConnString(database))
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	var n int64
	err = conn.QueryRow(ctx, `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c
		JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE ns.nspname = current_schema() AND c.relkind = 'r'`).Scan(&n)
	return n, err
}

// resetPeakRSS starts the process's VmHWM over from its current resident
// set (Linux).
func resetPeakRSS(pid int) { os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0) }

// procStatus reads one size field (VmRSS:, VmHWM:) of the process's
// /proc status, in bytes.
func procStatus(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("%s not in /proc/%d/status", field, pid)
}

// procIO is what the process has read from and written to storage, in
// bytes (/proc/PID/io read_bytes, write_bytes); zeros if unreadable.
func procIO(pid int) (read, written int64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return 0, 0
	}
	for line := range strings.Lines(string(data)) {
		k, v, _ := strings.Cut(strings.TrimSpace(line), ": ")
		n, _ := strconv.ParseInt(v, 10, 64)
		switch k {
		case "read_bytes":
			read = n
		case "write_bytes":
			written = n
		}
	}
	return read, written
}
