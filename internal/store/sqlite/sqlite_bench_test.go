package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/store/storetest"
)

type benchJob struct {
	OrderID string `json:"order_id"`
}

func (benchJob) Kind() string { return "bench_submit" }

var benchIDs atomic.Int64

// BenchmarkIngest is the webhook path's write: the raw delivery (a real
// 3.6 KB Shopify body), the new order, its timeline entry and its first
// job, durable (synchronous=FULL) before it returns. conns=1 pays one fsync
// per delivery; with more callers at once the group commit shares each
// fsync among them, and deliveries/commit says by how many. cpu-µs/ingest
// is the whole process's CPU time (callers and committer) per delivery and
// disk-B/ingest the bytes it wrote to storage (WAL frames and checkpoints):
// on a shared machine they move far less than ingests/s does.
func BenchmarkIngest(b *testing.B) {
	body := shopifyBody(b)
	for _, conns := range []int{1, 16, 64} {
		b.Run("conns="+strconv.Itoa(conns), func(b *testing.B) {
			s, err := Open(context.Background(), filepath.Join(b.TempDir(), "og.db"), Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			b0, d0 := s.CommitStats()
			cpu0, w0 := cpuTime(), writtenBytes()
			b.ResetTimer()
			// Exactly conns callers at once, as conns webhook handlers.
			var done atomic.Int64
			var wg sync.WaitGroup
			for range conns {
				wg.Go(func() {
					for done.Add(1) <= int64(b.N) {
						id := strconv.FormatInt(benchIDs.Add(1), 10)
						now := time.Now()
						d := store.Delivery{DedupKey: "create-" + id, Storefront: "shop1", Topic: "orders/create", DeliveryID: id, OrderID: id, ReceivedAt: now, Body: body}
						if _, err := s.Ingest(ctx, d, func(tx store.Tx, _ *order.Order) (*order.Order, error) {
							if err := tx.Enqueue(ctx, benchJob{OrderID: id}, nil); err != nil {
								return nil, err
							}
							return order.New(storetest.Sample(id), now, "shopify", "orders/create"), nil
						}); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/ingest")
			if w0 >= 0 {
				b.ReportMetric(float64(writtenBytes()-w0)/float64(b.N), "disk-B/ingest")
			}
			if b1, d1 := s.CommitStats(); b1 > b0 {
				b.ReportMetric(float64(d1-d0)/float64(b1-b0), "deliveries/commit")
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ingests/s")
		})
	}
}

// BenchmarkUpdate is one job step's transaction: load the order, change it,
// save it with its timeline entry, commit (one fsync each).
func BenchmarkUpdate(b *testing.B) {
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "og.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now := time.Now()
	key := order.Key{Storefront: "shop1", ID: "1"}
	if _, err := s.Ingest(ctx, store.Delivery{DedupKey: "create-1", Storefront: "shop1", Topic: "orders/create", OrderID: "1", ReceivedAt: now, Body: []byte("{}")},
		func(store.Tx, *order.Order) (*order.Order, error) {
			return order.New(storetest.Sample("1"), now, "shopify", ""), nil
		}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Update(ctx, key, func(_ store.Tx, o *order.Order) error {
			o.Record(order.Event{At: now, Kind: order.EventNote, Source: "bench"})
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// cpuTime is the CPU time, user and system, this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// writtenBytes is what this process has caused to be written to storage
// (Linux /proc/self/io write_bytes), or -1 where that is not known.
func writtenBytes() int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "write_bytes: "); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return -1
			}
			return n
		}
	}
	return -1
}
