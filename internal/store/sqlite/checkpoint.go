package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Checkpoints off the commit path. With SQLite's automatic checkpoint, the
// commit that takes the WAL past 1,000 pages copies them all into the
// database and fsyncs it before it returns: that commit's callers wait for
// it, and every delivery queued behind them. The write connection therefore
// runs with wal_autocheckpoint=0, and a connection of its own copies the
// WAL back every checkpointEvery in PASSIVE mode, which never waits for the
// writer nor makes it wait. A PASSIVE checkpoint may not finish under
// constant writes, and the WAL only starts over once one has; should it
// grow past walLimitFrames, a TRUNCATE checkpoint (which does wait for the
// writer, once) brings it back to nothing.

const (
	checkpointEvery = 500 * time.Millisecond
	walLimitFrames  = 8192 // 128 MiB of 16 KiB pages
)

type checkpointer struct {
	db   *sql.DB
	quit chan struct{}
	done chan struct{}
}

func (s *Store) startCheckpointer(path string) error {
	db, err := openDB(dsn(path, false), false)
	if err != nil {
		return fmt.Errorf("sqlite: open %s for checkpoints: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	s.ckpt = &checkpointer{db: db, quit: make(chan struct{}), done: make(chan struct{})}
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
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.quit:
			return
		case <-t.C:
		}
		frames, err := checkpoint(c.db, "PASSIVE")
		if err == nil && frames > walLimitFrames {
			_, err = checkpoint(c.db, "TRUNCATE")
		}
		if err != nil {
			s.log.Warn("sqlite checkpoint failed", "err", err)
		}
	}
}

// checkpoint runs one checkpoint and returns the WAL's size in frames.
func checkpoint(db *sql.DB, mode string) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var busy, logFrames, done int
	if err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &logFrames, &done); err != nil {
		return 0, fmt.Errorf("sqlite: wal_checkpoint(%s): %w", mode, err)
	}
	return logFrames, nil
}
