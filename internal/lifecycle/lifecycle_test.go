package lifecycle_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/folio/folio/internal/lifecycle"
)

func TestDrain_WebsocketGoesAway(t *testing.T) {
	d := lifecycle.New()
	ws := transport.Websocket{Implementation: d.Websocket(nil)}
	// The handshake needs no executor; subscriptions would.
	srv := httptest.NewServer(d.LongLived(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ws.Do(w, r, nil) })))
	t.Cleanup(srv.Close)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	if err := wsjson.Write(ctx, conn, map[string]string{"type": "connection_init"}); err != nil {
		t.Fatal(err)
	}
	var ack map[string]any
	if err := wsjson.Read(ctx, conn, &ack); err != nil || ack["type"] != "connection_ack" {
		t.Fatalf("got %v %v, want connection_ack", ack, err)
	}

	d.Begin()
	for {
		var msg map[string]any
		err := wsjson.Read(ctx, conn, &msg)
		if err == nil {
			continue // a keep-alive or error message before the close
		}
		if got := websocket.CloseStatus(err); got != lifecycle.CloseGoingAway {
			t.Fatalf("connection ended with %v (status %d), want close status %d", err, got, lifecycle.CloseGoingAway)
		}
		return
	}
}

func TestDrain_Readiness(t *testing.T) {
	d := lifecycle.New()
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	h := d.Readiness(ok)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("before Begin: got %d, want 200", rec.Code)
	}
	d.Begin()
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "draining") {
		t.Fatalf("after Begin: got %d %s, want 503 draining", rec.Code, rec.Body)
	}
}

func TestDrain_OrdinaryRequestsKeepTheirContext(t *testing.T) {
	d := lifecycle.New()
	var ctxErr error
	started, release := make(chan struct{}), make(chan struct{})
	h := d.LongLived(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		ctxErr = r.Context().Err()
	}))
	done := make(chan struct{})
	go func() {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/query", nil))
		close(done)
	}()
	<-started
	d.Begin()
	close(release)
	<-done
	if ctxErr != nil {
		t.Errorf("an ordinary request's context ended with %v on Begin, want it alive", ctxErr)
	}
}
