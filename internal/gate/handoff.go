package gate

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/ordergate/ordergate/internal/order"
)

// The handoff: from the moment the ERP's acknowledgment is committed to the
// moment the confirmation's worker starts on it. It is the wait the gate
// adds between the ERP taking the order and the customer's message being
// under way, measured on this process's monotonic clock.
//
// The acknowledgment's timeline entry is stamped inside its transaction,
// before the commit's fsync, and the worker's first entry inside the
// worker's first transaction: the span between the two entries
// (bench --workload gate reports both) includes those two transactions.
// The handoff does not.
//
// Only a confirmation worked by the process that committed the
// acknowledgment is measured: with PostgreSQL another replica may take the
// job, and after a restart the start is gone. The start is noted when the
// acknowledging call returns, microseconds after the commit; a worker that
// started within those microseconds finds no start, is not measured, and
// its entry ages out.

// handoffLimit bounds the acknowledgments awaiting their confirmation's
// worker. An acknowledgment whose confirmation is not queued (an order
// held for short stock) or runs elsewhere is dropped after handoffStale.
const (
	handoffLimit = 4096
	handoffStale = time.Minute
)

type handoffs struct {
	mu sync.Mutex
	at map[order.Key]time.Time
	// seen, if set, is called with each handoff measured.
	seen atomic.Pointer[func(order.Key, time.Duration)]
}

// acknowledged notes that key's acknowledgment has just committed.
func (h *handoffs) acknowledged(key order.Key, now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.at == nil {
		h.at = make(map[order.Key]time.Time)
	}
	if len(h.at) >= handoffLimit {
		for k, t := range h.at {
			if now.Sub(t) > handoffStale {
				delete(h.at, k)
			}
		}
		if len(h.at) >= handoffLimit {
			return // a backlog of confirmations: measure again once it drains
		}
	}
	h.at[key] = now
}

// started returns how long ago key's acknowledgment committed, once: the
// confirmation's worker has started on it.
func (h *handoffs) started(key order.Key, now time.Time) (time.Duration, bool) {
	h.mu.Lock()
	t, ok := h.at[key]
	delete(h.at, key)
	h.mu.Unlock()
	if !ok {
		return 0, false
	}
	d := now.Sub(t)
	if f := h.seen.Load(); f != nil {
		(*f)(key, d)
	}
	return d, true
}

// OnHandoff has f called with every handoff this gate measures, from the
// confirmation's worker; nil stops it. ordergate bench uses it for exact
// percentiles; the metrics have the same figures as a histogram.
func (g *Gate) OnHandoff(f func(order.Key, time.Duration)) {
	if f == nil {
		g.handoff.seen.Store(nil)
		return
	}
	g.handoff.seen.Store(&f)
}
