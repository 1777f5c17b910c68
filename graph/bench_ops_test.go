package graph_test

import (
	"io"
	"log/slog"
	"net/http"
	"os"

	"github.com/folio/folio/internal/accesslog"
	"github.com/folio/folio/internal/httpsec"
	"github.com/folio/folio/internal/logging"
	"github.com/folio/folio/internal/metrics"
	"github.com/folio/folio/internal/requestid"
)

// benchHandler wraps the benchmarked handler in the production layers when
// FOLIO_BENCH_OPS=1 (an access-log line per request, JSON and redacted, to
// nowhere; metrics; security headers; CSRF), to measure what they cost.
func benchHandler(h http.Handler) http.Handler {
	if os.Getenv("FOLIO_BENCH_OPS") != "1" {
		return h
	}
	log := logging.New(io.Discard, slog.LevelInfo, true)
	h = httpsec.CSRF(h)
	h = httpsec.Headers(false, h)
	h = accesslog.Middleware(accesslog.Options{Logger: log, Recorder: metrics.New(metrics.Options{})}, h)
	return requestid.Middleware(h)
}
