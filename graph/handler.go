package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/otel/trace"

	"github.com/folio/folio/internal/accesslog"
	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/loader"
	"github.com/folio/folio/internal/ratelimit"
	"github.com/folio/folio/internal/requestid"
)

// MaxBodyBytes bounds a request body; no legitimate operation comes close.
const MaxBodyBytes = 1 << 20

// Options configure the GraphQL endpoint.
type Options struct {
	Store  folio.Store
	Writer folio.Writer
	// Auth signs people in and authenticates requests; nil serves every
	// request as anonymous and fails the account mutations.
	Auth   *auth.Service
	Logger *slog.Logger
	// Introspection lets clients ask for the schema.
	Introspection bool
	// Timeout bounds each request's work; zero means no bound.
	Timeout time.Duration
	// Limiter prices operations and charges their cost to budgets; nil
	// enforces the default ceilings and charges no budget.
	Limiter *ratelimit.Limiter
	// HideSuggestions drops "Did you mean …?" from validation errors, which
	// would otherwise spell out the schema with introspection off.
	HideSuggestions bool
	// TracerProvider makes the operation spans; nil means OpenTelemetry's
	// global provider (a no-op unless tracing is configured).
	TracerProvider trace.TracerProvider
	// PersistedQueries, when set, stores Automatic Persisted Queries (hash →
	// document), shared by every instance.
	PersistedQueries graphql.Cache[string]
	// TrustedDocuments, when set, is the only source of operations: anything
	// not registered there is refused (and APQ registration is off).
	TrustedDocuments TrustedDocuments
}

// NewHandler returns the GraphQL endpoint: request ids, per-request loaders
// and gqlgen's executor with Folio's error handling.
func NewHandler(o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Limiter == nil {
		o.Limiter = &ratelimit.Limiter{}
	}
	cfg := Config{Resolvers: &Resolver{Store: o.Store, Writer: o.Writer, Auth: o.Auth}}
	cfg.Directives.Auth = authDirective
	cfg.Directives.HasRole = hasRoleDirective
	es := NewExecutableSchema(cfg)
	srv := handler.New(es)
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetDisableSuggestion(o.HideSuggestions)
	srv.Use(newObserver(o.TracerProvider))
	switch {
	case o.TrustedDocuments != nil:
		srv.Use(newTrustedOnly(o.TrustedDocuments))
	case o.PersistedQueries != nil:
		srv.Use(apq{extension.AutomaticPersistedQuery{Cache: o.PersistedQueries}})
	}
	// After APQ and trusted documents, which fill in the document.
	if !o.Limiter.Disabled {
		cost, err := newCostControl(es, *o.Limiter)
		if err != nil {
			// The schema's cost declarations are compiled in; a test
			// of this package fails on any mistake in them.
			panic(err)
		}
		srv.Use(cost)
	}
	if o.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(forgetAfterWrites{})
	srv.AroundRootFields(refuseBadCredentials)
	srv.AroundOperations(onePasswordPerRequest)
	srv.SetErrorPresenter(errorPresenter(o.Logger))
	srv.SetRecoverFunc(recoverFunc(o.Logger))

	var h http.Handler = srv
	h = loader.Middleware(o.Store, h)
	if o.Auth != nil {
		h = authenticate(o.Auth, h)
	}
	h = withSessions(h)
	h = withTimeout(o.Timeout, h)
	h = withRateLimitHTTP(o.Limiter.Proxies, h)
	h = publicCaching(h)
	h = checkRequest(h)
	h = markGraphQL(h)
	return requestid.Middleware(h)
}

// checkRequest answers what gqlgen's transports would answer without an
// extensions.code: a method or media type Folio does not speak, or a body
// over MaxBodyBytes.
func checkRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodOptions:
		case http.MethodPost:
			mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if mt != "application/json" {
				writeError(w, r, http.StatusUnsupportedMediaType, CodeBadUserInput, "Send POST requests with Content-Type: application/json and a body of {\"query\": …, \"variables\": …}.")
				return
			}
			if r.ContentLength > MaxBodyBytes {
				writeError(w, r, http.StatusRequestEntityTooLarge, CodeBadUserInput, fmt.Sprintf("The request body is over %d bytes.", MaxBodyBytes))
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		default:
			w.Header().Set("Allow", "GET, POST, OPTIONS")
			writeError(w, r, http.StatusMethodNotAllowed, CodeBadUserInput, "Use POST, or GET for queries.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// withTimeout bounds the work of one request; the deadline reaches SQL
// through the context.
func withTimeout(d time.Duration, next http.Handler) http.Handler {
	if d <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// writeError writes a GraphQL response that carries only an error.
func writeError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	accesslog.From(r.Context()).AddErrorCodes(code)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{"message": message, "extensions": map[string]any{"code": code}}}})
}
