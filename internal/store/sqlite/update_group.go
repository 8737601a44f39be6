package sqlite

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// Group-committed updates. Every step of an order after its ingest (the
// submit and its outcome, the acknowledgment, each message's attempt and
// result) is a Store.Update: load, change, save, with the step's job, in
// one transaction. One fsynced commit each made the write connection the
// gate's bottleneck: at 200 orders a second the steps queued for it behind
// one another, and an acknowledged order waited seconds for its
// confirmation to start (BENCHMARKS.md, "Gate"). So an Update, like a
// delivery (group.go), queues for an updater that runs whatever updates
// are queued in one transaction, each in a savepoint of its own, commits
// once and then answers them all. A lone update commits at once.
//
// An update's contract is unchanged: nil means committed; an error means
// nothing of it was stored. A caller that gives up while its update is
// still queued takes it out of the queue; once the updater has begun it,
// the caller waits for the commit, so that it never reports as failed a
// step that was stored.

type updateCall struct {
	key   order.Key
	fn    func(tx store.Tx, o *order.Order) error
	state atomic.Int32 // callQueued, callTaken or callAbandoned
	reply chan error   // buffered 1
}

const (
	callQueued int32 = iota
	callTaken
	callAbandoned
)

type updater struct {
	calls chan *updateCall
	quit  chan struct{}
	done  chan struct{}

	batches, updates atomic.Int64
}

// UpdateStats returns how many update batches have been committed and
// how many updates they carried.
func (s *Store) UpdateStats() (batches, updates int64) {
	if s.updates == nil {
		return 0, 0
	}
	return s.updates.batches.Load(), s.updates.updates.Load()
}

func (s *Store) startUpdater() {
	s.updates = &updater{calls: make(chan *updateCall, 4*maxBatch), quit: make(chan struct{}), done: make(chan struct{})}
	go s.updateLoop()
}

// stopUpdater stops the updater after the batch in hand; updates still
// queued are answered errClosed.
func (s *Store) stopUpdater() {
	if s.updates == nil {
		return
	}
	select {
	case <-s.updates.quit:
	default:
		close(s.updates.quit)
	}
	<-s.updates.done
}

// Update implements store.Store.
func (s *Store) Update(ctx context.Context, key order.Key, fn func(tx store.Tx, o *order.Order) error) error {
	u := s.updates
	if u == nil {
		return fmt.Errorf("sqlite: update %s: the store is open read-only", key)
	}
	c := &updateCall{key: key, fn: fn, reply: make(chan error, 1)}
	select {
	case <-u.quit:
		return errClosed
	default:
	}
	select {
	case u.calls <- c:
	case <-u.quit:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-c.reply:
		return err
	case <-ctx.Done():
		if c.state.CompareAndSwap(callQueued, callAbandoned) {
			return ctx.Err()
		}
		// Begun: its outcome is coming, and it is the answer.
		return <-c.reply
	case <-u.done:
		select {
		case err := <-c.reply:
			return err
		default:
			return errClosed
		}
	}
}

func (s *Store) updateLoop() {
	u := s.updates
	defer close(u.done)
	for {
		batch, ok := nextBatch(u.calls, u.quit, func(c *updateCall) { c.reply <- errClosed })
		if !ok {
			return
		}
		if n := s.runUpdates(batch); n > 0 {
			u.batches.Add(1)
			u.updates.Add(int64(n))
		}
	}
}

// runUpdates runs the batch's updates in one transaction and answers each.
// It returns how many it committed.
func (s *Store) runUpdates(batch []*updateCall) int {
	var run []*updateCall
	for _, c := range batch {
		if c.state.CompareAndSwap(callQueued, callTaken) {
			run = append(run, c)
		}
	}
	if len(run) == 0 {
		return 0
	}
	errs := make([]error, len(run))
	answer := func(all error) {
		for i, c := range run {
			if all != nil {
				errs[i] = all
			}
			c.reply <- errs[i]
		}
	}
	// The batch's own context, never a caller's: SQLite rolls the whole
	// transaction back when a statement in it is interrupted.
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		answer(fmt.Errorf("sqlite: begin: %w", err))
		return 0
	}
	committed := 0
	for i, c := range run {
		if _, err := tx.ExecContext(ctx, `SAVEPOINT step`); err != nil {
			errs[i] = fmt.Errorf("sqlite: savepoint: %w", err)
			continue
		}
		err := s.updateOne(ctx, txn{s, tx}, c)
		if err != nil {
			if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO step`); rerr != nil {
				s.rollback(tx)
				answer(fmt.Errorf("sqlite: roll back one update: %w (after: %v)", rerr, err))
				return 0
			}
		}
		if _, rerr := tx.ExecContext(ctx, `RELEASE step`); rerr != nil && err == nil {
			err = fmt.Errorf("sqlite: release savepoint: %w", rerr)
		}
		errs[i] = err
		if err == nil {
			committed++
		}
	}
	if err := s.commit(tx); err != nil {
		answer(fmt.Errorf("sqlite: commit: %w", err))
		return 0
	}
	answer(nil)
	return committed
}

// updateOne is one update inside the batch's transaction. A panic in fn is
// that update's error, not the updater's end.
func (s *Store) updateOne(ctx context.Context, t txn, c *updateCall) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("sqlite: update %s: panic: %v", c.key, p)
		}
	}()
	o, err := load(ctx, t.tx, c.key)
	if err != nil {
		return err
	}
	if err := c.fn(t, o); err != nil {
		return err
	}
	return save(ctx, t.tx, o)
}
