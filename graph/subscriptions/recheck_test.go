package subscriptions_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/folio/folio/graph"
	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/live"
	"github.com/folio/folio/internal/redistest"
)

// clock is the test's clock of credential re-checks: it moves only when
// the test says.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) pass(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// accounts is the auth service of the cluster's instances, as a test uses
// it to revoke keys and sign sessions out.
func (c *cluster) accounts(t *testing.T) *auth.Service {
	rdb := redistest.Client(t)
	return &auth.Service{Store: testDB, Keys: c.keys,
		Revocations: &auth.Revocations{Redis: rdb, Prefix: c.channel + ":", Live: testDB.SessionLive}}
}

// TestSubscription_CredentialsRecheckedMidConnection: a live connection
// whose API key is revoked, whose session is signed out or whose role is
// lowered stops receiving events. The check is cached for the Recheck
// interval (an event within it still goes out, costing no round trip),
// and the first event after it ends the connection: a WebSocket with
// 4401 or 4403, an SSE stream with the error as its last response.
func TestSubscription_CredentialsRecheckedMidConnection(t *testing.T) {
	cl := newCluster(t)
	clk := &clock{now: time.Now()}
	s := cl.start(t, func(o *graph.Options, _ *live.Options) {
		o.Live.Recheck, o.Live.Now = time.Hour, clk.Now // the timer never fires here
	})
	accounts := cl.accounts(t)
	ctx := context.Background()

	// publish raises one comment event on art and returns when it is out.
	publish := func(t *testing.T, art *folio.Article, by *folio.User) {
		t.Helper()
		c := fixture(t).Comment(art, by, nil, "live comment", time.Now())
		s.hub.Publish(t.Context(), live.Event{Kind: live.CommentAdded, ArticleID: art.ID, CommentID: c.ID})
	}
	subscribed := func(t *testing.T, n int) {
		t.Helper()
		waitFor(t, "the subscription", func() bool { return s.hub.Stats().Subscribers == n })
	}

	cases := []struct {
		name string
		role folio.Role
		// credentials returns the connection_init payload (or, for SSE,
		// the headers) of u, and end takes their rights away.
		credentials func(t *testing.T, u *folio.User) (payload map[string]any, end func())
		draft       bool // subscribe to a draft's comments, which only the role may read
		wantClose   int
		wantCode    string
	}{
		{name: "APIKeyRevoked", role: folio.RoleAuthor, wantClose: 4401, wantCode: "UNAUTHENTICATED",
			credentials: func(t *testing.T, u *folio.User) (map[string]any, func()) {
				v := folio.Viewer{UserID: u.ID, Role: u.Role}
				k, secret, err := accounts.CreateAPIKey(ctx, v, "live")
				if err != nil {
					t.Fatal(err)
				}
				return map[string]any{"apiKey": secret}, func() {
					if _, err := accounts.RevokeAPIKey(ctx, v, k.ID); err != nil {
						t.Fatal(err)
					}
				}
			}},
		{name: "SignedOut", role: folio.RoleAuthor, wantClose: 4401, wantCode: "UNAUTHENTICATED",
			credentials: func(t *testing.T, u *folio.User) (map[string]any, func()) {
				return map[string]any{"accessToken": cl.token(t, u, time.Hour)}, func() {
					if _, err := accounts.SignOut(ctx, folio.Viewer{UserID: u.ID, Role: u.Role}, "", true); err != nil {
						t.Fatal(err)
					}
				}
			}},
		{name: "RoleLowered", role: folio.RoleEditor, draft: true, wantClose: 4403, wantCode: "FORBIDDEN",
			credentials: func(t *testing.T, u *folio.User) (map[string]any, func()) {
				return map[string]any{"accessToken": cl.token(t, u, time.Hour)}, func() {
					if _, err := testDB.Pool.Exec(ctx, `UPDATE users SET role = 'reader' WHERE id = $1`, u.ID); err != nil {
						t.Fatal(err)
					}
				}
			}},
	}
	for _, tc := range cases {
		for _, transport := range []string{"graphql-transport-ws", "graphql-ws", "sse"} {
			t.Run(tc.name+"/"+transport, func(t *testing.T) {
				u := cl.user(t, tc.role)
				writer := cl.user(t, folio.RoleAuthor)
				status := folio.StatusPublished
				if tc.draft {
					status = folio.StatusDraft
				}
				art := cl.article(t, writer, status)
				vars := map[string]any{"a": articleID(art)}
				payload, end := tc.credentials(t, u)

				var ws *wsClient
				var sse *sseStream
				if transport == "sse" {
					h := http.Header{}
					for k, v := range credentialHeaders(payload) {
						h.Set(k, v)
					}
					sse = openSSE(t, s, commentAdded, vars, h)
				} else {
					ws = mustDial(t, s, transport, nil)
					ws.init(payload)
					ws.subscribe("1", commentAdded, vars)
				}
				next := func() result {
					if sse != nil {
						return sse.next(5 * time.Second)
					}
					return ws.next(5 * time.Second)
				}
				subscribed(t, 1)
				publish(t, art, writer)
				if r := next(); len(r.Errors) > 0 {
					t.Fatalf("first event: %+v", r.Errors)
				}

				end()
				// Within the interval the last check holds: no round trip
				// per event.
				publish(t, art, writer)
				if r := next(); len(r.Errors) > 0 {
					t.Fatalf("event within the interval: %+v", r.Errors)
				}

				clk.pass(time.Hour)
				publish(t, art, writer)
				if sse != nil {
					r := sse.next(5 * time.Second)
					if r.code() != tc.wantCode || len(r.Data) > 0 && string(r.Data) != "null" {
						t.Fatalf("SSE event after the rights ended = %s %+v, want only %s", r.Data, r.Errors, tc.wantCode)
					}
					sse.ended(t, 5*time.Second)
				} else {
					code, reason := ws.closed(5 * time.Second)
					// The legacy graphql-ws has no codes of its own: the same ones.
					if int(code) != tc.wantClose {
						t.Fatalf("close %d %q, want %d", code, reason, tc.wantClose)
					}
					t.Logf("closed %d %q", code, reason)
				}
				subscribed(t, 0)
			})
		}
	}
}

// TestSubscription_CredentialsRecheckedWhileIdle: with no event at all, a
// connection whose API key is revoked ends at the next tick of the
// re-check timer.
func TestSubscription_CredentialsRecheckedWhileIdle(t *testing.T) {
	cl := newCluster(t)
	s := cl.start(t, func(o *graph.Options, _ *live.Options) { o.Live.Recheck = 200 * time.Millisecond })
	accounts := cl.accounts(t)
	u := cl.user(t, folio.RoleAuthor)
	v := folio.Viewer{UserID: u.ID, Role: u.Role}
	k, secret, err := accounts.CreateAPIKey(context.Background(), v, "idle")
	if err != nil {
		t.Fatal(err)
	}
	ws := mustDial(t, s, "graphql-transport-ws", http.Header{"X-API-Key": {secret}})
	ws.init(nil)
	art := cl.article(t, u, folio.StatusPublished)
	ws.subscribe("1", commentAdded, map[string]any{"a": articleID(art)})
	waitFor(t, "the subscription", func() bool { return s.hub.Stats().Subscribers == 1 })
	if _, err := accounts.RevokeAPIKey(context.Background(), v, k.ID); err != nil {
		t.Fatal(err)
	}
	if code, reason := ws.closed(10 * time.Second); code != 4401 {
		t.Fatalf("close %d %q, want 4401", code, reason)
	}
}

// credentialHeaders are the HTTP headers of a connection_init payload.
func credentialHeaders(p map[string]any) map[string]string {
	h := map[string]string{}
	if k, ok := p["apiKey"].(string); ok {
		h["X-API-Key"] = k
	}
	if tok, ok := p["accessToken"].(string); ok {
		h["Authorization"] = "Bearer " + tok
	}
	return h
}

// ended waits for the stream to end: a complete event, or its close.
func (s *sseStream) ended(t *testing.T, timeout time.Duration) {
	t.Helper()
	for {
		select {
		case ev, ok := <-s.ch:
			if !ok || ev.event == "complete" {
				return
			}
			t.Fatalf("SSE event %q %s after the refusal", ev.event, ev.data)
		case <-time.After(timeout):
			t.Fatalf("SSE stream still open after %s", timeout)
		}
	}
}
