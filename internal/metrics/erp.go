package metrics

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/order"
)

// The ERP operations, as the op label names them.
const (
	OpSubmit       = "submit"
	OpLookup       = "lookup"
	OpCancel       = "cancel"
	OpAvailability = "availability"
)

// The results of an ERP call, as the result label names them: one per kind
// of the erp package's errors that the gate acts on differently.
const (
	ERPOK        = "ok"
	ERPRejected  = "rejected"
	ERPThrottled = "throttled"
	ERPInDoubt   = "in_doubt"
	ERPNotFound  = "not_found"
	ERPError     = "error" // unavailable, refused credentials, timed out, …
)

var (
	erpOps     = []string{OpSubmit, OpLookup, OpCancel, OpAvailability}
	erpResults = []string{ERPOK, ERPRejected, ERPThrottled, ERPInDoubt, ERPNotFound, ERPError}
)

// erpResult names the result of a call that returned err.
func erpResult(err error) string {
	switch {
	case err == nil:
		return ERPOK
	case errors.Is(err, erp.ErrRejected):
		return ERPRejected
	case errors.Is(err, erp.ErrThrottled):
		return ERPThrottled
	case errors.Is(err, erp.ErrInDoubt):
		return ERPInDoubt
	case errors.Is(err, erp.ErrNotFound):
		return ERPNotFound
	}
	return ERPError
}

// InstrumentERP returns c with every call counted and timed under the ERP's
// name. Wrap the client inside its budget (erp.Limit(r.InstrumentERP(name,
// c), b)) so that the durations are the ERP's and not the wait for a slot.
// A nil recorder returns c as it is.
func (r *Recorder) InstrumentERP(name string, c erp.Client) erp.Client {
	if r == nil {
		return c
	}
	// Every series exists from the start, at 0, so that rate() and
	// increase() see a throttle's first occurrence.
	for _, op := range erpOps {
		for _, res := range erpResults {
			r.erpCalls.WithLabelValues(name, op, res)
		}
	}
	r.erpThrottled.WithLabelValues(name)
	return instrumented{c: c, r: r, name: name}
}

type instrumented struct {
	c    erp.Client
	r    *Recorder
	name string
}

var _ erp.Client = instrumented{}

func (i instrumented) observe(op string, start time.Time, err error) {
	res := erpResult(err)
	i.r.erpCalls.WithLabelValues(i.name, op, res).Inc()
	i.r.erpCallDuration.WithLabelValues(i.name, op).Observe(time.Since(start).Seconds())
	if res == ERPThrottled {
		i.r.erpThrottled.WithLabelValues(i.name).Inc()
	}
}

func (i instrumented) Submit(ctx context.Context, o order.Order) (erp.Receipt, error) {
	start := time.Now()
	rec, err := i.c.Submit(ctx, o)
	i.observe(OpSubmit, start, err)
	return rec, err
}

func (i instrumented) Lookup(ctx context.Context, externalID string) (erp.Receipt, error) {
	start := time.Now()
	rec, err := i.c.Lookup(ctx, externalID)
	i.observe(OpLookup, start, err)
	return rec, err
}

func (i instrumented) Cancel(ctx context.Context, externalID, reason string) error {
	start := time.Now()
	err := i.c.Cancel(ctx, externalID, reason)
	i.observe(OpCancel, start, err)
	return err
}

func (i instrumented) Availability(ctx context.Context, skus []string) (map[string]int, error) {
	start := time.Now()
	avail, err := i.c.Availability(ctx, skus)
	i.observe(OpAvailability, start, err)
	return avail, err
}

// WatchBudget reports the ERP's budget at each scrape: the calls holding a
// slot (ordergate_erp_inflight) and the calls waiting for one
// (ordergate_erp_waiting). A second budget under the same name replaces the
// first.
func (r *Recorder) WatchBudget(name string, b *erp.Budget) {
	if r == nil || b == nil {
		return
	}
	r.budgets.mu.Lock()
	defer r.budgets.mu.Unlock()
	r.budgets.budgets[name] = b
}

// budgetCollector reads the ERP budgets at each scrape.
type budgetCollector struct {
	mu      sync.Mutex
	budgets map[string]*erp.Budget

	inflight *prometheus.Desc
	waiting  *prometheus.Desc
}

func newBudgetCollector() *budgetCollector {
	return &budgetCollector{
		budgets: make(map[string]*erp.Budget),
		inflight: prometheus.NewDesc("ordergate_erp_inflight",
			"Calls to an ERP holding a slot of its concurrency budget now, by ERP.", []string{"erp"}, nil),
		waiting: prometheus.NewDesc("ordergate_erp_waiting",
			"Calls to an ERP waiting for a slot of its concurrency budget now, by ERP.", []string{"erp"}, nil),
	}
}

func (c *budgetCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.inflight
	ch <- c.waiting
}

func (c *budgetCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for name, b := range c.budgets {
		ch <- prometheus.MustNewConstMetric(c.inflight, prometheus.GaugeValue, float64(b.InFlight()), name)
		ch <- prometheus.MustNewConstMetric(c.waiting, prometheus.GaugeValue, float64(b.Waiting()), name)
	}
}
