package subscriptions_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio/graph"
	"github.com/folio/folio/graph/graphtest"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/live"
	"github.com/folio/folio/internal/postgres/postgrestest"
)

const commentAdded = `subscription($a: ID!) { commentAdded(articleId: $a) {
  id body author { handle } article { title commentCount } } }`

const addComment = `mutation($a: ID!, $b: String!) { addComment(input: {articleId: $a, body: $b}) {
  comment { id } userErrors { code } } }`

type commentPayload struct {
	CommentAdded struct {
		ID     string `json:"id"`
		Body   string `json:"body"`
		Author struct {
			Handle string `json:"handle"`
		} `json:"author"`
		Article struct {
			Title        string `json:"title"`
			CommentCount int    `json:"commentCount"`
		} `json:"article"`
	} `json:"commentAdded"`
}

func articleID(a *folio.Article) string {
	return base64.RawURLEncoding.EncodeToString([]byte("Article:" + strconv.FormatInt(a.ID, 10)))
}

// TestSubscription_AcrossInstances subscribes on B, comments on A, and
// wants the comment on B within a second, nested fields resolved, over
// each transport.
func TestSubscription_AcrossInstances(t *testing.T) {
	cl := newCluster(t)
	a, b := cl.start(t), cl.start(t)
	author, reader := cl.user(t, folio.RoleAuthor), cl.user(t, folio.RoleReader)
	tok := cl.token(t, reader, time.Hour)

	for _, transport := range []string{"graphql-transport-ws", "graphql-ws", "sse"} {
		t.Run(transport, func(t *testing.T) {
			art := cl.article(t, author, folio.StatusPublished)
			vars := map[string]any{"a": articleID(art)}
			var next func(time.Duration) result
			if transport == "sse" {
				st := openSSE(t, b, commentAdded, vars, nil)
				next = st.next
			} else {
				ws := mustDial(t, b, transport, nil)
				ws.init(nil)
				ws.subscribe("1", commentAdded, vars)
				next = ws.next
			}
			waitFor(t, "the subscription on B", func() bool { return b.hub.Stats().Subscribers == 1 })

			body := "Live from A over " + transport
			start := time.Now()
			res := a.Do(t, graphtest.Bearer(tok), addComment, map[string]any{"a": articleID(art), "b": body})
			if res.Status != http.StatusOK || len(res.Errors) > 0 {
				t.Fatalf("addComment on A: %d %s", res.Status, res.Raw)
			}
			r := next(time.Second)
			elapsed := time.Since(start)
			if len(r.Errors) > 0 {
				t.Fatalf("event has errors: %+v", r.Errors)
			}
			var p commentPayload
			if err := json.Unmarshal(r.Data, &p); err != nil {
				t.Fatal(err)
			}
			got := p.CommentAdded
			if got.Body != body || got.Author.Handle != reader.Handle || got.Article.Title != art.Title || got.Article.CommentCount != 1 {
				t.Errorf("event = %+v, want body %q by %s on %q with 1 comment", got, body, reader.Handle, art.Title)
			}
			t.Logf("%s: delivered on B %s after the mutation on A began", transport, elapsed)
		})
		waitFor(t, "B's subscriptions to end", func() bool { return b.hub.Stats().Subscribers == 0 })
	}
}

// TestSubscription_DraftCommentsStayPrivate: a draft's comments reach its
// author, never an anonymous subscriber, even one subscribed while the
// article was public.
func TestSubscription_DraftCommentsStayPrivate(t *testing.T) {
	cl := newCluster(t)
	s := cl.start(t)
	author := cl.user(t, folio.RoleAuthor)
	draft := cl.article(t, author, folio.StatusDraft)
	vars := map[string]any{"a": articleID(draft)}

	t.Run("AnonymousRefusedAtStart", func(t *testing.T) {
		ws := mustDial(t, s, "graphql-transport-ws", nil)
		ws.init(nil)
		ws.subscribe("1", commentAdded, vars)
		m := ws.mustRead(2*time.Second, "next")
		var r result
		_ = json.Unmarshal(m.Payload, &r)
		if r.code() != "NOT_FOUND" {
			t.Fatalf("code = %q, want NOT_FOUND (%s)", r.code(), m.Payload)
		}
	})

	t.Run("AnonymousSubscribedBeforeUnpublishing", func(t *testing.T) {
		art := cl.article(t, author, folio.StatusPublished)
		anon := mustDial(t, s, "graphql-transport-ws", nil)
		anon.init(nil)
		anon.subscribe("1", commentAdded, map[string]any{"a": articleID(art)})
		own := mustDial(t, s, "graphql-transport-ws", nil)
		own.init(map[string]any{"accessToken": cl.token(t, author, time.Hour)})
		own.subscribe("1", commentAdded, map[string]any{"a": articleID(art)})
		waitFor(t, "both subscriptions", func() bool { return s.hub.Stats().Subscribers == 2 })
		if _, err := testDB.Pool.Exec(t.Context(), `UPDATE articles SET status = 'draft' WHERE id = $1`, art.ID); err != nil {
			t.Fatal(err)
		}
		c := fixture(t).Comment(art, author, nil, "a note on the zebra draft", time.Now())
		s.hub.Publish(t.Context(), live.Event{Kind: live.CommentAdded, ArticleID: art.ID, CommentID: c.ID})
		r := own.next(2 * time.Second)
		if !strings.Contains(string(r.Data), "zebra draft") {
			t.Fatalf("author's event = %s", r.Data)
		}
		// The anonymous subscriber gets nothing: a second, public event on
		// another article would come first if the draft's had been dropped
		// in its buffer; here the buffer must stay empty.
		if m, err := anon.read(300 * time.Millisecond); err == nil {
			t.Fatalf("anonymous subscriber got %s %s", m.Type, m.Payload)
		}
	})
}

const commentEvents = `subscription($a: ID!) { commentEvents(articleId: $a) { kind comment { id body deleted } } }`

// TestSubscription_DeletionOnlyToThoseWhoSawIt: a comment added while the
// article was a draft, then deleted by a moderator after publication,
// reaches neither as an addition nor as a deletion the anonymous
// subscriber who could not see it; a comment it was sent, deleted, does.
func TestSubscription_DeletionOnlyToThoseWhoSawIt(t *testing.T) {
	cl := newCluster(t)
	s := cl.start(t)
	author, reader := cl.user(t, folio.RoleAuthor), cl.user(t, folio.RoleReader)
	art := cl.article(t, author, folio.StatusPublished)
	ws := mustDial(t, s, "graphql-transport-ws", nil)
	ws.init(nil)
	ws.subscribe("1", commentEvents, map[string]any{"a": articleID(art)})
	waitFor(t, "the subscription", func() bool { return s.hub.Stats().Subscribers == 1 })
	setStatus := func(st folio.ArticleStatus) {
		if _, err := testDB.Pool.Exec(t.Context(), `UPDATE articles SET status = $2 WHERE id = $1`, art.ID, string(st)); err != nil {
			t.Fatal(err)
		}
	}
	// Each event is authorised when the hub dispatches it: wait for that
	// before the article changes again.
	publish := func(k live.Kind, c *folio.Comment) {
		n := s.hub.Stats().Dispatched
		s.hub.Publish(t.Context(), live.Event{Kind: k, ArticleID: art.ID, CommentID: c.ID})
		waitFor(t, "the event's dispatch", func() bool { return s.hub.Stats().Dispatched > n })
	}

	setStatus(folio.StatusDraft)
	hidden := fixture(t).Comment(art, reader, nil, "written while a draft", time.Now())
	publish(live.CommentAdded, hidden)
	setStatus(folio.StatusPublished)
	fixture(t).DeleteComment(hidden)
	publish(live.CommentDeleted, hidden)
	shown := fixture(t).Comment(art, reader, nil, "written in public", time.Now())
	publish(live.CommentAdded, shown)
	fixture(t).DeleteComment(shown)
	publish(live.CommentDeleted, shown)

	var kinds []string
	for range 2 {
		var p struct {
			CommentEvents struct {
				Kind    string `json:"kind"`
				Comment struct {
					Body    *string `json:"body"`
					Deleted bool    `json:"deleted"`
				} `json:"comment"`
			} `json:"commentEvents"`
		}
		r := ws.next(2 * time.Second)
		if err := json.Unmarshal(r.Data, &p); err != nil || len(r.Errors) > 0 {
			t.Fatalf("event %s %+v", r.Data, r.Errors)
		}
		kinds = append(kinds, p.CommentEvents.Kind)
		if p.CommentEvents.Kind == "DELETED" && (p.CommentEvents.Comment.Body != nil || !p.CommentEvents.Comment.Deleted) {
			t.Errorf("a deletion shows %+v, want the placeholder", p.CommentEvents.Comment)
		}
	}
	if strings.Join(kinds, ",") != "ADDED,DELETED" {
		t.Fatalf("events = %v, want ADDED,DELETED of the public comment only", kinds)
	}
	if m, err := ws.read(300 * time.Millisecond); err == nil {
		t.Fatalf("a further event: %s %s", m.Type, m.Payload)
	}
}

// TestSubscription_ReactionsCoalesced: four reactions in a burst reach a
// subscriber as one event with the counts after the last.
func TestSubscription_ReactionsCoalesced(t *testing.T) {
	cl := newCluster(t)
	s := cl.start(t, func(_ *graph.Options, lo *live.Options) { lo.ReactionsInterval = 100 * time.Millisecond })
	author, reader := cl.user(t, folio.RoleAuthor), cl.user(t, folio.RoleReader)
	art := cl.article(t, author, folio.StatusPublished)
	ws := mustDial(t, s, "graphql-transport-ws", nil)
	ws.init(nil)
	ws.subscribe("1", `subscription($a: ID!) { reactionsChanged(articleId: $a) { article { title } reactionCounts { like love total } } }`,
		map[string]any{"a": articleID(art)})
	waitFor(t, "the subscription", func() bool { return s.hub.Stats().Subscribers == 1 })
	tok := cl.token(t, reader, time.Hour)
	for _, k := range []string{"LIKE", "LOVE", "INSIGHTFUL", "CELEBRATE"} {
		res := s.Do(t, graphtest.Bearer(tok), `mutation($a: ID!, $k: ReactionKind!) { addReaction(input: {articleId: $a, kind: $k}) { userErrors { code } } }`,
			map[string]any{"a": articleID(art), "k": k})
		if len(res.Errors) > 0 {
			t.Fatalf("addReaction: %s", res.Raw)
		}
	}
	r := ws.next(2 * time.Second)
	var p struct {
		ReactionsChanged struct {
			Article        struct{ Title string }
			ReactionCounts struct{ Like, Love, Total int }
		}
	}
	if err := json.Unmarshal(r.Data, &p); err != nil || len(r.Errors) > 0 {
		t.Fatalf("event %s %+v", r.Data, r.Errors)
	}
	if c := p.ReactionsChanged.ReactionCounts; c.Total != 4 || c.Like != 1 || p.ReactionsChanged.Article.Title != art.Title {
		t.Errorf("event = %+v, want the counts after all four (total 4)", p.ReactionsChanged)
	}
	if m, err := ws.read(400 * time.Millisecond); err == nil {
		t.Fatalf("a second event for one burst: %s", m.Payload)
	}
}

// TestSubscription_ArticlePublishedFilters: a subscriber to one tag hears
// of the articles carrying it only.
func TestSubscription_ArticlePublishedFilters(t *testing.T) {
	cl := newCluster(t)
	s := cl.start(t)
	author := cl.user(t, folio.RoleAuthor)
	slug := "live-tag-" + strconv.FormatInt(time.Now().UnixNano()%1e9, 10)
	tag := fixture(t).Tag(slug, "Live tag")
	st := openSSE(t, s, `subscription($t: [String!]) { articlePublished(tagSlugs: $t) { title tags { slug } } }`, map[string]any{"t": []string{slug}}, nil)
	waitFor(t, "the subscription", func() bool { return s.hub.Stats().Subscribers == 1 })
	n := cl.seq.Add(1)
	untagged := cl.article(t, author, folio.StatusPublished)
	tagged := fixture(t).Article(postgrestest.Article{Author: author, Slug: slug + "-article", Title: "Tagged " + strconv.FormatInt(n, 10), Tags: []*folio.Tag{tag}})
	s.hub.Publish(t.Context(), live.Event{Kind: live.ArticlePublished, ArticleID: untagged.ID})
	s.hub.Publish(t.Context(), live.Event{Kind: live.ArticlePublished, ArticleID: tagged.ID})
	r := st.next(2 * time.Second)
	if !strings.Contains(string(r.Data), tagged.Title) || len(r.Errors) > 0 {
		t.Fatalf("event = %s %+v, want %q only", r.Data, r.Errors, tagged.Title)
	}
}
