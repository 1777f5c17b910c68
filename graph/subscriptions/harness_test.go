// Package subscriptions_test runs Folio's subscriptions end to end: server
// instances sharing Postgres and Redis, and clients speaking each transport
// (graphql-transport-ws, the legacy graphql-ws, Server-Sent Events).
package subscriptions_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/folio/folio/graph"
	"github.com/folio/folio/graph/graphtest"
	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/httpapi"
	"github.com/folio/folio/internal/live"
	"github.com/folio/folio/internal/postgres"
	"github.com/folio/folio/internal/postgres/postgrestest"
	"github.com/folio/folio/internal/redistest"
)

var testDB *postgres.DB

func TestMain(m *testing.M) { postgrestest.Main(m, "subscriptions", &testDB) }

// instance is one server: its hub, its executor behind the HTTP stack.
type instance struct {
	*graphtest.Server
	hub   *live.Hub
	conns *graph.Connections
	logs  *graphtest.SyncBuffer
}

// cluster is instances behind a load balancer: one database, one Redis
// channel, the same signing keys.
type cluster struct {
	keys    *auth.KeySet
	channel string
	seq     atomic.Int64
}

func newCluster(t *testing.T) *cluster {
	t.Helper()
	rdb := redistest.Client(t)
	return &cluster{keys: auth.MustGenerateKeys(), channel: redistest.Prefix(t, rdb) + "live"}
}

// start runs one instance until the test ends; adjust changes its options.
func (c *cluster) start(t *testing.T, adjust ...func(*graph.Options, *live.Options)) *instance {
	t.Helper()
	rdb := redistest.Client(t)
	in := &instance{logs: &graphtest.SyncBuffer{}, conns: &graph.Connections{}}
	logger := slog.New(slog.NewJSONHandler(in.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	lo := live.Options{Redis: rdb, Channel: c.channel, Logger: logger}
	o := graph.Options{Store: testDB, Logger: logger, Introspection: true,
		Auth: &auth.Service{Store: testDB, Keys: c.keys, Logger: logger,
			Revocations: &auth.Revocations{Redis: rdb, Prefix: c.channel + ":", Logger: logger, Live: testDB.SessionLive}},
		Live: graph.LiveOptions{Connections: in.conns, Origins: []string{"https://app.example.com"}, InitTimeout: 2 * time.Second, PerConnection: 5, PerAddress: 1000, PerUser: 1000}}
	for _, f := range adjust {
		f(&o, &lo)
	}
	in.hub = live.New(lo)
	o.Writer = in.hub.Writer(testDB)
	o.Live.Hub = in.hub
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); in.hub.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	in.Server = graphtest.New(t, o, func(h *httpapi.Options) { h.CORSOrigins = []string{"https://app.example.com"} })
	if rdb != nil {
		waitFor(t, "the hub's Redis subscription", func() bool { return in.hub.Stats().RedisUp })
	}
	return in
}

// waitFor polls cond until it holds, failing the test after 5s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// token is an access token for u, valid for ttl, in a session of its own.
func (c *cluster) token(t *testing.T, u *folio.User, ttl time.Duration) string {
	t.Helper()
	sid, err := testDB.CreateRefreshToken(context.Background(), u.ID, auth.HashToken(auth.NewToken()), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := c.keys.IssueAccessToken(u.ID, sid, time.Now(), ttl)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (c *cluster) user(t *testing.T, role folio.Role) *folio.User {
	t.Helper()
	return fixture(t).User(fmt.Sprintf("%s_%d_%d", role, c.seq.Add(1), time.Now().UnixNano()%1e9), role)
}

func fixture(t *testing.T) postgrestest.Fixture { return postgrestest.Fixture{TB: t, DB: testDB} }

func (c *cluster) article(t *testing.T, author *folio.User, status folio.ArticleStatus) *folio.Article {
	t.Helper()
	n := c.seq.Add(1)
	return fixture(t).Article(postgrestest.Article{Author: author, Slug: fmt.Sprintf("live-%d-%d", n, time.Now().UnixNano()%1e9),
		Title: fmt.Sprintf("Live article %d", n), Status: status})
}

// wsURL is the WebSocket address of s's /query.
func wsURL(s *instance) string { return "ws" + strings.TrimPrefix(s.URL, "http") + "/query" }

// wsClient speaks graphql-transport-ws or graphql-ws as a client does.
type wsClient struct {
	t     *testing.T
	c     *websocket.Conn
	proto string
}

func dial(t *testing.T, s *instance, proto string, header http.Header) (*wsClient, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, res, err := websocket.Dial(ctx, wsURL(s), &websocket.DialOptions{Subprotocols: []string{proto}, HTTPHeader: header})
	if err != nil {
		return nil, res, err
	}
	t.Cleanup(func() { _ = c.CloseNow() })
	return &wsClient{t: t, c: c, proto: proto}, res, nil
}

func mustDial(t *testing.T, s *instance, proto string, header http.Header) *wsClient {
	t.Helper()
	w, _, err := dial(t, s, proto, header)
	if err != nil {
		t.Fatalf("dial %s: %v", proto, err)
	}
	return w
}

type msg struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

func (w *wsClient) send(m any) {
	w.t.Helper()
	b, _ := json.Marshal(m)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.c.Write(ctx, websocket.MessageText, b); err != nil {
		w.t.Fatalf("write: %v", err)
	}
}

// read returns the next message that is not a keep-alive, answering pings.
func (w *wsClient) read(timeout time.Duration) (msg, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		_, b, err := w.c.Read(ctx)
		if err != nil {
			return msg{}, err
		}
		var m msg
		if err := json.Unmarshal(b, &m); err != nil {
			return msg{}, err
		}
		switch m.Type {
		case "ka":
			continue
		case "ping":
			w.send(msg{Type: "pong"})
			continue
		}
		return m, nil
	}
}

func (w *wsClient) mustRead(timeout time.Duration, want string) msg {
	w.t.Helper()
	m, err := w.read(timeout)
	if err != nil {
		w.t.Fatalf("read (want %s): %v", want, err)
	}
	if m.Type != want {
		w.t.Fatalf("message %s %s, want %s", m.Type, m.Payload, want)
	}
	return m
}

// init sends connection_init with payload and waits for the ack.
func (w *wsClient) init(payload map[string]any) {
	w.t.Helper()
	w.send(map[string]any{"type": "connection_init", "payload": payload})
	w.mustRead(5*time.Second, "connection_ack")
}

// subscribe starts operation id.
func (w *wsClient) subscribe(id, query string, vars map[string]any) {
	w.t.Helper()
	t := "subscribe"
	if w.proto == "graphql-ws" {
		t = "start"
	}
	w.send(map[string]any{"id": id, "type": t, "payload": map[string]any{"query": query, "variables": vars}})
}

// next waits for the next result, as {data, errors}.
func (w *wsClient) next(timeout time.Duration) result {
	w.t.Helper()
	want := "next"
	if w.proto == "graphql-ws" {
		want = "data"
	}
	m := w.mustRead(timeout, want)
	var r result
	if err := json.Unmarshal(m.Payload, &r); err != nil {
		w.t.Fatal(err)
	}
	return r
}

// closed waits for the server to close the connection and returns the code
// and reason.
func (w *wsClient) closed(timeout time.Duration) (websocket.StatusCode, string) {
	w.t.Helper()
	for {
		_, err := w.read(timeout)
		if err == nil {
			continue
		}
		var ce websocket.CloseError
		if ok := asClose(err, &ce); ok {
			return ce.Code, ce.Reason
		}
		w.t.Fatalf("connection ended without a close frame: %v", err)
	}
}

func asClose(err error, ce *websocket.CloseError) bool {
	code := websocket.CloseStatus(err)
	if code == -1 {
		return false
	}
	var e websocket.CloseError
	if ok := errors.As(err, &e); ok {
		*ce = e
	} else {
		*ce = websocket.CloseError{Code: code}
	}
	return true
}

type result struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (r result) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// sseStream is a Server-Sent Events subscription.
type sseStream struct {
	t   *testing.T
	res *http.Response
	sc  *bufio.Scanner
	ch  chan sseEvent
}

type sseEvent struct {
	event string
	data  string
}

func openSSE(t *testing.T, s *instance, query string, vars map[string]any, header http.Header) *sseStream {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/query", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	for k, v := range header {
		req.Header[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	res, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	st := &sseStream{t: t, res: res, ch: make(chan sseEvent, 16)}
	go func() {
		defer close(st.ch)
		sc := bufio.NewScanner(res.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event:"):
				ev.event = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			case strings.HasPrefix(line, "data:"):
				ev.data += strings.TrimSpace(strings.TrimPrefix(line, "data:"))
			case line == "" && ev.event != "":
				st.ch <- ev
				ev = sseEvent{}
			}
		}
	}()
	return st
}

func (s *sseStream) next(timeout time.Duration) result {
	s.t.Helper()
	select {
	case ev, ok := <-s.ch:
		if !ok {
			s.t.Fatal("SSE stream ended")
		}
		if ev.event != "next" {
			s.t.Fatalf("SSE event %q %s, want next", ev.event, ev.data)
		}
		var r result
		if err := json.Unmarshal([]byte(ev.data), &r); err != nil {
			s.t.Fatal(err)
		}
		return r
	case <-time.After(timeout):
		s.t.Fatalf("no SSE event within %s", timeout)
	}
	return result{}
}
