package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio/internal/httpapi"
)

// addr finds, in the JSON log at path, the address of the line with
// message msg.
func addr(t *testing.T, path, msg string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		var m struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &m) == nil && m.Msg == msg {
			return m.Addr
		}
	}
	t.Fatalf("no %q line in:\n%s", msg, raw)
	return ""
}

// serve runs s over the full handler until the test ends, and returns the
// public and the metrics addresses.
func serve(t *testing.T, s httpapi.Server) (public, metrics string) {
	t.Helper()
	// A file, which the server may write while the test reads it.
	logs, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logs.Close() })
	s.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	ready := make(chan string, 1)
	s.Ready = ready
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, httpapi.New(httpapi.Options{})) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	select {
	case public = <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	if s.MetricsAddr != "" {
		metrics = addr(t, logs.Name(), "serving metrics")
	}
	return public, metrics
}

func status(t *testing.T, url string) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

func TestServer_PProf(t *testing.T) {
	metricsPage := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "# metrics\n") })
	t.Run("OnlyOnTheMetricsListener", func(t *testing.T) {
		public, metrics := serve(t, httpapi.Server{Addr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0", Metrics: metricsPage, PProf: true, ShutdownTimeout: 5e9})
		for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap", "/debug/pprof/cmdline", "/metrics"} {
			if got := status(t, "http://"+public+path); got != http.StatusNotFound {
				t.Errorf("public %s: got %d, want 404", path, got)
			}
		}
		for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap", "/debug/pprof/cmdline", "/metrics"} {
			if got := status(t, "http://"+metrics+path); got != http.StatusOK {
				t.Errorf("metrics listener %s: got %d, want 200", path, got)
			}
		}
	})
	t.Run("OffByDefault", func(t *testing.T) {
		_, metrics := serve(t, httpapi.Server{Addr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0", Metrics: metricsPage, ShutdownTimeout: 5e9})
		if got := status(t, "http://"+metrics+"/debug/pprof/"); got != http.StatusNotFound {
			t.Errorf("metrics listener without PProf: got %d, want 404", got)
		}
	})
}
