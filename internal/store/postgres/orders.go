package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// txn is the store.Tx handed to callbacks.
type txn struct {
	s  *Store
	tx pgx.Tx
}

func (t txn) Enqueue(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	if _, err := t.s.river.InsertTx(ctx, t.tx, args, opts); err != nil {
		return fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

func (t txn) Notification(ctx context.Context, key order.Key, kind string) (store.Notification, error) {
	return notification(ctx, t.tx, key, kind)
}

func (t txn) PutNotification(ctx context.Context, n store.Notification) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO notifications (storefront, order_id, kind, status, attempts, message_id, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (storefront, order_id, kind) DO UPDATE SET
			status = excluded.status, attempts = excluded.attempts, message_id = excluded.message_id, updated_at = excluded.updated_at`,
		n.Key.Storefront, n.Key.ID, n.Kind, string(n.Status), n.Attempts, n.MessageID, ts(n.UpdatedAt))
	if err != nil {
		return fmt.Errorf("save notification %s %s: %w", n.Key, n.Kind, err)
	}
	return nil
}

// queryer is what the pool and a transaction share.
type queryer interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func notification(ctx context.Context, q queryer, key order.Key, kind string) (store.Notification, error) {
	n := store.Notification{Key: key, Kind: kind}
	var status string
	var updated *time.Time
	err := q.QueryRow(ctx, `SELECT status, attempts, message_id, updated_at FROM notifications
		WHERE storefront = $1 AND order_id = $2 AND kind = $3`, key.Storefront, key.ID, kind).
		Scan(&status, &n.Attempts, &n.MessageID, &updated)
	if errors.Is(err, pgx.ErrNoRows) {
		return n, nil
	}
	if err != nil {
		return n, fmt.Errorf("read notification %s %s: %w", key, kind, err)
	}
	n.Status, n.UpdatedAt = store.NotifyStatus(status), fromTS(updated)
	return n, nil
}

// inTx runs fn in a read-committed transaction and commits it.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// lockOrder takes the transaction advisory lock on key, held until the
// transaction ends. It serializes every Ingest of one order, including
// those that race to create it, when there is no row yet to lock.
func lockOrder(ctx context.Context, tx pgx.Tx, key order.Key) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, lockName(key)); err != nil {
		return fmt.Errorf("postgres: lock order %s: %w", key, err)
	}
	return nil
}

// ingestAlone records and applies one delivery in a transaction of its
// own: the path of a read-only store, and of the deliveries of a group
// commit that failed as a whole (see group.go).
func (s *Store) ingestAlone(ctx context.Context, d store.Delivery, apply func(tx store.Tx, existing *order.Order) (*order.Order, error)) (store.IngestResult, error) {
	var res store.IngestResult
	key := order.Key{Storefront: d.Storefront, ID: d.OrderID}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// The order's lock first: two deliveries with one dedup key are of
		// one order, so they queue here rather than on the key's index.
		if err := lockOrder(ctx, tx, key); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO deliveries (dedup_key, storefront, topic, delivery_id, order_id, received_at, body)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedup_key) DO NOTHING`,
			d.DedupKey, d.Storefront, d.Topic, d.DeliveryID, d.OrderID, micro(d.ReceivedAt), d.Body)
		if err != nil {
			return fmt.Errorf("postgres: store delivery: %w", err)
		}
		existing, err := load(ctx, tx, key)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if tag.RowsAffected() == 0 {
			res.Duplicate = true
			if existing == nil {
				return nil
			}
			existing.Record(order.Event{At: d.ReceivedAt, Kind: order.EventDuplicate, Source: d.Topic, Detail: "delivery " + d.DeliveryID + " already seen; ignored"})
			return saveEvents(ctx, tx, existing)
		}
		o, err := apply(txn{s, tx}, existing)
		if err != nil || o == nil {
			return err
		}
		res.Saved = true
		return save(ctx, tx, o)
	})
	if err != nil {
		return store.IngestResult{}, err
	}
	return res, nil
}

// Update implements store.Store. The row lock taken by load is held until
// commit, so a concurrent Update of the same order, on this replica or
// another, waits and then reads this one's result.
func (s *Store) Update(ctx context.Context, key order.Key, fn func(tx store.Tx, o *order.Order) error) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		o, err := load(ctx, tx, key)
		if err != nil {
			return err
		}
		if err := fn(txn{s, tx}, o); err != nil {
			return err
		}
		return save(ctx, tx, o)
	})
}

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, key order.Key) (*order.Order, error) {
	return get(ctx, s.pool, key, "")
}

// Notification implements store.Store.
func (s *Store) Notification(ctx context.Context, key order.Key, kind string) (store.Notification, error) {
	return notification(ctx, s.pool, key, kind)
}

const orderColumns = `storefront, order_id, name, state, email, document, captured_at, source_updated_at,
	received_at, acknowledged_at, settled_at, erp_ref, attempts, attention, overdue_at`

func scanOrder(sc pgx.Row) (*order.Order, error) {
	var (
		o                                    order.Order
		state, email                         string
		doc                                  []byte
		captured, srcUpdated, acked, settled *time.Time
		overdue                              *time.Time
		received                             time.Time
	)
	if err := sc.Scan(&o.Key.Storefront, &o.Key.ID, &o.Name, &state, &email, &doc, &captured, &srcUpdated,
		&received, &acked, &settled, &o.ERPRef, &o.Attempts, &o.Attention, &overdue); err != nil {
		return nil, err
	}
	st, err := order.ParseState(state)
	if err != nil {
		return nil, fmt.Errorf("order %s/%s: %w", o.Key.Storefront, o.Key.ID, err)
	}
	if err := store.DecodeDocument(doc, &o); err != nil {
		return nil, fmt.Errorf("order %s/%s: document: %w", o.Key.Storefront, o.Key.ID, err)
	}
	o.CapturedAt, o.SourceUpdatedAt, o.ReceivedAt = fromTS(captured), fromTS(srcUpdated), received.UTC()
	o.AcknowledgedAt, o.SettledAt, o.OverdueAt = fromTS(acked), fromTS(settled), fromTS(overdue)
	return order.Restore(o, st), nil
}

// load reads the order for change, taking its row lock.
func load(ctx context.Context, tx pgx.Tx, key order.Key) (*order.Order, error) {
	return get(ctx, tx, key, " FOR UPDATE")
}

func get(ctx context.Context, q queryer, key order.Key, lock string) (*order.Order, error) {
	row := q.QueryRow(ctx, `SELECT `+orderColumns+` FROM orders WHERE storefront = $1 AND order_id = $2`+lock, key.Storefront, key.ID)
	o, err := scanOrder(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("order %s: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: load order %s: %w", key, err)
	}
	return o, nil
}

func save(ctx context.Context, tx pgx.Tx, o *order.Order) error {
	doc, err := store.EncodeDocument(o)
	if err != nil {
		return fmt.Errorf("postgres: encode order %s: %w", o.Key, err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO orders (`+orderColumns+`, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $12, $13, $14, $15, now())
		ON CONFLICT (storefront, order_id) DO UPDATE SET
			name = excluded.name, state = excluded.state, email = excluded.email, document = excluded.document,
			captured_at = excluded.captured_at, source_updated_at = excluded.source_updated_at,
			acknowledged_at = excluded.acknowledged_at, settled_at = excluded.settled_at,
			erp_ref = excluded.erp_ref, attempts = excluded.attempts, attention = excluded.attention,
			overdue_at = excluded.overdue_at, updated_at = excluded.updated_at`,
		o.Key.Storefront, o.Key.ID, o.Name, string(o.State()), strings.ToLower(o.Customer.Email), string(doc),
		ts(o.CapturedAt), ts(o.SourceUpdatedAt), micro(o.ReceivedAt), ts(o.AcknowledgedAt),
		ts(o.SettledAt), o.ERPRef, o.Attempts, o.Attention, ts(o.OverdueAt))
	if err != nil {
		return fmt.Errorf("postgres: save order %s: %w", o.Key, err)
	}
	return saveEvents(ctx, tx, o)
}

func saveEvents(ctx context.Context, tx pgx.Tx, o *order.Order) error {
	pending := o.Pending()
	if len(pending) == 0 {
		return nil
	}
	// One round trip for all of them: the batch keeps their order, and so
	// their ids.
	var b pgx.Batch
	for _, e := range pending {
		b.Queue(`INSERT INTO order_events (storefront, order_id, at, kind, source, attempt, detail, error)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, o.Key.Storefront, o.Key.ID, micro(e.At), string(e.Kind), e.Source, e.Attempt, e.Detail, e.Error)
	}
	if err := tx.SendBatch(ctx, &b).Close(); err != nil {
		return fmt.Errorf("postgres: save timeline of %s: %w", o.Key, err)
	}
	return nil
}

// Timeline implements store.Store.
func (s *Store) Timeline(ctx context.Context, key order.Key) ([]order.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT at, kind, source, attempt, detail, error FROM order_events
		WHERE storefront = $1 AND order_id = $2 ORDER BY id`, key.Storefront, key.ID)
	if err != nil {
		return nil, fmt.Errorf("postgres: timeline of %s: %w", key, err)
	}
	defer rows.Close()
	var evs []order.Event
	for rows.Next() {
		var e order.Event
		var kind string
		if err := rows.Scan(&e.At, &kind, &e.Source, &e.Attempt, &e.Detail, &e.Error); err != nil {
			return nil, fmt.Errorf("postgres: timeline of %s: %w", key, err)
		}
		e.At, e.Kind = e.At.UTC(), order.EventKind(kind)
		evs = append(evs, e)
	}
	return evs, rows.Err()
}

// List implements store.Store.
func (s *Store) List(ctx context.Context, f store.Filter) ([]*order.Order, error) {
	q, args := listQuery(f)
	// Planned for its values each time, never from a cached generic plan:
	// see listQuery.
	rows, err := s.pool.Query(ctx, q, append([]any{pgx.QueryExecModeExec}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("postgres: list orders: %w", err)
	}
	defer rows.Close()
	var out []*order.Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: list orders: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// listQuery is List's query for f. List runs it as an unnamed statement,
// planned for its values: a cached statement's generic plan of "state =
// $1" assumes a common state and walks orders_received back through the
// history to find the page of a rare one ("received", "submitted": the
// ones an operator looks for), where the custom plan reads orders_state.
func listQuery(f store.Filter) (string, []any) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.State != "" {
		where = append(where, "state = "+arg(string(f.State)))
	}
	if f.Storefront != "" {
		where = append(where, "storefront = "+arg(f.Storefront))
	}
	if f.Email != "" {
		// email <> '' is the orders_email index's own predicate. A custom
		// plan proves it from the value; the generic plan pgx's cached
		// statement moves to after five runs cannot, and scanned every
		// order instead (plan_test.go).
		where = append(where, "email = "+arg(strings.ToLower(f.Email))+" AND email <> ''")
	}
	if f.Attention {
		where = append(where, "attention <> ''")
	}
	if f.Overdue {
		where = append(where, overdueWhere)
	}
	if !f.Before.IsZero() {
		where = append(where, "received_at < "+arg(micro(f.Before)))
	}
	q := `SELECT ` + orderColumns + ` FROM orders`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY received_at DESC, order_id DESC LIMIT " + arg(store.Limit(f.Limit))
	return q, args
}

// overdueWhere selects the orders overdue now: past their SLA, unsettled.
const overdueWhere = "overdue_at IS NOT NULL AND state NOT IN ('confirmed', 'rejected', 'cancelled')"

// Overdue implements store.Store.
func (s *Store) Overdue(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM orders WHERE `+overdueWhere).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count overdue orders: %w", err)
	}
	return n, nil
}

// unsettledWhere selects the orders past no SLA yet: not settled, not marked
// overdue. It is the predicate of the orders_unsettled index, word for word,
// so that the planner sees the index applies.
const unsettledWhere = "overdue_at IS NULL AND state NOT IN ('confirmed', 'rejected', 'cancelled')"

// Unsettled implements store.Store.
// unsettledQuery is Unsettled's, read from the partial orders_unsettled
// index (plan_test.go).
const unsettledQuery = `SELECT order_id FROM orders
	WHERE storefront = $1 AND received_at < $2 AND ` + unsettledWhere + `
	ORDER BY received_at, order_id LIMIT $3`

func (s *Store) Unsettled(ctx context.Context, storefront string, receivedBefore time.Time, limit int) ([]order.Key, error) {
	rows, err := s.pool.Query(ctx, unsettledQuery, storefront, micro(receivedBefore), store.Limit(limit))
	if err != nil {
		return nil, fmt.Errorf("postgres: unsettled orders of %s: %w", storefront, err)
	}
	defer rows.Close()
	var out []order.Key
	for rows.Next() {
		k := order.Key{Storefront: storefront}
		if err := rows.Scan(&k.ID); err != nil {
			return nil, fmt.Errorf("postgres: unsettled orders of %s: %w", storefront, err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// Counts implements store.Store.
func (s *Store) Counts(ctx context.Context) (map[order.State]int, error) {
	// Kept by triggers (migration 0010), not counted: see there.
	rows, err := s.pool.Query(ctx, `SELECT state, sum(n) FROM order_count_deltas GROUP BY state HAVING sum(n) <> 0`)
	if err != nil {
		return nil, fmt.Errorf("postgres: count orders: %w", err)
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

// foldCountsEvery is how often a writable store folds the count deltas.
const foldCountsEvery = 5 * time.Second

// foldCounts folds order_count_deltas into one row a state, in one
// statement. Writers appending meanwhile are not waited for: their rows,
// not yet visible, stay for the next fold. Two stores folding at once are
// safe: the second skips the rows the first deleted.
func (s *Store) foldCounts(ctx context.Context) error {
	_, err := s.pool.Exec(ctx, `WITH gone AS (DELETE FROM order_count_deltas RETURNING state, n)
		INSERT INTO order_count_deltas (state, n) SELECT state, sum(n) FROM gone GROUP BY state HAVING sum(n) <> 0`)
	if err != nil {
		return fmt.Errorf("postgres: fold order counts: %w", err)
	}
	return nil
}

func (s *Store) foldLoop(quit <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(foldCountsEvery)
	defer t.Stop()
	for {
		select {
		case <-quit:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if err := s.foldCounts(ctx); err != nil {
			s.log.Warn("order counts not folded", "err", err)
		}
		cancel()
	}
}

// micro is t cut to the microsecond, as PostgreSQL keeps it. PostgreSQL
// would round; cutting matches the SQLite store, so both keep the same
// instant.
func micro(t time.Time) time.Time { return t.Truncate(time.Microsecond) }

// ts is t as a query argument: NULL when unset.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return micro(t)
}

// fromTS is a nullable timestamptz as a time: zero when NULL, else UTC.
func fromTS(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
