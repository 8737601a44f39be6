package sqlite

import (
	"context"
	"database/sql/driver"
	"fmt"
)

// Durability by writer. With synchronous=FULL every commit waits for an
// fsync. That is what a delivery, an order's step or a run record needs
// before it is answered. River's own bookkeeping does not: a fetch that
// marks a job running, a completion, a snooze. Were one of those lost to a
// power cut, the job would simply be worked again, and the gate's jobs
// are written to be run more than once (a step checks the order's state
// first; a message is not sent twice). So the write connection commits
// River's own transactions with synchronous=NORMAL: in WAL mode they are
// written at once and reach the disk with the next FULL commit, which
// syncs the whole log up to itself. That takes two or three fsyncs off
// every order's path through the queue, on the one connection every write
// shares.
//
// River works under the context given to Store.Start, marked relaxed; our
// own writes are marked durable, which wins, and anything unmarked is FULL.

type syncKey struct{}

// relaxed marks ctx: writes under it may commit without an fsync.
func relaxed(ctx context.Context) context.Context {
	return context.WithValue(ctx, syncKey{}, false)
}

// durable marks ctx: writes under it commit with an fsync, whatever an
// outer context says.
func durable(ctx context.Context) context.Context {
	return context.WithValue(ctx, syncKey{}, true)
}

// wantsFull says whether a write under ctx must be fsynced at commit.
func wantsFull(ctx context.Context) bool {
	full, ok := ctx.Value(syncKey{}).(bool)
	return !ok || full
}

// setSync puts the connection in the mode a transaction or an autocommit
// statement under ctx needs. SQLite refuses to change it inside a
// transaction, so it is set only between them.
func (c *cachingConn) setSync(ctx context.Context) error {
	if !c.writer || c.inTx {
		return nil
	}
	full := wantsFull(ctx)
	if full == c.syncFull {
		return nil
	}
	mode := "NORMAL"
	if full {
		mode = "FULL"
	}
	if _, err := c.conn.(driver.ExecerContext).ExecContext(ctx, "PRAGMA synchronous = "+mode, nil); err != nil {
		return fmt.Errorf("sqlite: synchronous=%s: %w", mode, err)
	}
	c.syncFull = full
	return nil
}

// connTx ends the connection's transaction.
type connTx struct {
	driver.Tx
	c *cachingConn
}

func (t connTx) Commit() error {
	t.c.inTx = false
	return t.Tx.Commit()
}

func (t connTx) Rollback() error {
	t.c.inTx = false
	return t.Tx.Rollback()
}
