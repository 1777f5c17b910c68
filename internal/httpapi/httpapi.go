// Package httpapi is Folio's HTTP surface: every layer a request passes on
// its way from the socket to the GraphQL executor, the routes, and the
// serving of them (timeouts, the metrics listener, draining, shutdown).
//
// It knows nothing of GraphQL's resolvers: server.go hands it the executor
// (graph.NewHandler) as an http.Handler, so nothing here imports graph.
package httpapi

import (
	"log/slog"
	"net/http"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"

	"github.com/folio/folio/internal/accesslog"
	"github.com/folio/folio/internal/clientaddr"
	"github.com/folio/folio/internal/playground"
	"github.com/folio/folio/internal/requestid"
	"github.com/folio/folio/internal/tracing"
)

// Options configure the HTTP surface.
type Options struct {
	// GraphQL is the executor that answers /query once every layer here
	// has let the request through.
	GraphQL http.Handler
	// Schema, if set, serves GET /schema.graphql (with introspection on:
	// the SDL tells what introspection tells).
	Schema http.Handler
	// Playground serves GraphiQL at GET /.
	Playground bool
	// DevMail, if set, serves development's last e-mail at GET /dev/mail.
	DevMail http.Handler
	// Unsubscribe, if set, serves the newsletter's one-click unsubscribe
	// link at /newsletter/unsubscribe (GET shows a button, POST acts).
	Unsubscribe http.Handler
	// Checks are what GET /readyz asks after.
	Checks []Check
	// Drain fails readiness once the server is stopping; nil: a Drain of
	// this handler's own, never begun.
	Drain *Drain

	// Auth tells who a request speaks for; nil serves everyone anonymously.
	Auth Authenticator
	// Proxies are the peers whose X-Forwarded-For is believed.
	Proxies clientaddr.Proxies
	// Timeout bounds each GraphQL request's work; zero: no bound.
	Timeout time.Duration
	// BodyTimeout bounds how long a request body may take to arrive; zero:
	// DefaultBodyTimeout.
	BodyTimeout time.Duration
	// CORSOrigins may call the API from a browser ("*": any).
	CORSOrigins []string
	// HSTS sends Strict-Transport-Security (the server speaks TLS).
	HSTS bool
	// UploadMaxBytes, above zero, takes file uploads (multipart/form-data
	// GraphQL requests) of up to that many bytes of files; zero refuses
	// them with UPLOADS_DISABLED.
	UploadMaxBytes int64
	// Media, if set, serves stored files at GET /media/{key}.
	Media http.Handler
	// ReadYourWrites, if set, carries each client's last write position
	// between its requests, for reads from replicas; nil: none.
	ReadYourWrites *ReadYourWrites

	Logger *slog.Logger
	// Recorder, if set, gets every GraphQL request's measurements.
	Recorder accesslog.Recorder
	// TracerProvider makes the request spans; nil: OpenTelemetry's global
	// provider (a no-op unless tracing is configured).
	TracerProvider trace.TracerProvider
}

// New returns the handler of every route, each request going through these
// layers, outermost first. The span comes before the request id and the
// access log so that the log line carries the trace id; the deadline comes
// before authentication so that looking up an API key is bounded too.
func New(o Options) http.Handler {
	o = o.withDefaults()
	query := chain(o.GraphQL,
		markGraphQL, // refusals below count as GraphQL requests in the access log
		CSRF,        // no cross-site forms, no GET mutations
		checkRequest(o.BodyTimeout, o.UploadMaxBytes), // methods, media types, the body: its size and pace
		publicCaching,                         // anonymous GET answers may be kept by CDNs
		clientAddress(o.Proxies),              // the client's address, behind trusted proxies
		deadline(o.Timeout),                   // REQUEST_TIMEOUT, down to SQL
		readAfter(o.ReadYourWrites, o.Logger), // Folio-Read-After: reads see the client's last write
		authenticate(o.Auth),                  // the viewer, or the refusal of bad credentials
		rateLimit,                             // Folio-Dry-Run; RateLimit headers, 429 when the budget refuses
	)
	return chain(routes(o, query),
		func(h http.Handler) http.Handler { return tracing.Middleware(o.TracerProvider, h) }, // a server span, continuing the caller's trace
		requestid.Middleware, // X-Request-ID, in logs and internal errors
		recovery(o.Logger),   // a panic is an internal error, not a dropped connection
		func(h http.Handler) http.Handler { // one line per request; metrics
			return accesslog.Middleware(accesslog.Options{Logger: o.Logger, Recorder: o.Recorder, Quiet: []string{"/healthz", "/readyz"}}, h)
		},
		func(h http.Handler) http.Handler { return Headers(o.HSTS, h) },     // nosniff, no framing, CSP, HSTS
		func(h http.Handler) http.Handler { return CORS(o.CORSOrigins, h) }, // only the allowed origins
	)
}

// routes are every path Folio answers.
func routes(o Options, query http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/query", query)
	mux.HandleFunc("GET /healthz", healthz)
	mux.Handle("GET /readyz", o.Drain.readiness(readyz(o.Checks)))
	if o.Schema != nil {
		mux.Handle("GET /schema.graphql", o.Schema)
	}
	if o.Media != nil {
		mux.Handle("GET /media/", o.Media)
	}
	if o.DevMail != nil {
		mux.Handle("GET /dev/mail", o.DevMail)
	}
	if o.Unsubscribe != nil {
		mux.Handle("/newsletter/unsubscribe", o.Unsubscribe)
	}
	if o.Playground {
		pg := playground.Handler()
		mux.Handle("GET /{$}", pg)
		mux.Handle("GET "+playground.AssetPrefix, pg)
	}
	return mux
}

// chain wraps h in layers, the first outermost.
func chain(h http.Handler, layers ...func(http.Handler) http.Handler) http.Handler {
	for i := len(layers) - 1; i >= 0; i-- {
		h = layers[i](h)
	}
	return h
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.TracerProvider == nil {
		o.TracerProvider = otel.GetTracerProvider()
	}
	if o.BodyTimeout == 0 {
		o.BodyTimeout = DefaultBodyTimeout
	}
	if o.Drain == nil {
		o.Drain = &Drain{}
	}
	if o.GraphQL == nil {
		o.GraphQL = http.NotFoundHandler()
	}
	return o
}
