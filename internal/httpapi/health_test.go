package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/folio/folio/internal/httpapi"
	"github.com/folio/folio/internal/redistest"
)

func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

func TestReadyz_DependencyDown(t *testing.T) {
	dead := redistest.Dead(t)
	h := httpapi.New(httpapi.Options{Checks: []httpapi.Check{
		{Name: "postgres", Ping: func(context.Context) error { return nil }},
		{Name: "redis", Ping: func(ctx context.Context) error { return dead.Ping(ctx).Err() }},
	}})
	rec := get(t, h, "/readyz")
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"redis":"unreachable"`) || !strings.Contains(rec.Body.String(), `"postgres":"ok"`) {
		t.Errorf("got %d %s, want 503 naming redis", rec.Code, rec.Body)
	}
	if got := rec.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", got)
	}
}

func TestDrain_Readiness(t *testing.T) {
	d := &httpapi.Drain{}
	h := httpapi.New(httpapi.Options{Drain: d, Checks: []httpapi.Check{{Name: "postgres", Ping: func(context.Context) error { return nil }}}})
	if rec := get(t, h, "/readyz"); rec.Code != http.StatusOK {
		t.Fatalf("before Begin: got %d, want 200", rec.Code)
	}
	d.Begin()
	if rec := get(t, h, "/readyz"); rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "draining") {
		t.Fatalf("after Begin: got %d %s, want 503 draining", rec.Code, rec.Body)
	}
	if rec := get(t, h, "/healthz"); rec.Code != http.StatusOK {
		t.Errorf("healthz while draining: got %d, want 200 (the process is alive)", rec.Code)
	}
}

func TestReadyz_AnyCheckFailing(t *testing.T) {
	h := httpapi.New(httpapi.Options{Checks: []httpapi.Check{{Name: "postgres", Ping: func(context.Context) error { return errors.New("down") }}}})
	if rec := get(t, h, "/readyz"); rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"postgres":"unreachable"`) {
		t.Errorf("got %d %s", rec.Code, rec.Body)
	}
}
