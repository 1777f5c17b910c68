package graph

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/loader"
	"github.com/folio/folio/internal/requestid"
)

// MaxBodyBytes bounds a request body; no legitimate operation comes close.
const MaxBodyBytes = 1 << 20

// Options configure the GraphQL endpoint.
type Options struct {
	Store  folio.Store
	Logger *slog.Logger
	// LoaderWait is how long loaders gather keys; zero means loader.DefaultWait.
	LoaderWait time.Duration
	// Introspection lets clients ask for the schema.
	Introspection bool
}

// NewHandler returns the GraphQL endpoint: request ids, per-request loaders
// and gqlgen's executor with Folio's error handling.
func NewHandler(o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	srv := handler.New(NewExecutableSchema(Config{Resolvers: &Resolver{Store: o.Store}}))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if o.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.AroundFields(markResolverErrors)
	srv.SetErrorPresenter(errorPresenter(o.Logger))
	srv.SetRecoverFunc(recoverFunc(o.Logger))

	var h http.Handler = srv
	h = loader.Middleware(o.Store, o.LoaderWait, h)
	h = limitBody(h)
	return requestid.Middleware(h)
}

func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		next.ServeHTTP(w, r)
	})
}
