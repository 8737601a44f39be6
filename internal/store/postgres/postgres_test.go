package postgres

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/store/postgres/pgtest"
	"github.com/ordergate/ordergate/internal/store/storetest"
)

func openTemp(t *testing.T, cfg *river.Config) store.Store {
	t.Helper()
	dsn := pgtest.DSN(t)
	s, err := Open(context.Background(), dsn, Options{River: cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, openTemp)
}

func TestMigrate_IdempotentAndRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	first, err := Migrate(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if first.From != 0 || first.To != SchemaVersion() || len(first.Applied) == 0 || len(first.RiverVersions) == 0 {
		t.Fatalf("first migrate: %+v", first)
	}
	again, err := Migrate(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Applied) != 0 || len(again.RiverVersions) != 0 || again.To != first.To {
		t.Fatalf("second migrate did work: %+v", again)
	}
	s, err := Open(ctx, dsn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO ordergate_migrations (version, name) VALUES (999, '999_future.sql')`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Migrate(ctx, dsn); err == nil || !strings.Contains(err.Error(), "newer than this binary") {
		t.Fatalf("migrate against a newer schema: %v, want refused", err)
	}
	if s, err := Open(ctx, dsn, Options{}); err == nil {
		s.Close()
		t.Fatal("open against a newer schema succeeded")
	}
}

// TestMigrate_ReplicasStartingTogetherMigrateOnce: several processes
// migrating one fresh database at once take turns; each migration is
// applied once and none of them fails on another's half-made tables.
func TestMigrate_ReplicasStartingTogetherMigrateOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	const replicas = 4
	results := make([]MigrateResult, replicas)
	errs := make([]error, replicas)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() {
			<-start
			results[i], errs[i] = Migrate(ctx, dsn)
		})
	}
	close(start)
	wg.Wait()
	var applied []string
	var river []int
	for i := range replicas {
		if errs[i] != nil {
			t.Fatalf("replica %d: %v", i, errs[i])
		}
		applied = append(applied, results[i].Applied...)
		river = append(river, results[i].RiverVersions...)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range ms {
		want = append(want, m.Name)
	}
	slices.Sort(applied)
	if !slices.Equal(applied, want) {
		t.Fatalf("migrations applied across %d concurrent runs: %v, want each of %v once", replicas, applied, want)
	}
	sorted := slices.Clone(river)
	slices.Sort(sorted)
	if len(river) == 0 || len(slices.Compact(sorted)) != len(river) {
		t.Fatalf("river migrations applied across %d concurrent runs: %v, want each once", replicas, river)
	}
}

func TestParseDSN_ErrorsNeverShowThePassword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		dsn  string
		want string
	}{
		{"postgres://og:s3cr3t-pw@db.example:notaport/og", "invalid DSN"},
		{"postgresql://og:s3cr3t-pw@db.example/og?pool_max_conns=many", "invalid DSN"},
		{"postgres://og:s3cr3t-pw@db.example/og?pool_max_conns=1", "at least 2"},
		{"mysql://og:s3cr3t-pw@db.example/og", "postgres://"},
	}
	for _, tt := range tests {
		_, err := ParseDSN(tt.dsn)
		if err == nil {
			t.Errorf("ParseDSN(%s) succeeded, want an error", tt.dsn)
			continue
		}
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("ParseDSN error shows the password: %v", err)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseDSN(%s) = %v, want it to say %q", tt.dsn, err, tt.want)
		}
	}
	cfg, err := ParseDSN("postgres://og@db.example/og?search_path=og_prod")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxConns != DefaultMaxConns || cfg.ConnConfig.RuntimeParams["search_path"] != "og_prod" {
		t.Fatalf("pool size %d, search_path %q; want %d and og_prod", cfg.MaxConns, cfg.ConnConfig.RuntimeParams["search_path"], DefaultMaxConns)
	}
}

func TestOpen_ReadOnlyRefusesWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	if _, err := Migrate(ctx, dsn); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, dsn, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	o := storetest.Sample("1")
	_, err = s.Ingest(ctx, store.Delivery{DedupKey: "k", Storefront: o.Key.Storefront, OrderID: o.Key.ID, ReceivedAt: time.Now(), Body: []byte("{}")},
		func(tx store.Tx, _ *order.Order) (*order.Order, error) {
			return order.New(o, time.Now(), "test", ""), nil
		})
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("ingest through a read-only store: %v, want refused", err)
	}
}

type pingArgs struct {
	Name string `json:"name"`
}

func (pingArgs) Kind() string { return "postgres_test_ping" }

type pingWorker struct {
	river.WorkerDefaults[pingArgs]
	done chan string
}

func (w *pingWorker) Work(_ context.Context, j *river.Job[pingArgs]) error {
	w.done <- j.Args.Name
	return nil
}

// TestStart_LeavesRunningJobsToTheRescuer: Start does not hand back jobs
// left running, since on a shared database a live replica may be working
// them. River's rescuer takes back the one running longer than
// RescueStuckJobsAfter (what a SIGKILLed replica leaves) and leaves the
// recent one alone.
func TestStart_LeavesRunningJobsToTheRescuer(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("waits for River's rescuer and scheduler, several seconds")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dsn := pgtest.DSN(t)
	w := &pingWorker{done: make(chan string, 2)}
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	s, err := Open(ctx, dsn, Options{River: &river.Config{Workers: workers,
		Queues:        map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
		FetchCooldown: 5 * time.Millisecond, FetchPollInterval: 20 * time.Millisecond,
		JobTimeout: time.Minute, RescueStuckJobsAfter: 10 * time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	o := storetest.Sample("1")
	if _, err := s.Ingest(ctx, store.Delivery{DedupKey: "k", Storefront: o.Key.Storefront, OrderID: o.Key.ID, ReceivedAt: time.Now(), Body: []byte("{}")},
		func(tx store.Tx, _ *order.Order) (*order.Order, error) {
			if err := tx.Enqueue(ctx, pingArgs{Name: "abandoned"}, nil); err != nil {
				return nil, err
			}
			return order.New(o, time.Now(), "test", ""), tx.Enqueue(ctx, pingArgs{Name: "in hand"}, nil)
		}); err != nil {
		t.Fatal(err)
	}
	// One job as a replica killed an hour ago left it, one as a live
	// replica is working it now.
	if _, err := s.pool.Exec(ctx, `UPDATE river_job SET state = 'running', attempt = 1,
		attempted_at = CASE WHEN args->>'name' = 'abandoned' THEN now() - interval '1 hour' ELSE now() END,
		attempted_by = ARRAY['gone-replica']`); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	select {
	case name := <-w.done:
		if name != "abandoned" {
			t.Fatalf("the job a live replica holds (%q) was worked again", name)
		}
	case <-ctx.Done():
		t.Fatal("the job a killed replica left running was never rescued")
	}
	// The rescuer judged both jobs in the pass that freed the abandoned
	// one; the other is still the live replica's.
	var state string
	if err := s.pool.QueryRow(ctx, `SELECT state FROM river_job WHERE args->>'name' = 'in hand'`).Scan(&state); err != nil {
		t.Fatal(err)
	}
	if state != "running" {
		t.Fatalf("the job a live replica holds is %s, want still running", state)
	}
}

// Bodies and documents are compressed with lz4 where the server has it
// (migration 0009): pglz cost ~100 µs a 12 KB body on every delivery.
func TestMigrate_BodiesAndDocumentsUseLZ4(t *testing.T) {
	t.Parallel()
	s := openTemp(t, nil).(*Store)
	ctx := context.Background()
	if _, err := s.pool.Exec(ctx, `CREATE TEMP TABLE lz4_probe (b bytea COMPRESSION lz4)`); err != nil {
		t.Skipf("this PostgreSQL has no lz4 (%v): the migration keeps pglz", err)
	}
	for _, col := range [][2]string{{"deliveries", "body"}, {"orders", "document"}} {
		var method string
		if err := s.pool.QueryRow(ctx, `SELECT attcompression::text FROM pg_attribute
			WHERE attrelid = $1::regclass AND attname = $2`, col[0], col[1]).Scan(&method); err != nil {
			t.Fatal(err)
		}
		if method != "l" {
			t.Errorf("%s.%s compression %q, want l (lz4)", col[0], col[1], method)
		}
	}
}

// The columns no query filters on get no planner statistics, so that
// ANALYZE does not sort documents and bodies; the rest keep the default.
func TestMigrate_UnfilteredColumnsHaveNoStatistics(t *testing.T) {
	t.Parallel()
	s := openTemp(t, nil).(*Store)
	ctx := context.Background()
	for _, tc := range []struct {
		table, column string
		want          int
	}{
		{"orders", "document", 0}, {"deliveries", "body", 0}, {"order_events", "detail", 0}, {"order_events", "error", 0},
		{"orders", "state", -1}, {"orders", "email", -1},
	} {
		var target int
		if err := s.pool.QueryRow(ctx, `SELECT coalesce(attstattarget, -1)::int FROM pg_attribute
			WHERE attrelid = $1::regclass AND attname = $2`, tc.table, tc.column).Scan(&target); err != nil {
			t.Fatal(err)
		}
		if target != tc.want {
			t.Errorf("%s.%s statistics target %d, want %d", tc.table, tc.column, target, tc.want)
		}
	}
}
