package accesslog_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio/internal/accesslog"
	"github.com/folio/folio/internal/folio"
)

// recorder remembers what the middleware reported.
type recorder struct {
	started, done int
	ops           []string
	codes         []string
}

func (r *recorder) RequestStarted() { r.started++ }
func (r *recorder) RequestDone()    { r.done++ }
func (r *recorder) ObserveOperation(name, opType, outcome string, _ time.Duration) {
	r.ops = append(r.ops, opType+" "+name+" "+outcome)
}
func (r *recorder) GraphQLError(code string) { r.codes = append(r.codes, code) }

func lines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		out = append(out, m)
	}
	return out
}

func TestMiddleware(t *testing.T) {
	var buf bytes.Buffer
	rec := &recorder{}
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { clock = clock.Add(1500 * time.Microsecond); return clock }
	h := accesslog.Middleware(accesslog.Options{Logger: log, Recorder: rec, Quiet: []string{"/healthz"}, Now: now},
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			e := accesslog.From(r.Context())
			switch r.URL.Path {
			case "/query":
				e.SetOperation("Feed", "mutation")
				e.SetViewer(folio.Viewer{UserID: 9, Role: folio.RoleEditor, APIKeyID: 4})
				e.AddErrorCodes("FORBIDDEN")
				w.WriteHeader(http.StatusOK)
				w.WriteHeader(http.StatusTeapot) // superfluous: the first status stands
				_, _ = w.Write([]byte("hello"))
				if err := http.NewResponseController(w).Flush(); err != nil {
					t.Errorf("flush through the wrapper: %v", err)
				}
			default:
				_, _ = w.Write([]byte("ok"))
			}
		}))

	req := httptest.NewRequest("POST", "/query", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.7")
	h.ServeHTTP(httptest.NewRecorder(), req)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/healthz", nil))

	got := lines(t, &buf)
	if len(got) != 1 {
		t.Fatalf("got %d lines at info, want 1 (the probe logs at debug): %v", len(got), got)
	}
	l := got[0]
	client, _ := l["client"].(map[string]any)
	if l["status"] != float64(200) || l["bytes"] != float64(5) || l["duration_ms"] != 1.5 ||
		l["operation"] != "Feed" || l["operation_type"] != "mutation" ||
		client["user_id"] != float64(9) || client["role"] != "editor" || client["api_key_id"] != float64(4) || client["forwarded_for"] != "203.0.113.7" {
		t.Errorf("got line %v", l)
	}
	if rec.started != 2 || rec.done != 2 {
		t.Errorf("in flight: started %d done %d, want 2 and 2", rec.started, rec.done)
	}
	// Only the GraphQL request is an operation; its error makes it an error.
	if len(rec.ops) != 1 || rec.ops[0] != "mutation Feed error" || len(rec.codes) != 1 || rec.codes[0] != "FORBIDDEN" {
		t.Errorf("got ops %v codes %v", rec.ops, rec.codes)
	}
}

func TestEntry_NilIsSafe(t *testing.T) {
	var e *accesslog.Entry
	e.SetOperation("x", "query")
	e.MarkGraphQL()
	e.SetViewer(folio.Viewer{UserID: 1})
	e.AddErrorCodes("X")
	e.SetVariables(nil)
	if accesslog.From(httptest.NewRequest("GET", "/", nil).Context()) != nil {
		t.Error("From found an entry where none was made")
	}
}
