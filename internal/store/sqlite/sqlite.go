// Package sqlite is the embedded store: one SQLite file in WAL mode with
// synchronous=FULL, so that a commit has reached the disk before any 2xx is
// answered, and River's SQLite driver as the job queue in the same file.
//
// River's SQLite driver wants a single connection (more give SQLITE_BUSY and
// no speed), so every write — ingest, workers, River's own bookkeeping —
// shares one. Reads for the API go through a separate read-only pool, which
// WAL lets run beside the writer.
//
// One process owns a database file at a time: Open takes an exclusive lock
// on PATH.lock. That is what makes it safe, at Start, to hand jobs that a
// killed process left "running" straight back to the queue instead of
// waiting for River's rescuer.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"syscall"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/ordergate/ordergate/internal/store"
)

// Options configure Open. Zero values mean the documented defaults.
type Options struct {
	// River is the job queue's configuration: Workers, Queues and timing.
	// Nil opens an insert-only queue (for migrate and read-only commands).
	River *river.Config
	// ReadOnly opens without the exclusive lock and refuses writes.
	ReadOnly bool
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Store is the SQLite implementation of store.Store.
type Store struct {
	path    string
	write   *sql.DB // one connection: ours and River's writes
	read    *sql.DB // read-only pool for queries
	river   *river.Client[*sql.Tx]
	lock    *os.File
	log     *slog.Logger
	worker  bool
	group   *committer    // nil when read-only
	updates *updater      // nil when read-only
	ckpt    *checkpointer // nil when read-only

	hub     hub          // wakes River's producers after commits (wake.go)
	pending pendingWakes // queues of the jobs in open transactions
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database at path, migrates it to this
// binary's schema, and prepares the job queue.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	s := &Store{path: path, log: opts.Logger}
	var err error
	if s.log == nil {
		s.log = slog.Default()
	}
	if !opts.ReadOnly {
		lock, err := lockFile(path + ".lock")
		if err != nil {
			return nil, err
		}
		s.lock = lock
	}
	s.write, err = openDB(dsn(path, false), true)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s.write.SetMaxOpenConns(1)
	s.write.SetMaxIdleConns(1)
	s.write.SetConnMaxLifetime(0)
	s.write.SetConnMaxIdleTime(0)
	if !opts.ReadOnly {
		if _, err := migrate(ctx, s.write); err != nil {
			s.Close()
			return nil, fmt.Errorf("sqlite: migrate %s: %w", path, err)
		}
	}
	s.read, err = openDB(dsn(path, true), false)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: open %s for reading: %w", path, err)
	}
	s.read.SetMaxOpenConns(4)

	cfg := &river.Config{Logger: s.log}
	if opts.River != nil {
		c := *opts.River
		cfg = &c
		if cfg.Logger == nil {
			cfg.Logger = s.log
		}
		s.worker = cfg.Workers != nil
	}
	s.river, err = river.NewClient(wakeDriver{riversqlite.New(s.write), &s.hub}, cfg)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: job queue: %w", err)
	}
	if !opts.ReadOnly {
		if err := s.startCheckpointer(path, checkpointEvery, restartFrames, walLimitFrames); err != nil {
			s.Close()
			return nil, err
		}
		s.startCommitter()
		s.startUpdater()
	}
	return s, nil
}

// openDB opens a pool whose connections keep their prepared statements
// (stmtcache.go).
func openDB(dsn string, writer bool) (*sql.DB, error) {
	c, err := newCachingConnector(dsn, writer)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
}

// Migrate brings the database at path to this binary's schema and returns
// what it did. It is idempotent.
func Migrate(ctx context.Context, path string) (MigrateResult, error) {
	lock, err := lockFile(path + ".lock")
	if err != nil {
		return MigrateResult{}, err
	}
	defer lock.Close()
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return MigrateResult{}, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	return migrate(ctx, db)
}

// dsn builds the connection string. page_size only takes effect on a new
// file before WAL is set, so journal_mode is given as _journal_mode, which
// the driver applies after every _pragma: it runs the _pragma values in
// name order, and a _pragma journal_mode(WAL) ran before page_size and
// left every database on 4 KiB pages.
//
// Pages are 8 KiB. Every page a commit changes is written whole to the
// WAL, and an order's life is a dozen small commits (its delivery, River's
// fetch and completion of each job, each step of the gate), each touching
// a few pages of the tables and their indexes: at 16 KiB the gateway wrote
// ~0.8–1 MB to disk per order at 100 orders/s, at 8 KiB ~0.4 MB, at 4 KiB
// ~0.28 MB. Stored, an order took 2,427 B at 16 KiB, 2,439 B at 8 KiB and
// 2,491 B at 4 KiB (50,000 stored, bench --workload memory). 8 KiB halves
// the write traffic and keeps the margin under 2.5 KB.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "page_size(8192)")
		q.Add("_journal_mode", "WAL")
		// FULL: the WAL is fsynced at every commit, so a committed delivery
		// survives power loss, not only a process crash.
		q.Add("_pragma", "synchronous(FULL)")
		// A savepoint (one per delivery in a group commit) copies each page
		// it changes to a sub-journal first; on disk that was a write
		// syscall per page. In memory it costs a copy. It only serves
		// rolling a savepoint back, never recovery.
		q.Add("_pragma", "temp_store(MEMORY)")
		// Checkpoints run in the background (checkpoint.go), not inside
		// whichever commit crosses the WAL's threshold.
		q.Add("_pragma", "wal_autocheckpoint(0)")
		q.Add("_txlock", "immediate")
	}
	q.Add("_pragma", "foreign_keys(1)")
	return "file:" + path + "?" + q.Encode()
}

func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("sqlite: %s is in use by another ordergate process (one process owns an SQLite database; use PostgreSQL for several replicas)", path)
		}
		return nil, fmt.Errorf("sqlite: lock %s: %w", path, err)
	}
	return f, nil
}

// Start hands back jobs a killed process left running, then starts the
// workers.
func (s *Store) Start(ctx context.Context) error {
	if !s.worker {
		return errors.New("sqlite: opened without workers")
	}
	// We hold the file's exclusive lock, so no other process is working
	// these: they were orphaned by a crash. River's rescuer would take them
	// back only after RescueStuckJobsAfter.
	res, err := s.write.ExecContext(ctx, `UPDATE river_job SET state = 'available', scheduled_at = datetime('now', 'subsec') WHERE state = 'running'`)
	if err != nil {
		return fmt.Errorf("sqlite: release orphaned jobs: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		s.log.Info("released jobs left running by an earlier process", "jobs", n)
	}
	// Likewise its leadership: left in place, it would keep this process
	// from being elected until its term ran out (up to 15 s), and the
	// leader's work with it — the stock keeper's first read, so marketplace
	// listings kept their figures from before the crash that long.
	if _, err := s.write.ExecContext(ctx, `DELETE FROM river_leader`); err != nil {
		return fmt.Errorf("sqlite: release an earlier process's leadership: %w", err)
	}
	return s.river.Start(relaxed(ctx))
}

// Stop stops the workers, letting running jobs finish until ctx ends.
func (s *Store) Stop(ctx context.Context) error {
	if !s.worker {
		return nil
	}
	return s.river.Stop(ctx)
}

// Ping checks both pools.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.write.PingContext(ctx); err != nil {
		return err
	}
	return s.read.PingContext(ctx)
}

// Close releases the database and the lock.
func (s *Store) Close() error {
	s.stopCommitter()
	s.stopUpdater()
	s.stopCheckpointer()
	var errs []error
	if s.read != nil {
		errs = append(errs, s.read.Close())
	}
	if s.write != nil {
		errs = append(errs, s.write.Close())
	}
	if s.lock != nil {
		errs = append(errs, s.lock.Close())
	}
	return errors.Join(errs...)
}
