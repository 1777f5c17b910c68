package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// jobMetrics are the job queue's collectors, registered on first use.
type jobMetrics struct {
	once sync.Once
	done *prometheus.CounterVec
	wait *prometheus.HistogramVec
	run  *prometheus.HistogramVec
}

var jobBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300}

func (m *Metrics) jobs() *jobMetrics {
	m.job.once.Do(func() {
		m.job.done = prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "folio_jobs_total",
			Help: "Jobs run, by kind and outcome: completed, retry (failed, will run again) or discarded (failed for the last time).",
		}, []string{"kind", "outcome"})
		m.job.wait = prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "folio_job_queue_wait_seconds", Help: "Time a job waited between becoming available and starting, by kind.", Buckets: jobBuckets,
		}, []string{"kind"})
		m.job.run = prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "folio_job_run_seconds", Help: "Time a job ran, by kind.", Buckets: jobBuckets,
		}, []string{"kind"})
		m.reg.MustRegister(m.job.done, m.job.wait, m.job.run)
	})
	return &m.job
}

// JobDone counts a job that ran (jobs.Recorder).
func (m *Metrics) JobDone(kind, outcome string, wait, run time.Duration) {
	if m == nil {
		return
	}
	j := m.jobs()
	j.done.WithLabelValues(kind, outcome).Inc()
	j.wait.WithLabelValues(kind).Observe(wait.Seconds())
	j.run.WithLabelValues(kind).Observe(run.Seconds())
}

var queueDepth = prometheus.NewDesc("folio_job_queue_depth", "Jobs in the queue by state (available, scheduled, retryable, running, discarded), read at each scrape.", []string{"state"}, nil)

// depthCollector reads the queue's depth at each scrape, bounded in time.
type depthCollector struct {
	depth func(ctx context.Context) (map[string]int64, error)
}

func (depthCollector) Describe(ch chan<- *prometheus.Desc) { ch <- queueDepth }

func (c depthCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := c.depth(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(queueDepth, err)
		return
	}
	for state, n := range counts {
		ch <- prometheus.MustNewConstMetric(queueDepth, prometheus.GaugeValue, float64(n), state)
	}
}

// WatchQueue exports the job queue's depth by state, as depth reports it.
func (m *Metrics) WatchQueue(depth func(ctx context.Context) (map[string]int64, error)) {
	if m == nil {
		return
	}
	m.reg.MustRegister(depthCollector{depth: depth})
}
