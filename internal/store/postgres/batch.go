package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// The set-oriented statements of a group commit (group.go): each takes one
// array a column and does for the whole batch what the one-delivery path
// does for one.

// lockManySQL takes the advisory lock of each order, the same lock
// lockOrder takes, in ascending order of the lock's key: every batch and
// every lone delivery then waits for locks in one order, so two batches
// with orders in common, on one replica or several, queue instead of
// deadlocking.
const lockManySQL = `SELECT pg_advisory_xact_lock(h) FROM (
	SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest($1::text[]) AS k ORDER BY h) AS l`

// insertDeliveriesSQL returns the dedup keys it stored: the others were
// stored before, and their deliveries are duplicates.
const insertDeliveriesSQL = `INSERT INTO deliveries (dedup_key, storefront, topic, delivery_id, order_id, received_at, body)
	SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::bytea[])
	ON CONFLICT (dedup_key) DO NOTHING
	RETURNING dedup_key`

// loadManySQL reads the orders for change, taking their row locks, as load
// does. Each key is looked up on its own (LATERAL), so the primary key is
// the only way the plan can go. Written as "(storefront, order_id) IN
// (SELECT * FROM unnest(…))", pgx's cached statement kept the generic plan
// it was given while orders was small, a hash join over a sequential scan
// of orders, until the next ANALYZE: with 30,000 orders that was 7 ms a
// batch, the costliest statement of the ingest path (pg_stat_statements:
// 183 buffers a batch of 9 deliveries, none found).
const loadManySQL = `SELECT o.* FROM (SELECT DISTINCT s, id FROM unnest($1::text[], $2::text[]) AS u(s, id)) AS k
	CROSS JOIN LATERAL (SELECT ` + orderColumns + ` FROM orders WHERE storefront = k.s AND order_id = k.id FOR UPDATE) AS o`

// saveManySQL is save's upsert for many orders. A batch holds one
// delivery an order, so no row is upserted twice in the statement.
const saveManySQL = `INSERT INTO orders (` + orderColumns + `, updated_at)
	SELECT s, o, n, st, e, d::jsonb, c, su, r, a, se, er, at, att, ov, now()
	FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[],
		$9::timestamptz[], $10::timestamptz[], $11::timestamptz[], $12::text[], $13::integer[], $14::text[], $15::timestamptz[])
		AS u(s, o, n, st, e, d, c, su, r, a, se, er, at, att, ov)
	ON CONFLICT (storefront, order_id) DO UPDATE SET
		name = excluded.name, state = excluded.state, email = excluded.email, document = excluded.document,
		captured_at = excluded.captured_at, source_updated_at = excluded.source_updated_at,
		acknowledged_at = excluded.acknowledged_at, settled_at = excluded.settled_at,
		erp_ref = excluded.erp_ref, attempts = excluded.attempts, attention = excluded.attention,
		overdue_at = excluded.overdue_at, updated_at = excluded.updated_at`

// saveEventsManySQL inserts timeline entries in the order given: their ids,
// which order a timeline, are drawn in that order.
const saveEventsManySQL = `INSERT INTO order_events (storefront, order_id, at, kind, source, attempt, detail, error)
	SELECT s, o, a, k, so, att, d, e
	FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::integer[], $7::text[], $8::text[])
		WITH ORDINALITY AS u(s, o, a, k, so, att, d, e, n)
	ORDER BY n`

// lockAndLoad begins the transaction, takes the orders' locks, stores the
// deliveries and loads the orders, in one round trip. It returns the dedup
// keys stored (the rest are duplicates) and the orders found.
func lockAndLoad(ctx context.Context, tx openTx, batch []*ingestCall, live []int) (map[string]bool, map[order.Key]*order.Order, error) {
	n := len(live)
	var (
		locks                                   = make([]string, n)
		keys, storefronts, topics, ids, orderID = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		received                                = make([]pgtype.Timestamptz, n)
		bodies                                  = make([][]byte, n)
	)
	for j, i := range live {
		d := batch[i].d
		locks[j] = lockName(batch[i].key)
		keys[j], storefronts[j], topics[j], ids[j], orderID[j] = d.DedupKey, d.Storefront, d.Topic, d.DeliveryID, d.OrderID
		received[j] = tstzSet(d.ReceivedAt)
		bodies[j] = d.Body
	}
	var b pgx.Batch
	b.Queue(`BEGIN`)
	b.Queue(lockManySQL, locks)
	b.Queue(insertDeliveriesSQL, keys, storefronts, topics, ids, orderID, received, bodies)
	b.Queue(loadManySQL, storefronts, orderID)
	br := tx.SendBatch(ctx, &b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, nil, fmt.Errorf("postgres: begin: %w", err)
	}
	if _, err := br.Exec(); err != nil {
		return nil, nil, fmt.Errorf("postgres: lock orders: %w", err)
	}
	inserted := make(map[string]bool, n)
	rows, err := br.Query()
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: store deliveries: %w", err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("postgres: store deliveries: %w", err)
		}
		inserted[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("postgres: store deliveries: %w", err)
	}
	loaded := make(map[order.Key]*order.Order)
	rows, err = br.Query()
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: load orders: %w", err)
	}
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("postgres: load orders: %w", err)
		}
		loaded[o.Key] = o
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("postgres: load orders: %w", err)
	}
	return inserted, loaded, br.Close()
}

// errNotCommitted marks a writeAndCommit error after which the
// transaction certainly did not commit: the server answered with an error
// before or at the COMMIT.
var errNotCommitted = errors.New("not committed")

// writeAndCommit removes the deliveries whose apply failed, saves the
// orders with their new timeline entries, and the timeline entries alone
// of events, and commits, in one round trip. An error wraps
// errNotCommitted unless the commit may have happened (the connection
// failed on the way).
func writeAndCommit(ctx context.Context, tx openTx, failed []string, saves, events []*order.Order) error {
	var b pgx.Batch
	if len(failed) > 0 {
		// Inserted by this transaction under the order's lock: deleting
		// them leaves the table as if they had never been.
		b.Queue(`DELETE FROM deliveries WHERE dedup_key = ANY($1::text[])`, failed)
	}
	if len(saves) > 0 {
		args, err := orderArrays(saves)
		if err != nil {
			return fmt.Errorf("%w: %w", errNotCommitted, err)
		}
		b.Queue(saveManySQL, args...)
	}
	if ev := eventArrays(append(saves, events...)); ev != nil {
		b.Queue(saveEventsManySQL, ev...)
	}
	b.Queue(`COMMIT`)
	br := tx.SendBatch(ctx, &b)
	defer br.Close()
	for i := range b.Len() {
		tag, err := br.Exec()
		var pgErr *pgconn.PgError
		switch {
		case errors.As(err, &pgErr):
			// The server refused a statement: the transaction is aborted,
			// or the COMMIT itself failed.
			return fmt.Errorf("postgres: save orders: %w: %w", errNotCommitted, err)
		case err != nil:
			return fmt.Errorf("postgres: save orders and commit: %w", err)
		case i == b.Len()-1 && tag.String() != "COMMIT":
			return fmt.Errorf("postgres: commit: %w: server answered %s", errNotCommitted, tag)
		}
	}
	return br.Close()
}

// orderArrays is saveManySQL's arguments for list.
func orderArrays(list []*order.Order) ([]any, error) {
	n := len(list)
	var (
		sf, id, name, state, email, doc, erp, attention = make([]string, n), make([]string, n), make([]string, n), make([]string, n),
			make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		captured, srcUpdated, received, acked, settled, overdue = make([]pgtype.Timestamptz, n), make([]pgtype.Timestamptz, n),
			make([]pgtype.Timestamptz, n), make([]pgtype.Timestamptz, n), make([]pgtype.Timestamptz, n), make([]pgtype.Timestamptz, n)
		attempts = make([]int32, n)
	)
	for i, o := range list {
		d, err := store.EncodeDocument(o)
		if err != nil {
			return nil, fmt.Errorf("postgres: encode order %s: %w", o.Key, err)
		}
		sf[i], id[i], name[i], state[i], email[i], doc[i] = o.Key.Storefront, o.Key.ID, o.Name, string(o.State()), strings.ToLower(o.Customer.Email), string(d)
		captured[i], srcUpdated[i], received[i] = tstz(o.CapturedAt), tstz(o.SourceUpdatedAt), tstzSet(o.ReceivedAt)
		acked[i], settled[i], overdue[i] = tstz(o.AcknowledgedAt), tstz(o.SettledAt), tstz(o.OverdueAt)
		erp[i], attempts[i], attention[i] = o.ERPRef, int32(o.Attempts), o.Attention
	}
	return []any{sf, id, name, state, email, doc, captured, srcUpdated, received, acked, settled, erp, attempts, attention, overdue}, nil
}

// eventArrays is saveEventsManySQL's arguments for the pending timeline
// entries of list, or nil if there are none.
func eventArrays(list []*order.Order) []any {
	var (
		sf, id, kind, source, detail, errs []string
		at                                 []pgtype.Timestamptz
		attempt                            []int32
	)
	for _, o := range list {
		for _, e := range o.Pending() {
			sf, id, kind, source = append(sf, o.Key.Storefront), append(id, o.Key.ID), append(kind, string(e.Kind)), append(source, e.Source)
			detail, errs = append(detail, e.Detail), append(errs, e.Error)
			at, attempt = append(at, tstzSet(e.At)), append(attempt, int32(e.Attempt))
		}
	}
	if len(sf) == 0 {
		return nil
	}
	return []any{sf, id, at, kind, source, attempt, detail, errs}
}

// lockName is what lockOrder hashes for key's advisory lock.
func lockName(key order.Key) string { return "ordergate_order." + key.Storefront + "/" + key.ID }

// tstz is t as a timestamptz array element: NULL when unset, else cut to
// the microsecond as micro does.
func tstz(t time.Time) pgtype.Timestamptz {
	if t.IsZero() {
		return pgtype.Timestamptz{}
	}
	return pgtype.Timestamptz{Time: micro(t), Valid: true}
}

// tstzSet is t as a timestamptz array element of a NOT NULL column, which
// the one-delivery path writes as micro(t) even when zero.
func tstzSet(t time.Time) pgtype.Timestamptz {
	return pgtype.Timestamptz{Time: micro(t), Valid: true}
}
