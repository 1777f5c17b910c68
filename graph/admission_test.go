package graph_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/folio/folio/graph"
	"github.com/folio/folio/internal/admission"
	"github.com/folio/folio/internal/httpapi"
	"github.com/folio/folio/internal/live"
)

const articleTitleQuery = `query($slug: String!) { article(slug: $slug) { title } }`

// fullGate is a gate of one turn that the test holds.
func fullGate(t *testing.T) *admission.Gate {
	t.Helper()
	g := admission.New(1)
	if err := g.Enter(context.Background()); err != nil {
		t.Fatal(err)
	}
	return g
}

// waitUntil yields until cond holds: the gate's counters say when a
// request is in line, so no test guesses with a sleep. The bound only
// turns a hang into a failure.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); !cond(); runtime.Gosched() {
		if time.Now().After(end) {
			t.Fatalf("never: %s", what)
		}
	}
}

// rawPost sends query off the test's goroutine (no t.Fatal there): the
// status and the body, or the error.
func rawPost(url, query string, vars map[string]any) (int, string, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	res, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return res.StatusCode, string(raw), err
}

// TestAdmission_WaitsItsTurn: with every turn taken, a request waits in
// line, and runs as soon as a turn is free.
func TestAdmission_WaitsItsTurn(t *testing.T) {
	w := getWorld(t)
	gate := fullGate(t)
	s := newServer(t, testDB, func(o *graph.Options) { o.Admission = gate })
	type answer struct {
		status int
		body   string
		err    error
	}
	done := make(chan answer, 1)
	go func() {
		status, body, err := rawPost(s.URL, articleTitleQuery, map[string]any{"slug": w.filler[3].Slug})
		done <- answer{status, body, err}
	}()
	waitUntil(t, "the request in line", func() bool { return gate.Stats().Waiting == 1 })
	select {
	case a := <-done:
		t.Fatalf("answered while every turn was taken: %d %s", a.status, a.body)
	default:
	}
	gate.Leave()
	a := <-done
	if a.err != nil || a.status != http.StatusOK || strings.Contains(a.body, "errors") || !strings.Contains(a.body, w.filler[3].Title) {
		t.Fatalf("after its turn came: %d %s %v", a.status, a.body, a.err)
	}
	if st := gate.Stats(); st.Running != 0 || st.Waiting != 0 {
		t.Fatalf("the request kept its turn: %+v", st)
	}
}

// TestAdmission_BusyPastDeadline: a request whose deadline passes in line
// never runs, and says the server is busy and when to retry.
func TestAdmission_BusyPastDeadline(t *testing.T) {
	w := getWorld(t)
	gate := fullGate(t)
	s := newServerHTTP(t, testDB, func(o *httpapi.Options) { o.Timeout = 50 * time.Millisecond },
		func(o *graph.Options) { o.Admission = gate })
	r := s.post(t, articleTitleQuery, map[string]any{"slug": w.filler[3].Slug})
	if r.Status != http.StatusServiceUnavailable || r.Code() != "SERVICE_UNAVAILABLE" || r.Header.Get("Retry-After") != "1" {
		t.Fatalf("status %d, Retry-After %q: %s", r.Status, r.Header.Get("Retry-After"), r.Raw)
	}
	if r.Statements != 0 || r.Data != nil {
		t.Fatalf("a request refused in line ran %d statements: %s", r.Statements, r.Raw)
	}
	if st := gate.Stats(); st.Running != 1 || st.Waiting != 0 {
		t.Fatalf("gate after the refusal: %+v", st)
	}
}

// TestAdmission_ParallelPagesQueue: many pages at once through two turns
// all answer, each with exactly its page's statements, and leave the gate
// empty.
func TestAdmission_ParallelPagesQueue(t *testing.T) {
	w := getWorld(t)
	gate := admission.New(2)
	s := newServer(t, testDB, func(o *graph.Options) { o.Admission = gate })
	const n = 16
	got := make([]response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			got[i] = s.Do(t, nil, ArticlePageQuery, map[string]any{"slug": w.filler[50].Slug, "comments": 20, "replies": 5})
		})
	}
	wg.Wait()
	for i, r := range got {
		if r.Status != http.StatusOK || len(r.Errors) > 0 || r.Statements != articlePageStatements {
			t.Fatalf("request %d: %d, %d statements (want %d): %s", i, r.Status, r.Statements, articlePageStatements, r.Raw)
		}
	}
	if st := gate.Stats(); st != (admission.Stats{Limit: 2}) {
		t.Fatalf("gate after the pages: %+v", st)
	}
}

// TestAdmission_LiveConnectionsPass: a subscription's stream would hold a
// turn for as long as it lives, so it takes none.
func TestAdmission_LiveConnectionsPass(t *testing.T) {
	hub := live.New(live.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { defer close(stopped); hub.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-stopped })
	gate := fullGate(t)
	s := newServer(t, testDB, func(o *graph.Options) {
		o.Admission = gate
		o.Live = graph.LiveOptions{Hub: hub}
	})
	w := getWorld(t)
	reqCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	req, err := http.NewRequestWithContext(reqCtx, http.MethodPost, s.URL,
		strings.NewReader(`{"query":"subscription($id: ID!) { commentAdded(articleId: $id) { id } }","variables":{"id":"`+
			base64.RawURLEncoding.EncodeToString([]byte("Article:"+itoa(w.filler[3].ID)))+`"}}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("a live request waited for a turn: %v", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("got %d %s, want the event stream", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if st := gate.Stats(); st.Waiting != 0 || st.Running != 1 {
		t.Fatalf("gate with the stream open: %+v", st)
	}
}
