package metrics_test

import (
	"strings"
	"testing"
	"time"

	"github.com/folio/folio/internal/metrics"
)

func TestMetrics_WatchReads(t *testing.T) {
	t.Run("Replicas", func(t *testing.T) {
		m := metrics.New(metrics.Options{})
		m.WatchReads(func() metrics.ReadStats {
			return metrics.ReadStats{Primary: 3, Replicas: []metrics.ReplicaStats{
				{Name: "10.0.0.2:5432", Up: true, Lag: 250 * time.Millisecond, Reads: 40},
				{Name: "10.0.0.3:5432", Up: false, Lag: -1, Reads: 2},
			}}
		})
		body := scrape(t, m)
		for _, want := range []string{
			`folio_db_reads_total{target="primary"} 3`,
			`folio_db_reads_total{target="10.0.0.2:5432"} 40`,
			`folio_db_replica_lag_seconds{replica="10.0.0.2:5432"} 0.25`,
			`folio_db_replica_up{replica="10.0.0.2:5432"} 1`,
			`folio_db_replica_lag_seconds{replica="10.0.0.3:5432"} -1`,
			`folio_db_replica_up{replica="10.0.0.3:5432"} 0`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("/metrics lacks %q", want)
			}
		}
	})
	t.Run("NoReplica", func(t *testing.T) {
		m := metrics.New(metrics.Options{})
		m.WatchReads(func() metrics.ReadStats { return metrics.ReadStats{} })
		if body := scrape(t, m); strings.Contains(body, "folio_db_re") {
			t.Errorf("/metrics without replicas shows read routing:\n%s", body)
		}
	})
}
