package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/store/storetest"
)

type pingArgs struct{}

func (pingArgs) Kind() string { return "sqlite_test_ping" }

type pingWorker struct {
	river.WorkerDefaults[pingArgs]
	done chan struct{}
}

func (w *pingWorker) Work(context.Context, *river.Job[pingArgs]) error {
	close(w.done)
	return nil
}

// TestStart_ReleasesJobsAKilledProcessLeftRunning: a SIGKILLed process leaves
// its jobs "running"; River would rescue them only after
// RescueStuckJobsAfter (an hour here). The file lock proves no one else is
// working them, so Start hands them back at once.
func TestStart_ReleasesJobsAKilledProcessLeftRunning(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	path := filepath.Join(t.TempDir(), "og.db")
	w := &pingWorker{done: make(chan struct{})}
	cfg := func() *river.Config {
		workers := river.NewWorkers()
		river.AddWorker(workers, w)
		return &river.Config{Workers: workers, Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 1}},
			FetchCooldown: 5 * time.Millisecond, FetchPollInterval: 20 * time.Millisecond,
			JobTimeout: time.Minute, RescueStuckJobsAfter: time.Hour}
	}

	s, err := Open(ctx, path, Options{River: cfg()})
	if err != nil {
		t.Fatal(err)
	}
	o := storetest.Sample("1")
	if _, err := s.Ingest(ctx, store.Delivery{DedupKey: "k", Storefront: o.Key.Storefront, OrderID: o.Key.ID, ReceivedAt: time.Now(), Body: []byte("{}")},
		func(tx store.Tx, _ *order.Order) (*order.Order, error) {
			return order.New(o, time.Now(), "test", ""), tx.Enqueue(ctx, pingArgs{}, nil)
		}); err != nil {
		t.Fatal(err)
	}
	// What a process killed mid-job leaves behind.
	if _, err := s.write.ExecContext(ctx, `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = datetime('now', 'subsec')`); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = Open(ctx, path, Options{River: cfg()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	select {
	case <-w.done:
	case <-ctx.Done():
		t.Fatal("the job left running was not worked after restart")
	}
}
