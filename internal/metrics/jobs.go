package metrics

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The job states the queue gauges report: the jobs not yet done.
var jobStates = []string{"available", "scheduled", "running", "retryable"}

// QueueJobs is the jobs of one queue in one state, as the job queue holds
// them.
type QueueJobs struct {
	Queue string
	State string // available, scheduled, running or retryable
	Count int
	// Oldest is, for available jobs, when the oldest of them became ready
	// to run (its scheduled_at); ignored for the other states.
	Oldest time.Time
}

// JobReader reads the job queue at a scrape, from the database that holds
// it, so that every replica reports the same figures.
type JobReader func(ctx context.Context) ([]QueueJobs, error)

// ReadJobs reports the job queue at each scrape, from read:
// ordergate_jobs{queue,state} and ordergate_job_oldest_age_seconds{queue}.
// Without it those gauges are described but never reported.
//
// The store owns River's client and does not offer a way to read the queue
// yet; docs/METRICS.md names the store method that would.
func (r *Recorder) ReadJobs(read JobReader) {
	if r == nil {
		return
	}
	r.jobs.mu.Lock()
	defer r.jobs.mu.Unlock()
	r.jobs.read = read
}

// jobCollector reads the job queue at each scrape.
type jobCollector struct {
	log *slog.Logger
	now func() time.Time

	mu   sync.Mutex
	read JobReader

	jobs   *prometheus.Desc
	oldest *prometheus.Desc
}

func newJobCollector(log *slog.Logger) *jobCollector {
	return &jobCollector{
		log: log, now: time.Now,
		jobs: prometheus.NewDesc("ordergate_jobs",
			"Jobs in the queue not yet done, by queue and state (available, scheduled, running, retryable).", []string{"queue", "state"}, nil),
		oldest: prometheus.NewDesc("ordergate_job_oldest_age_seconds",
			"How long the oldest job ready to run in a queue has waited for a worker; 0 when none waits.", []string{"queue"}, nil),
	}
}

func (c *jobCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.jobs
	ch <- c.oldest
}

func (c *jobCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	read := c.read
	c.mu.Unlock()
	if read == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rows, err := read(ctx)
	if err != nil {
		c.log.Warn("metrics: could not read the job queue", "err", err)
		return
	}
	// Every queue seen reports every state, 0 when it has no such job.
	counts := make(map[string]map[string]int)
	oldest := make(map[string]time.Time)
	for _, q := range rows {
		if counts[q.Queue] == nil {
			counts[q.Queue] = make(map[string]int)
		}
		counts[q.Queue][q.State] += q.Count
		if q.State == "available" && q.Count > 0 && !q.Oldest.IsZero() {
			if o, ok := oldest[q.Queue]; !ok || q.Oldest.Before(o) {
				oldest[q.Queue] = q.Oldest
			}
		}
	}
	now := c.now()
	for queue, byState := range counts {
		for _, st := range jobStates {
			ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, float64(byState[st]), queue, st)
		}
		age := 0.0
		if o, ok := oldest[queue]; ok {
			age = seconds(o, now)
		}
		ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, age, queue)
	}
}
