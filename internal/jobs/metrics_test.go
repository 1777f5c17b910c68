package jobs_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio/internal/jobs"
	"github.com/folio/folio/internal/metrics"
	"github.com/folio/folio/internal/webhook"
)

// TestQueue_Metrics scrapes the real Prometheus handler after one delivery
// that succeeds and one that fails twice and is discarded.
func TestQueue_Metrics(t *testing.T) {
	if _, err := testDB.Pool.Exec(t.Context(), `DELETE FROM river_job`); err != nil {
		t.Fatal(err)
	}
	okRcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer okRcv.Close()
	badRcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) }))
	defer badRcv.Close()
	m := metrics.New(metrics.Options{})
	q, err := jobs.New(jobs.Options{Pool: testDB.Pool, Store: testDB, Sender: webhook.NewSender(&webhook.Guard{AllowPrivate: true}, 5*time.Second),
		Workers: 2, MaxAttempts: 2, RetryBase: 10 * time.Millisecond, RetryMax: 20 * time.Millisecond, Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	m.WatchQueue(q.Depth)
	enqueue(t, q, okRcv.URL)
	enqueue(t, q, badRcv.URL)
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	scrape := func() string {
		rec := httptest.NewRecorder()
		m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		b, _ := io.ReadAll(rec.Body)
		return string(b)
	}
	want := []string{
		`folio_jobs_total{kind="webhook_delivery",outcome="completed"} 1`,
		`folio_jobs_total{kind="webhook_delivery",outcome="retry"} 1`,
		`folio_jobs_total{kind="webhook_delivery",outcome="discarded"} 1`,
		`folio_job_queue_depth{state="discarded"} 1`,
		`folio_job_run_seconds_count{kind="webhook_delivery"} 3`,
	}
	var page string
	waitForDB(t, "the metrics", func() bool {
		page = scrape()
		for _, w := range want {
			if !strings.Contains(page, w) {
				return false
			}
		}
		return true
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}
