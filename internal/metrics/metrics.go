// Package metrics exposes Folio's Prometheus metrics. Other packages report
// through the methods of *Metrics (declaring the small interface they need)
// and never import Prometheus themselves. Every method is safe on a nil
// *Metrics, which records nothing, so metrics stay optional everywhere.
package metrics

import (
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Options tune New.
type Options struct {
	// Operations are operation names always kept as labels, such as the
	// persisted queries of known clients.
	Operations []string
	// MaxOperations bounds how many other distinct operation names become
	// labels, first come first served; later ones are folded into "other".
	// Zero means DefaultMaxOperations.
	MaxOperations int
}

// DefaultMaxOperations bounds operation-name labels unless told otherwise.
const DefaultMaxOperations = 200

// Label values that fold what would otherwise grow without bound.
const (
	Anonymous = "anonymous" // an operation without a name
	Other     = "other"     // a name past the bound, or not a GraphQL name
)

// Outcomes of an operation, for the outcome label.
const (
	OutcomeOK    = "ok"    // answered without errors
	OutcomeError = "error" // answered with GraphQL errors or an HTTP error status
)

// Results of a cache lookup, for the result label.
const (
	CacheHit    = "hit"
	CacheMiss   = "miss"
	CacheError  = "error"  // Redis failed; the store answered instead
	CacheBypass = "bypass" // the request may not use the cache (e.g. a viewer who sees drafts)
)

// Metrics holds Folio's collectors in a registry of its own.
type Metrics struct {
	reg *prometheus.Registry

	operations  *labelSet
	codes       *labelSet
	opDuration  *prometheus.HistogramVec
	gqlErrors   *prometheus.CounterVec
	inFlight    prometheus.Gauge
	cache       *prometheus.CounterVec
	rlDecisions *prometheus.CounterVec
	rlRemaining prometheus.Histogram
	cost        prometheus.Histogram
	job         jobMetrics
}

// New registers Folio's metrics and the Go runtime and process collectors.
func New(o Options) *Metrics {
	if o.MaxOperations <= 0 {
		o.MaxOperations = DefaultMaxOperations
	}
	m := &Metrics{
		reg:        prometheus.NewRegistry(),
		operations: newLabelSet(o.Operations, o.MaxOperations),
		codes:      newLabelSet(nil, 50),
		opDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "folio_graphql_operation_duration_seconds",
			Help:    "Time to answer a GraphQL request, by operation name (bounded), operation type and outcome.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"operation", "type", "outcome"}),
		gqlErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "folio_graphql_errors_total",
			Help: "GraphQL errors returned to clients, by extensions.code.",
		}, []string{"code"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "folio_http_requests_in_flight",
			Help: "HTTP requests being served now.",
		}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "folio_cache_requests_total",
			Help: "Cache lookups by kind of entry and result (hit, miss, error, bypass).",
		}, []string{"kind", "result"}),
		rlDecisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "folio_ratelimit_decisions_total",
			Help: "Rate-limit decisions: allowed or limited.",
		}, []string{"decision"}),
		rlRemaining: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "folio_ratelimit_remaining_points",
			Help:    "Points left in the client's bucket after each decision.",
			Buckets: prometheus.ExponentialBuckets(10, 4, 8),
		}),
		cost: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "folio_graphql_operation_cost",
			Help:    "Cost in points of each operation charged to a bucket.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 9),
		}),
	}
	m.reg.MustRegister(m.opDuration, m.gqlErrors, m.inFlight, m.cache, m.rlDecisions, m.rlRemaining, m.cost,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry is where the metrics live, for collectors of other packages.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// ObserveOperation records one GraphQL request: its operation name (folded
// into "anonymous" or "other" as needed), type (query, mutation,
// subscription, or "none" when it never parsed), outcome and duration.
func (m *Metrics) ObserveOperation(name, opType, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	switch opType {
	case "query", "mutation", "subscription":
	default:
		opType = "none"
	}
	if outcome != OutcomeOK {
		outcome = OutcomeError
	}
	m.opDuration.WithLabelValues(m.operations.label(name), opType, outcome).Observe(d.Seconds())
}

// GraphQLError counts one error returned with extensions.code.
func (m *Metrics) GraphQLError(code string) {
	if m == nil {
		return
	}
	if code == "" {
		code = "NONE"
	}
	m.gqlErrors.WithLabelValues(m.codes.label(code)).Inc()
}

// RequestStarted and RequestDone track the requests being served.
func (m *Metrics) RequestStarted() {
	if m != nil {
		m.inFlight.Inc()
	}
}

// RequestDone ends what RequestStarted began.
func (m *Metrics) RequestDone() {
	if m != nil {
		m.inFlight.Dec()
	}
}

// CacheAdd counts n cache lookups of one kind and result, as a batch makes.
// kind names the entry type (a small fixed set chosen by the cache package,
// e.g. "article"); result is CacheHit, CacheMiss, CacheError or CacheBypass.
func (m *Metrics) CacheAdd(kind, result string, n int) {
	if m != nil && n > 0 {
		m.cache.WithLabelValues(kind, result).Add(float64(n))
	}
}

// RateLimit records one decision of the rate limiter: whether the operation
// was allowed, what it cost, and how many points the bucket has left.
func (m *Metrics) RateLimit(allowed bool, cost, remaining float64) {
	if m == nil {
		return
	}
	decision := "allowed"
	if !allowed {
		decision = "limited"
	}
	m.rlDecisions.WithLabelValues(decision).Inc()
	m.rlRemaining.Observe(remaining)
	if allowed {
		m.cost.Observe(cost)
	}
}

// WatchStatements exports total, the SQL statements sent since start, as
// folio_sql_statements_total.
func (m *Metrics) WatchStatements(total func() int64) {
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "folio_sql_statements_total",
		Help: "SQL statements sent to Postgres.",
	}, func() float64 { return float64(total()) }))
}

// WatchPool exports the statistics of a pgx pool, read at each scrape.
func (m *Metrics) WatchPool(stat func() *pgxpool.Stat) {
	m.reg.MustRegister(poolCollector{stat: stat})
}

// AdmissionStats are the state of the gate that bounds the operations
// executing at once, read at each scrape.
type AdmissionStats struct {
	Limit, Running, Waiting int64
}

// WatchAdmission exports that gate: folio_operations_running,
// folio_operations_waiting (for a turn; a steady line says the instance is
// saturated) and folio_operations_limit (0: no bound, and the other two
// stay 0).
func (m *Metrics) WatchAdmission(stats func() AdmissionStats) {
	gauge := func(name, help string, f func(AdmissionStats) int64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return float64(f(stats())) })
	}
	m.reg.MustRegister(
		gauge("folio_operations_running", "GraphQL requests executing now (live connections aside).", func(s AdmissionStats) int64 { return s.Running }),
		gauge("folio_operations_waiting", "GraphQL requests waiting for their turn to execute.", func(s AdmissionStats) int64 { return s.Waiting }),
		gauge("folio_operations_limit", "The most GraphQL requests that execute at once (MAX_CONCURRENT_OPERATIONS); 0: no bound.", func(s AdmissionStats) int64 { return s.Limit }),
	)
}

// WatchRateLimitFallbacks exports fallbacks, the rate-limit decisions made
// in an instance's memory while Redis was unreachable, as
// folio_ratelimit_fallbacks_total.
func (m *Metrics) WatchRateLimitFallbacks(fallbacks func() int64) {
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "folio_ratelimit_fallbacks_total",
		Help: "Rate-limit decisions made by an instance's in-memory bucket because Redis was unreachable.",
	}, func() float64 { return float64(fallbacks()) }))
}

// LiveStats are the counters of the subscriptions' event hub, read at
// each scrape.
type LiveStats struct {
	Subscribers                                       int
	Published, Received, Delivered, Slow, RedisErrors uint64
	RedisUp                                           bool
}

// WatchLive exports the subscriptions' hub: folio_subscriptions_active,
// folio_live_events_total{source}, folio_live_deliveries_total,
// folio_live_slow_consumers_total, folio_live_redis_errors_total and
// folio_live_redis_up (0 during an outage: events reach this instance's
// subscribers only).
func (m *Metrics) WatchLive(stats func() LiveStats) {
	counter := func(name, help string, f func(LiveStats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(f(stats())) })
	}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "folio_subscriptions_active", Help: "Subscriptions running on this instance."},
			func() float64 { return float64(stats().Subscribers) }),
		counter("folio_live_events_published_total", "Events raised by writes on this instance.", func(s LiveStats) uint64 { return s.Published }),
		counter("folio_live_events_received_total", "Events received from other instances through Redis.", func(s LiveStats) uint64 { return s.Received }),
		counter("folio_live_deliveries_total", "Events delivered to subscribers.", func(s LiveStats) uint64 { return s.Delivered }),
		counter("folio_live_slow_consumers_total", "Subscribers disconnected for reading events too slowly.", func(s LiveStats) uint64 { return s.Slow }),
		counter("folio_live_redis_errors_total", "Failed event publishes and lost subscriptions to Redis.", func(s LiveStats) uint64 { return s.RedisErrors }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "folio_live_redis_up", Help: "1 while the Redis subscription that brings other instances' events is live."},
			func() float64 {
				if stats().RedisUp {
					return 1
				}
				return 0
			}),
	)
}
