package httpapi

// Hardening: security headers on every response, CORS from a configured
// allow-list, and CSRF protection for the GraphQL endpoint.

import (
	"mime"
	"net/http"
	"strings"

	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/folio/folio/internal/folio"
)

// Content-Security-Policy values. The API's responses are data, never
// documents: nothing may load or frame them. HTML pages (the embedded
// playground) load scripts, styles and fonts from this origin only, with no
// inline script, and talk only to this origin.
const (
	APIPolicy  = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
	PagePolicy = "default-src 'self'; script-src 'self'; " +
		"style-src 'self'; img-src 'self' data:; " +
		"font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; " +
		"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

// Headers sets security headers on every response: no MIME sniffing, no
// framing, no referrer, a Content-Security-Policy chosen by the response's
// type (PagePolicy for HTML, APIPolicy otherwise, unless the handler set
// its own) and, when hsts is set (the server speaks TLS), Strict-Transport-Security.
func Headers(hsts bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if hsts {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(&cspWriter{ResponseWriter: w}, r)
	})
}

// cspWriter sets the Content-Security-Policy when the handler has chosen
// its Content-Type, just before the header goes out.
type cspWriter struct {
	http.ResponseWriter
	done bool
}

func (w *cspWriter) setPolicy() {
	if w.done {
		return
	}
	w.done = true
	h := w.Header()
	if h.Get("Content-Security-Policy") != "" {
		return
	}
	if mt, _, _ := mime.ParseMediaType(h.Get("Content-Type")); mt == "text/html" {
		h.Set("Content-Security-Policy", PagePolicy)
	} else {
		h.Set("Content-Security-Policy", APIPolicy)
	}
}

func (w *cspWriter) WriteHeader(code int) {
	w.setPolicy()
	w.ResponseWriter.WriteHeader(code)
}

func (w *cspWriter) Write(p []byte) (int, error) {
	if !w.done && w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", http.DetectContentType(p))
	}
	w.setPolicy()
	return w.ResponseWriter.Write(p)
}

func (w *cspWriter) Flush() {
	w.setPolicy()
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *cspWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// PreflightHeaders are the request headers that prove a request is not a
// plain cross-site form or "simple" fetch: a browser sends a custom header
// cross-origin only after a CORS preflight the allow-list approved.
var PreflightHeaders = []string{"X-Folio-CSRF", "Apollo-Require-Preflight"}

// CORSRequestHeaders are the request headers Folio reads that a browser
// sends cross-origin only when a preflight allows them.
var CORSRequestHeaders = append([]string{
	"Content-Type", "Authorization", "X-API-Key", DryRunHeader, PreviewHeader, "Idempotency-Key", "If-None-Match",
	"X-Request-ID", "traceparent", "tracestate", ReadAfterHeader,
}, PreflightHeaders...)

// CORSExposedHeaders are the response headers Folio writes for clients,
// which a browser hides from a cross-origin page unless they are exposed.
var CORSExposedHeaders = []string{
	"X-Request-ID", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset",
	"Retry-After", "ETag", "WWW-Authenticate", "Idempotent-Replayed", ReadAfterHeader,
}

// CORS answers preflights and sets Access-Control-* headers for the origins
// in allowed ("*" allows any; one "*" inside an origin stands for any
// text, as in http://localhost:*). With none allowed it adds nothing, and
// browsers keep other sites from reading the API.
func CORS(allowed []string, next http.Handler) http.Handler {
	if len(allowed) == 0 {
		return next
	}
	return cors.New(cors.Options{
		AllowedOrigins: allowed,
		AllowedMethods: []string{http.MethodGet, http.MethodPost},
		AllowedHeaders: CORSRequestHeaders,
		ExposedHeaders: CORSExposedHeaders,
		MaxAge:         600,
	}).Handler(next)
}

// CSRF refuses what a cross-site page could make a browser send without
// asking: a POST whose Content-Type a plain form or simple fetch can use
// (text/plain, multipart/form-data, application/x-www-form-urlencoded, or
// none) unless it carries one of PreflightHeaders, and a GET that carries
// a mutation or subscription (GET is for queries, which change nothing).
func CSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			if op := getOperation(r); op != "" && op != ast.Query {
				w.Header().Set("Allow", "POST")
				WriteError(w, r, folio.Errorf(folio.EMethodNotAllowed, "A %s changes data and must be sent with POST, Content-Type: application/json.", op))
				return
			}
		case http.MethodOptions:
		default:
			if simpleContentType(r.Header.Get("Content-Type")) && !hasPreflightHeader(r) {
				WriteError(w, r, folio.Errorf(folio.EInvalid, "This request could have come from a cross-site form: send Content-Type: application/json, or add the header X-Folio-CSRF: 1."))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// simpleContentType reports whether a browser sends ct cross-origin without
// a preflight.
func simpleContentType(ct string) bool {
	if strings.TrimSpace(ct) == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return true // a browser's form never sends this, but nor is it JSON
	}
	switch mt {
	case "text/plain", "multipart/form-data", "application/x-www-form-urlencoded":
		return true
	}
	return false
}

func hasPreflightHeader(r *http.Request) bool {
	for _, h := range PreflightHeaders {
		if r.Header.Get(h) != "" {
			return true
		}
	}
	return false
}

// getOperation is the type of the operation a GET request would run, ""
// when the query does not parse or names no operation (gqlgen then answers
// with its own error).
func getOperation(r *http.Request) ast.Operation {
	q := r.URL.Query()
	doc, err := parser.ParseQuery(&ast.Source{Input: q.Get("query")})
	if err != nil || len(doc.Operations) == 0 {
		return ""
	}
	if name := q.Get("operationName"); name != "" {
		if op := doc.Operations.ForName(name); op != nil {
			return op.Operation
		}
		return ""
	}
	// Without a name, refuse if any operation is not a query.
	for _, op := range doc.Operations {
		if op.Operation != ast.Query {
			return op.Operation
		}
	}
	return ast.Query
}
