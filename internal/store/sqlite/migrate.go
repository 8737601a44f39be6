package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"time"

	"github.com/riverqueue/river/riverdriver/riversqlite"
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

// migrate brings our tables and River's to this binary's version. It is
// idempotent, and refuses a database whose schema is newer than the binary:
// an older binary must not write to a schema it does not know.
func migrate(ctx context.Context, db *sql.DB) (MigrateResult, error) {
	var res MigrateResult
	ms, err := migrations()
	if err != nil {
		return res, err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS ordergate_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return res, fmt.Errorf("create migrations table: %w", err)
	}
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM ordergate_migrations`).Scan(&res.From); err != nil {
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
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return res, err
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			tx.Rollback()
			return res, fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ordergate_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			m.Version, m.Name, time.Now().UnixMicro()); err != nil {
			tx.Rollback()
			return res, fmt.Errorf("migration %s: record: %w", m.Name, err)
		}
		if err := tx.Commit(); err != nil {
			return res, fmt.Errorf("migration %s: commit: %w", m.Name, err)
		}
		res.Applied = append(res.Applied, m.Name)
		res.To = m.Version
	}
	// River's own tables, with its own migrator, outside any transaction of
	// ours: on a one-connection pool a held transaction would deadlock it.
	migrator, err := rivermigrate.New(riversqlite.New(db), nil)
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
