package diagnose_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/diagnose"
)

// BenchmarkDiagnose1M streams about a million rows (webhooks with retries
// and SKU lines, ERP receipts per SKU line, confirmations) through a
// diagnosis and its report, and reports rows/s and the peak heap.
//
//	go test -run '^$' -bench Diagnose1M -benchtime 3x ./internal/diagnose/
func BenchmarkDiagnose1M(b *testing.B) {
	e := synthetic{Orders: 280_000, Seed: 1, Span: 7 * 24 * time.Hour, Webhook: withLoad(time.Second, 10*time.Minute),
		ERP: constant(2*time.Minute, 30*time.Second), RetryRate: 0.05, Lines: true, Lost: 0.005, ConfirmAtCapture: true}.write(b, b.TempDir())
	b.ReportAllocs()
	b.ResetTimer()
	var peak uint64
	for range b.N {
		runtime.GC()
		stop := sampleHeap(&peak)
		d := diagnose.New(diagnose.Options{})
		ctx := context.Background()
		for _, f := range []struct {
			src  diagnose.Source
			path string
		}{{diagnose.Webhooks, e.Webhooks}, {diagnose.ERPReceipts, e.ERP}, {diagnose.Confirmations, e.Confirmations}} {
			if err := d.ReadFile(ctx, f.src, f.path); err != nil {
				b.Fatal(err)
			}
		}
		rep := d.Report()
		stop()
		if rep.JoinedOrders == 0 {
			b.Fatal("nothing joined")
		}
	}
	b.ReportMetric(float64(e.Rows), "rows")
	b.ReportMetric(float64(e.Rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// sampleHeap records the largest heap in use until stop is called. It
// reads runtime/metrics, which does not stop the world as
// runtime.ReadMemStats does.
func sampleHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			metrics.Read(s)
			*peak = max(*peak, s[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// TestWriteSampleExports writes the benchmark's exports, and an
// oversells file, to $DIAGNOSE_SAMPLE_DIR for trying or timing the
// command itself (docs/DIAGNOSE.md); it is skipped otherwise.
func TestWriteSampleExports(t *testing.T) {
	dir := os.Getenv("DIAGNOSE_SAMPLE_DIR")
	if dir == "" {
		t.Skip("set DIAGNOSE_SAMPLE_DIR to write sample exports there")
	}
	must(t, os.MkdirAll(dir, 0o755))
	e := synthetic{Orders: 280_000, Seed: 1, Span: 7 * 24 * time.Hour, Webhook: withLoad(time.Second, 10*time.Minute),
		ERP: constant(2*time.Minute, 30*time.Second), RetryRate: 0.05, Lines: true, Lost: 0.005, ConfirmAtCapture: true}.write(t, dir)
	var ov strings.Builder
	ov.WriteString("marketplace,sku,at,units\n")
	r := rand.New(rand.NewPCG(9, 9))
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for range 60 {
		// Oversells cluster in the busy afternoons, as stock pushed from
		// a lagging ERP runs out there.
		at := start.Add(time.Duration(r.IntN(7))*24*time.Hour + 13*time.Hour + time.Duration(r.Int64N(int64(6*time.Hour))))
		if r.IntN(4) == 0 {
			at = start.Add(time.Duration(r.Int64N(int64(7 * 24 * time.Hour))))
		}
		fmt.Fprintf(&ov, "%s,%s,%s,%d\n", []string{"amazon", "walmart", "ebay"}[r.IntN(3)], skus[r.IntN(len(skus))], rfc(at), 1+r.IntN(2))
	}
	writeFile(t, dir, "oversells.csv", ov.String())
	t.Logf("wrote %d rows to %s", e.Rows, dir)
}
