package diagnose_test

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

// synthetic describes exports whose cause is known: orders arrive at a
// rate that follows the time of day (a quiet night, a busy afternoon),
// and each leg's delay is drawn from a function of the load at capture
// (the arrival rate then, as a share of the busiest rate).
type synthetic struct {
	Orders  int
	Start   time.Time
	Span    time.Duration
	Seed    uint64
	Webhook func(r *rand.Rand, load float64) time.Duration // triggered → delivered
	ERP     func(r *rand.Rand, load float64) time.Duration // delivered → ERP received
	// RetryRate is the share of orders whose first delivery attempt
	// failed and was retried a minute later.
	RetryRate float64
	// Lines writes one row per SKU line, with sku and quantity, in both
	// the webhook and the ERP export.
	Lines bool
	// Lost is the share of orders the ERP never receives.
	Lost float64
	// ConfirmAtCapture confirms every order when it is triggered, as a
	// storefront does without the gateway; otherwise none is confirmed.
	ConfirmAtCapture bool
	Format           string // csv (default) or jsonl
	Gzip             bool
}

// exports are the files written, and their row counts.
type exports struct {
	Webhooks, ERP, Confirmations string
	Rows                         int
}

// rate is the arrival rate at t, as a share of the busiest: low at
// night, peaking mid-afternoon UTC.
func rate(t time.Time) float64 {
	h := float64(t.Hour()) + float64(t.Minute())/60
	return 0.15 + 0.85*math.Pow(math.Max(0, math.Sin(math.Pi*(h-6)/18)), 2)
}

var skus = []string{"TEE-BLK-M", "TEE-WHT-L", "MUG-12OZ", "CAP-NAVY", "SOCK-3PK", "HOODIE-GRY-XL"}

func (s synthetic) write(t testing.TB, dir string) exports {
	t.Helper()
	r := rand.New(rand.NewPCG(s.Seed, 0x9e3779b97f4a7c15))
	if s.Start.IsZero() {
		s.Start = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	}
	if s.Span == 0 {
		s.Span = 48 * time.Hour
	}
	times := make([]time.Time, 0, s.Orders)
	for len(times) < s.Orders {
		at := s.Start.Add(time.Duration(r.Int64N(int64(s.Span))))
		if r.Float64() < rate(at) {
			times = append(times, at.Truncate(time.Millisecond))
		}
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })

	ext := ".csv"
	if s.Format == "jsonl" {
		ext = ".jsonl"
	}
	if s.Gzip {
		ext += ".gz"
	}
	var e exports
	wh := newSink(t, filepath.Join(dir, "webhooks"+ext), s.Format, s.Gzip, []string{"order_id", "triggered_at", "delivered_at", "attempt", "sku", "quantity"})
	erp := newSink(t, filepath.Join(dir, "erp"+ext), s.Format, s.Gzip, []string{"order_id", "received_at", "sku", "quantity"})
	e.Webhooks, e.ERP = wh.path, erp.path
	var conf *sink
	if s.ConfirmAtCapture {
		conf = newSink(t, filepath.Join(dir, "confirmations"+ext), s.Format, s.Gzip, []string{"order_id", "sent_at"})
		e.Confirmations = conf.path
	}
	for i, trig := range times {
		id := strconv.Itoa(5_100_000_000 + i)
		load := rate(trig)
		type ln struct {
			sku string
			qty int
		}
		lines := []ln{{}}
		if s.Lines {
			lines = lines[:0]
			for range 1 + r.IntN(2) {
				lines = append(lines, ln{skus[r.IntN(len(skus))], 1 + r.IntN(3)})
			}
		}
		delivered := trig.Add(s.Webhook(r, load)).Truncate(time.Millisecond)
		attempt := 1
		if r.Float64() < s.RetryRate {
			for _, l := range lines {
				wh.row(id, rfc(trig), "", "1", l.sku, qty(l.qty))
			}
			attempt = 2
			delivered = delivered.Add(time.Minute)
		}
		for _, l := range lines {
			wh.row(id, rfc(trig), rfc(delivered), strconv.Itoa(attempt), l.sku, qty(l.qty))
		}
		if conf != nil {
			conf.row(id, rfc(trig))
		}
		if r.Float64() < s.Lost {
			continue
		}
		received := delivered.Add(s.ERP(r, load)).Truncate(time.Millisecond)
		for _, l := range lines {
			erp.row(id, rfc(received), l.sku, qty(l.qty))
		}
	}
	e.Rows = wh.close() + erp.close()
	if conf != nil {
		e.Rows += conf.close()
	}
	return e
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func qty(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// sink writes one export, CSV or JSON lines, plain or gzipped.
type sink struct {
	t      testing.TB
	path   string
	format string
	cols   []string
	f      *os.File
	zw     *gzip.Writer
	w      *bufio.Writer
	rows   int
}

func newSink(t testing.TB, path, format string, gz bool, cols []string) *sink {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{t: t, path: path, format: format, cols: cols, f: f}
	var w io.Writer = f
	if gz {
		s.zw = gzip.NewWriter(f)
		w = s.zw
	}
	s.w = bufio.NewWriterSize(w, 1<<16)
	if format != "jsonl" {
		s.line(cols...)
	}
	return s
}

func (s *sink) row(vals ...string) {
	s.rows++
	if s.format != "jsonl" {
		s.line(vals...)
		return
	}
	m := map[string]any{}
	for i, c := range s.cols {
		if vals[i] == "" {
			continue
		}
		if n, err := strconv.Atoi(vals[i]); err == nil && (c == "attempt" || c == "quantity") {
			m[c] = n
		} else {
			m[c] = vals[i]
		}
	}
	b, _ := json.Marshal(m)
	s.w.Write(b)
	s.w.WriteByte('\n')
}

func (s *sink) line(vals ...string) {
	for i, v := range vals {
		if i > 0 {
			s.w.WriteByte(',')
		}
		s.w.WriteString(v)
	}
	s.w.WriteByte('\n')
}

func (s *sink) close() int {
	s.t.Helper()
	if err := s.w.Flush(); err != nil {
		s.t.Fatal(err)
	}
	if s.zw != nil {
		if err := s.zw.Close(); err != nil {
			s.t.Fatal(err)
		}
	}
	if err := s.f.Close(); err != nil {
		s.t.Fatal(err)
	}
	return s.rows
}

// Delay models.

func constant(d, jitter time.Duration) func(*rand.Rand, float64) time.Duration {
	return func(r *rand.Rand, _ float64) time.Duration {
		return d - jitter + time.Duration(r.Int64N(int64(2*jitter)+1))
	}
}

// withLoad is a queue's delay: base plus up to busy more at the busiest
// time, growing with the square of the load, with ±20% noise.
func withLoad(base, busy time.Duration) func(*rand.Rand, float64) time.Duration {
	return func(r *rand.Rand, load float64) time.Duration {
		d := float64(base) + float64(busy)*load*load
		return time.Duration(d * (0.8 + 0.4*r.Float64()))
	}
}

func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
