// Package lifecycle lets a server stop without dropping work. When the
// process is told to stop, Drain.Begin turns readiness false (so load
// balancers send new traffic elsewhere) and closes long-lived connections,
// WebSockets with the "going away" code so clients reconnect to another
// instance, while http.Server.Shutdown lets ordinary requests finish.
package lifecycle

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
)

// CloseGoingAway is RFC 6455's status for an endpoint that is going away,
// such as a server shutting down.
const CloseGoingAway = 1001

// Drain tracks whether the server is stopping. The zero value is not
// usable; call New.
type Drain struct {
	draining atomic.Bool
	stopping context.Context
	stop     context.CancelFunc
}

// New returns a Drain of a server that is not stopping.
func New() *Drain {
	ctx, cancel := context.WithCancel(context.Background())
	return &Drain{stopping: ctx, stop: cancel}
}

// Begin marks the server as stopping: readiness fails from now on and
// long-lived requests see their contexts cancelled.
func (d *Drain) Begin() {
	d.draining.Store(true)
	d.stop()
}

// Draining reports whether Begin was called.
func (d *Drain) Draining() bool { return d.draining.Load() }

// Readiness answers 503 {"status":"draining"} once the server is stopping,
// and asks next (the dependency checks) before that.
func (d *Drain) Readiness(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d.Draining() {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusServiceUnavailable)
			_ = json.NewEncoder(w).Encode(map[string]string{"status": "draining"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// LongLived cancels the context of WebSocket and server-sent-event
// requests when the server starts stopping: they would otherwise hold
// Shutdown until its timeout. Other requests keep theirs and finish.
func (d *Drain) LongLived(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !longLived(r) {
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		stop := context.AfterFunc(d.stopping, cancel)
		defer stop()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func longLived(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket") || strings.Contains(r.Header.Get("Accept"), "text/event-stream")
}

// Websocket wraps gqlgen's WebSocket implementation (nil: its default) so a
// connection closed because the server is stopping says "going away"
// (1001) instead of a normal closure: clients retry elsewhere at once.
// Use it with LongLived, which cancels the connection's context.
func (d *Drain) Websocket(impl transport.WebsocketImplementation) transport.WebsocketImplementation {
	if impl == nil {
		impl = transport.CoderWebsocketImplementation{}
	}
	return websocketImpl{inner: impl, d: d}
}

type websocketImpl struct {
	inner transport.WebsocketImplementation
	d     *Drain
}

func (i websocketImpl) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	c, err := i.inner.Accept(w, r, o)
	if err != nil {
		return nil, err
	}
	return &websocketConn{WebsocketConn: c, d: i.d}, nil
}

type websocketConn struct {
	transport.WebsocketConn
	d *Drain
}

func (c *websocketConn) WriteClose(code int, message string) error {
	if c.d.Draining() && code == transport.WebsocketCloseNormalClosure {
		code, message = CloseGoingAway, "server shutting down"
	}
	return c.WebsocketConn.WriteClose(code, message)
}

// SetReadLimit and SetReadDeadline keep the wrapped connection's optional
// abilities visible to gqlgen.
func (c *websocketConn) SetReadLimit(limit int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(limit)
	}
}

// SetReadDeadline implements transport.WebsocketReadDeadliner.
func (c *websocketConn) SetReadDeadline(t time.Time) error {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return l.SetReadDeadline(t)
	}
	return nil
}
