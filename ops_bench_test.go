package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/folio/folio/internal/httpsec"
	"github.com/folio/folio/internal/logging"
)

// BenchmarkOpsLayers measures what the production layers around the routes
// cost one request (trace span off, request id, access log line, metrics,
// security headers, CORS, CSRF), over a handler that does nothing.
func BenchmarkOpsLayers(b *testing.B) {
	cfg := config{ops: opsConfig{MetricsAddr: ":0", CORSOrigins: []string{"https://app.example.com"}}}
	log := logging.New(io.Discard, slog.LevelInfo, true)
	o, err := startOps(context.Background(), cfg, log)
	if err != nil {
		b.Fatal(err)
	}
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":{}}`))
	})
	body := `{"query":"query HomeFeed { articles { totalCount } }"}`
	for name, h := range map[string]http.Handler{"Bare": inner, "Layered": o.wrap(cfg, log, httpsec.CSRF(inner))} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJl")
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}
