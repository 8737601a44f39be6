package sqlite

import "regexp"

// Bound LIMITs, and why they are wrapped.
//
// The SQLite this binary carries (3.54.1, modernc.org/sqlite v1.62.0)
// reads the value bound to a bare LIMIT parameter while planning and marks
// the statement to be compiled again whenever a different value is bound
// there (limit_test.go counts it). River fetches jobs with
// one statement for every queue, LIMIT the free worker slots of that queue,
// which differ from one fetch to the next: nearly every fetch was parsed
// and planned again. That re-preparation was 1.56 s of 5.24 s of CPU in a
// quiet run of `ordergate bench --workload gate` (pprof:
// sqlite3Reprepare under JobGetAvailable), ~0.5–1 ms a fetch on the one
// write connection, and it sat in the middle of the gate's hop.
//
// Written as an expression, LIMIT (?5 + 0), the value is read only when
// the statement runs, so the statement compiled once serves every limit.
// The planner's row estimate no longer sees the value; the statements
// that have a LIMIT here walk an index in its ORDER BY, which does not
// depend on it.

// boundLimit matches a LIMIT whose count is a bare parameter, in any of
// SQLite's forms: ?, ?NNN, :name, @name, $name.
var boundLimit = regexp.MustCompile(`(?i)\bLIMIT(\s+)(\?[0-9]*|[:@$][A-Za-z_][A-Za-z0-9_]*)`)

// opaqueLimits rewrites every LIMIT whose count is a bare parameter into
// an expression of it, so that binding another count does not make SQLite
// compile the statement again.
func opaqueLimits(query string) string {
	return boundLimit.ReplaceAllString(query, "LIMIT${1}(${2} + 0)")
}
