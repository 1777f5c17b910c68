package main

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/httpapi"
	"github.com/folio/folio/internal/idempotency"
	"github.com/folio/folio/internal/postgres/postgrestest"
	"github.com/folio/folio/internal/requestid"
)

// corsRequest sends a preflight (OPTIONS) or a query (POST) to base's
// /query from a page of origin, as a browser would.
func corsRequest(t *testing.T, base, method, origin string) http.Header {
	t.Helper()
	var body *strings.Reader
	if method == http.MethodPost {
		body = strings.NewReader(`{"query":"{ categories { totalCount } }"}`)
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequest(method, base+"/query", body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", origin)
	if method == http.MethodOptions {
		req.Header.Set("Access-Control-Request-Method", "POST")
		// As browsers send it: lower case, sorted.
		names := strings.Split(strings.ToLower(strings.Join(httpapi.CORSRequestHeaders, ",")), ",")
		slices.Sort(names)
		req.Header.Set("Access-Control-Request-Headers", strings.Join(names, ","))
	} else {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.Header
}

// TestRun_CORS checks, over HTTP, which browser pages may call the API: in
// development a frontend's dev server on any local port; in production
// only CORS_ALLOWED_ORIGINS. An allowed page may send every header Folio
// reads and read every header Folio writes for it.
func TestRun_CORS(t *testing.T) {
	allowed := func(t *testing.T, base, origin string) {
		t.Helper()
		pre := corsRequest(t, base, http.MethodOptions, origin)
		if got := pre.Get("Access-Control-Allow-Origin"); got != origin {
			t.Fatalf("preflight from %s: got Access-Control-Allow-Origin %q, want it echoed; headers %v", origin, got, pre)
		}
		allow := strings.ToLower(pre.Get("Access-Control-Allow-Headers"))
		for _, h := range httpapi.CORSRequestHeaders {
			if !strings.Contains(allow, strings.ToLower(h)) {
				t.Errorf("preflight from %s: %s is not allowed (%q)", origin, h, allow)
			}
		}
		res := corsRequest(t, base, http.MethodPost, origin)
		if got := res.Get("Access-Control-Allow-Origin"); got != origin {
			t.Errorf("query from %s: got Access-Control-Allow-Origin %q", origin, got)
		}
		expose := strings.ToLower(res.Get("Access-Control-Expose-Headers"))
		for _, h := range httpapi.CORSExposedHeaders {
			if !strings.Contains(expose, strings.ToLower(h)) {
				t.Errorf("query from %s: %s is not exposed (%q)", origin, h, expose)
			}
		}
		if res.Get("RateLimit-Remaining") == "" || res.Get("X-Request-ID") == "" {
			t.Errorf("query from %s: the exposed headers are not sent: %v", origin, res)
		}
	}
	refused := func(t *testing.T, base, origin string) {
		t.Helper()
		for _, method := range []string{http.MethodOptions, http.MethodPost} {
			if got := corsRequest(t, base, method, origin).Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("%s from %s: got Access-Control-Allow-Origin %q, want none", method, origin, got)
			}
		}
	}

	t.Run("Development", func(t *testing.T) {
		_, dbURL := freshDatabase(t)
		base := startServer(t, map[string]string{"DATABASE_URL": dbURL, "SEED_IF_EMPTY": "false"}, nil)
		allowed(t, base, "http://localhost:5173")
		allowed(t, base, "http://127.0.0.1:3000")
		refused(t, base, "https://evil.example.net")
		refused(t, base, "https://localhost.evil.example.net")
	})
	t.Run("Production", func(t *testing.T) {
		db, drop, err := postgrestest.Create(context.Background(), "main")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(drop)
		base := startServer(t, map[string]string{"ENV": "production", "DATABASE_URL": db.Pool.Config().ConnString(),
			"JWT_KEYS": auth.GenerateKey(), "CORS_ALLOWED_ORIGINS": "https://app.example.com"}, nil)
		allowed(t, base, "https://app.example.com")
		refused(t, base, "http://localhost:5173")
	})
}

func TestConfig_CORSOrigins(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{nil, "http://localhost:*,http://127.0.0.1:*"},
		{map[string]string{"ENV": "production"}, ""},
		{map[string]string{"CORS_ALLOWED_ORIGINS": "https://app.example.com/"}, "https://app.example.com"},
		{map[string]string{"ENV": "production", "CORS_ALLOWED_ORIGINS": "https://a.example.com, https://b.example.com"}, "https://a.example.com,https://b.example.com"},
	} {
		c, err := loadConfig(t, tt.env)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(c.ops.CORSOrigins, ","); got != tt.want {
			t.Errorf("%v: got %q, want %q", tt.env, got, tt.want)
		}
	}
}

// TestCORS_HeadersFolioUses ties the CORS lists to the headers the code
// reads and writes under their own names, so that a header added or
// renamed in its package cannot be left out of what browsers may send and
// read. (The literal ones, Authorization, X-API-Key and the rest, are read
// in internal/auth and internal/respcache.)
func TestCORS_HeadersFolioUses(t *testing.T) {
	has := func(list []string, h string) bool {
		return slices.ContainsFunc(list, func(v string) bool { return strings.EqualFold(v, h) })
	}
	for _, h := range []string{"Authorization", "X-API-Key", "Content-Type", "If-None-Match", "traceparent", "tracestate",
		httpapi.DryRunHeader, idempotency.Header, requestid.Header} {
		if !has(httpapi.CORSRequestHeaders, h) {
			t.Errorf("Folio reads %s, but a browser page may not send it cross-origin", h)
		}
	}
	for _, h := range httpapi.PreflightHeaders {
		if !has(httpapi.CORSRequestHeaders, h) {
			t.Errorf("the CSRF check asks for %s, but a browser page may not send it cross-origin", h)
		}
	}
	for _, h := range []string{"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After", "ETag", "WWW-Authenticate",
		idempotency.ReplayedHeader, requestid.Header} {
		if !has(httpapi.CORSExposedHeaders, h) {
			t.Errorf("Folio writes %s for clients, but a browser page may not read it", h)
		}
	}
}
