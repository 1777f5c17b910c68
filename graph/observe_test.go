package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/folio/folio/graph"
	"github.com/folio/folio/graph/graphtest"
	"github.com/folio/folio/internal/accesslog"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/httpapi"
	"github.com/folio/folio/internal/logging"
	"github.com/folio/folio/internal/metrics"
	"github.com/folio/folio/internal/postgres"
	"github.com/folio/folio/internal/requestid"
	"github.com/folio/folio/internal/tracing"
)

const (
	testJWT    = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
	testAPIKey = "folio_k3y1d_abcdefghijklmnopqrstuvwxyz012345"
)

// observed serves the GraphQL handler behind the whole HTTP stack, with the
// access log and metrics on as server.go configures them, and an "auth"
// layer that makes every request user 7 with API key 3.
type observed struct {
	*graphtest.Server
	logs    *graphtest.SyncBuffer
	metrics *metrics.Metrics
}

func newObserved(t *testing.T, m *metrics.Metrics, adjust ...func(*graph.Options)) *observed {
	t.Helper()
	s := &observed{logs: &graphtest.SyncBuffer{}, metrics: m}
	log := logging.New(s.logs, slog.LevelDebug, true)
	o := graph.Options{Store: testDB, Logger: log}
	for _, f := range adjust {
		f(&o)
	}
	inner := graph.NewHandler(o)
	asUser := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := folio.Viewer{UserID: 7, Role: folio.RoleAuthor, APIKeyID: 3}
		inner.ServeHTTP(w, r.WithContext(folio.WithViewer(r.Context(), v)))
	})
	var rec accesslog.Recorder
	if m != nil {
		rec = m
	}
	s.Server = graphtest.Serve(t, asUser, func(h *httpapi.Options) { h.Logger, h.Recorder = log, rec })
	return s
}

// send posts body with contentType and the headers of an authenticated
// client, and returns the status and request id.
func (s *observed) send(t *testing.T, contentType, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+testJWT)
	req.Header.Set("Cookie", "session="+testJWT)
	req.Header.Set("X-API-Key", testAPIKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, res.Header.Get(requestid.Header)
}

// requestLines are the access log's "request" lines, decoded.
func requestLines(t *testing.T, logs string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if m["msg"] == "request" {
			out = append(out, m)
		}
	}
	return out
}

func TestAccessLog_OneLinePerRequestNoSecrets(t *testing.T) {
	getWorld(t)
	s := newObserved(t, nil)
	// Secrets travel as variables (by name and by shape) and as headers.
	feed := `{"query":"query Feed($first: Int, $password: String!, $refreshToken: String!, $note: String!) { articles(first: $first) { nodes { slug } } ` +
		`a: search(query: $password, first: 1) { totalCount } b: search(query: $refreshToken, first: 1) { totalCount } c: search(query: $note, first: 1) { totalCount } }","variables":{"first":2,"password":"hunter2","refreshToken":"` + testJWT + `","note":"key ` + testAPIKey + `"}}`
	bad := `{"query":"query Bad { articles(first: -1) { nodes { slug } } }"}`

	type sent struct {
		status    int
		id        string
		op, typ   string
		errorCode string
	}
	var reqs []sent
	st, id := s.send(t, "application/json", feed)
	reqs = append(reqs, sent{st, id, "Feed", "query", ""})
	st, id = s.send(t, "application/json", bad)
	reqs = append(reqs, sent{st, id, "Bad", "query", "BAD_USER_INPUT"})
	st, id = s.send(t, "text/plain", feed)
	reqs = append(reqs, sent{st, id, "", "", "BAD_USER_INPUT"})

	logs := s.logs.String()
	for _, secret := range []string{testJWT, testAPIKey, "hunter2"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs show the secret %q:\n%s", secret, logs)
		}
	}
	lines := requestLines(t, logs)
	if len(lines) != len(reqs) {
		t.Fatalf("got %d request lines for %d requests:\n%s", len(lines), len(reqs), logs)
	}
	for i, want := range reqs {
		got := lines[i]
		if got["level"] != "INFO" || got["request_id"] != want.id || got["status"] != float64(want.status) {
			t.Errorf("line %d: got level %v id %v status %v, want INFO %s %d", i, got["level"], got["request_id"], got["status"], want.id, want.status)
		}
		if got["operation"] != want.op || got["operation_type"] != want.typ {
			t.Errorf("line %d: got operation %v %v, want %q %q", i, got["operation_type"], got["operation"], want.typ, want.op)
		}
		if _, ok := got["duration_ms"].(float64); !ok {
			t.Errorf("line %d has no duration_ms: %v", i, got)
		}
		codes, _ := got["errors"].([]any)
		if want.errorCode == "" && len(codes) > 0 || want.errorCode != "" && (len(codes) == 0 || codes[0] != want.errorCode) {
			t.Errorf("line %d: got errors %v, want %q", i, got["errors"], want.errorCode)
		}
		client, _ := got["client"].(map[string]any)
		if i < 2 && (client["user_id"] != float64(7) || client["api_key_id"] != float64(3) || client["ip"] != "127.0.0.1") {
			t.Errorf("line %d: got client %v, want user 7, key 3 from 127.0.0.1", i, client)
		}
	}
	// The debug detail line shows the variables, secrets redacted.
	if !strings.Contains(logs, `"first":2`) || !strings.Contains(logs, `"password":"[REDACTED]"`) {
		t.Errorf("debug detail lacks the redacted variables:\n%s", logs)
	}
}

func TestMetrics_AfterRequests(t *testing.T) {
	getWorld(t)
	m := metrics.New(metrics.Options{MaxOperations: 2})
	m.WatchStatements(testDB.Statements)
	m.WatchPool(testDB.Pool.Stat)
	s := newObserved(t, m)
	for _, body := range []string{
		`{"query":"query Feed { articles(first: 2) { nodes { slug } } }"}`,
		`{"query":"query Feed { articles(first: 3) { nodes { slug } } }"}`,
		`{"query":"{ categories { totalCount } }"}`,
		`{"query":"query Tags { tags { totalCount } }"}`,
		`{"query":"query Third { tags { totalCount } }"}`,
		`{"query":"query Bad { articles(first: -1) { nodes { slug } } }"}`,
	} {
		s.send(t, "application/json", body)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`folio_graphql_operation_duration_seconds_count{operation="Feed",outcome="ok",type="query"} 2`,
		`folio_graphql_operation_duration_seconds_count{operation="anonymous",outcome="ok",type="query"} 1`,
		`folio_graphql_operation_duration_seconds_count{operation="Tags",outcome="ok",type="query"} 1`,
		// Past two names, the rest fold into "other".
		`folio_graphql_operation_duration_seconds_count{operation="other",outcome="ok",type="query"} 1`,
		`folio_graphql_operation_duration_seconds_count{operation="other",outcome="error",type="query"} 1`,
		`folio_graphql_errors_total{code="BAD_USER_INPUT"} 1`,
		`folio_http_requests_in_flight 0`,
		`folio_sql_statements_total `,
		`folio_pgx_pool_total_connections `,
		`folio_pgx_pool_acquires_total `,
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", grepLines(body, "folio_"))
	}
}

func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestTracing_OperationThenSQLSpans(t *testing.T) {
	w := getWorld(t)
	exp := tracetest.NewInMemoryExporter()
	tp := tracing.NewProvider(trace.NewSimpleSpanProcessor(exp), tracing.Options{})
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	db, err := postgres.Open(context.Background(), testDB.Pool.Config().ConnString(), postgres.Options{Tracers: []postgres.QueryTracer{tracing.NewPGX(tp)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	h := graph.NewHandler(graph.Options{Store: db, TracerProvider: tp})
	srv := graphtest.Serve(t, h, func(o *httpapi.Options) { o.TracerProvider = tp })

	res, err := http.Post(srv.URL, "application/json", bytes.NewBufferString(`{"query":"query Feed { articles(first: 2) { nodes { slug commentCount } } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	_ = tp.ForceFlush(context.Background())

	spans := exp.GetSpans()
	var httpSpan, opSpan *tracetest.SpanStub
	for i := range spans {
		switch spans[i].Name {
		case "query Feed":
			opSpan = &spans[i]
		case "POST":
			httpSpan = &spans[i]
		}
	}
	if httpSpan == nil || opSpan == nil {
		t.Fatalf("got spans %v, want an HTTP span POST and an operation span \"query Feed\"", spanNames(spans))
	}
	if opSpan.Parent.SpanID() != httpSpan.SpanContext.SpanID() {
		t.Errorf("the operation span's parent is %s, want the HTTP span %s", opSpan.Parent.SpanID(), httpSpan.SpanContext.SpanID())
	}
	var sql int
	for _, s := range spans {
		if s.Name == "SELECT" || s.Name == "WITH" {
			sql++
			if s.Parent.SpanID() != opSpan.SpanContext.SpanID() || s.SpanContext.TraceID() != opSpan.SpanContext.TraceID() {
				t.Errorf("SQL span %s has parent %s, want the operation span %s", s.Name, s.Parent.SpanID(), opSpan.SpanContext.SpanID())
			}
		}
	}
	// The feed with counts: the articles read their stats.
	if sql != 1 {
		t.Errorf("got %d SQL spans, want 1 (articles with their stats): %v", sql, spanNames(spans))
	}

	// An article page sends its statements in one batch: one span, an
	// event for each statement.
	exp.Reset()
	page, _ := json.Marshal(map[string]string{"query": fmt.Sprintf(`query Page { article(slug: %q) { title author { articles(first: 2) { nodes { slug } } } comments(first: 2) { nodes { body } } } }`, w.filler[50].Slug)})
	res, err = http.Post(srv.URL, "application/json", bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	_ = tp.ForceFlush(context.Background())
	var batches []tracetest.SpanStub
	for _, s := range exp.GetSpans() {
		if s.Name == "BATCH" {
			batches = append(batches, s)
		}
	}
	if len(batches) != 1 || len(batches[0].Events) != 3 {
		t.Fatalf("got spans %v, want one BATCH span with 3 statement events", spanNames(exp.GetSpans()))
	}
	for _, e := range batches[0].Events {
		if e.Name != "SELECT" && e.Name != "WITH" {
			t.Errorf("batch event %q, want a statement's keyword", e.Name)
		}
	}
}

func spanNames(spans tracetest.SpanStubs) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}
