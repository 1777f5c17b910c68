// Package accesslog writes one structured line per HTTP request and feeds
// the request metrics. What only the inner layers know (the GraphQL
// operation, the viewer, the cost, the error codes) they record on the
// request's Entry, found with From(ctx), while the request runs.
package accesslog

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/requestid"
)

// Entry is what the inner layers tell the access log about one request.
// Its methods are safe for concurrent use and do nothing on a nil Entry, so
// code may record on From(ctx) whether or not a middleware made one.
type Entry struct {
	mu        sync.Mutex
	graphQL   bool
	operation string
	opType    string
	viewer    *folio.Viewer
	codes     []string
	variables map[string]any
}

type entryKey struct{}

// With returns a context that carries e.
func With(ctx context.Context, e *Entry) context.Context {
	return context.WithValue(ctx, entryKey{}, e)
}

// From returns the request's entry, nil if there is none.
func From(ctx context.Context) *Entry {
	e, _ := ctx.Value(entryKey{}).(*Entry)
	return e
}

// SetOperation records the GraphQL operation's name ("" when anonymous) and
// type (query, mutation, subscription; "" when it did not parse). It marks
// the request as a GraphQL request, which the operation metrics count.
func (e *Entry) SetOperation(name, opType string) {
	if e == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.graphQL, e.operation, e.opType = true, name, opType
}

// MarkGraphQL says the request is for the GraphQL endpoint, before anything
// about its operation is known (a request refused before it parses still
// counts).
func (e *Entry) MarkGraphQL() {
	if e == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.graphQL = true
}

// SetViewer records who asked. Only ids and the role are logged.
func (e *Entry) SetViewer(v folio.Viewer) {
	if e == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.viewer = &v
}

// AddErrorCodes records the extensions.code of errors returned.
func (e *Entry) AddErrorCodes(codes ...string) {
	if e == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.codes = append(e.codes, codes...)
}

// SetVariables records the operation's variables, logged at debug level
// only and through the redacting handler.
func (e *Entry) SetVariables(v map[string]any) {
	if e == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.variables = v
}

// Recorder receives each request's measurements; *metrics.Metrics is one.
type Recorder interface {
	RequestStarted()
	RequestDone()
	ObserveOperation(name, opType, outcome string, d time.Duration)
	GraphQLError(code string)
}

// Options configure Middleware.
type Options struct {
	Logger *slog.Logger
	// Recorder, if set, gets every GraphQL request's measurements.
	Recorder Recorder
	// Quiet paths (health probes) are logged at debug level only.
	Quiet []string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Middleware logs one line per request, at info, when it is answered: its
// request id, method, path, status, duration, bytes, the GraphQL operation,
// the client's identity (ids, never credentials) and error codes. At
// debug level a second line has the request's headers and variables,
// redacted by the logging handler.
func Middleware(o Options, next http.Handler) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := o.Now()
		if o.Recorder != nil {
			o.Recorder.RequestStarted()
			defer o.Recorder.RequestDone()
		}
		e := &Entry{}
		rw := &responseWriter{ResponseWriter: w, status: http.StatusOK}
		ctx := With(r.Context(), e)
		next.ServeHTTP(rw, r.WithContext(ctx))
		d := o.Now().Sub(start)

		e.mu.Lock()
		defer e.mu.Unlock()
		level := slog.LevelInfo
		if slices.Contains(o.Quiet, r.URL.Path) {
			level = slog.LevelDebug
		}
		attrs := []slog.Attr{
			slog.String("request_id", requestid.From(ctx)),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rw.status),
			slog.Float64("duration_ms", float64(d.Microseconds())/1000),
			slog.Int64("bytes", rw.bytes),
			e.clientAttr(r),
		}
		if e.graphQL {
			attrs = append(attrs, slog.String("operation", e.operation), slog.String("operation_type", e.opType))
		}
		if len(e.codes) > 0 {
			attrs = append(attrs, slog.Any("errors", e.codes))
		}
		// The request's context may be cancelled by now (client gone); the
		// line still belongs to its trace.
		lctx := context.WithoutCancel(ctx)
		o.Logger.LogAttrs(lctx, level, "request", attrs...)
		if o.Logger.Enabled(lctx, slog.LevelDebug) {
			o.Logger.LogAttrs(lctx, slog.LevelDebug, "request detail", slog.String("request_id", requestid.From(ctx)),
				slog.Any("headers", r.Header), slog.Any("variables", e.variables))
		}

		if o.Recorder != nil && e.graphQL {
			outcome := "ok"
			if rw.status >= 400 || len(e.codes) > 0 {
				outcome = "error"
			}
			o.Recorder.ObserveOperation(e.operation, e.opType, outcome, d)
			for _, c := range e.codes {
				o.Recorder.GraphQLError(c)
			}
		}
	})
}

// clientAttr says who asked: the viewer's ids and role when known, and the
// address the request came from. Credentials are never part of it.
func (e *Entry) clientAttr(r *http.Request) slog.Attr {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	attrs := []any{slog.String("ip", ip)}
	if fwd := r.Header.Get("X-Forwarded-For"); fwd != "" {
		attrs = append(attrs, slog.String("forwarded_for", fwd))
	}
	if e.viewer != nil && !e.viewer.Anonymous() {
		attrs = append(attrs, slog.Int64("user_id", e.viewer.UserID), slog.String("role", string(e.viewer.Role)))
		if e.viewer.APIKeyID != 0 {
			attrs = append(attrs, slog.Int64("api_key_id", e.viewer.APIKeyID))
		}
	}
	return slog.Group("client", attrs...)
}

// responseWriter remembers the status and size of the response. Unwrap lets
// http.ResponseController (flushing, hijacking for WebSockets) reach the
// connection's own writer.
type responseWriter struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
}

func (w *responseWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(p []byte) (int, error) {
	w.wroteHeader = true
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

func (w *responseWriter) Flush() {
	w.wroteHeader = true
	// Through the writers below that only Unwrap (a stream needs it).
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
