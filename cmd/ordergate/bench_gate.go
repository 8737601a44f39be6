package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/ordergate/ordergate/internal/bench"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/store"
)

// gateSample bounds the timelines read to measure the gate: enough for a
// p99.9, few enough to read in seconds.
const gateSample = 5000

// gate measures the hop the customer waits on once the ERP has the order,
// two ways. The handoff: from the commit of the acknowledgment (with the
// confirmation's job) to the confirmation's worker starting on it, on the
// gateway's monotonic clock (gate.OnHandoff). The span: from the
// acknowledgment's timeline entry, stamped inside its transaction before
// the commit's fsync, to the worker's first entry (notify_attempt), stamped
// inside the worker's first transaction; it adds those two transactions.
// First quiet (20 orders a second: the baseline), then while webhooks
// arrive at --gate-rate besides.
//
// The load goes to a second storefront, bulk, whose ERP is sized like a
// NetSuite account (15 slots, 1–2 s calls, a 429 past them): as in
// production, the ingest runs at the storefront's pace while the ERP sets
// the pace of acknowledgments, and a backlog builds in its queue. Sending
// the load through the quick ERP instead would acknowledge thousands of
// orders a second, and measure a machine running every order's whole life
// at once rather than this hop under ingest.
func (c *benchCmd) gate(ctx context.Context) ([]benchRow, error) {
	// A quick ERP with room to spare, so that what is measured is the
	// gate's hop, not the ERP's queue.
	sim := erpsim.New(erpsim.Config{Latency: erpsim.Latency{Min: time.Millisecond, Median: 2 * time.Millisecond, P99: 5 * time.Millisecond}})
	defer sim.Close()
	erpURL, closeERP, err := serveLoopback(sim)
	if err != nil {
		return nil, err
	}
	defer closeERP()
	const bulkSlots = 15
	bulkSim := erpsim.New(erpsim.Config{Latency: erpsim.Latency{Min: time.Second, Median: 1500 * time.Millisecond, P99: 2 * time.Second}})
	defer bulkSim.Close()
	bulkURL, closeBulk, err := serveLoopback(bench.NewConcurrencyLimit(bulkSim, bulkSlots))
	if err != nil {
		return nil, err
	}
	defer closeBulk()
	gw, secret, cleanup, err := c.benchGatewayWith(ctx,
		fmt.Sprintf("{name: erp, kind: sandbox, base_url: %q, max_concurrency: 32, timeout: 10s}", erpURL),
		fmt.Sprintf("{name: bulk, kind: sandbox, base_url: %q, max_concurrency: %d, timeout: 10s}", bulkURL, bulkSlots))
	if err != nil {
		return nil, err
	}
	defer cleanup()
	hc := bench.Client(c.Connections)
	target := gw.addr() + "/webhooks/shopify/bench"

	var handoffs handoffSamples
	gw.gate.OnHandoff(handoffs.add)
	defer gw.gate.OnHandoff(nil)

	quiet := min(c.Duration, 5*time.Second)
	fmt.Fprintf(os.Stderr, "gate: quiet, 20 orders/s for %s\n", quiet)
	start := time.Now()
	idleIn, ierr := bench.Open(ctx, bench.NewWebhooks(target, []byte(secret), 1<<53), hc, 20, quiet, 4096)
	settle(ctx, gw, 10*time.Second)
	idle, idleOpen, err := gateLatencies(ctx, gw.store, "bench", start, time.Now())
	if err != nil {
		return nil, err
	}
	idleHandoffs := handoffs.take()

	fmt.Fprintf(os.Stderr, "gate: 20 orders/s while ingesting %.0f webhooks/s into bulk for %s\n", c.GateRate, c.Duration)
	start = time.Now()
	var measured bench.Result
	var merr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		measured, merr = bench.Open(ctx, bench.NewWebhooks(target, []byte(secret), 1<<53+200_000_000), bench.Client(4), 20, c.Duration, 4096)
	}()
	in, lerr := bench.Open(ctx, bench.NewWebhooks(gw.addr()+"/webhooks/shopify/bulk", []byte(secret), 1<<53+100_000_000), hc, c.GateRate, c.Duration, 4096)
	<-done
	end := time.Now()
	// Let the hops begun under load finish; later ones are not counted.
	time.Sleep(3 * time.Second)
	loaded, loadedOpen, err := gateLatencies(ctx, gw.store, "bench", start, end)
	if err != nil {
		return nil, err
	}
	loadedHandoffs := handoffs.take()

	base := gateRow("quiet", idleHandoffs, idle, idleIn, 20)
	base.Note = joinNotes(ierr)
	if idleOpen > 0 {
		base.Note += fmt.Sprintf("; %d acknowledged orders not yet handed to the confirmation worker", idleOpen)
	}
	r := gateRow(fmt.Sprintf("ingest@%.0f", c.GateRate), loadedHandoffs, loaded, in, c.GateRate)
	r.BaselineP99, r.BaselineP50 = base.P99, base.P50
	r.Note = joinNotes(lerr, merr)
	if measured.Non2xx > 0 {
		r.Note += fmt.Sprintf("; %d of the measured storefront's webhooks refused", measured.Non2xx)
	}
	if loadedOpen > 0 {
		r.Note += fmt.Sprintf("; %d orders acknowledged under load not handed to the confirmation worker 3 s after the load ended (not counted)", loadedOpen)
	}
	return []benchRow{base, r}, nil
}

// gateRow is one phase: its latencies are the gate's handoffs, its span
// figures those of the timeline entries; its rate is the webhooks stored a
// second against those offered.
func gateRow(mode string, handoff, span []time.Duration, in bench.Result, offered float64) benchRow {
	r := benchRow{Workload: "gate", Mode: mode, Rate: in.Rate, BaselineRate: offered, Requests: in.Requests, Non2xx: in.Non2xx,
		Errors: in.Errors, Statuses: in.Statuses, Samples: len(handoff), SpanSamples: len(span)}
	if offered > 0 {
		r.Ratio = in.Rate / offered
	}
	r.P50, r.P99, r.P999, r.Max = percentiles(handoff)
	r.SpanP50, r.SpanP99, r.SpanP999, r.SpanMax = percentiles(span)
	return r
}

// percentiles sorts lat and returns its p50, p99, p99.9 and max in
// milliseconds.
func percentiles(lat []time.Duration) (p50, p99, p999, maxMS float64) {
	slices.Sort(lat)
	if len(lat) > 0 {
		maxMS = float64(lat[len(lat)-1].Microseconds()) / 1000
	}
	return pctMS(lat, 0.50), pctMS(lat, 0.99), pctMS(lat, 0.999), maxMS
}

// handoffSamples collects the measured storefront's handoffs as the gate
// reports them.
type handoffSamples struct {
	mu  sync.Mutex
	lat []time.Duration
}

func (h *handoffSamples) add(key order.Key, d time.Duration) {
	if key.Storefront != "bench" {
		return
	}
	h.mu.Lock()
	h.lat = append(h.lat, d)
	h.mu.Unlock()
}

// take returns the handoffs since the last take.
func (h *handoffSamples) take() []time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	lat := h.lat
	h.lat = nil
	return lat
}

// settle waits until no order is received, submitted or acknowledged, or
// for at most d.
func settle(ctx context.Context, gw *gateway, d time.Duration) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		counts, err := gw.store.Counts(ctx)
		if err == nil && counts[order.Received]+counts[order.Submitted]+counts[order.Acknowledged] == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// gateLatencies reads the timelines of up to gateSample orders acknowledged
// between from and to, and returns acknowledgment → confirmation worker for
// each that got that far, and how many had not.
func gateLatencies(ctx context.Context, st store.Store, storefront string, from, to time.Time) ([]time.Duration, int, error) {
	var lat []time.Duration
	open, read := 0, 0
	for _, state := range []order.State{order.Confirmed, order.Acknowledged} {
		before := time.Time{}
		for read < gateSample {
			page, err := st.List(ctx, store.Filter{Storefront: storefront, State: state, Limit: 1000, Before: before})
			if err != nil {
				return nil, 0, err
			}
			if len(page) == 0 {
				break
			}
			for _, o := range page {
				before = o.ReceivedAt
				if o.AcknowledgedAt.Before(from) || o.AcknowledgedAt.After(to) {
					continue
				}
				evs, err := st.Timeline(ctx, o.Key)
				if err != nil {
					return nil, 0, err
				}
				read++
				var ack, attempt time.Time
				for _, e := range evs {
					switch {
					case e.Kind == order.EventAcknowledged && ack.IsZero():
						ack = e.At
					case e.Kind == order.EventNotifyAttempt && attempt.IsZero() && !ack.IsZero():
						attempt = e.At
					}
				}
				if ack.IsZero() {
					continue
				}
				if attempt.IsZero() {
					open++
					continue
				}
				lat = append(lat, attempt.Sub(ack))
			}
			if len(page) < 1000 {
				break
			}
		}
	}
	return lat, open, nil
}

// pctMS is the nearest-rank percentile q of sorted, in milliseconds.
func pctMS(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*q+0.999999) - 1
	return float64(sorted[min(max(i, 0), len(sorted)-1)].Microseconds()) / 1000
}
