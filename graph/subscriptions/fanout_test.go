package subscriptions_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/live"
)

// TestSubscription_StatementsConstant delivers one event to 1 and to 30
// anonymous subscribers: the SQL it runs is the same, since subscribers
// of one visibility class share the event's loaders.
func TestSubscription_StatementsConstant(t *testing.T) {
	cl := newCluster(t)
	s := cl.start(t)
	author, reader := cl.user(t, folio.RoleAuthor), cl.user(t, folio.RoleReader)
	art := cl.article(t, author, folio.StatusPublished)
	vars := map[string]any{"a": articleID(art)}

	statements := func(n int) int64 {
		base := s.hub.Stats().Subscribers
		clients := make([]*wsClient, n)
		for i := range clients {
			clients[i] = mustDial(t, s, "graphql-transport-ws", nil)
			clients[i].init(nil)
			clients[i].subscribe("1", commentAdded, vars)
		}
		waitFor(t, fmt.Sprintf("%d subscriptions", n), func() bool { return s.hub.Stats().Subscribers == base+n })
		c := fixture(t).Comment(art, reader, nil, fmt.Sprintf("for %d", n), time.Now())
		before := testDB.Statements()
		s.hub.Publish(t.Context(), live.Event{Kind: live.CommentAdded, ArticleID: art.ID, CommentID: c.ID})
		for _, cl := range clients {
			r := cl.next(5 * time.Second)
			if len(r.Errors) > 0 || !strings.Contains(string(r.Data), reader.Handle) {
				t.Fatalf("event = %s %+v", r.Data, r.Errors)
			}
		}
		n64 := testDB.Statements() - before
		for _, cl := range clients {
			_ = cl.c.CloseNow()
		}
		waitFor(t, "the subscriptions' end", func() bool { return s.hub.Stats().Subscribers == base })
		return n64
	}
	one, many := statements(1), statements(30)
	t.Logf("statements for one event: %d to 1 subscriber, %d to 30", one, many)
	if many != one {
		t.Errorf("one event ran %d statements for 30 subscribers, %d for 1: want the same", many, one)
	}
}

// TestSubscription_NoGoroutineLeak opens and closes many connections and
// subscriptions; every goroutine they started ends.
func TestSubscription_NoGoroutineLeak(t *testing.T) {
	cl := newCluster(t)
	s := cl.start(t)
	author := cl.user(t, folio.RoleAuthor)
	art := cl.article(t, author, folio.StatusPublished)
	vars := map[string]any{"a": articleID(art)}
	// Warm up: pools and clients start their own long-lived goroutines.
	w := mustDial(t, s, "graphql-transport-ws", nil)
	w.init(nil)
	_ = w.c.CloseNow()
	waitFor(t, "the warm-up connection's end", func() bool { return s.conns.Len() == 0 })
	ignore := goleak.IgnoreCurrent()

	for round := range 3 {
		var clients []*wsClient
		for i := range 10 {
			proto := []string{"graphql-transport-ws", "graphql-ws"}[i%2]
			c := mustDial(t, s, proto, nil)
			c.init(nil)
			for j := range 3 {
				c.subscribe(fmt.Sprint(j), commentAdded, vars)
			}
			clients = append(clients, c)
		}
		st := openSSE(t, s, commentAdded, vars, nil)
		waitFor(t, "31 subscriptions", func() bool { return s.hub.Stats().Subscribers == 31 })
		for i, c := range clients {
			if i%2 == 0 && round%2 == 0 {
				c.send(map[string]any{"id": "0", "type": "complete"}) // stop one, then leave
			}
			_ = c.c.CloseNow()
		}
		_ = st.res.Body.Close()
		waitFor(t, "every connection's end", func() bool { return s.conns.Len() == 0 && s.hub.Stats().Subscribers == 0 })
	}
	goleak.VerifyNone(t, ignore)
}
