package jobs_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/folio/folio/internal/jobs"
	"github.com/folio/folio/internal/postgres"
	"github.com/folio/folio/internal/postgres/postgrestest"
	"github.com/folio/folio/internal/webhook"
)

var testDB *postgres.DB

func TestMain(m *testing.M) { postgrestest.Main(m, "jobs", &testDB) }

// holder is a receiver that holds each request until released.
type holder struct {
	*httptest.Server
	arrived chan struct{}
	release chan struct{}
}

func newHolder(t *testing.T) *holder {
	h := &holder{arrived: make(chan struct{}, 10), release: make(chan struct{})}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		h.arrived <- struct{}{}
		select {
		case <-h.release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(h.Close)
	return h
}

// enqueue writes a webhook for url and one delivery, and queues its job in
// the same transaction; it returns the delivery's id.
func enqueue(t *testing.T, q *jobs.Queue, url string) int64 {
	t.Helper()
	ctx := t.Context()
	tx, err := testDB.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	var id int64
	err = tx.QueryRow(ctx, `WITH w AS (INSERT INTO webhooks (url, events, secret) VALUES ($1, '{article.published}', $2) RETURNING id)
INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload) SELECT id, 'evt_' || id, 'article.published', '{}' FROM w RETURNING id`,
		url, webhook.NewSecret()).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.InsertDeliveriesTx(ctx, tx, []int64{id}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return id
}

func newQueue(t *testing.T) *jobs.Queue {
	t.Helper()
	q, err := jobs.New(jobs.Options{Pool: testDB.Pool, Store: testDB, Sender: webhook.NewSender(&webhook.Guard{AllowPrivate: true}, 20*time.Second),
		Workers: 2, MaxAttempts: 3, RetryBase: time.Hour, RetryMax: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return q
}

func state(t *testing.T, delivery int64) (job, status string) {
	t.Helper()
	err := testDB.Pool.QueryRow(t.Context(), `SELECT j.state::text, d.status FROM river_job j JOIN webhook_deliveries d ON d.id = (j.args->>'delivery_id')::bigint WHERE d.id = $1`, delivery).Scan(&job, &status)
	if err != nil {
		t.Fatal(err)
	}
	return job, status
}

func TestQueue_Stop(t *testing.T) {
	t.Run("RunningJobFinishes", func(t *testing.T) {
		h := newHolder(t)
		q := newQueue(t)
		id := enqueue(t, q, h.URL)
		<-h.arrived
		stopped := make(chan error, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			stopped <- q.Stop(ctx)
		}()
		select {
		case err := <-stopped:
			t.Fatalf("Stop returned (%v) while a job was running", err)
		case <-time.After(200 * time.Millisecond): // a bound on a wrong early return, not a settle
		}
		close(h.release)
		if err := <-stopped; err != nil {
			t.Fatalf("Stop = %v", err)
		}
		if job, status := state(t, id); job != "completed" || status != "succeeded" {
			t.Errorf("after a graceful stop: job %s, delivery %s; want completed, succeeded", job, status)
		}
	})
	t.Run("PastTheTimeoutReturnsToQueue", func(t *testing.T) {
		h := newHolder(t)
		q := newQueue(t)
		id := enqueue(t, q, h.URL)
		<-h.arrived
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			t.Fatalf("Stop = %v", err)
		}
		if job, status := state(t, id); job != "retryable" && job != "available" {
			t.Errorf("a job cancelled at shutdown is %s (delivery %s), want it back in the queue", job, status)
		}
		close(h.release)
	})
}

func TestBackoff_Delay(t *testing.T) {
	b := jobs.Backoff{Base: time.Second, Max: 10 * time.Second}
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 5: 10 * time.Second, 40: 10 * time.Second} {
		for range 50 {
			if d := b.Delay(n); d < want/2 || d > want {
				t.Fatalf("Delay(%d) = %s, want within [%s, %s]", n, d, want/2, want)
			}
		}
	}
}
