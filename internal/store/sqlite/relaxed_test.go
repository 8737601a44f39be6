package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/store/storetest"
)

type syncProbeArgs struct{}

func (syncProbeArgs) Kind() string { return "sync_probe" }

// syncProbe reports, from inside a job, the write connection's durability
// under the job's context and inside an Update the job makes.
type syncProbe struct {
	river.WorkerDefaults[syncProbeArgs]
	s   *Store
	got chan [2]int
}

func (w *syncProbe) Work(ctx context.Context, job *river.Job[syncProbeArgs]) error {
	var underJob, inUpdate int
	if err := w.s.write.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&underJob); err != nil {
		return err
	}
	err := w.s.Update(ctx, order.Key{Storefront: "shop1", ID: "5"}, func(tx store.Tx, o *order.Order) error {
		return tx.(txn).tx.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&inUpdate)
	})
	w.got <- [2]int{underJob, inUpdate}
	return err
}

// River's own writes may skip the fsync; an order's steps never do, even
// when a River job makes them.
func TestDurability_RiverRelaxedOrderStepsFull(t *testing.T) {
	t.Parallel()
	probe := &syncProbe{got: make(chan [2]int, 1)}
	workers := river.NewWorkers()
	river.AddWorker(workers, probe)
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "og.db"), Options{River: &river.Config{
		Workers:           workers,
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 1}},
		FetchCooldown:     time.Millisecond,
		FetchPollInterval: 50 * time.Millisecond,
		TestOnly:          true,
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	probe.s = s
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = s.Ingest(ctx, store.Delivery{DedupKey: "d5", Storefront: "shop1", Topic: "orders/create", DeliveryID: "d5", OrderID: "5", ReceivedAt: time.Now(), Body: []byte(`{}`)},
		func(tx store.Tx, existing *order.Order) (*order.Order, error) {
			if err := tx.Enqueue(ctx, syncProbeArgs{}, nil); err != nil {
				return nil, err
			}
			return order.New(storetest.Sample("5"), time.Now(), "shopify", "orders/create"), nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	const normal, full = 1, 2
	select {
	case got := <-probe.got:
		if got != [2]int{normal, full} {
			t.Fatalf("synchronous under a River job = %d, inside its Update = %d; want %d (NORMAL) and %d (FULL)", got[0], got[1], normal, full)
		}
	case <-ctx.Done():
		t.Fatal("the probe job never ran")
	}
	// Our other writes, and anything unmarked, stay FULL.
	for name, c := range map[string]context.Context{"unmarked": ctx, "durable under relaxed": durable(relaxed(ctx))} {
		var mode int
		if err := s.write.QueryRowContext(c, `PRAGMA synchronous`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if mode != full {
			t.Errorf("%s: synchronous = %d, want %d", name, mode, full)
		}
	}
	var mode int
	if err := s.inTx(relaxed(ctx), func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&mode)
	}); err != nil || mode != full {
		t.Fatalf("inTx under a relaxed context: synchronous = %d (%v), want %d", mode, err, full)
	}
}
