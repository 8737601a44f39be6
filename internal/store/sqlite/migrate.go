package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one embedded SQL file, numbered by its name's prefix.
type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		prefix, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(prefix)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and _", e.Name())
		}
		b, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// SchemaVersion is the newest schema this binary knows.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
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
		if m.version <= res.From {
			continue
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return res, err
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return res, fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ordergate_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			m.version, m.name, time.Now().UnixMicro()); err != nil {
			tx.Rollback()
			return res, fmt.Errorf("migration %s: record: %w", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return res, fmt.Errorf("migration %s: commit: %w", m.name, err)
		}
		res.Applied = append(res.Applied, m.name)
		res.To = m.version
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
