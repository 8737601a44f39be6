package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// txn is the store.Tx handed to callbacks.
type txn struct {
	s  *Store
	tx *sql.Tx
}

func (t txn) Enqueue(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	// The caller's ctx may end mid-statement; see commitBatch.
	if _, err := t.s.river.InsertTx(context.WithoutCancel(ctx), t.tx, args, opts); err != nil {
		return fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	t.s.pending.add(t.tx, jobQueue(args, opts))
	return nil
}

func (t txn) Notification(ctx context.Context, key order.Key, kind string) (store.Notification, error) {
	return notification(context.WithoutCancel(ctx), t.tx, key, kind)
}

func (t txn) PutNotification(ctx context.Context, n store.Notification) error {
	_, err := t.tx.ExecContext(context.WithoutCancel(ctx), `INSERT INTO notifications (storefront, order_id, kind, status, attempts, message_id, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (storefront, order_id, kind) DO UPDATE SET
			status = excluded.status, attempts = excluded.attempts, message_id = excluded.message_id, updated_at = excluded.updated_at`,
		n.Key.Storefront, n.Key.ID, n.Kind, string(n.Status), n.Attempts, n.MessageID, micros(n.UpdatedAt))
	if err != nil {
		return fmt.Errorf("save notification %s %s: %w", n.Key, n.Kind, err)
	}
	return nil
}

// queryer is what *sql.DB and *sql.Tx share.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func notification(ctx context.Context, q queryer, key order.Key, kind string) (store.Notification, error) {
	n := store.Notification{Key: key, Kind: kind}
	var status string
	var updated int64
	err := q.QueryRowContext(ctx, `SELECT status, attempts, message_id, updated_at FROM notifications
		WHERE storefront = ? AND order_id = ? AND kind = ?`, key.Storefront, key.ID, kind).
		Scan(&status, &n.Attempts, &n.MessageID, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return n, nil
	}
	if err != nil {
		return n, fmt.Errorf("read notification %s %s: %w", key, kind, err)
	}
	n.Status, n.UpdatedAt = store.NotifyStatus(status), fromMicros(updated)
	return n, nil
}

// inTx runs fn in a write transaction and commits it.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.write.BeginTx(durable(ctx), nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		s.rollback(tx)
		return err
	}
	if err := s.commit(tx); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// Ingest implements store.Store. The delivery commits with whatever other
// deliveries are queued at the same moment, in one transaction (see
// group.go); Ingest returns once that commit is done.
func (s *Store) Ingest(ctx context.Context, d store.Delivery, apply func(tx store.Tx, existing *order.Order) (*order.Order, error)) (store.IngestResult, error) {
	if s.group == nil {
		return store.IngestResult{}, errors.New("sqlite: ingest: the store is open read-only")
	}
	// Compressed here, on the caller's goroutine, not on the one committer's.
	d.Body = bodies.pack(d.Body)
	c := &ingestCall{d: d, apply: apply, ctx: ctx, reply: make(chan ingestReply, 1)}
	select {
	case <-s.group.quit:
		return store.IngestResult{}, errClosed
	default:
	}
	select {
	case s.group.calls <- c:
	case <-s.group.quit:
		return store.IngestResult{}, errClosed
	case <-ctx.Done():
		return store.IngestResult{}, ctx.Err()
	}
	// Once queued, the call is answered whatever happens to ctx: a caller
	// that stops waiting does not learn whether its delivery was stored,
	// so it must treat it as not stored (a 5xx), and the storefront's
	// retry finds it a duplicate if it was.
	select {
	case r := <-c.reply:
		return r.res, r.err
	case <-s.group.done:
		// Closed: the committer answered the calls it saw; one queued
		// after it stopped was never run.
		select {
		case r := <-c.reply:
			return r.res, r.err
		default:
			return store.IngestResult{}, errClosed
		}
	case <-ctx.Done():
		return store.IngestResult{}, ctx.Err()
	}
}

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, key order.Key) (*order.Order, error) {
	return load(ctx, s.read, key)
}

// Notification implements store.Store.
func (s *Store) Notification(ctx context.Context, key order.Key, kind string) (store.Notification, error) {
	return notification(ctx, s.read, key, kind)
}

const orderColumns = `storefront, order_id, name, state, email, document, captured_at, source_updated_at,
	received_at, acknowledged_at, settled_at, erp_ref, attempts, attention, overdue_at`

func scanOrder(sc interface{ Scan(...any) error }) (*order.Order, error) {
	var (
		o                              order.Order
		state, email                   string
		doc                            []byte
		captured, srcUpdated, received int64
		acked, settled, overdue        int64
	)
	if err := sc.Scan(&o.Key.Storefront, &o.Key.ID, &o.Name, &state, &email, &doc, &captured, &srcUpdated,
		&received, &acked, &settled, &o.ERPRef, &o.Attempts, &o.Attention, &overdue); err != nil {
		return nil, err
	}
	st, err := order.ParseState(state)
	if err != nil {
		return nil, fmt.Errorf("order %s/%s: %w", o.Key.Storefront, o.Key.ID, err)
	}
	doc, err = unpack(doc)
	if err != nil {
		return nil, fmt.Errorf("order %s/%s: document: %w", o.Key.Storefront, o.Key.ID, err)
	}
	if err := store.DecodeDocument(doc, &o); err != nil {
		return nil, fmt.Errorf("order %s/%s: document: %w", o.Key.Storefront, o.Key.ID, err)
	}
	o.CapturedAt, o.SourceUpdatedAt, o.ReceivedAt = fromMicros(captured), fromMicros(srcUpdated), fromMicros(received)
	o.AcknowledgedAt, o.SettledAt, o.OverdueAt = fromMicros(acked), fromMicros(settled), fromMicros(overdue)
	return order.Restore(o, st), nil
}

func load(ctx context.Context, q queryer, key order.Key) (*order.Order, error) {
	row := q.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE storefront = ? AND order_id = ?`, key.Storefront, key.ID)
	o, err := scanOrder(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("order %s: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: load order %s: %w", key, err)
	}
	return o, nil
}

func save(ctx context.Context, tx *sql.Tx, o *order.Order) error {
	doc, err := store.EncodeDocument(o)
	if err != nil {
		return fmt.Errorf("sqlite: encode order %s: %w", o.Key, err)
	}
	doc = documents.pack(doc)
	_, err = tx.ExecContext(ctx, `INSERT INTO orders (`+orderColumns+`, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (storefront, order_id) DO UPDATE SET
			name = excluded.name, state = excluded.state, email = excluded.email, document = excluded.document,
			captured_at = excluded.captured_at, source_updated_at = excluded.source_updated_at,
			acknowledged_at = excluded.acknowledged_at, settled_at = excluded.settled_at,
			erp_ref = excluded.erp_ref, attempts = excluded.attempts, attention = excluded.attention,
			overdue_at = excluded.overdue_at, updated_at = excluded.updated_at`,
		o.Key.Storefront, o.Key.ID, o.Name, string(o.State()), strings.ToLower(o.Customer.Email), doc,
		micros(o.CapturedAt), micros(o.SourceUpdatedAt), micros(o.ReceivedAt), micros(o.AcknowledgedAt),
		micros(o.SettledAt), o.ERPRef, o.Attempts, o.Attention, micros(o.OverdueAt), time.Now().UnixMicro())
	if err != nil {
		return fmt.Errorf("sqlite: save order %s: %w", o.Key, err)
	}
	return saveEvents(ctx, tx, o)
}

func saveEvents(ctx context.Context, tx *sql.Tx, o *order.Order) error {
	for _, e := range o.Pending() {
		if _, err := tx.ExecContext(ctx, `INSERT INTO order_events (storefront, order_id, at, kind, source, attempt, detail, error)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, o.Key.Storefront, o.Key.ID, micros(e.At), string(e.Kind), e.Source, e.Attempt, e.Detail, e.Error); err != nil {
			return fmt.Errorf("sqlite: save timeline of %s: %w", o.Key, err)
		}
	}
	return nil
}

// Timeline implements store.Store.
func (s *Store) Timeline(ctx context.Context, key order.Key) ([]order.Event, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT at, kind, source, attempt, detail, error FROM order_events
		WHERE storefront = ? AND order_id = ? ORDER BY id`, key.Storefront, key.ID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: timeline of %s: %w", key, err)
	}
	defer rows.Close()
	var evs []order.Event
	for rows.Next() {
		var e order.Event
		var at int64
		var kind string
		if err := rows.Scan(&at, &kind, &e.Source, &e.Attempt, &e.Detail, &e.Error); err != nil {
			return nil, fmt.Errorf("sqlite: timeline of %s: %w", key, err)
		}
		e.At, e.Kind = fromMicros(at), order.EventKind(kind)
		evs = append(evs, e)
	}
	return evs, rows.Err()
}

// List implements store.Store.
func (s *Store) List(ctx context.Context, f store.Filter) ([]*order.Order, error) {
	q, args := listQuery(f)
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list orders: %w", err)
	}
	defer rows.Close()
	var out []*order.Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list orders: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// listQuery is List's statement and arguments for f.
func listQuery(f store.Filter) (string, []any) {
	var where []string
	var args []any
	if f.State != "" {
		where, args = append(where, "state = ?"), append(args, string(f.State))
	}
	if f.Storefront != "" {
		// Unary +: not a search of the primary key, which would read
		// every order of the storefront, documents and all, and sort
		// them before the LIMIT (EXPLAIN QUERY PLAN: SEARCH orders USING
		// PRIMARY KEY (storefront=?), USE TEMP B-TREE FOR ORDER BY). The
		// newest-first walk of orders_received, whose entries carry the
		// storefront, stops at the LIMIT.
		where, args = append(where, "+storefront = ?"), append(args, f.Storefront)
	}
	if f.Email != "" {
		// email <> '' is the orders_email index's own predicate: SQLite
		// uses a partial index only when the query states it, and without
		// it walked orders_received over every order instead.
		where, args = append(where, "email = ? AND email <> ''"), append(args, strings.ToLower(f.Email))
	}
	if f.Attention {
		where = append(where, "attention <> ''")
	}
	if f.Overdue {
		where = append(where, overdueWhere)
	}
	if !f.Before.IsZero() {
		where, args = append(where, "received_at < ?"), append(args, micros(f.Before))
	}
	q := `SELECT ` + orderColumns + ` FROM orders`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY received_at DESC, order_id DESC LIMIT ?"
	return q, append(args, store.Limit(f.Limit))
}

// overdueWhere selects the orders overdue now: past their SLA, unsettled.
const overdueWhere = "overdue_at <> 0 AND state NOT IN ('confirmed', 'rejected', 'cancelled')"

// Overdue implements store.Store.
func (s *Store) Overdue(ctx context.Context) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM orders WHERE `+overdueWhere).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count overdue orders: %w", err)
	}
	return n, nil
}

// unsettledWhere selects the orders past no SLA yet: not settled, not marked
// overdue. It is the predicate of the orders_unsettled index, word for word,
// which is what lets SQLite use that index.
const unsettledWhere = "overdue_at = 0 AND state NOT IN ('confirmed', 'rejected', 'cancelled')"

// Unsettled implements store.Store.
func (s *Store) Unsettled(ctx context.Context, storefront string, receivedBefore time.Time, limit int) ([]order.Key, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT order_id FROM orders
		WHERE storefront = ? AND received_at < ? AND `+unsettledWhere+`
		ORDER BY received_at, order_id LIMIT ?`, storefront, micros(receivedBefore), store.Limit(limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: unsettled orders of %s: %w", storefront, err)
	}
	defer rows.Close()
	var out []order.Key
	for rows.Next() {
		k := order.Key{Storefront: storefront}
		if err := rows.Scan(&k.ID); err != nil {
			return nil, fmt.Errorf("sqlite: unsettled orders of %s: %w", storefront, err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// Counts implements store.Store.
func (s *Store) Counts(ctx context.Context) (map[order.State]int, error) {
	// Kept by triggers (migration 0008), not counted: see there.
	rows, err := s.read.QueryContext(ctx, `SELECT state, n FROM order_counts WHERE n <> 0`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: count orders: %w", err)
	}
	defer rows.Close()
	out := make(map[order.State]int)
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[order.State(st)] = n
	}
	return out, rows.Err()
}

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}
