package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ordergate/ordergate/internal/store"
)

// SaveRun implements store.Store.
func (s *Store) SaveRun(ctx context.Context, r store.Run) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO runs (id, kind, started_at, finished_at, summary) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, started_at = excluded.started_at,
			finished_at = excluded.finished_at, summary = excluded.summary`,
			r.ID, r.Kind, micros(r.StartedAt), micros(r.FinishedAt), r.Summary)
		if err != nil {
			return fmt.Errorf("sqlite: save run %s: %w", r.ID, err)
		}
		return nil
	})
}

// Runs implements store.Store.
func (s *Store) Runs(ctx context.Context, kind string, limit int) ([]store.Run, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, kind, started_at, finished_at, summary FROM runs
		WHERE kind = ? ORDER BY started_at DESC, id DESC LIMIT ?`, kind, store.Limit(limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: list runs: %w", err)
	}
	defer rows.Close()
	var out []store.Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Run implements store.Store.
func (s *Store) Run(ctx context.Context, id string) (store.Run, error) {
	r, err := scanRun(s.read.QueryRowContext(ctx, `SELECT id, kind, started_at, finished_at, summary FROM runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Run{}, fmt.Errorf("run %s: %w", id, store.ErrNotFound)
	}
	return r, err
}

func scanRun(sc interface{ Scan(...any) error }) (store.Run, error) {
	var r store.Run
	var started, finished int64
	if err := sc.Scan(&r.ID, &r.Kind, &started, &finished, &r.Summary); err != nil {
		return store.Run{}, err
	}
	r.StartedAt, r.FinishedAt = fromMicros(started), fromMicros(finished)
	return r, nil
}
