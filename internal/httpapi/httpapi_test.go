package httpapi_test

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/clientaddr"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/httpapi"
	"github.com/folio/folio/internal/logging"
	"github.com/folio/folio/internal/metrics"
)

type authFunc func(*http.Request) (folio.Viewer, error)

func (f authFunc) Authenticate(r *http.Request) (folio.Viewer, error) { return f(r) }

func postQuery() *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(`{"query":"{ x }"}`))
	r.Header.Set("Content-Type", "application/json")
	r.RemoteAddr = "203.0.113.9:5000"
	return r
}

// TestNew_Layers checks that a request reaches the executor through every
// layer: its id, security headers, client address, deadline and viewer.
func TestNew_Layers(t *testing.T) {
	var seen *http.Request
	exec := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":{}}`))
	})
	h := httpapi.New(httpapi.Options{GraphQL: exec, Timeout: time.Minute,
		Auth: authFunc(func(*http.Request) (folio.Viewer, error) { return folio.Viewer{UserID: 7}, nil })})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, postQuery())
	if rec.Code != http.StatusOK || seen == nil {
		t.Fatalf("got %d %s, want the executor's answer", rec.Code, rec.Body)
	}
	if rec.Header().Get("X-Request-ID") == "" || rec.Header().Get("X-Content-Type-Options") != "nosniff" || rec.Header().Get("Content-Security-Policy") != httpapi.APIPolicy {
		t.Errorf("headers %v lack the request id or the security headers", rec.Header())
	}
	if _, ok := seen.Context().Deadline(); !ok {
		t.Error("the executor's context has no deadline")
	}
	if got := clientaddr.From(seen.Context()).String(); got != "203.0.113.9" {
		t.Errorf("client address %s, want 203.0.113.9", got)
	}
	if got := folio.ViewerFrom(seen.Context()).UserID; got != 7 {
		t.Errorf("viewer %d, want 7", got)
	}
}

// TestNew_OnlyLiveConnectionsSkipTheDeadline: what graph's live
// transports serve (a WebSocket upgrade, an SSE POST of JSON) runs without
// the request deadline; a request that merely accepts text/event-stream
// as well keeps it, so a header cannot lift the deadline.
func TestNew_OnlyLiveConnectionsSkipTheDeadline(t *testing.T) {
	for _, tt := range []struct {
		name                 string
		method, accept, ct   string
		upgrade              string
		streaming, deadlined bool
	}{
		{"Query", http.MethodPost, "application/json", "application/json", "", false, true},
		{"SSE", http.MethodPost, "text/event-stream", "application/json", "", true, false},
		{"WebSocket", http.MethodGet, "", "", "websocket", true, false},
		{"GETAcceptingEventsToo", http.MethodGet, "text/event-stream, application/json", "", "", false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var seen *http.Request
			exec := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = r })
			h := httpapi.New(httpapi.Options{GraphQL: exec, Timeout: time.Minute})
			target := "/query"
			var body io.Reader
			if tt.method == http.MethodGet {
				target += "?query=%7B%20x%20%7D"
			} else {
				body = strings.NewReader(`{"query":"{ x }"}`)
			}
			r := httptest.NewRequest(tt.method, target, body)
			for k, v := range map[string]string{"Accept": tt.accept, "Content-Type": tt.ct, "Upgrade": tt.upgrade} {
				if v != "" {
					r.Header.Set(k, v)
				}
			}
			if got := httpapi.Streaming(r); got != tt.streaming {
				t.Errorf("Streaming = %v, want %v", got, tt.streaming)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			if seen == nil {
				t.Fatal("the request did not reach the executor")
			}
			if _, ok := seen.Context().Deadline(); ok != tt.deadlined {
				t.Errorf("deadline set: %v, want %v", ok, tt.deadlined)
			}
		})
	}
}

func TestNew_BadCredentials(t *testing.T) {
	t.Run("ServedAnonymouslyWithTheRefusal", func(t *testing.T) {
		var refusal *folio.Error
		exec := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { refusal = auth.RefusalFrom(r.Context()) })
		h := httpapi.New(httpapi.Options{GraphQL: exec, Auth: authFunc(func(*http.Request) (folio.Viewer, error) {
			return folio.Viewer{}, folio.Errorf(folio.EUnauthenticated, "expired")
		})})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, postQuery())
		if refusal == nil || refusal.Message != "expired" || !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("refusal %v, WWW-Authenticate %q", refusal, rec.Header().Get("WWW-Authenticate"))
		}
	})
	t.Run("StoreFailureIsInternal", func(t *testing.T) {
		h := httpapi.New(httpapi.Options{GraphQL: http.NotFoundHandler(), Auth: authFunc(func(*http.Request) (folio.Viewer, error) {
			return folio.Viewer{}, errors.New("connection refused")
		})})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, postQuery())
		if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), `"INTERNAL_SERVER_ERROR"`) || strings.Contains(rec.Body.String(), "refused") {
			t.Errorf("got %d %s", rec.Code, rec.Body)
		}
	})
}

func TestNew_RecoversPanics(t *testing.T) {
	h := httpapi.New(httpapi.Options{GraphQL: http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, postQuery())
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), `"INTERNAL_SERVER_ERROR"`) || strings.Contains(rec.Body.String(), "boom") {
		t.Errorf("got %d %s, want 500 INTERNAL_SERVER_ERROR without the panic's value", rec.Code, rec.Body)
	}
}

// TestWriteError checks the one table: each code's extensions.code and
// status, and that an unknown code is internal.
func TestWriteError(t *testing.T) {
	for _, tc := range []struct {
		code   folio.Code
		ext    string
		status int
	}{
		{folio.EInvalid, "BAD_USER_INPUT", 400},
		{folio.EMethodNotAllowed, "BAD_USER_INPUT", 405},
		{folio.EUnsupportedMedia, "BAD_USER_INPUT", 415},
		{folio.ETooLarge, "BAD_USER_INPUT", 413},
		{folio.ERateLimited, "RATE_LIMITED", 429},
		{folio.EInternal, "INTERNAL_SERVER_ERROR", 500},
		{folio.ECostLimit, "COST_LIMIT_EXCEEDED", 200},
		{folio.ETrustedDocumentRequired, "TRUSTED_DOCUMENT_REQUIRED", 200},
		{"no_such_code", "INTERNAL_SERVER_ERROR", 500},
	} {
		t.Run(string(tc.code), func(t *testing.T) {
			rec := httptest.NewRecorder()
			httpapi.WriteError(rec, httptest.NewRequest("GET", "/query", nil), folio.Errorf(tc.code, "msg"))
			want := `{"errors":[{"extensions":{"code":"` + tc.ext + `"},"message":"msg"}]}`
			if rec.Code != tc.status || strings.TrimSpace(rec.Body.String()) != want || rec.Header().Get("Content-Type") != "application/json" {
				t.Errorf("got %d %s, want %d %s", rec.Code, rec.Body, tc.status, want)
			}
		})
	}
}

// BenchmarkLayers measures what the layers in front of the executor cost
// one request (trace span off, request id, access log line, metrics,
// security headers, CORS, CSRF, request checks, deadline), over an
// executor that does nothing.
func BenchmarkLayers(b *testing.B) {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":{}}`))
	})
	layered := httpapi.New(httpapi.Options{GraphQL: inner, Logger: logging.New(io.Discard, slog.LevelInfo, true),
		Recorder: metrics.New(metrics.Options{}), CORSOrigins: []string{"https://app.example.com"}, Timeout: 10e9})
	body := `{"query":"query HomeFeed { articles { totalCount } }"}`
	for name, h := range map[string]http.Handler{"Bare": inner, "Layered": layered} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJl")
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}

// TestNew_PublicCaching checks how anonymous GET answers may be kept: an
// answer without errors, or a 304, for a minute by anyone and without the
// caller's budget; one with errors by no one; and, when the handler says
// itself how its answer may be kept (the response cache does), as it says.
func TestNew_PublicCaching(t *testing.T) {
	for _, tc := range []struct {
		name, handlerSays string
		status            int
		body              string
		want              string
	}{
		{"Answer", "", http.StatusOK, `{"data":{"x":1}}`, "public, max-age=60, stale-while-revalidate=60"},
		{"NotModified", "", http.StatusNotModified, "", "public, max-age=60, stale-while-revalidate=60"},
		{"Errors", "", http.StatusOK, `{"errors":[{"message":"no"}],"data":null}`, "no-store"},
		{"HandlerMaxAge", "public, max-age=300, stale-while-revalidate=300", http.StatusOK, `{"data":{"x":1}}`, "public, max-age=300, stale-while-revalidate=300"},
		{"HandlerNoStore", "no-store", http.StatusOK, `{"data":{"rateLimit":{"remaining":9}}}`, "no-store"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exec := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.handlerSays != "" {
					w.Header().Set("Cache-Control", tc.handlerSays)
				}
				w.Header().Set("RateLimit-Remaining", "9")
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			})
			h := httpapi.New(httpapi.Options{GraphQL: exec, Timeout: time.Minute})
			r := httptest.NewRequest(http.MethodGet, "/query?query=%7B+x+%7D", nil)
			r.RemoteAddr = "203.0.113.9:5000"
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if got := rec.Header().Get("Cache-Control"); got != tc.want {
				t.Errorf("Cache-Control %q, want %q", got, tc.want)
			}
			public := strings.HasPrefix(tc.want, "public")
			if got := rec.Header().Get("RateLimit-Remaining"); public && got != "" {
				t.Errorf("a public answer carries the caller's budget: RateLimit-Remaining %q", got)
			}
			if tc.status == http.StatusNotModified && (rec.Body.Len() != 0 || rec.Header().Get("Content-Length") != "") {
				t.Errorf("a 304 with a body (%q) or a length (%q)", rec.Body, rec.Header().Get("Content-Length"))
			}
		})
	}
}
