package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/folio/folio/internal/folio"
)

// Read-your-writes across requests, when reads may go to replicas that lag:
// the response to a request that wrote carries the position of the write,
// in ReadAfterHeader and in the ReadAfterCookie, and the client's next
// requests carry it back (a browser sends the cookie by itself; other
// clients echo the header). Their reads then go to a replica only once it
// has replayed that far, and to the primary until then. The position is a
// hint, not a credential: a forged one can only send its own requests'
// reads to the primary, as a client without replicas has them anyway.
const (
	ReadAfterHeader = "Folio-Read-After"
	ReadAfterCookie = "folio_read_after"
)

// ReadYourWrites configures the read-your-writes layer.
type ReadYourWrites struct {
	// Position returns the primary's position now, after the request's
	// writes have committed.
	Position func(ctx context.Context) (uint64, error)
	// Window is how long the cookie lives: past it, every replica in use
	// has replayed the write anyway (the replicas' lag bound and check).
	Window time.Duration
	// Secure marks the cookie Secure (the server speaks TLS).
	Secure bool
}

// readAfter puts the request's folio.Reads in its context, with the
// position the client echoed, and gives the client the position of a
// write the request made.
func readAfter(o *ReadYourWrites, log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if o == nil {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			reads := &folio.Reads{After: echoedPosition(r)}
			ctx := folio.WithReads(r.Context(), reads)
			next.ServeHTTP(&positionWriter{ResponseWriter: w, ctx: ctx, reads: reads, o: o, log: log}, r.WithContext(ctx))
		})
	}
}

// echoedPosition is the position the client sent back; zero when none or
// unreadable (a stale or mangled hint is no reason to refuse a read).
func echoedPosition(r *http.Request) uint64 {
	v := r.Header.Get(ReadAfterHeader)
	if v == "" {
		if c, err := r.Cookie(ReadAfterCookie); err == nil {
			v = c.Value
		}
	}
	p, err := strconv.ParseUint(v, 16, 64)
	if err != nil {
		return 0
	}
	return p
}

// positionWriter adds the write's position to the response's headers just
// before they go out: by then a mutation's writes have all committed.
type positionWriter struct {
	http.ResponseWriter
	ctx   context.Context
	reads *folio.Reads
	o     *ReadYourWrites
	log   *slog.Logger
	done  bool
}

func (w *positionWriter) position() {
	if w.done {
		return
	}
	w.done = true
	if !w.reads.Wrote() {
		return
	}
	p, err := w.o.Position(w.ctx)
	if err != nil {
		// The write stands; without its position this client's next reads
		// may lag behind it for up to the replicas' lag bound.
		w.log.WarnContext(w.ctx, "read-your-writes position", "error", err.Error())
		return
	}
	v := strconv.FormatUint(p, 16)
	w.Header().Set(ReadAfterHeader, v)
	http.SetCookie(w.ResponseWriter, &http.Cookie{Name: ReadAfterCookie, Value: v, Path: "/",
		MaxAge: max(1, int(w.o.Window.Round(time.Second)/time.Second)), HttpOnly: true, Secure: w.o.Secure, SameSite: http.SameSiteLaxMode})
}

func (w *positionWriter) WriteHeader(code int) {
	w.position()
	w.ResponseWriter.WriteHeader(code)
}

func (w *positionWriter) Write(p []byte) (int, error) {
	w.position()
	return w.ResponseWriter.Write(p)
}

func (w *positionWriter) Flush() {
	w.position()
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *positionWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
