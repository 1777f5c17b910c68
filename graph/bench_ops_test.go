package graph_test

import (
	"io"
	"log/slog"
	"net/http"
	"os"

	"github.com/folio/folio/internal/httpapi"
	"github.com/folio/folio/internal/logging"
	"github.com/folio/folio/internal/metrics"
)

// benchHandler serves the benchmarked executor at /query behind the HTTP
// stack; with FOLIO_BENCH_OPS=1 the stack also writes an access-log line per
// request (JSON and redacted, to nowhere) and records metrics, to measure
// what they cost.
func benchHandler(h http.Handler) http.Handler {
	o := httpapi.Options{GraphQL: h}
	if os.Getenv("FOLIO_BENCH_OPS") == "1" {
		o.Logger = logging.New(io.Discard, slog.LevelInfo, true)
		o.Recorder = metrics.New(metrics.Options{})
	}
	return httpapi.New(o)
}
