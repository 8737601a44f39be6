// Package storegauges reads the gauges of what the gateway holds from the
// store at each scrape: orders by state, overdue orders, the store's health
// and the latest reconciliation run. Every replica reports the same figures,
// and none is lost on a restart.
//
// It is apart from package metrics because it knows the reconciliation's
// report, and the gate, which reconciliation's tests build, reports to
// package metrics.
package storegauges

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/reconcile"
	"github.com/ordergate/ordergate/internal/store"
)

// Collector reads the gauges from the store; register it with
// metrics.Recorder.Register.
type Collector struct {
	s   store.Store
	log *slog.Logger

	orders  *prometheus.Desc
	overdue *prometheus.Desc
	up      *prometheus.Desc

	// The latest reconciliation run.
	reconcileFindings  *prometheus.Desc
	reconcileRecovered *prometheus.Desc
	reconcileErrors    *prometheus.Desc
	reconcileLastRun   *prometheus.Desc
}

// New returns the store's collector. A failed read is logged on log, and
// reported as ordergate_store_up 0.
func New(s store.Store, log *slog.Logger) *Collector {
	return &Collector{
		s: s, log: log,
		orders:  prometheus.NewDesc("ordergate_orders", "Orders held by the gateway, by state.", []string{"state"}, nil),
		overdue: prometheus.NewDesc("ordergate_orders_overdue", "Orders past their confirmation SLA and not settled.", nil, nil),
		up:      prometheus.NewDesc("ordergate_store_up", "1 if the store answered this scrape, 0 if not.", nil, nil),
		reconcileFindings: prometheus.NewDesc("ordergate_reconcile_findings",
			"Discrepancies the latest reconciliation run found, by kind.", []string{"kind"}, nil),
		reconcileRecovered: prometheus.NewDesc("ordergate_reconcile_recovered",
			"Orders the latest reconciliation run backfilled or repaired.", nil, nil),
		reconcileErrors: prometheus.NewDesc("ordergate_reconcile_errors",
			"Calls the latest reconciliation run could not make (a storefront or ERP down).", nil, nil),
		reconcileLastRun: prometheus.NewDesc("ordergate_reconcile_last_run_timestamp_seconds",
			"When the latest reconciliation run finished, in Unix seconds.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.orders
	ch <- c.overdue
	ch <- c.up
	ch <- c.reconcileFindings
	ch <- c.reconcileRecovered
	ch <- c.reconcileErrors
	ch <- c.reconcileLastRun
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.s.Counts(ctx)
	var overdue int
	if err == nil {
		overdue, err = c.s.Overdue(ctx)
	}
	if err != nil {
		c.log.Warn("metrics: could not read the store", "err", err)
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	for _, st := range order.States {
		ch <- prometheus.MustNewConstMetric(c.orders, prometheus.GaugeValue, float64(counts[st]), string(st))
	}
	ch <- prometheus.MustNewConstMetric(c.overdue, prometheus.GaugeValue, float64(overdue))
	c.collectReconcile(ctx, ch)
}

// collectReconcile reports the latest reconciliation run, if there is one.
func (c *Collector) collectReconcile(ctx context.Context, ch chan<- prometheus.Metric) {
	runs, err := c.s.Runs(ctx, reconcile.RunKind, 1)
	if err != nil {
		c.log.Warn("metrics: could not read the reconciliation runs", "err", err)
		return
	}
	if len(runs) == 0 {
		return
	}
	var rep reconcile.Report
	if err := json.Unmarshal(runs[0].Summary, &rep); err != nil {
		c.log.Warn("metrics: unreadable reconciliation run", "run", runs[0].ID, "err", err)
		return
	}
	for _, k := range reconcile.Kinds {
		ch <- prometheus.MustNewConstMetric(c.reconcileFindings, prometheus.GaugeValue, float64(rep.Counts[k]), k)
	}
	ch <- prometheus.MustNewConstMetric(c.reconcileRecovered, prometheus.GaugeValue, float64(rep.Recovered))
	ch <- prometheus.MustNewConstMetric(c.reconcileErrors, prometheus.GaugeValue, float64(len(rep.Errors)))
	ch <- prometheus.MustNewConstMetric(c.reconcileLastRun, prometheus.GaugeValue, float64(rep.FinishedAt.UnixMilli())/1000)
}
