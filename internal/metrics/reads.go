package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// ReadStats are the read router's counters, read at each scrape.
type ReadStats struct {
	Primary  uint64 // routed reads the primary answered
	Replicas []ReplicaStats
}

// ReplicaStats is one Postgres replica's state.
type ReplicaStats struct {
	Name  string // host:port
	Up    bool   // in use: answering and within the lag bound
	Lag   time.Duration
	Reads uint64
}

var (
	readsTotal = prometheus.NewDesc("folio_db_reads_total", "Routed reads by target: primary, or a replica's host:port.", []string{"target"}, nil)
	replicaLag = prometheus.NewDesc("folio_db_replica_lag_seconds", "Each replica's lag at its last check; -1 while it does not answer.", []string{"replica"}, nil)
	replicaUp  = prometheus.NewDesc("folio_db_replica_up", "1 while a replica answers reads: reachable and within REPLICA_MAX_LAG.", []string{"replica"}, nil)
)

type readsCollector struct{ stats func() ReadStats }

func (readsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- readsTotal
	ch <- replicaLag
	ch <- replicaUp
}

func (c readsCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	if len(s.Replicas) == 0 {
		return // no replica: every read is the primary's, nothing to tell
	}
	ch <- prometheus.MustNewConstMetric(readsTotal, prometheus.CounterValue, float64(s.Primary), "primary")
	for _, r := range s.Replicas {
		ch <- prometheus.MustNewConstMetric(readsTotal, prometheus.CounterValue, float64(r.Reads), r.Name)
		lag := r.Lag.Seconds()
		if r.Lag < 0 {
			lag = -1
		}
		ch <- prometheus.MustNewConstMetric(replicaLag, prometheus.GaugeValue, lag, r.Name)
		up := 0.0
		if r.Up {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(replicaUp, prometheus.GaugeValue, up, r.Name)
	}
}

// WatchReads exports where reads went and each Postgres replica's lag.
func (m *Metrics) WatchReads(stats func() ReadStats) {
	m.reg.MustRegister(readsCollector{stats: stats})
}
