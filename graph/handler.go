package graph

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/otel/trace"

	"github.com/folio/folio/internal/admission"
	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/loader"
	"github.com/folio/folio/internal/media"
	"github.com/folio/folio/internal/newsletter"
	"github.com/folio/folio/internal/ratelimit"
	"github.com/folio/folio/internal/webhook"
)

// Options configure the GraphQL endpoint.
type Options struct {
	Store  folio.Store
	Writer folio.Writer
	// Auth signs people in; nil fails the account mutations. (httpapi
	// authenticates requests.)
	Auth   *auth.Service
	Logger *slog.Logger
	// Introspection lets clients ask for the schema.
	Introspection bool
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
	// Unavailable, if set, reports whether an error says a service the
	// stores need is down (server.go: postgres.Unavailable): such errors
	// are SERVICE_UNAVAILABLE, retryable, not internal errors.
	Unavailable func(error) bool
	// TrustedDocuments, when set, is the only source of operations: anything
	// not registered there is refused (and APQ registration is off).
	TrustedDocuments TrustedDocuments
	// Webhooks keeps webhooks; nil answers their fields with an internal
	// error. WebhookGuard refuses URLs of internal addresses (nil: the
	// default guard); WebhookSecretGrace is how long a rotated-out secret
	// keeps signing (0: a day).
	Webhooks           folio.WebhookStore
	WebhookGuard       *webhook.Guard
	WebhookSecretGrace time.Duration
	// NewsletterLinks verifies the newsletter's unsubscribe links; with no
	// keys, none is valid. Confirmation tokens are made with Auth's keys.
	NewsletterLinks newsletter.Links
	// Live serves subscriptions; without a Hub there are none.
	Live LiveOptions
	// Previews keeps preview tokens; nil makes no preview links and
	// ignores the Folio-Preview header.
	Previews folio.PreviewStore
	// Media stores uploaded images and tells their URLs. With Uploads, a
	// multipart request (the GraphQL multipart request spec) carries files
	// of up to Media's MaxBytes each; httpapi lets such requests through
	// only when they are on, and with a preflight header.
	Media   *media.Service
	Uploads bool
	// Admission bounds how many requests execute at once (live
	// connections aside); nil: no bound.
	Admission *admission.Gate
}

// NewHandler returns the GraphQL executor: gqlgen's server with Folio's
// extensions (observation, persisted operations, cost control, error
// presentation), behind the per-request loaders and the sessions a request
// starts. httpapi puts the HTTP layers (authentication, limits, deadline,
// the RateLimit headers, logging, …) in front of it.
func NewHandler(o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Limiter == nil {
		o.Limiter = &ratelimit.Limiter{}
	}
	if o.Live.Logger == nil {
		o.Live.Logger = o.Logger
	}
	o.Live = o.Live.withDefaults()
	res := &Resolver{Store: o.Store, Writer: o.Writer, Auth: o.Auth, Live: o.Live.Hub,
		Webhooks: o.Webhooks, WebhookGuard: o.WebhookGuard, WebhookSecretGrace: o.WebhookSecretGrace, NewsletterLinks: o.NewsletterLinks,
		Previews: o.Previews, Media: o.Media}
	if o.Auth != nil && o.Auth.Keys != nil {
		// The mail job makes the same tokens again from the same keys.
		res.NewsletterTokens = o.Auth.Keys.MailTokens(auth.PurposeNewsletterConfirm)
	}
	cfg := Config{Resolvers: newResolvers(res)}
	cfg.Directives.Auth = authDirective
	cfg.Directives.HasRole = hasRoleDirective
	es := NewExecutableSchema(cfg)
	srv := handler.New(es)
	if o.Live.Hub != nil {
		// Before POST: an SSE request is a POST that accepts text/event-stream.
		lt := liveTransport{o: o.Live, auth: o.Auth}
		srv.AddTransport(wsTransport{lt})
		srv.AddTransport(sseTransport{lt})
	}
	srv.AddTransport(transport.Options{})
	var files fileLimits
	if o.Uploads && o.Media != nil {
		files = fileLimits{maxBytes: o.Media.Limits().MaxBytes, maxFiles: maxUploadFiles}
	}
	srv.AddTransport(overHTTP{files: files})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetDisableSuggestion(o.HideSuggestions)
	use(srv, newObserver(o.TracerProvider))
	switch {
	case o.TrustedDocuments != nil:
		use(srv, newTrustedOnly(o.TrustedDocuments))
	case o.PersistedQueries != nil:
		use(srv, apq{extension.AutomaticPersistedQuery{Cache: o.PersistedQueries}})
	}
	// After APQ and trusted documents, which fill in the document.
	if !o.Limiter.Disabled {
		cost, err := newCostControl(es, *o.Limiter)
		if err != nil {
			// The schema's cost declarations are compiled in; a test
			// of this package fails on any mistake in them.
			panic(err)
		}
		use(srv, cost)
	}
	if o.Introspection {
		use(srv, extension.Introspection{})
	} else {
		use(srv, typeExists{})
	}
	use(srv, afterWrites{})
	if o.Live.Hub != nil {
		// Last: each event is resolved inside the extensions above.
		use(srv, liveEvents{perConnection: o.Live.PerConnection, store: o.Store})
	}
	srv.AroundResponses(capErrors)
	srv.AroundRootFields(refuseBadCredentials)
	srv.AroundOperations(onePasswordPerRequest)
	srv.AroundOperations(loadersPerOperation(o.Store))
	srv.AroundOperations(rememberPerOperation)
	srv.SetErrorPresenter(errorPresenter(o.Logger, o.Unavailable))
	srv.SetRecoverFunc(recoverFunc(o.Logger))

	h := admit(o.Admission, srv)
	h = loader.Middleware(o.Store, h)
	// Outside the loaders, which are made for the request's viewer.
	h = withPreview(o.Previews, o.Logger, h)
	return withSessions(h)
}

// use adds ext to srv's extensions. It refuses a field interceptor: fields
// without a directive are resolved without the operation's field
// middleware (resolveField), so one would be skipped for them.
func use(srv *handler.Server, ext graphql.HandlerExtension) {
	if _, ok := ext.(graphql.FieldInterceptor); ok {
		panic(fmt.Sprintf("graph: %T intercepts fields, which resolveField does not call", ext))
	}
	srv.Use(ext)
}
