package metrics

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// poolCollector reads a pgx pool's statistics at each scrape.
type poolCollector struct{ stat func() *pgxpool.Stat }

var (
	poolAcquired    = poolDesc("acquired_connections", "Connections in use.")
	poolIdle        = poolDesc("idle_connections", "Idle connections.")
	poolTotal       = poolDesc("total_connections", "Open connections.")
	poolMax         = poolDesc("max_connections", "The pool's maximum size.")
	poolAcquires    = poolDesc("acquires_total", "Connections handed out.")
	poolAcquireSecs = poolDesc("acquire_wait_seconds_total", "Time spent waiting for a connection.")
	poolEmpty       = poolDesc("empty_acquires_total", "Acquires that had to wait because the pool was empty.")
	poolCanceled    = poolDesc("canceled_acquires_total", "Acquires cancelled while waiting.")
	poolNew         = poolDesc("new_connections_total", "Connections opened.")
)

func poolDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc("folio_pgx_pool_"+name, help, nil, nil)
}

func (poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolAcquired, poolIdle, poolTotal, poolMax, poolAcquires, poolAcquireSecs, poolEmpty, poolCanceled, poolNew} {
		ch <- d
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stat()
	gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	gauge(poolAcquired, float64(s.AcquiredConns()))
	gauge(poolIdle, float64(s.IdleConns()))
	gauge(poolTotal, float64(s.TotalConns()))
	gauge(poolMax, float64(s.MaxConns()))
	counter(poolAcquires, float64(s.AcquireCount()))
	counter(poolAcquireSecs, s.AcquireDuration().Seconds())
	counter(poolEmpty, float64(s.EmptyAcquireCount()))
	counter(poolCanceled, float64(s.CanceledAcquireCount()))
	counter(poolNew, float64(s.NewConnsCount()))
}
