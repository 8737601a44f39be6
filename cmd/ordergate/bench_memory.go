package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ordergate/ordergate/internal/bench"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/store"
)

// seedChunk is how many orders one seeding transaction clones.
const seedChunk = 50_000

// memory measures the process's resident memory and the database's bytes
// per order with --stored orders in the store while webhooks arrive at
// --gate-rate. The stored orders are clones, made in SQL, of one order that
// went through the gateway (its row, its raw delivery and its timeline, set
// confirmed so that they carry no jobs): a bench-only bulk path, since a
// million orders through the front door would take the run's whole budget.
// The baseline is the same process idle with an empty store.
func (c *benchCmd) memory(ctx context.Context) ([]benchRow, error) {
	// The baseline: this process's peak RSS serving the same traffic with
	// the bare verify-and-200 handler (the generator's share is in both).
	bareSecret := []byte(randomHex(32))
	bareURL, closeBare, err := serveLoopback(bench.Bare(bareSecret))
	if err != nil {
		return nil, err
	}
	defer closeBare()
	fmt.Fprintf(os.Stderr, "memory: baseline, bare handler at %.0f/s for %s\n", c.GateRate, c.Duration)
	bareIn, bareRSS, _ := peakDuring(func() (bench.Result, error) {
		return bench.Open(ctx, bench.NewWebhooks(bareURL+"/webhooks/shopify/bench", bareSecret, 1<<53), bench.Client(c.Connections), c.GateRate, c.Duration, 4096)
	})

	sim := erpsim.New(erpsim.Config{Latency: erpsim.Latency{Min: time.Millisecond, Median: 2 * time.Millisecond, P99: 5 * time.Millisecond}})
	defer sim.Close()
	erpURL, closeERP, err := serveLoopback(sim)
	if err != nil {
		return nil, err
	}
	defer closeERP()
	gw, secret, cleanup, err := c.benchGateway(ctx, fmt.Sprintf("{name: erp, kind: sandbox, base_url: %q, max_concurrency: 32, timeout: 10s}", erpURL))
	if err != nil {
		return nil, err
	}
	defer cleanup()
	hc := bench.Client(c.Connections)
	target := gw.addr() + "/webhooks/shopify/bench"
	idleRSS, _ := rss()
	emptyBytes, err := c.dbBytes(ctx, gw)
	if err != nil {
		return nil, err
	}

	// One real order to clone.
	in := bench.Count(ctx, bench.NewWebhooks(target, []byte(secret), 1<<53), hc, 1, 1)
	if in.Non2xx+in.Errors > 0 {
		return nil, fmt.Errorf("template order refused: %v", in.Statuses)
	}
	settle(ctx, gw, 30*time.Second)
	tmpl, err := gw.store.List(ctx, store.Filter{State: order.Confirmed, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(tmpl) == 0 {
		return nil, errors.New("the template order was not confirmed within 30s")
	}
	fmt.Fprintf(os.Stderr, "memory: seeding %d orders\n", c.Stored)
	t0 := time.Now()
	if err := c.seed(ctx, gw, tmpl[0].Key, c.Stored); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	seeded := time.Since(t0)
	debug.FreeOSMemory()
	seedRSS, _ := rss()
	seededBytes, err := c.dbBytes(ctx, gw)
	if err != nil {
		return nil, err
	}

	fmt.Fprintf(os.Stderr, "memory: %d stored, ingesting %.0f webhooks/s for %s\n", c.Stored, c.GateRate, c.Duration)
	load, peak, lerr := peakDuring(func() (bench.Result, error) {
		return bench.Open(ctx, bench.NewWebhooks(target, []byte(secret), 1<<53+100_000_000), hc, c.GateRate, c.Duration, 4096)
	})
	afterBytes, err := c.dbBytes(ctx, gw)
	if err != nil {
		return nil, err
	}
	counts, err := gw.store.Counts(ctx)
	if err != nil {
		return nil, err
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	r := benchRow{Workload: "memory", Mode: fmt.Sprintf("%d stored", c.Stored), Rate: load.Rate, BaselineRate: c.GateRate,
		P50: load.P50, P99: load.P99, P999: load.P999, Max: load.Max, Requests: load.Requests, Non2xx: load.Non2xx, Errors: load.Errors,
		Statuses: load.Statuses, StoredOrders: total,
		PeakRSSMB: float64(peak) / (1 << 20), IdleRSSMB: float64(idleRSS) / (1 << 20), BaselineRSSMB: float64(bareRSS) / (1 << 20),
		BaselineP50: bareIn.P50, BaselineP99: bareIn.P99}
	if c.GateRate > 0 {
		r.Ratio = load.Rate / c.GateRate
	}
	if c.Stored > 0 {
		r.SeedBytesPerOrder = float64(seededBytes-emptyBytes) / float64(c.Stored)
	}
	if n := total - c.Stored - 1; n > 0 {
		r.IngestBytesPerOrder = float64(afterBytes-seededBytes) / float64(n)
	}
	r.Note = joinNotes(lerr)
	if r.Note != "" {
		r.Note += "; "
	}
	r.Note += fmt.Sprintf("seeded in %s; RSS is the whole bench process (gateway, load generator, sandbox ERP and mailbox): %.0f MB idle with an empty store, %.0f MB after seeding (before traffic), %.0f MB peak for the bare handler under the same traffic",
		seeded.Round(time.Second), r.IdleRSSMB, float64(seedRSS)/(1<<20), r.BaselineRSSMB)
	return []benchRow{r}, nil
}

// peakDuring runs load and returns its result with the process's peak
// resident set meanwhile.
func peakDuring(load func() (bench.Result, error)) (bench.Result, int64, error) {
	resetPeakRSS()
	var peak atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if r, err := rss(); err == nil && r > peak.Load() {
				peak.Store(r)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	res, err := load()
	close(stop)
	<-sampled
	if hwm, herr := peakRSS(); herr == nil && hwm > peak.Load() {
		peak.Store(hwm)
	}
	return res, peak.Load(), err
}

// seed clones the order key n times, seedChunk orders a transaction.
func (c *benchCmd) seed(ctx context.Context, gw *gateway, key order.Key, n int) error {
	exec, closeDB, err := c.seedConn(ctx, gw)
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
func (c *benchCmd) seedConn(ctx context.Context, gw *gateway) (func(context.Context, []string) error, func(), error) {
	if path, ok := gw.cfg.SQLitePath(); ok {
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
	conn, err := pgx.Connect(ctx, pgConnString(gw.cfg.Database))
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
func (c *benchCmd) dbBytes(ctx context.Context, gw *gateway) (int64, error) {
	if path, ok := gw.cfg.SQLitePath(); ok {
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
	conn, err := pgx.Connect(ctx, pgConnString(gw.cfg.Database))
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	var n int64
	err = conn.QueryRow(ctx, `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c
		JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE ns.nspname = current_schema() AND c.relkind = 'r'`).Scan(&n)
	return n, err
}

// rss is the process's resident set now, in bytes.
func rss() (int64, error) { return procStatus("VmRSS:") }

// peakRSS is the process's peak resident set since the last resetPeakRSS.
func peakRSS() (int64, error) { return procStatus("VmHWM:") }

// resetPeakRSS starts VmHWM over from the current resident set (Linux).
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

func procStatus(field string) (int64, error) {
	f, err := os.Open("/proc/self/status")
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
	return 0, fmt.Errorf("%s not in /proc/self/status", field)
}
