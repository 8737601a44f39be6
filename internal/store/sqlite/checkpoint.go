package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"time"
)

// Checkpoints off the commit path. With SQLite's automatic checkpoint, the
// commit that takes the WAL past 1,000 pages copies them all into the
// database and fsyncs it before it returns: that commit's callers wait for
// it, and every delivery queued behind them. The write connection therefore
// runs with wal_autocheckpoint=0, and a connection of its own copies the
// WAL back every checkpointEvery in PASSIVE mode, which never waits for the
// writer nor makes it wait.
//
// Copying the WAL back is not enough: the WAL only starts over from its
// first frame when a write transaction begins on a snapshot the checkpoint
// has wholly copied (SQLite's walRestartLog needs the writer on read mark
// 0). Under constant writes that never happens, since every write lands
// between the checkpoint's end and the next write's start, and the WAL
// grows without end. It used to be cut back by a TRUNCATE checkpoint past
// a limit, about once a second at 2,000 webhooks/s; TRUNCATE waits for the
// writer in SQLite's busy handler, which polls with sleeps, and then holds
// it: 50–130 ms, at worst over a second, during which no webhook was
// acknowledged. That was the p99 of the ack path.
//
// So once the WAL holds more than restartFrames, the background pass is
// followed by a second PASSIVE pass on the write connection itself, taken
// from its pool between two transactions like any write. It copies only
// the frames written since the first pass (a few milliseconds' worth),
// after which the next write transaction starts the WAL over. The one
// stall left is that short copy and the database file's fsync: 2.5–4 ms
// at p50, 6–8 ms at p90. At 2,000 webhooks/s the WAL grows by several
// thousand frames a second, so the threshold sets how often writes take
// that stall: past 2,048 frames, p99 was 10.7–58.9 ms in four runs; past
// 8,192, 8.6–15.3 ms (BENCHMARKS.md). A second background pass before the
// writer's did not shorten it. Should a
// reader hold the WAL past walLimitFrames (a long dashboard query under
// heavy writes), the TRUNCATE remains the last resort.
const (
	checkpointEvery = 250 * time.Millisecond
	restartFrames   = 8192  // 64 MiB of 8 KiB pages
	walLimitFrames  = 32768 // 256 MiB of 8 KiB pages
)

type checkpointer struct {
	db   *sql.DB
	quit chan struct{}
	done chan struct{}

	// every, restart and limit are checkpointEvery, restartFrames and
	// walLimitFrames; tests set them smaller.
	every          time.Duration
	restart, limit int

	// restarts counts the passes that found the WAL shorter than the pass
	// before (it had started over), truncates the TRUNCATE checkpoints.
	restarts, truncates atomic.Int64
}

func (s *Store) startCheckpointer(path string, every time.Duration, restart, limit int) error {
	db, err := openDB(dsn(path, false), false)
	if err != nil {
		return fmt.Errorf("sqlite: open %s for checkpoints: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	s.ckpt = &checkpointer{db: db, quit: make(chan struct{}), done: make(chan struct{}),
		every: every, restart: restart, limit: limit}
	go s.checkpointLoop()
	return nil
}

func (s *Store) stopCheckpointer() {
	if s.ckpt == nil {
		return
	}
	close(s.ckpt.quit)
	<-s.ckpt.done
	s.ckpt.db.Close()
	s.ckpt = nil
}

func (s *Store) checkpointLoop() {
	c := s.ckpt
	defer close(c.done)
	t := time.NewTicker(c.every)
	defer t.Stop()
	last := 0
	for {
		select {
		case <-c.quit:
			return
		case <-t.C:
		}
		frames, _, err := checkpoint(c.db, "PASSIVE")
		if err == nil && frames < last {
			c.restarts.Add(1)
		}
		if err == nil && frames > c.restart {
			// The tail, on the writer's own connection: the next write
			// transaction then starts the WAL over.
			frames, _, err = checkpoint(s.write, "PASSIVE")
		}
		if err == nil && frames > c.limit {
			frames, _, err = checkpoint(c.db, "TRUNCATE")
			c.truncates.Add(1)
		}
		if err != nil {
			s.log.Warn("sqlite checkpoint failed", "err", err)
			continue
		}
		last = frames
	}
}

// CheckpointStats reports how often the WAL started over after a
// checkpoint and how often it had to be truncated (see checkpoint.go).
func (s *Store) CheckpointStats() (restarts, truncates int64) {
	if s.ckpt == nil {
		return 0, 0
	}
	return s.ckpt.restarts.Load(), s.ckpt.truncates.Load()
}

// checkpoint runs one checkpoint on a connection of db and returns the
// WAL's size in frames and how many of them are now in the database.
func checkpoint(db *sql.DB, mode string) (frames, done int, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var busy int
	if err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &frames, &done); err != nil {
		return 0, 0, fmt.Errorf("sqlite: wal_checkpoint(%s): %w", mode, err)
	}
	return frames, done, nil
}
