// Package metrics exposes the gateway's state to Prometheus, named
// ordergate_…. The order gauges are read from the store at each scrape, so
// every replica reports the same figures and none is lost on a restart.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// storeCollector reads the order gauges from the store.
type storeCollector struct {
	s   store.Store
	log *slog.Logger

	orders  *prometheus.Desc
	overdue *prometheus.Desc
	up      *prometheus.Desc
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.orders
	ch <- c.overdue
	ch <- c.up
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
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
}

// Handler returns the /metrics handler: the order gauges, and the Go and
// process collectors.
func Handler(s store.Store, log *slog.Logger) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		&storeCollector{
			s: s, log: log,
			orders:  prometheus.NewDesc("ordergate_orders", "Orders held by the gateway, by state.", []string{"state"}, nil),
			overdue: prometheus.NewDesc("ordergate_orders_overdue", "Orders past their confirmation SLA and not settled.", nil, nil),
			up:      prometheus.NewDesc("ordergate_store_up", "1 if the store answered this scrape, 0 if not.", nil, nil),
		},
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)})
}
