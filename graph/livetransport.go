package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"

	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/clientaddr"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/httpapi"
	"github.com/folio/folio/internal/live"
)

// The transports of subscriptions: gqlgen's WebSocket (graphql-transport-ws
// and the legacy graphql-ws) and Server-Sent Events, configured, with the
// limits and the authentication of a live connection around them.

// LiveOptions configure subscriptions. With no Hub, /query serves none and
// refuses a WebSocket upgrade.
type LiveOptions struct {
	Hub *live.Hub
	// Connections are the live connections, closed when the server
	// drains; nil: a set of the handler's own.
	Connections *Connections
	// Origins may open a WebSocket from a browser, besides the API's own
	// origin (CORS_ALLOWED_ORIGINS; "*": any).
	Origins []string
	// KeepAlive is how often the server pings (25s when zero); InitTimeout
	// how long a WebSocket may wait before connection_init (10s when zero).
	KeepAlive, InitTimeout time.Duration
	// MaxMessageBytes caps one client message (64 KiB when zero).
	MaxMessageBytes int64
	// PerConnection limits a connection's subscriptions, PerAddress and
	// PerUser the live connections of one client address and one user;
	// zero: no limit.
	PerConnection, PerAddress, PerUser int
	// Recheck is how long a check of a live connection's credentials
	// holds (30s when zero). A connection signed in with an API key or an
	// access token has them checked again before an event is sent to it
	// once the last check is older, and on a timer every Recheck while
	// idle: a revoked key, a signed-out session or a lowered role ends it
	// (4401, 4403) within Recheck, and events cost no round trip each.
	Recheck time.Duration
	// Now is the clock of those checks (time.Now when nil), for tests.
	Now func() time.Time
	// Logger logs checks that could not be made (the database down).
	Logger *slog.Logger
}

func (o LiveOptions) withDefaults() LiveOptions {
	if o.Connections == nil {
		o.Connections = &Connections{}
	}
	if o.KeepAlive <= 0 {
		o.KeepAlive = 25 * time.Second
	}
	if o.InitTimeout <= 0 {
		o.InitTimeout = 10 * time.Second
	}
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = 64 << 10
	}
	if o.Recheck <= 0 {
		o.Recheck = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// WebSocket close codes Folio sends besides the protocol's own.
const (
	closeGoingAway    = 1001 // the server drains: reconnect elsewhere
	closePolicy       = 1008 // policy: a client that read too slowly, or one connection too many
	closeBadRequest   = 4400
	closeUnauthorized = 4401
	closeForbidden    = 4403
	closeInitTimeout  = 4408
	closeTooManyInits = 4429
	closeDuplicateID  = 4409
)

type connKey struct{}

func connFrom(ctx context.Context) *connection {
	c, _ := ctx.Value(connKey{}).(*connection)
	return c
}

// Connections are a handler's live connections, counted by client address
// and by user for the limits, and closed together when the server drains.
type Connections struct {
	mu     sync.Mutex
	all    map[*connection]struct{}
	counts map[string]int
	gone   bool
}

// Len is how many live connections are open.
func (cs *Connections) Len() int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return len(cs.all)
}

// GoAway closes every live connection with 1001 (going away), and any
// opened later, so that clients reconnect to another instance.
func (cs *Connections) GoAway() {
	cs.mu.Lock()
	cs.gone = true
	conns := make([]*connection, 0, len(cs.all))
	for c := range cs.all {
		conns = append(conns, c)
	}
	cs.mu.Unlock()
	for _, c := range conns {
		c.close(closeGoingAway, "server shutting down: reconnect")
	}
}

// open registers c under key, refusing it past limit (zero: none).
func (cs *Connections) open(c *connection, key string, limit int) *folio.Error {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.gone {
		return folio.Errorf(folio.ERateLimited, "This server is shutting down: connect again to reach another.")
	}
	if limit > 0 && cs.counts[key] >= limit {
		return &folio.Error{Code: folio.ERateLimited, RetryAfter: time.Second,
			Message: "Too many live connections from " + strings.SplitN(key, ":", 2)[0] + " (the most is " + strconv.Itoa(limit) + "): close one first."}
	}
	if cs.all == nil {
		cs.all, cs.counts = map[*connection]struct{}{}, map[string]int{}
	}
	cs.all[c] = struct{}{}
	cs.counts[key]++
	return nil
}

// count adds c under one more key (its user), within limit.
func (cs *Connections) count(key string, limit int) *folio.Error {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if limit > 0 && cs.counts[key] >= limit {
		return folio.Errorf(folio.ERateLimited, "Too many live connections for this user (the most is %d): close one first.", limit)
	}
	cs.counts[key]++
	return nil
}

func (cs *Connections) release(c *connection, keys ...string) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	delete(cs.all, c)
	for _, k := range keys {
		if cs.counts[k]--; cs.counts[k] <= 0 {
			delete(cs.counts, k)
		}
	}
}

// liveTransport serves the WebSocket and SSE transports of subscriptions.
type liveTransport struct {
	o    LiveOptions
	auth *auth.Service
}

func (t liveTransport) websocket() transport.Websocket {
	return transport.Websocket{
		KeepAlivePingInterval: t.o.KeepAlive, // graphql-ws: "ka"
		PingPongInterval:      t.o.KeepAlive, // graphql-transport-ws: ping, a pong due within two intervals
		InitTimeout:           t.o.InitTimeout,
		PayloadReadLimit:      &t.o.MaxMessageBytes,
	}
}

// originAllowed reports whether a WebSocket from r's Origin may open: no
// Origin (not a browser), the API's own origin, or one of patterns (as
// coder/websocket matches them, which checks again).
func originAllowed(r *http.Request, patterns []string) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, p := range patterns {
		if p == "*" {
			return true
		}
		target := u.Host
		if strings.Contains(p, "://") {
			target = u.Scheme + "://" + u.Host
		}
		if ok, _ := path.Match(strings.ToLower(p), strings.ToLower(target)); ok {
			return true
		}
	}
	return false
}

// wsTransport is gqlgen's WebSocket transport with Folio's connection
// rules around it.
type wsTransport struct{ liveTransport }

var _ graphql.Transport = wsTransport{}

func (t wsTransport) Supports(r *http.Request) bool { return t.websocket().Supports(r) }

func (t wsTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	if !originAllowed(r, t.o.Origins) {
		httpapi.WriteError(w, r, folio.Errorf(folio.EForbidden, "WebSockets from this origin are not allowed: add it to CORS_ALLOWED_ORIGINS."))
		return
	}
	c := newConnection(false)
	defer c.stopWatch()
	addr := "address:" + clientaddr.From(r.Context()).String()
	if err := t.o.Connections.open(c, addr, t.o.PerAddress); err != nil {
		httpapi.WriteError(w, r, err)
		return
	}
	keys := []string{addr}
	defer func() { t.o.Connections.release(c, keys...) }()
	var expiry *time.Timer
	defer func() {
		if expiry != nil {
			expiry.Stop()
		}
	}()

	ws := t.websocket()
	accept := coderws.AcceptOptions{OriginPatterns: t.o.Origins}
	if len(t.o.Origins) == 1 && t.o.Origins[0] == "*" {
		accept = coderws.AcceptOptions{InsecureSkipVerify: true}
	}
	ws.Implementation = codedImplementation{inner: transport.CoderWebsocketImplementation{AcceptOptions: accept}, conn: c}
	headerExpiry, headerHasExpiry := t.expiry(r)
	ws.InitFunc = func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		v, exp, hasExp := folio.ViewerFrom(ctx), headerExpiry, headerHasExpiry
		creds := credentialHeaders(r.Header)
		if cred := credentialsOf(p); cred != nil {
			creds = cred
			r2 := (&http.Request{Header: cred}).WithContext(ctx)
			pv, err := t.authenticate(r2)
			if err != nil {
				return transport.WithWebsocketCloseCode(ctx, closeForbidden), nil, errors.New(publicMessage(err))
			}
			v = pv
			exp, hasExp = t.expiry(r2)
			ctx = auth.WithRefusal(folio.WithViewer(ctx, v), nil)
		} else if fe := auth.RefusalFrom(ctx); fe != nil {
			return transport.WithWebsocketCloseCode(ctx, closeForbidden), nil, errors.New(fe.Message)
		}
		if v.SignedIn() {
			key := "user:" + strconv.FormatInt(v.UserID, 10)
			if err := t.o.Connections.count(key, t.o.PerUser); err != nil {
				return transport.WithWebsocketCloseCode(ctx, closePolicy), nil, errors.New(err.Message)
			}
			keys = append(keys, key)
		}
		if hasExp {
			expiry = time.AfterFunc(time.Until(exp), func() {
				c.close(closeUnauthorized, "Unauthorized: the access token expired; reconnect with a fresh one")
			})
		}
		if v.SignedIn() {
			t.watch(ctx, c, creds, v)
		}
		return context.WithValue(ctx, connKey{}, c), nil, nil
	}
	ws.Do(w, r, exec)
}

// credentialsOf reads credentials from a connection_init payload as the
// headers that would carry them: {"Authorization": "Bearer …"},
// {"accessToken": "…"} or {"apiKey": "…"} (any case of the names).
func credentialsOf(p transport.InitPayload) http.Header {
	h := http.Header{}
	for k, v := range p {
		s, ok := v.(string)
		if !ok || s == "" {
			continue
		}
		switch strings.ToLower(k) {
		case "authorization":
			h.Set("Authorization", s)
		case "accesstoken", "token":
			h.Set("Authorization", "Bearer "+s)
		case "apikey", "x-api-key":
			h.Set("X-API-Key", s)
		}
	}
	if len(h) == 0 {
		return nil
	}
	return h
}

func (t liveTransport) authenticate(r *http.Request) (folio.Viewer, error) {
	if t.auth == nil {
		return folio.Viewer{}, folio.Errorf(folio.EUnauthenticated, "This server signs no one in.")
	}
	return t.auth.Authenticate(r)
}

func (t liveTransport) expiry(r *http.Request) (time.Time, bool) {
	if t.auth == nil {
		return time.Time{}, false
	}
	return t.auth.Expiry(r)
}

// publicMessage is err's message if a client may read it.
func publicMessage(err error) string {
	var fe *folio.Error
	if errors.As(err, &fe) && fe.Code != folio.EInternal {
		return fe.Message
	}
	return "Internal server error while checking credentials."
}

// codedImplementation accepts WebSockets as gqlgen does and gives the
// connection the close codes of graphql-transport-ws.
type codedImplementation struct {
	inner transport.WebsocketImplementation
	conn  *connection
}

func (i codedImplementation) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	wc, err := i.inner.Accept(w, r, o)
	if err != nil {
		return nil, err
	}
	cc := &codedConn{WebsocketConn: wc}
	var once sync.Once
	i.conn.closeFn = func(code int, reason string) {
		once.Do(func() {
			_ = wc.WriteClose(code, reason)
			_ = wc.Close()
		})
	}
	return cc, nil
}

// codedConn turns gqlgen's protocol-error closes (1002) into the codes
// graphql-transport-ws defines: 4408 for a connection_init that never came,
// 4401 for an operation sent before it, 4429 for a second one, 4400 for
// anything else malformed; and closes with 4409 a subscribe whose id is
// running already (gqlgen would run both). The legacy graphql-ws keeps
// gqlgen's codes.
type codedConn struct {
	transport.WebsocketConn
	mu     sync.Mutex
	last   string // the type of the last message read
	reads  int
	active map[string]bool // operation ids running (graphql-transport-ws)
}

// errDuplicateID ends the read loop of a connection closed with 4409.
var errDuplicateID = errors.New("duplicate operation id")

// track notes the operations a client starts and stops, and reports a
// subscribe with an id that runs already.
func (c *codedConn) track(typ, id string) (duplicate bool) {
	if c.Subprotocol() != "graphql-transport-ws" {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch typ {
	case "subscribe":
		if c.active[id] {
			return true
		}
		if c.active == nil {
			c.active = map[string]bool{}
		}
		c.active[id] = true
	case "complete", "error":
		delete(c.active, id)
	}
	return false
}

// WriteJSON notes the operations the server ends (complete, error) before
// writing m, one of gqlgen's messages, whose ID and Type fields are
// exported.
func (c *codedConn) WriteJSON(m any) error {
	if v := reflect.Indirect(reflect.ValueOf(m)); v.Kind() == reflect.Struct {
		if id, typ := v.FieldByName("ID"), v.FieldByName("Type"); id.Kind() == reflect.String && typ.Kind() == reflect.String {
			if t := typ.String(); t == "complete" || t == "error" {
				c.track(t, id.String())
			}
		}
	}
	return c.WebsocketConn.WriteJSON(m)
}

func (c *codedConn) NextReader() (int, io.Reader, error) {
	mt, r, err := c.WebsocketConn.NextReader()
	if err != nil || r == nil {
		return mt, r, err
	}
	b, err := io.ReadAll(r) // bounded by the read limit
	if err != nil {
		return mt, nil, err
	}
	var m struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	}
	_ = json.Unmarshal(b, &m)
	c.mu.Lock()
	c.last, c.reads = m.Type, c.reads+1
	c.mu.Unlock()
	if c.track(m.Type, m.ID) {
		_ = c.WebsocketConn.WriteClose(closeDuplicateID, "Subscriber for "+m.ID+" already exists")
		return mt, nil, errDuplicateID
	}
	return mt, bytes.NewReader(b), nil
}

func (c *codedConn) WriteClose(code int, reason string) error {
	if code == transport.WebsocketCloseProtocolError && c.Subprotocol() == "graphql-transport-ws" {
		c.mu.Lock()
		last, reads := c.last, c.reads
		c.mu.Unlock()
		switch {
		case reason == "connection initialisation timeout":
			code, reason = closeInitTimeout, "Connection initialisation timeout"
		case reason == "unexpected message" && reads == 1 && last == "subscribe":
			code, reason = closeUnauthorized, "Unauthorized"
		case reason == "unexpected message" && reads > 1 && last == "connection_init":
			code, reason = closeTooManyInits, "Too many initialisation requests"
		default:
			code = closeBadRequest
		}
	}
	return c.WebsocketConn.WriteClose(code, reason)
}

func (c *codedConn) SetReadLimit(n int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(n)
	}
}

func (c *codedConn) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}

// sseTransport is gqlgen's Server-Sent Events transport with Folio's
// connection rules around it: each stream is a live connection.
type sseTransport struct{ liveTransport }

var _ graphql.Transport = sseTransport{}

func (t sseTransport) sse() transport.SSE { return transport.SSE{KeepAlivePingInterval: t.o.KeepAlive} }

func (t sseTransport) Supports(r *http.Request) bool { return t.sse().Supports(r) }

func (t sseTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	if fe := auth.RefusalFrom(r.Context()); fe != nil {
		// Credentials that were refused are never served as anonymous
		// content, as on a WebSocket's connection_init and over plain HTTP.
		httpapi.WriteError(w, r, fe)
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	c := newConnection(true)
	c.closeFn = func(int, string) { cancel() }
	defer c.stopWatch()
	addr := "address:" + clientaddr.From(ctx).String()
	if err := t.o.Connections.open(c, addr, t.o.PerAddress); err != nil {
		httpapi.WriteError(w, r, err)
		return
	}
	keys := []string{addr}
	defer func() { t.o.Connections.release(c, keys...) }()
	if v := folio.ViewerFrom(ctx); v.SignedIn() {
		key := "user:" + strconv.FormatInt(v.UserID, 10)
		if err := t.o.Connections.count(key, t.o.PerUser); err != nil {
			httpapi.WriteError(w, r, err)
			return
		}
		keys = append(keys, key)
		t.watch(ctx, c, credentialHeaders(r.Header), v)
	}
	if exp, ok := t.expiry(r); ok {
		timer := time.AfterFunc(time.Until(exp), cancel)
		defer timer.Stop()
	}
	// A stream outlives the server's write timeout, which is for answers;
	// proxies (nginx) must pass its events on as they come.
	w.Header().Set("X-Accel-Buffering", "no")
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{})
	t.sse().Do(flushWriter{ResponseWriter: w, rc: rc}, r.WithContext(context.WithValue(ctx, connKey{}, c)), exec)
}

// flushWriter flushes through the layers that wrap the response (each can
// Unwrap), as gqlgen's SSE asks for an http.Flusher.
type flushWriter struct {
	http.ResponseWriter
	rc *http.ResponseController
}

func (w flushWriter) Flush() { _ = w.rc.Flush() }

// credentialHeaders are the headers of h that carry credentials.
func credentialHeaders(h http.Header) http.Header {
	out := http.Header{}
	for _, k := range []string{"Authorization", "X-API-Key"} {
		if v := h.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	return out
}

// watch has c's credentials, which made it viewer v, checked again while c
// lasts: before an event is sent once the last check is older than
// Recheck (liveEvents asks), and every Recheck on a timer, so an idle
// connection ends too.
func (t liveTransport) watch(ctx context.Context, c *connection, creds http.Header, v folio.Viewer) {
	if t.auth == nil || len(creds) == 0 {
		return
	}
	base := context.WithoutCancel(ctx)
	c.checkMu.Lock()
	c.checkedAt = t.o.Now()
	c.checkMu.Unlock()
	c.recheck = func(ctx context.Context, force bool) {
		c.checkMu.Lock()
		defer c.checkMu.Unlock()
		now := t.o.Now()
		if c.refusal() != nil || (!force && now.Sub(c.checkedAt) < t.o.Recheck) {
			return
		}
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		got, err := t.authenticate((&http.Request{Header: creds}).WithContext(cctx))
		switch {
		case err == nil && got.UserID != v.UserID:
			c.refuse(folio.Errorf(folio.EUnauthenticated, "These credentials now speak for someone else: connect again."))
		case err == nil && !got.Role.AtLeast(v.Role):
			c.refuse(folio.Errorf(folio.EForbidden, "This account's role was lowered: connect again to go on with its rights."))
		case err == nil:
			c.checkedAt = now
		case folio.ErrorCode(err) == folio.EUnauthenticated || folio.ErrorCode(err) == folio.EForbidden:
			c.refuse(&folio.Error{Code: folio.ErrorCode(err), Message: publicMessage(err)})
		default:
			// The database cannot answer: the connection goes on, and the
			// next event or tick asks again.
			t.o.Logger.WarnContext(ctx, "live: credentials could not be checked again; the connection goes on", "user_id", v.UserID, "error", err.Error())
		}
	}
	var tick func()
	tick = func() {
		c.recheck(base, true)
		c.timerMu.Lock()
		defer c.timerMu.Unlock()
		if !c.stopped && c.refusal() == nil {
			c.timer.Reset(t.o.Recheck)
		}
	}
	c.timerMu.Lock()
	if !c.stopped {
		c.timer = time.AfterFunc(t.o.Recheck, tick)
	}
	c.timerMu.Unlock()
}
