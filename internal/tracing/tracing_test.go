package tracing

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace/noop"
)

func TestSetup(t *testing.T) {
	ctx := context.Background()
	t.Run("OffWithoutEndpoint", func(t *testing.T) {
		tp, stop, err := Setup(ctx, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer stop(ctx)
		if _, ok := tp.(noop.TracerProvider); !ok {
			t.Errorf("got %T, want the no-op provider", tp)
		}
	})
	t.Run("BadEndpoint", func(t *testing.T) {
		for _, e := range []string{"collector:4318", "grpc://collector:4317", "http://"} {
			if _, _, err := Setup(ctx, Options{Endpoint: e}); err == nil || !strings.Contains(err.Error(), "OTEL_EXPORTER_OTLP_ENDPOINT") {
				t.Errorf("%q: got %v, want an error naming OTEL_EXPORTER_OTLP_ENDPOINT", e, err)
			}
		}
	})
	t.Run("OnWithEndpoint", func(t *testing.T) {
		// The exporter connects lazily; nothing listens here and nothing is sent.
		tp, stop, err := Setup(ctx, Options{Endpoint: "http://127.0.0.1:1"})
		if err != nil {
			t.Fatal(err)
		}
		_, span := tp.Tracer("t").Start(ctx, "x")
		if !span.IsRecording() {
			t.Error("spans do not record with tracing on")
		}
		span.End()
		sctx, cancel := context.WithCancel(ctx)
		cancel() // do not wait for the unreachable collector
		_ = stop(sctx)
	})
}

func TestSpanName(t *testing.T) {
	for sql, want := range map[string]string{
		"SELECT 1":                               "SELECT",
		"  with x as (select 1) select * from x": "WITH",
		"-- name: Articles\nSELECT *":            "SELECT",
		"insert\ninto t values (1)":              "INSERT",
		"":                                       "SQL",
	} {
		if got := spanName(sql); got != want {
			t.Errorf("spanName(%q) = %q, want %q", sql, got, want)
		}
	}
}
