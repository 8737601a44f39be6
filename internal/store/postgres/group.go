package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// Group commit. A delivery in a transaction of its own costs the server a
// BEGIN, an advisory lock, the delivery insert, the order load, each job
// insert, the order save, the timeline insert and a COMMIT with its WAL
// flush: eight or more round trips and statements, and on a machine whose
// cores the server shares with the gateway that per-statement cost, not
// the disk, set the rate. So Ingest queues its delivery for a few
// committers, each of which takes whatever is queued and runs it as one
// transaction of set-oriented statements:
//
//  1. one pipelined round trip: the advisory locks of all the batch's
//     orders (taken in one order, so that batches on several replicas
//     cannot deadlock), the deliveries inserted in one statement (those
//     not inserted are duplicates), and the orders loaded FOR UPDATE in
//     one statement;
//  2. each delivery applied in Go, its jobs held back;
//  3. one pipelined round trip: the deliveries whose apply failed deleted
//     again, the orders upserted and the timeline entries inserted in one
//     statement each; then all the jobs in one River InsertManyFastTx and
//     one COMMIT.
//
// A batch holds at most one delivery of an order: a second waits for the
// next batch, so that each apply sees the order as the one before left it
// and an apply that fails changes nothing the others read. If a statement
// of the batch fails, the batch is rolled back and each delivery run again
// in a transaction of its own, so that only the faulty one fails. Nothing
// waits on a timer: a lone delivery commits at once, and under load the
// batches grow by themselves.

// committers is how many batches may be in flight at once: while one
// waits for its commit's WAL flush, another runs its statements.
const committers = 4

// maxBatch bounds one transaction: its locks are held, and its callers
// wait, until it commits.
const maxBatch = 256

// batchTimeout bounds one batch's statements and commit.
const batchTimeout = 30 * time.Second

// errClosed answers deliveries still queued when the store closes: nothing
// of them was stored.
var errClosed = errors.New("postgres: store closed")

type ingestCall struct {
	d     store.Delivery
	key   order.Key
	apply func(tx store.Tx, existing *order.Order) (*order.Order, error)
	ctx   context.Context
	reply chan ingestReply // buffered 1
}

type ingestReply struct {
	res store.IngestResult
	err error
}

type committer struct {
	calls chan *ingestCall
	wake  chan struct{} // buffered 1: a deferred call may be ready
	quit  chan struct{}
	done  chan struct{}
	once  sync.Once
	wg    sync.WaitGroup

	mu       sync.Mutex
	inflight map[order.Key]bool // orders in a batch being committed
	deferred []*ingestCall      // calls waiting for their order's batch, oldest first

	batches, deliveries atomic.Int64
}

// CommitStats returns how many group commits have been made and how many
// deliveries they held: their ratio is the mean batch size.
func (s *Store) CommitStats() (batches, deliveries int64) {
	if s.group == nil {
		return 0, 0
	}
	return s.group.batches.Load(), s.group.deliveries.Load()
}

func (s *Store) startCommitters() {
	g := &committer{
		calls:    make(chan *ingestCall, 4*maxBatch),
		wake:     make(chan struct{}, 1),
		quit:     make(chan struct{}),
		done:     make(chan struct{}),
		inflight: make(map[order.Key]bool),
	}
	s.group = g
	for range committers {
		g.wg.Go(s.commitLoop)
	}
	go func() {
		g.wg.Wait()
		// Every committer has finished its batch in hand: what is left
		// was never run.
		g.mu.Lock()
		for _, c := range g.deferred {
			c.reply <- ingestReply{err: errClosed}
		}
		g.deferred = nil
		g.mu.Unlock()
		for {
			select {
			case c := <-g.calls:
				c.reply <- ingestReply{err: errClosed}
			default:
				close(g.done)
				return
			}
		}
	}()
}

// stopCommitters stops the committers after the batches in hand;
// deliveries still queued are answered errClosed.
func (s *Store) stopCommitters() {
	if s.group == nil {
		return
	}
	s.group.once.Do(func() { close(s.group.quit) })
	<-s.group.done
}

// Ingest implements store.Store.
func (s *Store) Ingest(ctx context.Context, d store.Delivery, apply func(tx store.Tx, existing *order.Order) (*order.Order, error)) (store.IngestResult, error) {
	if s.group == nil {
		return s.ingestAlone(ctx, d, apply)
	}
	g := s.group
	c := &ingestCall{d: d, key: order.Key{Storefront: d.Storefront, ID: d.OrderID}, apply: apply, ctx: ctx, reply: make(chan ingestReply, 1)}
	select {
	case <-g.quit:
		return store.IngestResult{}, errClosed
	default:
	}
	select {
	case g.calls <- c:
	case <-g.quit:
		return store.IngestResult{}, errClosed
	case <-ctx.Done():
		return store.IngestResult{}, ctx.Err()
	}
	// Once queued, the call is answered whatever happens to ctx: a caller
	// that stopped waiting would not know whether its delivery was stored.
	select {
	case r := <-c.reply:
		return r.res, r.err
	case <-g.done:
		select {
		case r := <-c.reply:
			return r.res, r.err
		default:
			return store.IngestResult{}, errClosed
		}
	}
}

func (s *Store) commitLoop() {
	g := s.group
	for {
		batch := g.take(nil)
		if len(batch) == 0 {
			select {
			case c := <-g.calls:
				batch = g.take(c)
			case <-g.wake:
				continue
			case <-g.quit:
				return
			}
			if len(batch) == 0 {
				continue // c's order is in another batch
			}
		}
		s.commitBatch(batch)
		g.batches.Add(1)
		g.deliveries.Add(int64(len(batch)))
		g.finish(batch)
	}
}

// take forms a batch: the deferred calls first, then first, then whatever
// else is queued, skipping (deferring) each call whose order is already in
// a batch, this one or another committer's. A call behind a deferred call
// of its order is deferred too, so an order's deliveries keep their order.
func (g *committer) take(first *ingestCall) []*ingestCall {
	g.mu.Lock()
	defer g.mu.Unlock()
	var batch []*ingestCall
	dedup := make(map[string]bool)
	blocked := make(map[order.Key]bool)
	consider := func(c *ingestCall) bool {
		if len(batch) >= maxBatch || g.inflight[c.key] || blocked[c.key] || dedup[c.d.DedupKey] {
			blocked[c.key] = true
			return false
		}
		batch = append(batch, c)
		g.inflight[c.key] = true
		dedup[c.d.DedupKey] = true
		return true
	}
	kept := g.deferred[:0]
	for _, c := range g.deferred {
		if !consider(c) {
			kept = append(kept, c)
		}
	}
	clear(g.deferred[len(kept):])
	g.deferred = kept
	if first != nil && !consider(first) {
		g.deferred = append(g.deferred, first)
	}
more:
	for len(batch) < maxBatch {
		select {
		case c := <-g.calls:
			if !consider(c) {
				g.deferred = append(g.deferred, c)
			}
		default:
			break more
		}
	}
	if len(batch) >= maxBatch && len(g.deferred) > 0 {
		g.signal() // some may fit another committer's batch
	}
	return batch
}

// finish releases the batch's orders and wakes a committer for the calls
// that waited on them.
func (g *committer) finish(batch []*ingestCall) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, c := range batch {
		delete(g.inflight, c.key)
	}
	if len(g.deferred) > 0 {
		g.signal()
	}
}

func (g *committer) signal() {
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

// commitBatch runs the batch as one transaction and answers every call. If
// the batch failed as a whole, each delivery is run again on its own so
// that only the one at fault fails: the batch's deliveries are of distinct
// orders, so they run side by side.
func (s *Store) commitBatch(batch []*ingestCall) {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	replies, ok := s.runBatch(ctx, batch)
	if !ok {
		var wg sync.WaitGroup
		sem := make(chan struct{}, committers)
		for i, c := range batch {
			if err := c.ctx.Err(); err != nil {
				replies[i] = ingestReply{err: err}
				continue
			}
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				res, err := s.ingestAlone(ctx, c.d, c.apply)
				replies[i] = ingestReply{res: res, err: err}
			})
		}
		wg.Wait()
	}
	for i, c := range batch {
		c.reply <- replies[i]
	}
}

// runBatch is one attempt at the batch in one transaction. It returns the
// replies and true, or false if the batch certainly did not commit and its
// deliveries may be run again: then nothing of it was stored.
//
// The transaction's BEGIN rides in the first round trip and its COMMIT in
// the last. The statements run under the batch's ctx, never a caller's: a
// cancelled query makes pgx close the connection, which would take the
// other callers' deliveries with it.
func (s *Store) runBatch(ctx context.Context, batch []*ingestCall) ([]ingestReply, bool) {
	replies := make([]ingestReply, len(batch))
	var live []int // indexes of the calls whose callers still wait
	for i, c := range batch {
		if err := c.ctx.Err(); err != nil {
			replies[i].err = err // the caller has gone: store nothing of it
			continue
		}
		live = append(live, i)
	}
	if len(live) == 0 {
		return replies, true
	}
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		for _, i := range live {
			replies[i].err = fmt.Errorf("postgres: acquire connection: %w", err)
		}
		return replies, true
	}
	// A connection handed back inside a transaction (a failed ROLLBACK)
	// is closed by the pool, not reused.
	defer pc.Release()
	tx := openTx{pc.Conn()}
	rollback := func() { tx.Rollback(context.WithoutCancel(ctx)) }

	inserted, loaded, err := lockAndLoad(ctx, tx, batch, live)
	if err != nil {
		rollback()
		return replies, false
	}
	var (
		failed []string       // dedup keys of deliveries whose apply failed
		saves  []*order.Order // orders to upsert, with their timelines
		events []*order.Order // orders of which only new timeline entries are saved
		jobs   []river.InsertManyParams
	)
	for _, i := range live {
		c := batch[i]
		existing := loaded[c.key]
		if !inserted[c.d.DedupKey] {
			replies[i].res.Duplicate = true
			if existing != nil {
				existing.Record(order.Event{At: c.d.ReceivedAt, Kind: order.EventDuplicate, Source: c.d.Topic, Detail: "delivery " + c.d.DeliveryID + " already seen; ignored"})
				events = append(events, existing)
			}
			continue
		}
		bt := &batchTx{txn: txn{s, tx}, ctx: ctx}
		o, err := bt.run(c.apply, existing)
		if err == nil {
			err = bt.end(false)
		} else if rerr := bt.end(true); rerr != nil {
			err = rerr
		}
		if errors.Is(err, errBatchBroken) {
			rollback()
			return replies, false
		}
		if err != nil {
			failed = append(failed, c.d.DedupKey)
			replies[i].err = err
			continue
		}
		jobs = append(jobs, bt.jobs...)
		if o != nil {
			replies[i].res.Saved = true
			saves = append(saves, o)
		}
	}
	if len(jobs) > 0 {
		// The fast variant returns no rows: nothing here reads them. It
		// fails outright on a unique conflict, where InsertTx would skip
		// the duplicate; the deliveries' re-run one by one inserts with
		// InsertTx, which handles that as River always does.
		if _, err := s.river.InsertManyFastTx(ctx, tx, jobs); err != nil {
			rollback()
			return replies, false
		}
	}
	if err := writeAndCommit(ctx, tx, failed, saves, events); err != nil {
		if errors.Is(err, errNotCommitted) {
			rollback()
			return replies, false
		}
		// Not re-run: the commit may have happened. The storefront's retry
		// finds the delivery a duplicate if it did.
		for _, i := range live {
			if replies[i].err == nil {
				replies[i] = ingestReply{err: err}
			}
		}
	}
	return replies, true
}

// errBatchBroken is a batch whose transaction can no longer be trusted: a
// savepoint could not be rolled back to or released.
var errBatchBroken = errors.New("postgres: batch transaction broken")

// batchTx is the store.Tx of a delivery in a group commit. Enqueue holds
// the job for the batch's one insert. Reads and writes the callback makes
// itself run in a savepoint, taken before the first of them, so that a
// failed apply (or a failed statement, which would abort the whole
// transaction) is rolled back alone.
type batchTx struct {
	txn
	ctx       context.Context // the batch's; never the caller's
	jobs      []river.InsertManyParams
	savepoint bool
}

func (t *batchTx) Enqueue(_ context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	t.jobs = append(t.jobs, river.InsertManyParams{Args: args, InsertOpts: opts})
	return nil
}

func (t *batchTx) Notification(_ context.Context, key order.Key, kind string) (store.Notification, error) {
	if err := t.begin(); err != nil {
		return store.Notification{Key: key, Kind: kind}, err
	}
	return t.txn.Notification(t.ctx, key, kind)
}

func (t *batchTx) PutNotification(_ context.Context, n store.Notification) error {
	if err := t.begin(); err != nil {
		return err
	}
	return t.txn.PutNotification(t.ctx, n)
}

func (t *batchTx) begin() error {
	if t.savepoint {
		return nil
	}
	if _, err := t.tx.Exec(t.ctx, `SAVEPOINT ingest_apply`); err != nil {
		return fmt.Errorf("%w: savepoint: %v", errBatchBroken, err)
	}
	t.savepoint = true
	return nil
}

// end closes the savepoint, if one was taken: rolled back to if undo.
func (t *batchTx) end(undo bool) error {
	if !t.savepoint {
		return nil
	}
	if undo {
		if _, err := t.tx.Exec(t.ctx, `ROLLBACK TO SAVEPOINT ingest_apply`); err != nil {
			return fmt.Errorf("%w: roll back to savepoint: %v", errBatchBroken, err)
		}
	}
	if _, err := t.tx.Exec(t.ctx, `RELEASE SAVEPOINT ingest_apply`); err != nil {
		return fmt.Errorf("%w: release savepoint: %v", errBatchBroken, err)
	}
	return nil
}

// run calls apply; a panic in it is this delivery's error, not the
// committer's end.
func (t *batchTx) run(apply func(store.Tx, *order.Order) (*order.Order, error), existing *order.Order) (o *order.Order, err error) {
	defer func() {
		if p := recover(); p != nil {
			o, err = nil, fmt.Errorf("postgres: ingest: panic: %v", p)
		}
	}()
	return apply(t, existing)
}
