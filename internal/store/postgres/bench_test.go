package postgres

import (
	"context"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/store/postgres/pgtest"
	"github.com/ordergate/ordergate/internal/store/sqlite"
	"github.com/ordergate/ordergate/internal/store/storetest"
)

type benchArgs struct {
	OrderID string `json:"order_id"`
}

func (benchArgs) Kind() string { return "bench_submit" }

// BenchmarkIngest measures what the webhook path asks of the database: one
// transaction storing the raw delivery, the new order, its first timeline
// entry and the job that submits it, from many webhook handlers at once.
// SQLite, the embedded default, runs in the same benchmark as the baseline.
//
//	ORDERGATE_TEST_POSTGRES=postgres://… go test -run '^$' -bench Ingest -cpu 1,2,8,32 ./internal/store/postgres
func BenchmarkIngest(b *testing.B) {
	b.Run("store=sqlite", func(b *testing.B) {
		s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "og.db"), sqlite.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		benchIngest(b, s)
	})
	b.Run("store=postgres", func(b *testing.B) {
		s, err := Open(context.Background(), pgtest.DSN(b), Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		benchIngest(b, s)
	})
}

// ids numbers the benchmark's orders across runs, so that no run finds
// another's.
var ids atomic.Int64

func benchIngest(b *testing.B, s store.Store) {
	ctx := context.Background()
	body := []byte(`{"id":1,"line_items":[{"sku":"SKU-1","quantity":2}]}`)
	// Four goroutines per -cpu: webhook handlers spend most of their time
	// waiting on the database, not on a core.
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := strconv.FormatInt(ids.Add(1), 10)
			now := time.Now()
			d := store.Delivery{DedupKey: "create-" + id, Storefront: "shop1", Topic: "orders/create", DeliveryID: id,
				OrderID: id, ReceivedAt: now, Body: body}
			if _, err := s.Ingest(ctx, d, func(tx store.Tx, _ *order.Order) (*order.Order, error) {
				if err := tx.Enqueue(ctx, benchArgs{OrderID: id}, nil); err != nil {
					return nil, err
				}
				return order.New(storetest.Sample(id), now, "shopify", "orders/create"), nil
			}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ingests/s")
}
