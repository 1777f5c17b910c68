package respcache

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/folio/folio/internal/redistest"
)

// article is a stand-in for the database: the handler reads its title,
// and a test writes it and invalidates, as a mutation does after commit.
type article struct{ title atomic.Value }

// handler answers { v } with the article's title, as a response that
// contains Article:1. during, if set, runs after the read and before the
// answer is written: a write that commits while the request runs.
func (a *article) handler(during func()) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		title := a.title.Load().(string)
		if col := collectorFrom(r.Context()); col != nil { // nil: the cache runs it unrecorded
			col.add("Article:1")
		}
		if during != nil {
			during()
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"data":{"v":"`+title+`"},"extensions":{"cost":{"requestedQueryCost":5}}}`)
	})
}

func newTestCache(t *testing.T) *Cache {
	rdb := redistest.Client(t)
	return New(Options{Redis: rdb, Prefix: redistest.Prefix(t, rdb), Timeout: 10 * time.Second})
}

func ask(h http.Handler) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(`{"query":"{ v }"}`))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestCache_AnswerReplacedWhileRunning checks that an answer a write
// replaced while it ran is this request's alone: not stored, not given a
// validator or a shared lifetime for HTTP caches, and the next request
// runs again and sees the write.
func TestCache_AnswerReplacedWhileRunning(t *testing.T) {
	c := newTestCache(t)
	var a article
	a.title.Store("old")
	first := true
	h := c.Middleware(a.handler(func() {
		if first {
			first = false
			a.title.Store("new")
			c.Invalidate(context.Background(), "Article:1")
		}
	}))

	w := ask(h)
	if body := w.Body.String(); !strings.Contains(body, `"old"`) {
		t.Fatalf("first answer: %s, want the title read before the write", body)
	}
	if etag, cc := w.Header().Get("ETag"), w.Header().Get("Cache-Control"); etag != "" || cc != "no-store" {
		t.Errorf("first answer: ETag %q, Cache-Control %q; want none and no-store", etag, cc)
	}
	if s := c.Stats(); s.Stores != 0 {
		t.Errorf("stores = %d, want 0: the write replaced the answer while it ran", s.Stores)
	}

	w = ask(h)
	if body := w.Body.String(); !strings.Contains(body, `"new"`) {
		t.Fatalf("second answer: %s, want the written title", body)
	}
	if s := c.Stats(); s.Executions != 2 || s.Stores != 1 {
		t.Errorf("stats %+v, want 2 executions and 1 store", s)
	}
	if w.Header().Get("ETag") == "" {
		t.Errorf("second answer has no ETag; it was kept and may be revalidated")
	}
}

// TestCache_FlightAnswerNotSharedAfterWrite checks that a request which
// looked the cache up after a write replaced a flight's answer does not
// take that answer from the flight: it runs, and sees the write.
func TestCache_FlightAnswerNotSharedAfterWrite(t *testing.T) {
	c := newTestCache(t)
	var a article
	a.title.Store("old")
	h := c.Middleware(a.handler(nil))

	decided, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	c.inFlight = func() {
		once.Do(func() { // the first flight's leader only
			close(decided)
			<-release
		})
	}

	var wg sync.WaitGroup
	var first, second string
	wg.Go(func() { first = ask(h).Body.String() })
	<-decided // the leader read "old" and stored it; the flight is open
	a.title.Store("new")
	c.Invalidate(context.Background(), "Article:1") // deletes what was stored
	wg.Go(func() { second = ask(h).Body.String() }) // misses, joins the flight
	waitInFlight(t)
	close(release)
	wg.Wait()

	if !strings.Contains(first, `"old"`) {
		t.Errorf("leader: %s, want the title it read", first)
	}
	if !strings.Contains(second, `"new"`) {
		t.Errorf("a request that began after the write got %s, want the written title", second)
	}
}

// waitInFlight returns once a request waits in a flight for another's
// answer: parked in singleflight's Do, on the flight's WaitGroup.
func waitInFlight(t *testing.T) {
	t.Helper()
	buf := make([]byte, 1<<20)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); runtime.Gosched() {
		for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
			if strings.Contains(g, "singleflight.(*Group).Do(") && strings.Contains(g, "sync.(*WaitGroup).Wait(") {
				return
			}
		}
	}
	t.Fatal("no request came to wait in the flight")
}
