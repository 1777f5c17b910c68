package subscriptions_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/folio/folio/graph"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/live"
	"github.com/folio/folio/internal/ratelimit"
)

func TestWebSocket_Auth(t *testing.T) {
	cl := newCluster(t)
	s := cl.start(t, func(o *graph.Options, _ *live.Options) { o.Live.InitTimeout = 300 * time.Millisecond })
	author := cl.user(t, folio.RoleAuthor)
	draft := cl.article(t, author, folio.StatusDraft)
	draftVars := map[string]any{"a": articleID(draft)}

	t.Run("NoTokenRefusedForDraft", func(t *testing.T) {
		ws := mustDial(t, s, "graphql-transport-ws", nil)
		ws.init(nil)
		ws.subscribe("1", commentAdded, draftVars)
		m := ws.mustRead(2*time.Second, "next")
		var r result
		_ = json.Unmarshal(m.Payload, &r)
		if r.code() != "NOT_FOUND" {
			t.Fatalf("code = %q, want NOT_FOUND: %s", r.code(), m.Payload)
		}
	})

	t.Run("TokenInInitPayload", func(t *testing.T) {
		ws := mustDial(t, s, "graphql-transport-ws", nil)
		ws.init(map[string]any{"accessToken": cl.token(t, author, time.Hour)})
		ws.subscribe("1", commentAdded, draftVars)
		waitFor(t, "the author's subscription", func() bool { return s.hub.Stats().Subscribers == 1 })
		c := fixture(t).Comment(draft, author, nil, "note to self", time.Now())
		s.hub.Publish(t.Context(), live.Event{Kind: live.CommentAdded, ArticleID: draft.ID, CommentID: c.ID})
		if r := ws.next(2 * time.Second); len(r.Errors) > 0 {
			t.Fatalf("errors: %+v", r.Errors)
		}
	})

	t.Run("BadTokenInInitPayload", func(t *testing.T) {
		ws := mustDial(t, s, "graphql-transport-ws", nil)
		ws.send(map[string]any{"type": "connection_init", "payload": map[string]any{"accessToken": "not-a-token"}})
		if code, reason := ws.closed(2 * time.Second); code != 4403 {
			t.Fatalf("close %d %q, want 4403", code, reason)
		}
	})

	t.Run("ExpiredMidConnection", func(t *testing.T) {
		ws := mustDial(t, s, "graphql-transport-ws", nil)
		ws.init(map[string]any{"accessToken": cl.token(t, author, time.Second)})
		if code, reason := ws.closed(5 * time.Second); code != 4401 {
			t.Fatalf("close %d %q, want 4401", code, reason)
		}
	})

	t.Run("ForeignOrigin", func(t *testing.T) {
		_, res, err := dial(t, s, "graphql-transport-ws", http.Header{"Origin": {"https://evil.example"}})
		if err == nil {
			t.Fatal("a WebSocket from a foreign origin opened")
		}
		if res == nil || res.StatusCode != http.StatusForbidden {
			t.Fatalf("response %v, want 403", res)
		}
	})

	t.Run("AllowedOrigin", func(t *testing.T) {
		ws := mustDial(t, s, "graphql-transport-ws", http.Header{"Origin": {"https://app.example.com"}})
		ws.init(nil)
	})

	t.Run("SubscribeBeforeInit", func(t *testing.T) {
		ws := mustDial(t, s, "graphql-transport-ws", nil)
		ws.subscribe("1", commentAdded, draftVars)
		if code, reason := ws.closed(2 * time.Second); code != 4401 {
			t.Fatalf("close %d %q, want 4401", code, reason)
		}
	})

	t.Run("SecondInit", func(t *testing.T) {
		ws := mustDial(t, s, "graphql-transport-ws", nil)
		ws.init(nil)
		ws.send(map[string]any{"type": "connection_init"})
		if code, reason := ws.closed(2 * time.Second); code != 4429 {
			t.Fatalf("close %d %q, want 4429", code, reason)
		}
	})

	t.Run("DuplicateID", func(t *testing.T) {
		art := cl.article(t, author, folio.StatusPublished)
		ws := mustDial(t, s, "graphql-transport-ws", nil)
		ws.init(nil)
		// An id the server ended (an error) may be used again.
		ws.subscribe("1", commentAdded, draftVars)
		ws.mustRead(2*time.Second, "next")
		ws.mustRead(2*time.Second, "complete")
		ws.subscribe("1", commentAdded, map[string]any{"a": articleID(art)})
		waitFor(t, "the second subscription", func() bool { return s.hub.Stats().Subscribers == 1 })
		ws.subscribe("1", commentAdded, map[string]any{"a": articleID(art)})
		if code, reason := ws.closed(2 * time.Second); code != 4409 {
			t.Fatalf("close %d %q, want 4409", code, reason)
		}
	})

	t.Run("SilentClientInitTimeout", func(t *testing.T) {
		ws := mustDial(t, s, "graphql-transport-ws", nil)
		start := time.Now()
		if code, reason := ws.closed(3 * time.Second); code != 4408 {
			t.Fatalf("close %d %q, want 4408", code, reason)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("closed after %s, want about the 300ms init timeout", d)
		}
	})

	t.Run("TooManySubscriptions", func(t *testing.T) {
		art := cl.article(t, author, folio.StatusPublished)
		ws := mustDial(t, s, "graphql-transport-ws", nil)
		ws.init(nil)
		base := s.hub.Stats().Subscribers
		for i := range 5 { // the limit in this cluster
			ws.subscribe(string(rune('a'+i)), commentAdded, map[string]any{"a": articleID(art)})
		}
		waitFor(t, "five subscriptions", func() bool { return s.hub.Stats().Subscribers == base+5 })
		ws.subscribe("z", commentAdded, map[string]any{"a": articleID(art)})
		m := ws.mustRead(2*time.Second, "next")
		var r result
		_ = json.Unmarshal(m.Payload, &r)
		if m.ID != "z" || r.code() != "RATE_LIMITED" {
			t.Fatalf("got %s %s, want RATE_LIMITED for z", m.ID, m.Payload)
		}
	})
}

// TestSSE_BadTokenRefused checks that a Server-Sent Events subscription
// sent with credentials that are refused is answered UNAUTHENTICATED, not
// served as an anonymous stream.
func TestSSE_BadTokenRefused(t *testing.T) {
	cl := newCluster(t)
	s := cl.start(t)
	author := cl.user(t, folio.RoleAuthor)
	art := cl.article(t, author, folio.StatusPublished)
	body, _ := json.Marshal(map[string]any{"query": commentAdded, "variables": map[string]any{"a": articleID(art)}})
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/query", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer not-a-token")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var r result
	_ = json.NewDecoder(res.Body).Decode(&r)
	if res.StatusCode != http.StatusUnauthorized || r.code() != "UNAUTHENTICATED" {
		t.Fatalf("got %d %s %+v, want 401 UNAUTHENTICATED", res.StatusCode, res.Header.Get("Content-Type"), r)
	}
	if n := s.hub.Stats().Subscribers; n != 0 {
		t.Errorf("%d subscribers, want none", n)
	}
}

func TestWebSocket_GoAwayOnDrain(t *testing.T) {
	cl := newCluster(t)
	s := cl.start(t)
	ws := mustDial(t, s, "graphql-transport-ws", nil)
	ws.init(nil)
	waitFor(t, "the connection", func() bool { return s.conns.Len() == 1 })
	s.conns.GoAway()
	if code, _ := ws.closed(2 * time.Second); code != websocket.StatusGoingAway {
		t.Fatalf("close %d, want 1001", code)
	}
}

// TestSubscription_PricedAtStart: a subscription over the cost ceiling is
// refused before it subscribes; one under it runs and its events carry no
// further charge.
func TestSubscription_PricedAtStart(t *testing.T) {
	cl := newCluster(t)
	lim := ratelimit.DefaultLimits
	lim.MaxCost = 2
	s := cl.start(t, func(o *graph.Options, _ *live.Options) { o.Limiter = &ratelimit.Limiter{Limits: lim} })
	author := cl.user(t, folio.RoleAuthor)
	art := cl.article(t, author, folio.StatusPublished)
	for _, transport := range []string{"graphql-transport-ws", "sse"} {
		t.Run(transport, func(t *testing.T) {
			var r result
			if transport == "sse" {
				r = openSSE(t, s, commentAdded, map[string]any{"a": articleID(art)}, nil).next(2 * time.Second)
			} else {
				ws := mustDial(t, s, transport, nil)
				ws.init(nil)
				ws.subscribe("1", commentAdded, map[string]any{"a": articleID(art)})
				r = ws.next(2 * time.Second)
			}
			if r.code() != "COST_LIMIT_EXCEEDED" {
				t.Fatalf("code = %q, want COST_LIMIT_EXCEEDED (%+v)", r.code(), r.Errors)
			}
			if n := s.hub.Stats().Subscribers; n != 0 {
				t.Errorf("%d subscribers after a refusal", n)
			}
		})
	}
}
