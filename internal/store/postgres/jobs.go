package postgres

import (
	"context"
	"fmt"

	"github.com/ordergate/ordergate/internal/store"
)

// Jobs implements store.Store, reading River's table directly.
func (s *Store) Jobs(ctx context.Context) ([]store.JobCount, error) {
	rows, err := s.pool.Query(ctx, `SELECT queue, state::text, count(*), min(scheduled_at) FROM river_job
		WHERE state IN ('available', 'scheduled', 'running', 'retryable') GROUP BY queue, state ORDER BY queue, state`)
	if err != nil {
		return nil, fmt.Errorf("postgres: count jobs: %w", err)
	}
	defer rows.Close()
	var out []store.JobCount
	for rows.Next() {
		var j store.JobCount
		if err := rows.Scan(&j.Queue, &j.State, &j.Count, &j.Oldest); err != nil {
			return nil, err
		}
		j.Oldest = j.Oldest.UTC()
		out = append(out, j)
	}
	return out, rows.Err()
}
