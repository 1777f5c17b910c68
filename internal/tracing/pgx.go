package tracing

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// PGX is a pgx.QueryTracer that makes a client span for each statement,
// a child of whatever span the statement's context carries (the GraphQL
// operation's). The statement's text is recorded: Folio's SQL has only
// placeholders, never values.
type PGX struct{ tracer trace.Tracer }

// NewPGX returns a pgx tracer making spans with tp.
func NewPGX(tp trace.TracerProvider) *PGX {
	return &PGX{tracer: tp.Tracer("github.com/folio/folio/internal/tracing/pgx")}
}

// TraceQueryStart implements pgx.QueryTracer.
func (t *PGX) TraceQueryStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if !trace.SpanFromContext(ctx).IsRecording() {
		// No request span: a migration, a seed, a pool's health check.
		return ctx
	}
	return t.start(ctx, conn, spanName(data.SQL), attribute.String("db.query.text", data.SQL))
}

// start starts a client span for a round trip on conn.
func (t *PGX) start(ctx context.Context, conn *pgx.Conn, name string, attrs ...attribute.KeyValue) context.Context {
	attrs = append(attrs, attribute.String("db.system.name", "postgresql"))
	if conn != nil {
		attrs = append(attrs, attribute.String("db.namespace", conn.Config().Database))
	}
	ctx, _ = t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	return ctx
}

// TraceQueryEnd implements pgx.QueryTracer.
func (t *PGX) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	end(ctx, data.Err, attribute.Int64("db.response.returned_rows", data.CommandTag.RowsAffected()))
}

// end ends the span of ctx with err, or with attrs when it succeeded.
func end(ctx context.Context, err error, attrs ...attribute.KeyValue) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	} else {
		span.SetAttributes(attrs...)
	}
	span.End()
}

// TraceBatchStart implements pgx.BatchTracer: a batch is one client span
// (one round trip), with an event for each of its statements.
func (t *PGX) TraceBatchStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	if !trace.SpanFromContext(ctx).IsRecording() {
		return ctx
	}
	return t.start(ctx, conn, "BATCH", attribute.Int("db.operation.batch.size", data.Batch.Len()))
}

// TraceBatchQuery implements pgx.BatchTracer.
func (t *PGX) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	attrs := []attribute.KeyValue{attribute.String("db.query.text", data.SQL)}
	if data.Err != nil {
		attrs = append(attrs, attribute.String("error", data.Err.Error()))
	} else {
		attrs = append(attrs, attribute.Int64("db.response.returned_rows", data.CommandTag.RowsAffected()))
	}
	span.AddEvent(spanName(data.SQL), trace.WithAttributes(attrs...))
}

// TraceBatchEnd implements pgx.BatchTracer.
func (t *PGX) TraceBatchEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchEndData) {
	end(ctx, data.Err)
}

// spanName is the statement's first keyword ("SELECT", "WITH", "INSERT"),
// a low-cardinality name as OpenTelemetry's conventions ask.
func spanName(sql string) string {
	sql = strings.TrimSpace(sql)
	for strings.HasPrefix(sql, "--") { // a leading comment line
		_, rest, _ := strings.Cut(sql, "\n")
		sql = strings.TrimSpace(rest)
	}
	kw, _, _ := strings.Cut(sql, " ")
	kw, _, _ = strings.Cut(kw, "\n")
	if kw == "" {
		return "SQL"
	}
	return strings.ToUpper(kw)
}
