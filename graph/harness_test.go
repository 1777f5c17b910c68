package graph_test

import (
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/folio/folio/graph"
	"github.com/folio/folio/graph/graphtest"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/httpapi"
	"github.com/folio/folio/internal/postgres"
	"github.com/folio/folio/internal/postgres/postgrestest"
)

// testDB is this package's own database, created and dropped by TestMain.
var testDB *postgres.DB

func TestMain(m *testing.M) { postgrestest.Main(m, "graph", &testDB) }

// world is the data every read test shares: a few people, a small catalogue
// with drafts, archived pieces, threads with deleted comments and replies, and
// enough filler articles to page through.
type world struct {
	alice, bob, carol, erin *folio.User
	eng, culture            *folio.Category
	tagGo, tagPG, tagGQL    *folio.Tag
	tagDesign, tagUnused    *folio.Tag

	keyset, loaders, draft, archived, readers, fts *folio.Article
	filler                                         []*folio.Article
	// published is every published article, newest first: the home feed.
	published []*folio.Article

	c1, c2, c3, r1, r2 *folio.Comment
}

var (
	worldOnce sync.Once
	theWorld  *world
)

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// getWorld builds the shared data once, with the first test's t.
func getWorld(t *testing.T) *world {
	t.Helper()
	worldOnce.Do(func() { theWorld = buildWorld(t) })
	if theWorld == nil {
		t.Fatal("the shared test data could not be built")
	}
	return theWorld
}

func buildWorld(t *testing.T) *world {
	f := postgrestest.Fixture{TB: t, DB: testDB}
	w := &world{}
	w.alice = f.User("alice", folio.RoleAuthor)
	w.bob = f.User("Bob_Writes", folio.RoleAuthor)
	w.carol = f.User("carol", folio.RoleReader)
	w.erin = f.User("erin", folio.RoleAuthor)
	w.eng = f.Category("engineering", "Engineering")
	w.culture = f.Category("culture", "Culture")
	w.tagGo = f.Tag("go", "Go")
	w.tagPG = f.Tag("postgres", "PostgreSQL")
	w.tagGQL = f.Tag("graphql", "GraphQL")
	w.tagDesign = f.Tag("design", "Design")
	w.tagUnused = f.Tag("unused", "Unused")

	w.keyset = f.Article(postgrestest.Article{Author: w.alice, Category: w.eng, Slug: "keyset-pagination", Title: "Keyset pagination explained",
		Excerpt: "Why cursors beat offsets.", Body: "Offsets get slow. A cursor remembers where the page ended; postgres finds the next row with an index.",
		PublishedAt: date("2026-01-01T10:00:00Z"), Tags: []*folio.Tag{w.tagGo, w.tagPG}})
	w.loaders = f.Article(postgrestest.Article{Author: w.alice, Category: w.eng, Slug: "graphql-dataloaders", Title: "GraphQL dataloaders",
		Body: "Batch every lookup of a level into one statement.", PublishedAt: date("2026-02-01T10:00:00Z"), Tags: []*folio.Tag{w.tagGo, w.tagGQL}})
	w.draft = f.Article(postgrestest.Article{Author: w.alice, Category: w.eng, Slug: "secret-draft", Title: "Secret zebra plans",
		Body: "Nobody but the author may read about the zebra.", Status: folio.StatusDraft, CreatedAt: date("2026-03-05T10:00:00Z"), Tags: []*folio.Tag{w.tagGo}})
	w.archived = f.Article(postgrestest.Article{Author: w.alice, Category: w.eng, Slug: "old-news", Title: "Old zebra news",
		Body: "Withdrawn.", Status: folio.StatusArchived, PublishedAt: date("2025-12-01T10:00:00Z"), Tags: []*folio.Tag{w.tagGo}})
	w.readers = f.Article(postgrestest.Article{Author: w.bob, Category: w.culture, Slug: "designing-for-readers", Title: "Designing for readers",
		Body:        "Readers skim. <script>alert('x')</script> Write for skimming readers & mind the postgres of prose.",
		PublishedAt: date("2026-03-01T10:00:00Z"), Tags: []*folio.Tag{w.tagDesign}})
	w.fts = f.Article(postgrestest.Article{Author: w.bob, Category: w.eng, Slug: "postgres-full-text-search", Title: "Postgres full text search",
		Excerpt: "Ranking with tsvector.", Body: "Search without another server.", PublishedAt: date("2026-01-15T10:00:00Z"), Tags: []*folio.Tag{w.tagPG}})

	// A thread: c1 with two replies, c2 deleted (its reply-less placeholder
	// stays), c3; and reactions of two kinds.
	at := date("2026-01-02T00:00:00Z")
	w.c1 = f.Comment(w.keyset, w.carol, nil, "Great read!", at)
	w.c2 = f.Comment(w.keyset, w.bob, nil, "Spam spam spam", at.Add(time.Hour))
	w.c3 = f.Comment(w.keyset, w.bob, nil, "What about sorting by two columns?", at.Add(2*time.Hour))
	w.r1 = f.Comment(w.keyset, w.alice, w.c1, "Thanks, Carol.", at.Add(3*time.Hour))
	w.r2 = f.Comment(w.keyset, w.bob, w.c1, "Agreed.", at.Add(4*time.Hour))
	f.DeleteComment(w.c2)
	f.React(w.keyset, w.alice, folio.ReactionLike)
	f.React(w.keyset, w.bob, folio.ReactionLike)
	f.React(w.keyset, w.carol, folio.ReactionLove)

	// Filler: 60 articles by erin in 2025, each with a thread of 25 comments
	// (the first 3 with 6 replies each), so that nested pages are full.
	base := date("2025-01-01T00:00:00Z")
	for i := range 60 {
		a := f.Article(postgrestest.Article{Author: w.erin, Category: w.culture, Slug: fmt.Sprintf("filler-%02d", i), Title: fmt.Sprintf("Filler %02d", i),
			PublishedAt: base.Add(time.Duration(i) * 24 * time.Hour), Tags: []*folio.Tag{w.tagDesign, w.tagGo}})
		w.filler = append(w.filler, a)
		if i%10 == 0 {
			for j := range 25 {
				c := f.Comment(a, w.carol, nil, fmt.Sprintf("comment %d", j), a.PublishedAt.Add(time.Duration(j)*time.Minute))
				if j < 3 {
					for k := range 6 {
						f.Comment(a, w.bob, c, fmt.Sprintf("reply %d", k), c.CreatedAt.Add(time.Duration(k+1)*time.Second))
					}
				}
			}
			f.React(a, w.carol, folio.ReactionCelebrate)
		}
	}
	w.published = append([]*folio.Article{w.keyset, w.loaders, w.readers, w.fts}, w.filler...)
	slices.SortFunc(w.published, func(a, b *folio.Article) int { return b.PublishedAt.Compare(*a.PublishedAt) })
	return w
}

// server is an HTTP server over the GraphQL handler that records how many
// SQL statements each request sent, and what it logged.
type server struct {
	*graphtest.Server
	logs *graphtest.SyncBuffer
}

// newServer serves store (the test database unless a test wraps it).
func newServer(t testing.TB, store folio.Store, adjust ...func(*graph.Options)) *server {
	t.Helper()
	return newServerHTTP(t, store, nil, adjust...)
}

// newTimedServer is newServer with a request deadline of d.
func newTimedServer(t testing.TB, store folio.Store, d time.Duration) *server {
	t.Helper()
	return newServerHTTP(t, store, func(o *httpapi.Options) { o.Timeout = d })
}

// newServerHTTP is newServer whose HTTP stack httpAdjust, if set, changes.
func newServerHTTP(t testing.TB, store folio.Store, httpAdjust func(*httpapi.Options), adjust ...func(*graph.Options)) *server {
	t.Helper()
	s := &server{logs: &graphtest.SyncBuffer{}}
	o := graph.Options{
		Store:         store,
		Logger:        slog.New(slog.NewJSONHandler(s.logs, nil)),
		Introspection: true,
	}
	for _, f := range adjust {
		f(&o)
	}
	var ha []func(*httpapi.Options)
	if httpAdjust != nil {
		ha = append(ha, httpAdjust)
	}
	s.Server = graphtest.New(t, o, ha...)
	return s
}

var (
	defaultServerOnce sync.Once
	defaultServer     *server
)

// srv is the shared server over the test database.
func srv(t *testing.T) *server {
	t.Helper()
	defaultServerOnce.Do(func() {
		defaultServer = newServer(&noCleanup{T: t}, testDB)
	})
	return defaultServer
}

// noCleanup keeps the shared server open past the test that made it; the
// process ends with the package's tests.
type noCleanup struct{ *testing.T }

func (noCleanup) Cleanup(func()) {}

type response = graphtest.Response

// post sends one operation and decodes the response.
func (s *server) post(t *testing.T, query string, vars map[string]any) response {
	t.Helper()
	return s.Do(t, nil, query, vars)
}

// query sends an operation that must succeed and decodes its data into out.
func (s *server) query(t *testing.T, query string, vars map[string]any, out any) response {
	t.Helper()
	return s.OK(t, nil, query, vars, out)
}

func fixture(t *testing.T) postgrestest.Fixture { return postgrestest.Fixture{TB: t, DB: testDB} }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
