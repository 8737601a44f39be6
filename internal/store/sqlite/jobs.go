package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/ordergate/ordergate/internal/store"
)

// riverTime is how River's SQLite driver writes its timestamps (UTC).
const riverTime = "2006-01-02 15:04:05.999999999"

// Jobs implements store.Store, reading River's table directly: River's own
// listing pages through the jobs, and a scrape needs only the counts.
func (s *Store) Jobs(ctx context.Context) ([]store.JobCount, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT queue, state, count(*), min(scheduled_at) FROM river_job
		WHERE state IN ('available', 'scheduled', 'running', 'retryable') GROUP BY queue, state ORDER BY queue, state`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: count jobs: %w", err)
	}
	defer rows.Close()
	var out []store.JobCount
	for rows.Next() {
		var j store.JobCount
		var oldest string
		if err := rows.Scan(&j.Queue, &j.State, &j.Count, &oldest); err != nil {
			return nil, err
		}
		if t, err := time.Parse(riverTime, oldest); err == nil {
			j.Oldest = t.UTC()
		} else if t, err := time.Parse(time.RFC3339Nano, oldest); err == nil {
			j.Oldest = t.UTC()
		}
		out = append(out, j)
	}
	return out, rows.Err()
}
