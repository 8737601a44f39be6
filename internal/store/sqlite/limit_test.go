package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

func TestOpaqueLimits_RewritesEveryBoundLimitAndNothingElse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"SELECT 1 LIMIT ?", "SELECT 1 LIMIT (? + 0)"},
		{"SELECT 1 LIMIT ?5", "SELECT 1 LIMIT (?5 + 0)"},
		{"SELECT 1\n    LIMIT ?11\n)", "SELECT 1\n    LIMIT (?11 + 0)\n)"},
		{"select 1 limit :n offset ?2", "select 1 LIMIT (:n + 0) offset ?2"},
		{"SELECT 1 LIMIT @max_to_lock", "SELECT 1 LIMIT (@max_to_lock + 0)"},
		{"SELECT 1 LIMIT $n", "SELECT 1 LIMIT ($n + 0)"},
		{"SELECT (SELECT 1 LIMIT ?1) LIMIT ?2", "SELECT (SELECT 1 LIMIT (?1 + 0)) LIMIT (?2 + 0)"},
		// Left alone: a constant count, an expression already, and words
		// that only contain LIMIT.
		{"SELECT 1 LIMIT 1", "SELECT 1 LIMIT 1"},
		{"SELECT 1 LIMIT (? * 2)", "SELECT 1 LIMIT (? * 2)"},
		{"SELECT over_limit FROM t WHERE nolimit ?", "SELECT over_limit FROM t WHERE nolimit ?"},
	} {
		if got := opaqueLimits(tc.in); got != tc.want {
			t.Errorf("opaqueLimits(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// cOut is where SQLite's C API writes a handle it returns: a global,
// which the collector never moves.
var cOut uintptr

// reprepares runs query against a fresh database through SQLite's own C
// API, binding each count in turn to parameter 1, and returns how often
// SQLite compiled the statement again (SQLITE_STMTSTATUS_REPREPARE), which
// database/sql cannot see.
func reprepares(t *testing.T, query string, counts []int64) int {
	t.Helper()
	tls := libc.NewTLS()
	defer tls.Close()
	cstr := func(s string) uintptr {
		p, err := libc.CString(s)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { libc.Xfree(tls, p) })
		return p
	}
	out := uintptr(unsafe.Pointer(&cOut))
	path := filepath.Join(t.TempDir(), "limit.db")
	if rc := sqlite3.Xsqlite3_open_v2(tls, cstr(path), out, sqlite3.SQLITE_OPEN_READWRITE|sqlite3.SQLITE_OPEN_CREATE, 0); rc != sqlite3.SQLITE_OK {
		t.Fatalf("open: %d", rc)
	}
	db := cOut
	defer sqlite3.Xsqlite3_close_v2(tls, db)
	for _, s := range []string{
		`CREATE TABLE job (id INTEGER PRIMARY KEY, queue TEXT, priority INT)`,
		`CREATE INDEX job_fetch ON job (queue, priority, id)`,
		`WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 100) INSERT INTO job (queue, priority) SELECT 'q', v % 4 FROM n`,
	} {
		if rc := sqlite3.Xsqlite3_exec(tls, db, cstr(s), 0, 0, 0); rc != sqlite3.SQLITE_OK {
			t.Fatalf("%s: %d", s, rc)
		}
	}
	if rc := sqlite3.Xsqlite3_prepare_v2(tls, db, cstr(query), -1, out, 0); rc != sqlite3.SQLITE_OK {
		t.Fatalf("prepare %s: %d", query, rc)
	}
	stmt := cOut
	defer sqlite3.Xsqlite3_finalize(tls, stmt)
	for _, n := range counts {
		sqlite3.Xsqlite3_bind_int64(tls, stmt, 1, n)
		rows := int64(0)
		for sqlite3.Xsqlite3_step(tls, stmt) == sqlite3.SQLITE_ROW {
			rows++
		}
		if rows != n {
			t.Fatalf("%s with %d: %d rows", query, n, rows)
		}
		sqlite3.Xsqlite3_reset(tls, stmt)
	}
	return int(sqlite3.Xsqlite3_stmt_status(tls, stmt, sqlite3.SQLITE_STMTSTATUS_REPREPARE, 0))
}

// The reason for opaqueLimits, checked against the SQLite this binary
// carries: a bare LIMIT parameter makes every change of count a new
// compilation (the test fails if a later SQLite stops doing so, and the
// rewrite can go); the rewritten statement is compiled once.
func TestOpaqueLimits_ADifferentCountNoLongerRecompiles(t *testing.T) {
	t.Parallel()
	const fetch = `UPDATE job SET priority = priority WHERE id IN (SELECT id FROM job WHERE queue = 'q' AND priority >= 0 ORDER BY priority, id LIMIT ?1) RETURNING id`
	counts := []int64{10, 42, 10, 4, 1, 42, 20}
	if n := reprepares(t, fetch, counts); n < len(counts)-1 {
		t.Errorf("bare LIMIT ?1: %d recompilations over %d counts; SQLite no longer recompiles for a new count, and opaqueLimits is not needed", n, len(counts))
	}
	if n := reprepares(t, opaqueLimits(fetch), counts); n != 0 {
		t.Errorf("%s: %d recompilations, want 0", opaqueLimits(fetch), n)
	}
}

// Through the store's own connections, every query is prepared rewritten
// and still answers with the rows its LIMIT asks for.
func TestOpaqueLimits_StoreQueriesKeepTheirLimit(t *testing.T) {
	t.Parallel()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "og.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, db := range []struct {
		name string
		q    func(n int) ([]int, error)
	}{
		{"write", func(n int) ([]int, error) { return ints(s.write.Query(series50+` LIMIT ?`, n)) }},
		{"read", func(n int) ([]int, error) { return ints(s.read.Query(series50+` LIMIT ?1`, n)) }},
	} {
		for _, n := range []int{3, 7, 0, 50, 3} {
			got, err := db.q(n)
			if err != nil {
				t.Fatalf("%s pool, LIMIT %d: %v", db.name, n, err)
			}
			want := make([]int, n)
			for i := range want {
				want[i] = i + 1
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s pool, LIMIT %d: %v", db.name, n, got)
			}
		}
	}
}

// series50 is the numbers 1 to 50 in order.
const series50 = `WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 50) SELECT v FROM n ORDER BY v`

func ints(rows *sql.Rows, err error) ([]int, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []int{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
