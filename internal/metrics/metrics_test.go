package metrics_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio/internal/metrics"
)

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

func TestMetrics_ReportersOfOtherPackages(t *testing.T) {
	m := metrics.New(metrics.Options{})
	m.CacheAdd("article", metrics.CacheHit, 1)
	m.CacheAdd("article", metrics.CacheHit, 1)
	m.CacheAdd("article", metrics.CacheMiss, 1)
	m.CacheAdd("user", metrics.CacheError, 1)
	m.CacheAdd("article", metrics.CacheBypass, 1)
	m.RateLimit(true, 120, 880)
	m.RateLimit(false, 5000, 3)
	m.WatchAdmission(func() metrics.AdmissionStats { return metrics.AdmissionStats{Limit: 16, Running: 16, Waiting: 5} })
	body := scrape(t, m)
	for _, want := range []string{
		`folio_cache_requests_total{kind="article",result="hit"} 2`,
		`folio_cache_requests_total{kind="article",result="miss"} 1`,
		`folio_cache_requests_total{kind="user",result="error"} 1`,
		`folio_cache_requests_total{kind="article",result="bypass"} 1`,
		`folio_ratelimit_decisions_total{decision="allowed"} 1`,
		`folio_ratelimit_decisions_total{decision="limited"} 1`,
		`folio_ratelimit_remaining_points_count 2`,
		`folio_graphql_operation_cost_sum 120`,
		"folio_operations_limit 16",
		"folio_operations_running 16",
		"folio_operations_waiting 5",
		`go_goroutines `,
		`process_start_time_seconds `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestMetrics_OperationLabelsAreBounded(t *testing.T) {
	m := metrics.New(metrics.Options{Operations: []string{"HomeFeed"}, MaxOperations: 1})
	for _, name := range []string{"First", "Second", "HomeFeed", "", "not a name!", strings.Repeat("x", 65)} {
		m.ObserveOperation(name, "query", metrics.OutcomeOK, time.Millisecond)
	}
	m.ObserveOperation("First", "bogus", "weird", time.Millisecond)
	body := scrape(t, m)
	for _, want := range []string{
		`folio_graphql_operation_duration_seconds_count{operation="HomeFeed",outcome="ok",type="query"} 1`,
		`folio_graphql_operation_duration_seconds_count{operation="First",outcome="ok",type="query"} 1`,
		`folio_graphql_operation_duration_seconds_count{operation="anonymous",outcome="ok",type="query"} 1`,
		// "Second" (past the bound), a malformed and an overlong name.
		`folio_graphql_operation_duration_seconds_count{operation="other",outcome="ok",type="query"} 3`,
		`folio_graphql_operation_duration_seconds_count{operation="First",outcome="error",type="none"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(body, `operation="Second"`) {
		t.Error("a name past the bound became a label")
	}
}

func TestMetrics_NilRecordsNothing(t *testing.T) {
	var m *metrics.Metrics
	m.CacheAdd("article", metrics.CacheHit, 1)
	m.RateLimit(true, 1, 1)
	m.ObserveOperation("x", "query", metrics.OutcomeOK, time.Second)
	m.GraphQLError("X")
	m.RequestStarted()
	m.RequestDone()
}
