package postgres

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// Tracer counts the statements pgx sends, per request and in all, and logs
// them at debug level. Counting is how tests and benchmarks prove that a
// request's SQL grows with the depth of its query, not with its rows.
type Tracer struct {
	Logger *slog.Logger
	total  atomic.Int64
}

type counterKey struct{}

type roundTripKey struct{}

type traceStart struct {
	sql   string
	start time.Time
}

type traceKey struct{}

// counting is set once a counter of statements or round trips has been put
// in a context. Until then, which in production is always, the tracer
// does not look for one: a context's values are a chain, and a key that is
// not there costs a walk down all of it, four times a batch.
var counting atomic.Bool

// WithStatementCounter returns a context in which every statement sent to
// Postgres adds one to n.
func WithStatementCounter(ctx context.Context, n *atomic.Int64) context.Context {
	counting.Store(true)
	return context.WithValue(ctx, counterKey{}, n)
}

// WithRoundTripCounter returns a context in which every round trip to
// Postgres adds one to n: a statement sent alone, or a batch of them.
// The round trip in which pgx prepares a statement, the first time a
// connection sends it, is not counted.
func WithRoundTripCounter(ctx context.Context, n *atomic.Int64) context.Context {
	counting.Store(true)
	return context.WithValue(ctx, roundTripKey{}, n)
}

func roundTrip(ctx context.Context) {
	if !counting.Load() {
		return
	}
	if n, ok := ctx.Value(roundTripKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
}

// count counts one statement sent.
func (t *Tracer) count(ctx context.Context) {
	t.total.Add(1)
	if !counting.Load() {
		return
	}
	if n, ok := ctx.Value(counterKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
}

// TraceQueryStart implements pgx.QueryTracer.
func (t *Tracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	t.count(ctx)
	roundTrip(ctx)
	if t.Logger != nil && t.Logger.Enabled(ctx, slog.LevelDebug) {
		return context.WithValue(ctx, traceKey{}, traceStart{sql: data.SQL, start: time.Now()})
	}
	return ctx
}

// TraceQueryEnd implements pgx.QueryTracer.
func (t *Tracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	s, ok := ctx.Value(traceKey{}).(traceStart)
	if !ok {
		return
	}
	t.Logger.DebugContext(ctx, "sql", "statement", s.sql, "duration", time.Since(s.start), "rows", data.CommandTag.RowsAffected(), "error", data.Err)
}

// TraceBatchStart implements pgx.BatchTracer.
func (t *Tracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	roundTrip(ctx)
	return ctx
}

// TraceBatchQuery implements pgx.BatchTracer: each statement of a batch
// counts, as one sent alone does.
func (t *Tracer) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	t.count(ctx)
	if t.Logger != nil && t.Logger.Enabled(ctx, slog.LevelDebug) {
		t.Logger.DebugContext(ctx, "sql", "statement", data.SQL, "batch", true, "rows", data.CommandTag.RowsAffected(), "error", data.Err)
	}
}

// TraceBatchEnd implements pgx.BatchTracer.
func (t *Tracer) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// Statements is how many statements this pool has sent since it opened.
func (db *DB) Statements() int64 {
	if db.tracer == nil {
		return 0
	}
	return db.tracer.total.Load()
}

// QueryTracer is pgx's statement tracer, for Options.Tracers.
type QueryTracer = pgx.QueryTracer
