package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ordergate/ordergate/internal/store"
)

// SaveRun implements store.Store.
func (s *Store) SaveRun(ctx context.Context, r store.Run) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO runs (id, kind, started_at, finished_at, summary) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, started_at = excluded.started_at,
		finished_at = excluded.finished_at, summary = excluded.summary`,
		r.ID, r.Kind, r.StartedAt.UTC(), r.FinishedAt.UTC(), string(r.Summary))
	if err != nil {
		return fmt.Errorf("postgres: save run %s: %w", r.ID, err)
	}
	return nil
}

// Runs implements store.Store.
func (s *Store) Runs(ctx context.Context, kind string, limit int) ([]store.Run, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, kind, started_at, finished_at, summary::text FROM runs
		WHERE kind = $1 ORDER BY started_at DESC, id DESC LIMIT $2`, kind, store.Limit(limit))
	if err != nil {
		return nil, fmt.Errorf("postgres: list runs: %w", err)
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
	r, err := scanRun(s.pool.QueryRow(ctx, `SELECT id, kind, started_at, finished_at, summary::text FROM runs WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Run{}, fmt.Errorf("run %s: %w", id, store.ErrNotFound)
	}
	return r, err
}

func scanRun(row pgx.Row) (store.Run, error) {
	var r store.Run
	var summary string
	if err := row.Scan(&r.ID, &r.Kind, &r.StartedAt, &r.FinishedAt, &summary); err != nil {
		return store.Run{}, err
	}
	r.StartedAt, r.FinishedAt, r.Summary = r.StartedAt.UTC(), r.FinishedAt.UTC(), []byte(summary)
	return r, nil
}
