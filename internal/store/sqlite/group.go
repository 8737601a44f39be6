package sqlite

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

// Group commit. SQLite with synchronous=FULL pays one fsync per commit, and
// the ack path needs one durable commit per delivery: one commit each caps
// ingest at the disk's fsync rate (~2,200/s here). So Ingest does not commit
// by itself: it queues its work for one committer, which takes whatever is
// queued when the previous commit ends, runs each delivery in a savepoint
// of one transaction (a delivery that fails is rolled back alone), commits
// once, and only then answers every caller. Nothing waits on a timer: a
// lone delivery commits at once; under load the batches grow by themselves.

// maxBatch bounds one transaction, so that a burst does not hold the
// writer, and the job workers' commits behind it, for long.
const maxBatch = 256

// batchTimeout bounds one batch's statements and commit.
const batchTimeout = 30 * time.Second

// errClosed answers deliveries still queued when the store closes: nothing
// of them was stored.
var errClosed = errors.New("sqlite: store closed")

type ingestCall struct {
	d     store.Delivery
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
	quit  chan struct{}
	done  chan struct{}
	once  sync.Once

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

func (s *Store) startCommitter() {
	s.group = &committer{calls: make(chan *ingestCall, 4*maxBatch), quit: make(chan struct{}), done: make(chan struct{})}
	go s.commitLoop()
}

// stopCommitter stops the committer after the batch in hand; deliveries
// still queued are answered errClosed.
func (s *Store) stopCommitter() {
	if s.group == nil {
		return
	}
	s.group.once.Do(func() { close(s.group.quit) })
	<-s.group.done
}

func (s *Store) commitLoop() {
	g := s.group
	defer close(g.done)
	for {
		batch, ok := nextBatch(g.calls, g.quit, func(c *ingestCall) { c.reply <- ingestReply{err: errClosed} })
		if !ok {
			return
		}
		s.commitBatch(batch)
		g.batches.Add(1)
		g.deliveries.Add(int64(len(batch)))
	}
}

// nextBatch waits for a call, then takes whatever else is queued, up to
// maxBatch: nothing waits on a timer. Once quit is closed it answers the
// calls still queued with closed and returns false.
func nextBatch[C any](calls <-chan C, quit <-chan struct{}, closed func(C)) ([]C, bool) {
	var first C
	select {
	case first = <-calls:
	case <-quit:
		for {
			select {
			case c := <-calls:
				closed(c)
			default:
				return nil, false
			}
		}
	}
	batch := []C{first}
	for len(batch) < maxBatch {
		select {
		case c := <-calls:
			batch = append(batch, c)
		default:
			return batch, true
		}
	}
	return batch, true
}

// commitBatch runs each call in a savepoint of one transaction and commits
// once. The statements run under the batch's own context, never a
// caller's: SQLite answers an interrupted write inside a transaction by
// rolling the whole transaction back, which would take the other callers'
// deliveries with it.
//
// The jobs the deliveries enqueue are held back and inserted together, in
// one statement that returns nothing, just before the commit: River's insert is a long
// statement, and one per delivery was a third of the committer's time. A
// delivery rolled back to its savepoint takes its jobs with it. Should that
// one insert fail, the batch is run again inserting each delivery's jobs as
// they come, so that only the delivery at fault fails.
func (s *Store) commitBatch(batch []*ingestCall) {
	if !s.runBatch(batch, true) {
		s.runBatch(batch, false)
	}
}

// runBatch is one attempt at commitBatch. It answers every call and
// returns true, unless deferJobs is set and the jobs' insert failed: then
// it has rolled back, answered none, and returns false.
func (s *Store) runBatch(batch []*ingestCall, deferJobs bool) bool {
	replies := make([]ingestReply, len(batch))
	answer := func() {
		for i, c := range batch {
			c.reply <- replies[i]
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		for i := range replies {
			replies[i].err = fmt.Errorf("sqlite: begin: %w", err)
		}
		answer()
		return true
	}
	var jobs []river.InsertManyParams
	for i, c := range batch {
		if err := c.ctx.Err(); err != nil {
			replies[i].err = err // the caller has gone: store nothing of it
			continue
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT ingest`); err != nil {
			replies[i].err = fmt.Errorf("sqlite: savepoint: %w", err)
			continue
		}
		bt := batchTx{txn: txn{s, tx}}
		if deferJobs {
			bt.jobs = new([]river.InsertManyParams)
		}
		res, err := s.ingestOne(ctx, bt, c.d, c.apply)
		if err == nil && bt.jobs != nil {
			jobs = append(jobs, *bt.jobs...)
		}
		if err != nil {
			if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO ingest`); rerr != nil {
				// The transaction is in an unknown state: give up on all.
				s.rollback(tx)
				for j := range replies {
					replies[j] = ingestReply{err: fmt.Errorf("sqlite: roll back one delivery: %w (after: %v)", rerr, err)}
				}
				answer()
				return true
			}
		}
		if _, rerr := tx.ExecContext(ctx, `RELEASE ingest`); rerr != nil && err == nil {
			err = fmt.Errorf("sqlite: release savepoint: %w", rerr)
		}
		replies[i] = ingestReply{res: res, err: err}
	}
	if len(jobs) > 0 {
		// The fast variant returns no rows: nothing here reads them. It
		// fails outright on a unique conflict, where InsertManyTx would
		// skip the duplicate; the re-run below inserts job by job with
		// InsertTx, which handles that as River always does.
		if _, err := s.river.InsertManyFastTx(ctx, tx, jobs); err != nil {
			s.rollback(tx)
			return false
		}
	}
	if err := s.commit(tx, jobQueues(jobs)...); err != nil {
		for i := range replies {
			if replies[i].err == nil {
				replies[i] = ingestReply{err: fmt.Errorf("sqlite: commit: %w", err)}
			}
		}
	}
	answer()
	return true
}

// batchTx is the store.Tx of a delivery in a group commit: with jobs set,
// Enqueue holds the job for the batch's one insert instead of inserting it.
type batchTx struct {
	txn
	jobs *[]river.InsertManyParams
}

func (t batchTx) Enqueue(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	if t.jobs == nil {
		return t.txn.Enqueue(ctx, args, opts)
	}
	*t.jobs = append(*t.jobs, river.InsertManyParams{Args: args, InsertOpts: opts})
	return nil
}

// ingestOne applies one delivery inside tx. A panic in apply is that
// delivery's error, not the committer's end.
func (s *Store) ingestOne(ctx context.Context, bt batchTx, d store.Delivery, apply func(store.Tx, *order.Order) (*order.Order, error)) (res store.IngestResult, err error) {
	tx := bt.tx
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("sqlite: ingest %s: panic: %v", d.DedupKey, p)
		}
	}()
	key := order.Key{Storefront: d.Storefront, ID: d.OrderID}
	r, err := tx.ExecContext(ctx, `INSERT INTO deliveries (dedup_key, storefront, topic, delivery_id, order_id, received_at, body)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING`,
		d.DedupKey, d.Storefront, d.Topic, d.DeliveryID, d.OrderID, micros(d.ReceivedAt), d.Body)
	if err != nil {
		return res, fmt.Errorf("sqlite: store delivery: %w", err)
	}
	existing, err := load(ctx, tx, key)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return res, err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		res.Duplicate = true
		if existing == nil {
			return res, nil
		}
		existing.Record(order.Event{At: d.ReceivedAt, Kind: order.EventDuplicate, Source: d.Topic, Detail: "delivery " + d.DeliveryID + " already seen; ignored"})
		return res, saveEvents(ctx, tx, existing)
	}
	o, err := apply(bt, existing)
	if err != nil || o == nil {
		return res, err
	}
	res.Saved = true
	return res, save(ctx, tx, o)
}
