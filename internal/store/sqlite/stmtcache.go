package sqlite

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	sqlitedrv "modernc.org/sqlite"
)

// The statement cache. database/sql prepares a statement for every
// ExecContext and QueryContext it is not given a *sql.Stmt for, and SQLite
// parses and plans the SQL each time: on the ingest path that was 40% of the
// committer's CPU (River's job insert alone, a long INSERT … SELECT FROM
// json_each, cost ~1 ms to parse). The write pool has one long-lived
// connection, and River and this package run the same few dozen statements
// on it again and again, so the connection keeps its prepared statements and
// reuses them: a statement runs again after a reset, without a parse.

// stmtCacheSize bounds the statements kept per connection; the least
// recently used is finalized past it.
const stmtCacheSize = 128

// cachingConnector opens connections that keep their prepared statements.
type cachingConnector struct {
	base   driver.Connector
	writer bool
}

func newCachingConnector(dsn string, writer bool) (driver.Connector, error) {
	base, err := sqlitedrv.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return cachingConnector{base, writer}, nil
}

func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.base.Connect(ctx)
	if err != nil {
		return nil, err
	}
	// The DSN opens a writer with synchronous=FULL.
	return &cachingConn{conn: conn, byQuery: make(map[string]*list.Element), lru: list.New(), writer: c.writer, syncFull: true}, nil
}

func (c cachingConnector) Driver() driver.Driver { return c.base.Driver() }

// cachingConn wraps one SQLite connection. database/sql uses a connection
// from one goroutine at a time, but a Rows may be closed from another, so
// the cache has its own lock.
type cachingConn struct {
	conn    driver.Conn
	mu      sync.Mutex
	byQuery map[string]*list.Element // of *cachedStmt
	lru     *list.List

	// The connection's durability (relaxed.go), on the write pool only.
	writer, syncFull, inTx bool

	// parses counts statements compiled: each cache miss and each run of
	// a statement the cache could not serve.
	parses atomic.Int64
}

type cachedStmt struct {
	query string
	stmt  driver.Stmt
	busy  bool // a Rows reads from it: running it again would reset that
}

// the optional interfaces modernc's connections implement, which a wrapper
// must forward (see sqlite.NewConnector).
var (
	_ driver.ConnBeginTx        = (*cachingConn)(nil)
	_ driver.ConnPrepareContext = (*cachingConn)(nil)
	_ driver.ExecerContext      = (*cachingConn)(nil)
	_ driver.QueryerContext     = (*cachingConn)(nil)
	_ driver.Pinger             = (*cachingConn)(nil)
	_ driver.SessionResetter    = (*cachingConn)(nil)
	_ driver.Validator          = (*cachingConn)(nil)
)

// Unwrap lets modernc's Limit see through the wrapper.
func (c *cachingConn) Unwrap() driver.Conn { return c.conn }

// Prepare and PrepareContext prepare with bound LIMITs made opaque
// (limit.go), as do the uncached runs of ExecContext and QueryContext.
func (c *cachingConn) Prepare(query string) (driver.Stmt, error) {
	return c.conn.Prepare(opaqueLimits(query))
}

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.conn.(driver.ConnPrepareContext).PrepareContext(ctx, opaqueLimits(query))
}

func (c *cachingConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := c.setSync(ctx); err != nil {
		return nil, err
	}
	tx, err := c.conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	c.inTx = true
	return connTx{tx, c}, nil
}

func (c *cachingConn) Ping(ctx context.Context) error { return c.conn.(driver.Pinger).Ping(ctx) }

func (c *cachingConn) ResetSession(ctx context.Context) error {
	return c.conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *cachingConn) IsValid() bool { return c.conn.(driver.Validator).IsValid() }

func (c *cachingConn) Close() error {
	c.mu.Lock()
	var errs []error
	for e := c.lru.Front(); e != nil; e = e.Next() {
		errs = append(errs, e.Value.(*cachedStmt).stmt.Close())
	}
	c.byQuery, c.lru = nil, list.New()
	c.mu.Unlock()
	return errors.Join(append(errs, c.conn.Close())...)
}

// cacheable says whether query is one statement: a script's later
// statements are parsed on every run anyway. A semicolon inside a comment,
// a string or a quoted name does not end a statement: River's job
// completion carries a comment with one, and was parsed afresh at every
// completion (~1 ms of CPU on the write connection) while a check for any
// semicolon took it for a script.
func cacheable(query string) bool {
	end := statementEnd(query)
	return end < 0 || strings.TrimSpace(stripComments(query[end+1:])) == ""
}

// statementEnd is the index of the first semicolon of query outside
// comments, string literals and quoted identifiers, or -1.
func statementEnd(q string) int {
	for i := 0; i < len(q); i++ {
		switch c := q[i]; c {
		case ';':
			return i
		case '\'', '"', '`':
			i = closing(q, i, c)
		case '[':
			i = closing(q, i, ']')
		case '-':
			if strings.HasPrefix(q[i:], "--") {
				i = lineEnd(q, i)
			}
		case '/':
			if strings.HasPrefix(q[i:], "/*") {
				i = commentEnd(q, i)
			}
		}
	}
	return -1
}

// closing is the index of the quote that closes the one opened at q[i]
// (SQL doubles a quote to escape it, which reads as close then open), or
// the end of q.
func closing(q string, i int, quote byte) int {
	if j := strings.IndexByte(q[i+1:], quote); j >= 0 {
		return i + 1 + j
	}
	return len(q)
}

func lineEnd(q string, i int) int {
	if j := strings.IndexByte(q[i:], '\n'); j >= 0 {
		return i + j
	}
	return len(q)
}

func commentEnd(q string, i int) int {
	if j := strings.Index(q[i+2:], "*/"); j >= 0 {
		return i + 2 + j + 1
	}
	return len(q)
}

// stripComments drops the comments of what follows a statement, to tell a
// trailing comment from a second statement.
func stripComments(q string) string {
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		switch {
		case strings.HasPrefix(q[i:], "--"):
			i = lineEnd(q, i)
		case strings.HasPrefix(q[i:], "/*"):
			i = commentEnd(q, i)
		default:
			b.WriteByte(q[i])
		}
	}
	return b.String()
}

// take returns the cached statement for query, prepared if need be, marked
// busy; nil when query is not cacheable or its statement is busy.
func (c *cachingConn) take(ctx context.Context, query string) (*cachedStmt, error) {
	c.mu.Lock()
	if e, ok := c.byQuery[query]; ok {
		cs := e.Value.(*cachedStmt)
		if cs.busy {
			c.mu.Unlock()
			return nil, nil
		}
		cs.busy = true
		c.lru.MoveToFront(e)
		c.mu.Unlock()
		return cs, nil
	}
	c.mu.Unlock()
	// Only a statement not cached yet is scanned: cacheable reads it
	// character by character.
	if !cacheable(query) {
		return nil, nil
	}
	c.parses.Add(1)
	st, err := c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	cs := &cachedStmt{query: query, stmt: st, busy: true}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byQuery == nil { // closed meanwhile
		st.Close()
		return nil, errors.New("sqlite: connection closed")
	}
	c.byQuery[query] = c.lru.PushFront(cs)
	for c.lru.Len() > stmtCacheSize {
		old := c.lru.Back()
		ocs := old.Value.(*cachedStmt)
		if ocs.busy {
			break // still read from; evicted on a later call
		}
		c.lru.Remove(old)
		delete(c.byQuery, ocs.query)
		ocs.stmt.Close()
	}
	return cs, nil
}

func (c *cachingConn) release(cs *cachedStmt) {
	c.mu.Lock()
	cs.busy = false
	c.mu.Unlock()
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.setSync(ctx); err != nil {
		return nil, err
	}
	cs, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		c.parses.Add(1)
		return c.conn.(driver.ExecerContext).ExecContext(ctx, opaqueLimits(query), args)
	}
	defer c.release(cs)
	return cs.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.setSync(ctx); err != nil {
		return nil, err
	}
	cs, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		c.parses.Add(1)
		return c.conn.(driver.QueryerContext).QueryContext(ctx, opaqueLimits(query), args)
	}
	r, err := cs.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		c.release(cs)
		return nil, err
	}
	return &cachedRows{Rows: r, release: func() { c.release(cs) }}, nil
}

// cachedRows frees its statement for the next run when closed, and
// forwards the column type interfaces modernc's rows implement.
type cachedRows struct {
	driver.Rows
	release func()
	once    sync.Once
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.once.Do(r.release)
	return err
}

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *cachedRows) ColumnTypeNullable(i int) (bool, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *cachedRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}
