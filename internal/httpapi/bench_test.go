package httpapi_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/folio/folio/internal/httpapi"
	"github.com/folio/folio/internal/logging"
	"github.com/folio/folio/internal/metrics"
)

// BenchmarkLayers measures what the layers in front of the executor cost
// one request (trace span off, request id, access log line, metrics,
// security headers, CORS, CSRF, request checks, deadline), over an
// executor that does nothing.
func BenchmarkLayers(b *testing.B) {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":{}}`))
	})
	layered := httpapi.New(httpapi.Options{GraphQL: inner, Logger: logging.New(io.Discard, slog.LevelInfo, true),
		Recorder: metrics.New(metrics.Options{}), CORSOrigins: []string{"https://app.example.com"}, Timeout: 10e9})
	body := `{"query":"query HomeFeed { articles { totalCount } }"}`
	for name, h := range map[string]http.Handler{"Bare": inner, "Layered": layered} {
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
