// Package postgres is the scale-out store: PostgreSQL through pgx, with
// River's PostgreSQL driver as the job queue in the same database, so that
// any number of `ordergate serve` replicas can share one database.
//
// What keeps several replicas safe:
//
//   - Update takes the order's row lock (SELECT … FOR UPDATE), so two
//     replicas changing one order take turns and neither overwrites the
//     other's change.
//   - Ingest first takes a transaction advisory lock on the order's key, so
//     two deliveries of an order that does not exist yet (a create and an
//     update racing in through different replicas) take turns too: the
//     second sees the order the first stored. Deliveries are group
//     committed (group.go): a batch takes all its orders' locks in one
//     statement, in ascending order of the lock key, so batches on
//     different replicas queue rather than deadlock; within a replica a
//     batch holds at most one delivery of an order.
//   - Jobs are inserted with River (InsertTx, or InsertManyFastTx for a
//     group commit) in the same pgx transaction as the order change, and
//     River claims them with row locks (FOR UPDATE SKIP LOCKED), so each
//     runs on one replica at a time.
//   - Migrations run under a session advisory lock, so replicas starting at
//     once migrate one after the other.
//
// Jobs a killed replica left "running" are not released at Start, unlike
// the SQLite store: no lock tells a crashed replica's jobs from those a live
// replica is working right now, and releasing a live one's job would run it
// twice at once. River's rescuer, on the elected leader, hands them back
// once they have been running longer than RescueStuckJobsAfter (the config's
// jobs.rescue_after), which must therefore exceed the longest job.
//
// The database is named by a pgx DSN, e.g.
// postgres://user:password@host:5432/ordergate?sslmode=verify-full. A
// search_path parameter puts ordergate's tables and River's in that schema
// (which must exist); pool_max_conns sizes the pool (default
// DefaultMaxConns).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/ordergate/ordergate/internal/store"
)

// DefaultMaxConns is the pool size when the DSN sets no pool_max_conns.
// pgxpool's own default (the number of CPUs, at least 4) is too small for
// River, which keeps one connection for LISTEN and fetches, completes and
// elects on others while the workers and the webhooks run transactions.
const DefaultMaxConns = 20

// Options configure Open. Zero values mean the documented defaults.
type Options struct {
	// River is the job queue's configuration: Workers, Queues and timing.
	// Nil opens an insert-only queue (for migrate and read-only commands).
	River *river.Config
	// ReadOnly opens without migrating, in read-only transactions.
	ReadOnly bool
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Store is the PostgreSQL implementation of store.Store.
type Store struct {
	pool   *pgxpool.Pool
	river  *river.Client[pgx.Tx]
	log    *slog.Logger
	worker bool
	group  *committer // nil when read-only

	foldQuit chan struct{} // nil when read-only
	foldDone chan struct{}
}

var _ store.Store = (*Store)(nil)

// IsDSN reports whether database names a PostgreSQL database: a
// postgres:// or postgresql:// URL.
func IsDSN(database string) bool {
	return strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://")
}

// ParseDSN checks dsn and returns the pool configuration Open would use.
// Its errors never repeat the DSN, which may hold a password.
func ParseDSN(dsn string) (*pgxpool.Config, error) {
	if !IsDSN(dsn) {
		return nil, errors.New("postgres: invalid DSN: want a postgres:// or postgresql:// URL")
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: invalid DSN: %s", parseProblem(err))
	}
	if !strings.Contains(dsn, "pool_max_conns=") {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.MaxConns < 2 {
		// Migrate holds one connection for its lock while River's migrator
		// needs another.
		return nil, errors.New("postgres: invalid DSN: pool_max_conns must be at least 2")
	}
	return cfg, nil
}

// parseProblem is what pgx found wrong with a DSN, without the DSN: pgx
// masks the password only on a best-effort basis, and the error it wraps
// (from net/url, say) may quote the DSN whole.
func parseProblem(err error) string {
	var pe *pgconn.ParseConfigError
	if !errors.As(err, &pe) {
		return "cannot parse"
	}
	s := pe.Error()
	if inner := errors.Unwrap(pe); inner != nil {
		s = strings.TrimSuffix(s, " ("+inner.Error()+")")
	}
	if i := strings.LastIndex(s, "`: "); i >= 0 {
		return s[i+len("`: "):]
	}
	return "cannot parse"
}

// Open connects to the database dsn names, migrates it to this binary's
// schema (unless ReadOnly), and prepares the job queue.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	cfg, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	if opts.ReadOnly {
		cfg.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	}
	s := &Store{log: opts.Logger}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.pool, err = pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := s.pool.Ping(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if !opts.ReadOnly {
		if _, err := migrate(ctx, s.pool); err != nil {
			s.Close()
			return nil, fmt.Errorf("postgres: migrate: %w", err)
		}
	}
	rcfg := &river.Config{Logger: s.log}
	if opts.River != nil {
		c := *opts.River
		rcfg = &c
		if rcfg.Logger == nil {
			rcfg.Logger = s.log
		}
		s.worker = rcfg.Workers != nil
	}
	s.river, err = river.NewClient(riverpgxv5.New(s.pool), rcfg)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("postgres: job queue: %w", err)
	}
	if !opts.ReadOnly {
		s.startCommitters()
		s.foldQuit, s.foldDone = make(chan struct{}), make(chan struct{})
		go s.foldLoop(s.foldQuit, s.foldDone)
	}
	return s, nil
}

// Migrate brings the database dsn names to this binary's schema and returns
// what it did. It is idempotent and may run while replicas are serving.
func Migrate(ctx context.Context, dsn string) (MigrateResult, error) {
	cfg, err := ParseDSN(dsn)
	if err != nil {
		return MigrateResult{}, err
	}
	cfg.MaxConns = 2
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return MigrateResult{}, fmt.Errorf("postgres: connect: %w", err)
	}
	defer pool.Close()
	res, err := migrate(ctx, pool)
	if err != nil {
		return res, fmt.Errorf("postgres: migrate: %w", err)
	}
	return res, nil
}

// Start starts the workers. Jobs a killed replica left running are handed
// back by River's rescuer, not here: see the package documentation.
func (s *Store) Start(ctx context.Context) error {
	if !s.worker {
		return errors.New("postgres: opened without workers")
	}
	return s.river.Start(ctx)
}

// Stop stops the workers, letting running jobs finish until ctx ends.
func (s *Store) Stop(ctx context.Context) error {
	if !s.worker {
		return nil
	}
	return s.river.Stop(ctx)
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// Close stops the group committers, answering deliveries still queued
// errClosed, and releases the pool's connections.
func (s *Store) Close() error {
	s.stopCommitters()
	if s.foldQuit != nil {
		close(s.foldQuit)
		<-s.foldDone
		s.foldQuit = nil
	}
	if s.pool != nil {
		s.pool.Close()
	}
	return nil
}
