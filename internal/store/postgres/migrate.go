package postgres

import (
	"context"
	"embed"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/ordergate/ordergate/internal/store"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

func migrations() ([]store.Migration, error) {
	return store.ReadMigrations(migrationFS, "migrations")
}

// SchemaVersion is the newest schema this binary knows.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

// MigrateResult says what Migrate did.
type MigrateResult struct {
	From, To      int      // our schema version before and after
	Applied       []string // our migrations applied
	RiverVersions []int    // River's migrations applied
}

// migrateLock names the session advisory lock held while migrating: one
// per schema, so that replicas starting together migrate one at a time and
// the later ones find the work done.
const migrateLock = `hashtextextended('ordergate_migrations.' || coalesce(current_schema(), ''), 0)`

// migrate brings our tables and River's to this binary's version. It is
// idempotent, safe to run from several processes at once (they take turns
// on an advisory lock), and refuses a database whose schema is newer than
// the binary: an older binary must not write to a schema it does not know.
func migrate(ctx context.Context, pool *pgxpool.Pool) (res MigrateResult, err error) {
	ms, err := migrations()
	if err != nil {
		return res, err
	}
	// The lock belongs to one session, so it is taken on a connection held
	// for the whole run; River's migrator below uses other connections from
	// the pool, which is why the pool must have at least two.
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return res, fmt.Errorf("acquire connection: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(`+migrateLock+`)`); err != nil {
		return res, fmt.Errorf("take migration lock: %w", err)
	}
	defer func() {
		// A failed unlock (the connection broke) releases the lock anyway:
		// session locks end with their session. Do not hand that
		// connection back still holding it.
		if _, uerr := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+migrateLock+`)`); uerr != nil {
			conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS ordergate_migrations (
		version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return res, fmt.Errorf("create migrations table: %w", err)
	}
	if err := conn.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM ordergate_migrations`).Scan(&res.From); err != nil {
		return res, fmt.Errorf("read schema version: %w", err)
	}
	res.To = res.From
	if newest := SchemaVersion(); res.From > newest {
		return res, fmt.Errorf("database schema is version %d, newer than this binary's %d: run a newer ordergate", res.From, newest)
	}
	for _, m := range ms {
		if m.Version <= res.From {
			continue
		}
		tx, err := conn.Begin(ctx)
		if err != nil {
			return res, err
		}
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			tx.Rollback(ctx)
			return res, fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO ordergate_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
			tx.Rollback(ctx)
			return res, fmt.Errorf("migration %s: record: %w", m.Name, err)
		}
		if err := tx.Commit(ctx); err != nil {
			return res, fmt.Errorf("migration %s: commit: %w", m.Name, err)
		}
		res.Applied = append(res.Applied, m.Name)
		res.To = m.Version
	}
	// River's own tables, with its own migrator (Migrate, not the
	// deprecated MigrateTx, which fails on a fresh PostgreSQL), still under
	// our lock.
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return res, fmt.Errorf("river migrator: %w", err)
	}
	rr, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return res, fmt.Errorf("river migrations: %w", err)
	}
	for _, v := range rr.Versions {
		res.RiverVersions = append(res.RiverVersions, v.Version)
	}
	return res, nil
}
