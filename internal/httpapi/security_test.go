package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/folio/folio/internal/httpapi"
)

// reached is a handler that says whether a request got through.
func reached(hit *bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*hit = true
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":{}}`))
	})
}

func TestCSRF(t *testing.T) {
	get := func(query, opName string) *http.Request {
		v := url.Values{"query": {query}}
		if opName != "" {
			v.Set("operationName", opName)
		}
		return httptest.NewRequest(http.MethodGet, "/query?"+v.Encode(), nil)
	}
	post := func(ct string, headers ...string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(`{"query":"mutation { x }"}`))
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			r.Header.Set(headers[i], headers[i+1])
		}
		return r
	}
	tests := []struct {
		name       string
		req        *http.Request
		wantStatus int // 0: passed through
	}{
		{"MultipartForm", post("multipart/form-data; boundary=x"), http.StatusBadRequest},
		{"TextPlain", post("text/plain;charset=UTF-8"), http.StatusBadRequest},
		{"URLEncodedForm", post("application/x-www-form-urlencoded"), http.StatusBadRequest},
		{"NoContentType", post(""), http.StatusBadRequest},
		{"JSON", post("application/json"), 0},
		{"TextPlainWithPreflightHeader", post("text/plain", "X-Folio-CSRF", "1"), 0},
		{"ApolloPreflightHeader", post("multipart/form-data; boundary=x", "Apollo-Require-Preflight", "true"), 0},
		{"GetMutation", get("mutation { signOut }", ""), http.StatusMethodNotAllowed},
		{"GetNamedMutation", get("query A { a } mutation B { b }", "B"), http.StatusMethodNotAllowed},
		{"GetSubscription", get("subscription { commentAdded }", ""), http.StatusMethodNotAllowed},
		{"GetQuery", get("{ articles { totalCount } }", ""), 0},
		{"GetNamedQueryBesideMutation", get("query A { a } mutation B { b }", "A"), 0},
		{"GetUnparsable", get("{ articles", ""), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hit bool
			rec := httptest.NewRecorder()
			httpapi.CSRF(reached(&hit)).ServeHTTP(rec, tt.req)
			if tt.wantStatus == 0 {
				if !hit {
					t.Fatalf("refused with %d %s, want it passed through", rec.Code, rec.Body)
				}
				return
			}
			if hit || rec.Code != tt.wantStatus {
				t.Fatalf("got status %d (reached the handler: %v), want %d", rec.Code, hit, tt.wantStatus)
			}
			var body struct {
				Errors []struct {
					Message    string
					Extensions map[string]any
				}
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body.Errors) != 1 || body.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
				t.Errorf("got body %s, want one BAD_USER_INPUT error", rec.Body)
			}
		})
	}
}

func TestHeaders(t *testing.T) {
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<html></html>"))
	})
	var hit bool
	for _, tt := range []struct {
		name    string
		h       http.Handler
		hsts    bool
		wantCSP string
	}{
		{"API", reached(&hit), false, httpapi.APIPolicy},
		{"Page", page, true, httpapi.PagePolicy},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			httpapi.Headers(tt.hsts, tt.h).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
			h := rec.Header()
			if got := h.Get("Content-Security-Policy"); got != tt.wantCSP {
				t.Errorf("CSP: got %q, want %q", got, tt.wantCSP)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Frame-Options") != "DENY" {
				t.Errorf("missing security headers: %v", h)
			}
			if got := h.Get("Strict-Transport-Security") != ""; got != tt.hsts {
				t.Errorf("HSTS present: %v, want %v", got, tt.hsts)
			}
		})
	}
}

func TestCORS(t *testing.T) {
	var hit bool
	h := httpapi.CORS([]string{"https://app.example.com"}, reached(&hit))
	preflight := func(origin string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodOptions, "/query", nil)
		r.Header.Set("Origin", origin)
		r.Header.Set("Access-Control-Request-Method", "POST")
		r.Header.Set("Access-Control-Request-Headers", "authorization,content-type,x-folio-csrf")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	if rec := preflight("https://app.example.com"); rec.Header().Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Errorf("allowed origin: got headers %v", rec.Header())
	}
	if rec := preflight("https://evil.example.net"); rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("unlisted origin was allowed: %v", rec.Header())
	}
	r := httptest.NewRequest(http.MethodPost, "/query", nil)
	r.Header.Set("Origin", "https://app.example.com")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Header().Get("Access-Control-Allow-Origin") != "https://app.example.com" || !strings.Contains(rec.Header().Get("Access-Control-Expose-Headers"), "X-Request-Id") {
		t.Errorf("actual request: got headers %v", rec.Header())
	}
}
