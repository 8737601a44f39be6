package sqlite

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// Under writes that never pause, the WAL must still start over from its
// first frame, by the checkpointer's second pass on the writer's own
// connection, and never need the TRUNCATE that stalls the writer. Without
// that pass the WAL only grows here, until the TRUNCATE cuts it back.
func TestCheckpoint_WALStartsOverUnderConstantWrites(t *testing.T) {
	t.Parallel()
	s := openTemp(t, nil).(*Store)
	path := s.path
	// Small thresholds, so that a short test crosses them many times:
	// restart past 64 frames (the writers add hundreds a pass), truncate
	// past 4,000.
	s.stopCheckpointer()
	if err := s.startCheckpointer(path, 10*time.Millisecond, 64, 4000); err != nil {
		t.Fatal(err)
	}

	at := time.Date(2026, 11, 28, 5, 0, 0, 0, time.UTC)
	var n atomic.Int64
	var failed atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprint(n.Add(1))
				_, err := s.Ingest(context.Background(), store.Delivery{DedupKey: "k" + id, Storefront: "shop1", OrderID: id, ReceivedAt: at, Body: []byte(`{"id":` + id + `}`)},
					func(tx store.Tx, _ *order.Order) (*order.Order, error) {
						return order.New(order.Order{Key: order.Key{Storefront: "shop1", ID: id}, Name: "#" + id}, at, "test", ""), nil
					})
				if err != nil {
					failed.Store(err)
					return
				}
			}
		})
	}
	// Until the WAL has started over several times, or 20 s.
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if r, _ := s.CheckpointStats(); r >= 5 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		t.Fatal(err)
	}
	restarts, truncates := s.CheckpointStats()
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d orders, %d restarts, %d truncates, WAL file %d KiB", n.Load(), restarts, truncates, fi.Size()>>10)
	if restarts < 5 {
		t.Errorf("the WAL started over %d times in 20 s of writes, want at least 5", restarts)
	}
	if truncates != 0 {
		t.Errorf("%d TRUNCATE checkpoints, want none: the WAL should start over without them", truncates)
	}
}
