package webhooks_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/jobs"
	"github.com/folio/folio/internal/webhook"
)

// BenchmarkPublish measures publishArticle through the whole HTTP stack,
// with no webhook (one INSERT … SELECT that finds none) and with three that
// want the event (three delivery rows and three river jobs in the
// transaction). Each op publishes or archives the same article in turn, so
// every op changes its status and emits an event. Workers are off: only
// the enqueue is measured. Reports the p50 of the ops.
//
//	go test ./graph/webhooks -run '^$' -bench Publish -benchtime 300x
func BenchmarkPublish(b *testing.B) {
	for _, hooks := range []int{0, 3} {
		b.Run(fmt.Sprintf("webhooks=%d", hooks), func(b *testing.B) {
			e := newEnv(b, queueOptions{workers: -1})
			admin, editor := e.person(b, folio.RoleAdmin), e.person(b, folio.RoleEditor)
			for range hooks {
				e.createWebhook(b, admin, "http://127.0.0.1:9/", "ARTICLE_PUBLISHED", "ARTICLE_ARCHIVED")
			}
			id := e.article(b, editor, "Benchmarked")
			ops := []string{"publishArticle", "archiveArticle"}
			took := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				start := time.Now()
				r := e.Do(b, editor, `mutation($id: ID!) { `+ops[i%2]+`(input: {id: $id}) { article { status } } }`, map[string]any{"id": id})
				took = append(took, time.Since(start))
				if len(r.Errors) > 0 {
					b.Fatalf("%s: %s", ops[i%2], r.Raw)
				}
			}
			b.StopTimer()
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
		})
	}
}

// BenchmarkDrain queues b.N deliveries to a receiver that answers 204 at
// once, then starts one queue (one worker process's, 10 workers) and
// reports the jobs it completed per second.
//
//	go test ./graph/webhooks -run '^$' -bench Drain -benchtime 2000x
func BenchmarkDrain(b *testing.B) {
	e := newEnv(b, queueOptions{workers: -1})
	admin, editor := e.person(b, folio.RoleAdmin), e.person(b, folio.RoleEditor)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer rcv.Close()
	e.createWebhook(b, admin, rcv.URL, "ARTICLE_PUBLISHED", "ARTICLE_ARCHIVED")
	id := e.article(b, editor, "Drained")
	ops := []string{"publishArticle", "archiveArticle"}
	for i := range b.N {
		e.OK(b, editor, `mutation($id: ID!) { `+ops[i%2]+`(input: {id: $id}) { article { status } } }`, map[string]any{"id": id}, nil)
	}
	var before int
	_ = testDB.Pool.QueryRow(b.Context(), `SELECT count(*) FROM river_job WHERE state = 'completed'`).Scan(&before)
	q, err := jobs.New(jobs.Options{Pool: testDB.Pool, Store: testDB, Sender: webhook.NewSender(e.guard, 5*time.Second), Workers: 10})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	if err := q.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	waitFor(b, "the queue to drain", 10*time.Minute, func() bool {
		var n int
		_ = testDB.Pool.QueryRow(b.Context(), `SELECT count(*) FROM river_job WHERE state = 'completed'`).Scan(&n)
		return n-before >= b.N
	})
	elapsed := time.Since(start)
	b.StopTimer()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = q.Stop(ctx)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "jobs/s")
}
