package idempotency_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/idempotency"
	"github.com/folio/folio/internal/redistest"
)

// counter is the handler behind the keeper: it counts the requests it
// runs, and answers with that count and the body it was sent.
type counter struct {
	runs   atomic.Int64
	status int
	gate   chan struct{} // if set, each run waits for it to close
}

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := c.runs.Add(1)
	if c.gate != nil {
		<-c.gate
	}
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	if c.status != 0 {
		w.WriteHeader(c.status)
	}
	fmt.Fprintf(w, `{"data":{"run":%d,"body":%q}}`, n, body)
}

// serve puts the keeper over h behind a layer that signs the request in as
// the user its X-User header names.
func serve(t *testing.T, rdb redis.UniversalClient, h http.Handler) *httptest.Server {
	t.Helper()
	k := idempotency.New(idempotency.Options{Redis: rdb, Prefix: redistest.Prefix(t, redistest.Client(t))})
	inner := k.Middleware(h)
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u := r.Header.Get("X-User"); u != "" {
			id, _ := strconv.ParseInt(u, 10, 64)
			r = r.WithContext(folio.WithViewer(r.Context(), folio.Viewer{UserID: id, Role: folio.RoleReader}))
		}
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

type answer struct {
	status   int
	body     string
	replayed bool
}

func send(t *testing.T, url, key, user, body string) answer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set(idempotency.Header, key)
	}
	if user != "" {
		req.Header.Set("X-User", user)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return answer{}
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, string(b), res.Header.Get(idempotency.ReplayedHeader) == "true"}
}

const mutation = `{"query":"mutation { createComment(input: {body: \"hi\"}) { comment { id } } }"}`

func TestKeeper_Middleware(t *testing.T) {
	rdb := redistest.Client(t)

	t.Run("RetryGetsTheStoredAnswer", func(t *testing.T) {
		h := &counter{}
		s := serve(t, rdb, h)
		first := send(t, s.URL, "k-1", "7", mutation)
		// The same request, encoded differently: keys reordered, spaces.
		again := send(t, s.URL, "k-1", "7", ` { "query" : "mutation { createComment(input: {body: \"hi\"}) { comment { id } } }" }`)
		if h.runs.Load() != 1 {
			t.Fatalf("ran %d times, want once", h.runs.Load())
		}
		if first.replayed || !again.replayed || again.body != first.body || again.status != first.status {
			t.Errorf("first %+v, retry %+v: want the retry to be the first answer, marked replayed", first, again)
		}
	})
	t.Run("KeyReusedWithAnotherRequest", func(t *testing.T) {
		h := &counter{}
		s := serve(t, rdb, h)
		send(t, s.URL, "k-2", "7", mutation)
		got := send(t, s.URL, "k-2", "7", strings.Replace(mutation, "hi", "bye", 1))
		if got.status != http.StatusUnprocessableEntity || !strings.Contains(got.body, `"code":"IDEMPOTENCY_KEY_REUSED"`) || h.runs.Load() != 1 {
			t.Errorf("got %+v after %d runs, want 422 IDEMPOTENCY_KEY_REUSED after 1", got, h.runs.Load())
		}
	})
	t.Run("KeysArePerClient", func(t *testing.T) {
		h := &counter{}
		s := serve(t, rdb, h)
		a, b := send(t, s.URL, "k-3", "7", mutation), send(t, s.URL, "k-3", "8", mutation)
		c := send(t, s.URL, "k-3", "", mutation) // anonymous, by address
		if h.runs.Load() != 3 || a.replayed || b.replayed || c.replayed {
			t.Errorf("ran %d times (%+v %+v %+v), want each client's request run", h.runs.Load(), a, b, c)
		}
	})
	t.Run("WithoutKeyEveryRequestRuns", func(t *testing.T) {
		h := &counter{}
		s := serve(t, rdb, h)
		send(t, s.URL, "", "7", mutation)
		send(t, s.URL, "", "7", mutation)
		if h.runs.Load() != 2 {
			t.Errorf("ran %d times, want 2", h.runs.Load())
		}
	})
	t.Run("ConcurrentDuplicatesRunOnce", func(t *testing.T) {
		h := &counter{gate: make(chan struct{})}
		s := serve(t, rdb, h)
		const n = 10
		answers := make([]answer, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() { defer wg.Done(); answers[i] = send(t, s.URL, "k-4", "7", mutation) }()
		}
		// Let the first run finish once it has started; the others are
		// waiting for it, or arrive after it and are replayed.
		for deadline := time.Now().Add(5 * time.Second); h.runs.Load() == 0; {
			if time.Now().After(deadline) {
				t.Fatal("no request ran within 5s")
			}
			time.Sleep(time.Millisecond)
		}
		close(h.gate)
		wg.Wait()
		replayed := 0
		for _, a := range answers {
			if a.body != answers[0].body || a.status != http.StatusOK {
				t.Errorf("answers differ: %+v and %+v", a, answers[0])
			}
			if a.replayed {
				replayed++
			}
		}
		if h.runs.Load() != 1 || replayed != n-1 {
			t.Errorf("ran %d times, %d replayed; want once, %d replayed", h.runs.Load(), replayed, n-1)
		}
	})
	t.Run("FailureReleasesTheKey", func(t *testing.T) {
		h := &counter{status: http.StatusInternalServerError}
		s := serve(t, rdb, h)
		send(t, s.URL, "k-5", "7", mutation)
		h.status = 0
		got := send(t, s.URL, "k-5", "7", mutation)
		if h.runs.Load() != 2 || got.replayed || got.status != http.StatusOK {
			t.Errorf("ran %d times, retry %+v: want a failed request run again", h.runs.Load(), got)
		}
	})
	t.Run("MalformedKey", func(t *testing.T) {
		s := serve(t, rdb, &counter{})
		got := send(t, s.URL, strings.Repeat("k", 300), "7", mutation)
		if got.status != http.StatusBadRequest || !strings.Contains(got.body, `"code":"BAD_USER_INPUT"`) {
			t.Errorf("got %+v, want 400 BAD_USER_INPUT", got)
		}
	})
	t.Run("RedisDownRefusesRetryably", func(t *testing.T) {
		h := &counter{}
		s := serve(t, redistest.Dead(t), h)
		start := time.Now()
		got := send(t, s.URL, "k-6", "7", mutation)
		if got.status != http.StatusServiceUnavailable || !strings.Contains(got.body, `"code":"SERVICE_UNAVAILABLE"`) || h.runs.Load() != 0 {
			t.Errorf("got %+v after %d runs, want 503 SERVICE_UNAVAILABLE and no run", got, h.runs.Load())
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("refused after %s, want fast", took)
		}
		if plain := send(t, s.URL, "", "7", mutation); plain.status != http.StatusOK {
			t.Errorf("a request without a key: got %+v, want it served", plain)
		}
	})
}
