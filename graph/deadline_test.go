package graph_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/folio/folio/internal/folio"
)

// sleepyStore lists categories with a statement that sleeps for a minute,
// marked so the test can find it in pg_stat_activity.
type sleepyStore struct {
	folio.Store
	started atomic.Bool
}

const sleepMarker = "folio-deadline-test"

func (s *sleepyStore) ListCategories(ctx context.Context, p folio.Page) (folio.List[*folio.Category], error) {
	s.started.Store(true)
	_, err := testDB.Pool.Exec(ctx, "SELECT pg_sleep(60) -- "+sleepMarker)
	return folio.List[*folio.Category]{}, err
}

// sleeping counts the marked statements Postgres is running.
func sleeping(t *testing.T) int {
	t.Helper()
	var n int
	err := testDB.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pg_sleep(60) -- `+sleepMarker+`%' AND pid <> pg_backend_pid()`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDeadline_CancelsSQL(t *testing.T) {
	store := &sleepyStore{Store: testDB}
	s := newTimedServer(t, store, 300*time.Millisecond)
	r := s.post(t, `{ categories { nodes { slug } } }`, nil)
	if !store.started.Load() {
		t.Fatal("the sleeping statement never ran")
	}
	if r.Code() != "TIMEOUT" || r.Status >= 500 || !strings.Contains(r.Errors[0].Message, "ran out of time") {
		t.Fatalf("got %d %+v, want a TIMEOUT error", r.Status, r.Errors)
	}
	// The statement stopped in Postgres too: nothing is left sleeping.
	for deadline := time.Now().Add(time.Minute); sleeping(t) > 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the statement is still running in Postgres a minute after its request timed out")
		}
	}
}

func TestDisconnect_CancelsSQL(t *testing.T) {
	store := &sleepyStore{Store: testDB}
	s := newServer(t, store)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, strings.NewReader(`{"query":"{ categories { nodes { slug } } }"}`))
	req.Header.Set("Content-Type", "application/json")
	done := make(chan error, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	for deadline := time.Now().Add(time.Minute); sleeping(t) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the sleeping statement never started")
		}
	}
	cancel() // the client goes away
	if err := <-done; err == nil {
		t.Fatal("the request completed although its client went away")
	}
	for deadline := time.Now().Add(time.Minute); sleeping(t) > 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the statement is still running in Postgres a minute after its client left")
		}
	}
}
