// Package metrics exposes the gateway to Prometheus, named ordergate_….
//
// Two kinds of figure are served. The gauges of what the gateway holds —
// orders by state, overdue orders, the latest reconciliation (package
// storegauges), the job queue, the ERP budgets — are read at each scrape
// from where they live, so every replica reports the same store figures and
// none is lost on a restart. The counters and histograms of what happened —
// webhooks, ERP calls, messages, handoff latencies — are counted by the
// process that did the work, so they are summed across replicas in PromQL.
//
// A Recorder holds one registry per gateway (never the global default), so
// tests run side by side. Every method is safe on a nil *Recorder and then
// records nothing: the gate and the HTTP edge work the same without one.
// docs/METRICS.md lists every metric.
package metrics

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Buckets, in seconds, chosen for what each histogram times.
var (
	// webhookBuckets: a webhook is answered once its commit is done,
	// normally in milliseconds; a second is already far too slow for a
	// storefront that times out at five.
	webhookBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1}
	// handoffBuckets: an order's way from the storefront to the ERP's
	// acknowledgment and the customer's confirmation takes seconds when
	// all is well, and minutes to hours when the ERP is slow, down or
	// throttling, or an operator must step in.
	handoffBuckets = []float64{0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600}
	// erpBuckets: an ERP call takes tens of milliseconds to tens of
	// seconds (NetSuite's SuiteTalk often a few seconds).
	erpBuckets = []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}
)

// Recorder counts what the gateway does and serves /metrics. Make one with
// New per gateway; a nil *Recorder records nothing.
type Recorder struct {
	reg *prometheus.Registry
	log *slog.Logger

	webhooks        *prometheus.CounterVec
	webhookDuration *prometheus.HistogramVec

	captureToAck          *prometheus.HistogramVec
	ackToConfirmation     *prometheus.HistogramVec
	captureToConfirmation *prometheus.HistogramVec
	confirmationHandoff   prometheus.Histogram

	erpCalls        *prometheus.CounterVec
	erpCallDuration *prometheus.HistogramVec
	erpThrottled    *prometheus.CounterVec
	budgets         *budgetCollector

	jobs *jobCollector

	notifications     *prometheus.CounterVec
	marketplacePushes *prometheus.CounterVec
}

// New returns a recorder with its own registry, holding every metric of
// this package and the Go and process collectors; Register adds the
// store's gauges.
func New(log *slog.Logger) *Recorder {
	if log == nil {
		log = slog.Default()
	}
	r := &Recorder{
		reg: prometheus.NewRegistry(),
		log: log,
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ordergate_webhooks_total",
			Help: "Storefront webhook deliveries answered, by storefront, topic and result (stored, duplicate, ignored, ping, refused_signature, refused_malformed, too_large, store_error).",
		}, []string{"storefront", "topic", "result"}),
		webhookDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ordergate_webhook_duration_seconds",
			Help:    "Time from a webhook's receipt to its reply, by storefront.",
			Buckets: webhookBuckets,
		}, []string{"storefront"}),
		captureToAck: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ordergate_capture_to_ack_seconds",
			Help:    "Time from the storefront's capture of an order to the ERP's acknowledgment, observed once per order when the acknowledgment commits.",
			Buckets: handoffBuckets,
		}, []string{"storefront"}),
		ackToConfirmation: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ordergate_ack_to_confirmation_seconds",
			Help:    "Time from the ERP's acknowledgment of an order to its confirmation, observed once per order when the confirmation commits.",
			Buckets: handoffBuckets,
		}, []string{"storefront"}),
		confirmationHandoff: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "ordergate_confirmation_handoff_seconds",
			Help:    "Time from the commit of an ERP acknowledgment to the confirmation's worker starting on it, in the process that committed it.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
		captureToConfirmation: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ordergate_capture_to_confirmation_seconds",
			Help:    "Time from the storefront's capture of an order to its confirmation, observed once per order when the confirmation commits.",
			Buckets: handoffBuckets,
		}, []string{"storefront"}),
		erpCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ordergate_erp_calls_total",
			Help: "Calls made to an ERP, by ERP, operation (submit, lookup, cancel, availability) and result (ok, rejected, throttled, in_doubt, not_found, error).",
		}, []string{"erp", "op", "result"}),
		erpCallDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ordergate_erp_call_duration_seconds",
			Help:    "Duration of calls to an ERP, by ERP and operation, not counting the wait for a slot of its budget.",
			Buckets: erpBuckets,
		}, []string{"erp", "op"}),
		erpThrottled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ordergate_erp_throttled_total",
			Help: "Calls an ERP answered with a throttle (429, concurrency limit), by ERP.",
		}, []string{"erp"}),
		budgets: newBudgetCollector(),
		jobs:    newJobCollector(log),
		notifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ordergate_notifications_total",
			Help: "Customer messages settled, by kind and result (sent, failed, in_doubt, skipped_no_email, skipped_not_due).",
		}, []string{"kind", "result"}),
		marketplacePushes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ordergate_marketplace_pushes_total",
			Help: "Listing updates pushed to a marketplace, by marketplace and result (sent, held, throttled, failed, rejected).",
		}, []string{"marketplace", "result"}),
	}
	r.reg.MustRegister(
		r.webhooks, r.webhookDuration,
		r.captureToAck, r.ackToConfirmation, r.captureToConfirmation, r.confirmationHandoff,
		r.erpCalls, r.erpCallDuration, r.erpThrottled, r.budgets,
		r.jobs,
		r.notifications, r.marketplacePushes,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	r.initNotifications()
	return r
}

// Register adds collectors to the recorder's registry: the gauges read from
// the store at each scrape (storegauges.New), once the store is open (the
// gate is built before the store, and the recorder before the gate). It
// panics if a collector's metrics are registered already.
func (r *Recorder) Register(cs ...prometheus.Collector) {
	if r == nil {
		return
	}
	r.reg.MustRegister(cs...)
}

// Handler returns the /metrics handler.
func (r *Recorder) Handler() http.Handler {
	if r == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(r.log.Handler(), slog.LevelWarn)})
}
