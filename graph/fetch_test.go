package graph_test

import (
	"context"
	"encoding/base64"
	"sync"
	"testing"

	"github.com/folio/folio/internal/cache"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/redistest"
)

// pageRecorder passes every list of articles through to the store and
// remembers the page each one asked for.
type pageRecorder struct {
	folio.Store
	mu    sync.Mutex
	pages []folio.Page
}

func (r *pageRecorder) add(p folio.Page) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pages = append(r.pages, p)
}

func (r *pageRecorder) take() []folio.Page {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.pages
	r.pages = nil
	return out
}

func (r *pageRecorder) ListArticles(ctx context.Context, v folio.Viewer, f folio.ArticleFilter, o folio.ArticleOrder, p folio.Page) (folio.List[*folio.Article], error) {
	r.add(p)
	return r.Store.ListArticles(ctx, v, f, o, p)
}

func (r *pageRecorder) ArticlesByAuthors(ctx context.Context, v folio.Viewer, ids []int64, p folio.Page) (map[int64]folio.List[*folio.Article], error) {
	r.add(p)
	return r.Store.ArticlesByAuthors(ctx, v, ids, p)
}

func (r *pageRecorder) ArticlesByCategories(ctx context.Context, v folio.Viewer, ids []int64, p folio.Page) (map[int64]folio.List[*folio.Article], error) {
	r.add(p)
	return r.Store.ArticlesByCategories(ctx, v, ids, p)
}

func (r *pageRecorder) ArticlesByTags(ctx context.Context, v folio.Viewer, ids []int64, p folio.Page) (map[int64]folio.List[*folio.Article], error) {
	r.add(p)
	return r.Store.ArticlesByTags(ctx, v, ids, p)
}

func (r *pageRecorder) Search(ctx context.Context, v folio.Viewer, q string, p folio.Page) (folio.List[*folio.SearchHit], error) {
	r.add(p)
	return r.Store.Search(ctx, v, q, p)
}

// TestLists_FetchWhatIsAsked checks that each list reads article bodies
// and computes search snippets only when the query shows them, however the
// query spells its selection.
func TestLists_FetchWhatIsAsked(t *testing.T) {
	getWorld(t)
	rec := &pageRecorder{Store: testDB}
	s := newServer(t, rec)
	tests := []struct {
		name, query           string
		vars                  map[string]any
		skipBody, skipSnippet bool
	}{
		{"CardsOnly", `{ articles(first: 2) { nodes { title excerpt } } }`, nil, true, true},
		{"CountOnly", `{ articles(first: 2) { totalCount pageInfo { hasNextPage } } }`, nil, true, true},
		{"Body", `{ articles(first: 2) { nodes { title body } } }`, nil, false, true},
		{"BodyHtmlOnEdges", `{ articles(first: 2) { edges { cursor node { bodyHtml } } } }`, nil, false, true},
		{"Aliased", `{ articles(first: 2) { cards: nodes { title } full: edges { node { text: body } } } }`, nil, false, true},
		{"Fragments", `{ articles(first: 2) { ...Page } }
			fragment Page on ArticleConnection { nodes { ... on Article { ...Text } } }
			fragment Text on Article { body }`, nil, false, true},
		{"Included", `query($b: Boolean!) { articles(first: 2) { nodes { title body @include(if: $b) } } }`, map[string]any{"b": true}, false, true},
		{"NotIncluded", `query($b: Boolean!) { articles(first: 2) { nodes { title body @include(if: $b) } } }`, map[string]any{"b": false}, true, true},
		{"Skipped", `{ articles(first: 2) { nodes { title bodyHtml @skip(if: true) } } }`, nil, true, true},
		{"TagCards", `{ tag(slug: "go") { articles(first: 2) { nodes { title } } } }`, nil, true, true},
		{"TagBody", `{ tag(slug: "go") { articles(first: 2) { nodes { body } } } }`, nil, false, true},
		{"AuthorCards", `{ user(handle: "alice") { articles(first: 2) { nodes { slug } } } }`, nil, true, true},
		{"CategoryBody", `{ category(slug: "engineering") { articles(first: 2) { edges { node { bodyHtml } } } } }`, nil, false, true},
		{"SearchHits", `{ search(query: "postgres") { edges { rank node { title } } } }`, nil, true, true},
		{"SearchSnippet", `{ search(query: "postgres") { edges { snippet node { title } } } }`, nil, true, false},
		{"SearchEverything", `{ search(query: "postgres") { edges { snippet node { body } } } }`, nil, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec.take()
			s.query(t, tt.query, tt.vars, nil)
			pages := rec.take()
			if len(pages) != 1 {
				t.Fatalf("%d lists read, want 1", len(pages))
			}
			if p := pages[0]; p.SkipBody != tt.skipBody || p.SkipSnippet != tt.skipSnippet {
				t.Errorf("got SkipBody=%v SkipSnippet=%v, want %v %v", p.SkipBody, p.SkipSnippet, tt.skipBody, tt.skipSnippet)
			}
		})
	}
}

// TestArticle_BodyNeverFromAList checks that every way to one article's
// body (node, nodes, article by slug, a comment's article) answers the
// whole body when lists holding that article were read without bodies,
// in the same request or, through the Redis cache, in an earlier one.
func TestArticle_BodyNeverFromAList(t *testing.T) {
	w := getWorld(t)
	id := base64.RawURLEncoding.EncodeToString([]byte("Article:" + itoa(w.keyset.ID)))
	const lists = `articles(first: 10) { nodes { id slug title } }
		tag(slug: "go") { articles(first: 10) { edges { node { id slug } } } }
		user(handle: "alice") { articles(first: 10) { nodes { id } } }
		search(query: "postgres") { edges { node { id slug } } }`
	const lookups = `node(id: $id) { ... on Article { body bodyHtml } }
		nodes(ids: [$id]) { ... on Article { body } }
		article(slug: $slug) { body bodyHtml comments(first: 1) { nodes { article { body } } } }`
	type body struct{ Body, BodyHTML string }
	var out struct {
		Node    body
		Nodes   []body
		Article struct {
			body
			Comments struct{ Nodes []struct{ Article body } }
		}
	}
	vars := map[string]any{"id": id, "slug": w.keyset.Slug}
	check := func(t *testing.T) {
		t.Helper()
		got := []string{out.Node.Body, out.Article.Body}
		for _, n := range out.Nodes {
			got = append(got, n.Body)
		}
		for _, c := range out.Article.Comments.Nodes {
			got = append(got, c.Article.Body)
		}
		if len(got) != 4 {
			t.Fatalf("got %d bodies, want 4: %+v", len(got), out)
		}
		for _, b := range got {
			if b != w.keyset.Body {
				t.Errorf("body %q, want %q", b, w.keyset.Body)
			}
		}
		if out.Node.BodyHTML == "" || out.Node.BodyHTML != out.Article.BodyHTML {
			t.Errorf("bodyHtml %q and %q, want the rendered body twice", out.Node.BodyHTML, out.Article.BodyHTML)
		}
	}

	t.Run("SameRequest", func(t *testing.T) {
		srv(t).query(t, `query($id: ID!, $slug: String!) { `+lists+` `+lookups+` }`, vars, &out)
		check(t)
	})
	t.Run("ThroughTheCache", func(t *testing.T) {
		rdb := redistest.Client(t)
		c := cache.New(testDB, testDB, cache.Options{Redis: rdb, Prefix: redistest.Prefix(t, rdb)})
		s := newServer(t, c)
		s.query(t, `{ `+lists+` }`, nil, nil)
		s.query(t, `query($id: ID!, $slug: String!) { `+lookups+` }`, vars, &out)
		check(t)
		s.query(t, `query($id: ID!, $slug: String!) { `+lists+` `+lookups+` }`, vars, &out)
		check(t) // warm
	})
}

// TestLists_OneFieldCollectedTwice checks that what a list reads is worked
// out where its field is collected, not once for the field: a fragment's
// list, merged with more of it in one place and alone in another, reads
// bodies where they show, whichever place runs first.
func TestLists_OneFieldCollectedTwice(t *testing.T) {
	getWorld(t)
	s := srv(t)
	const cards = `user(handle: "alice") { ...Cards }`
	const full = `user(handle: "alice") { ...Cards articles(first: 3) { nodes { body } } }`
	type page struct {
		Articles struct{ Nodes []struct{ Slug, Body string } }
	}
	for _, tc := range []struct{ name, query string }{
		{"CardsFirst", `{ cards: ` + cards + ` full: ` + full + ` }`},
		{"FullFirst", `{ full: ` + full + ` cards: ` + cards + ` }`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out struct{ Cards, Full page }
			s.query(t, tc.query+` fragment Cards on User { articles(first: 3) { nodes { slug } } }`, nil, &out)
			if len(out.Full.Articles.Nodes) == 0 || len(out.Full.Articles.Nodes) != len(out.Cards.Articles.Nodes) {
				t.Fatalf("got %d and %d articles, want the same few twice", len(out.Full.Articles.Nodes), len(out.Cards.Articles.Nodes))
			}
			for _, n := range out.Full.Articles.Nodes {
				if n.Slug == "" || n.Body == "" {
					t.Errorf("article %q has body %q, want its body where the query shows it", n.Slug, n.Body)
				}
			}
		})
	}
}

// TestArgs_PerOperation checks that the arguments a field below the root
// reads once an operation (argsOf) are the operation's own: the same
// document, cached across requests, is sent with other variables, and two
// fields of one name, aliased, keep their own arguments.
func TestArgs_PerOperation(t *testing.T) {
	w := getWorld(t)
	s := srv(t)
	const query = `query($slug: String!, $m: Int!) { article(slug: $slug) { comments(first: 3) { nodes {
		id
		replies(first: $m) { nodes { body } }
		one: replies(first: 1) { nodes { body } }
		two: replies(first: 2) { nodes { body } }
	} } } }`
	type replies struct{ Nodes []struct{ Body string } }
	var c1 = folio.NodeID(folio.KindComment, w.c1.ID)
	for _, m := range []int{1, 2, 1} {
		var out struct {
			Article struct {
				Comments struct {
					Nodes []struct {
						ID           string
						Replies, One replies
						Two          replies
					}
				}
			}
		}
		s.query(t, query, map[string]any{"slug": w.keyset.Slug, "m": m}, &out)
		found := false
		for _, n := range out.Article.Comments.Nodes {
			if n.ID != c1 {
				continue
			}
			found = true
			if got := len(n.Replies.Nodes); got != m {
				t.Errorf("with $m = %d: %d replies, want %d", m, got, m)
			}
			if len(n.One.Nodes) != 1 || len(n.Two.Nodes) != 2 {
				t.Errorf("with $m = %d: aliased replies(first: 1) and (first: 2) gave %d and %d", m, len(n.One.Nodes), len(n.Two.Nodes))
			}
		}
		if !found {
			t.Fatalf("comment %s is not on the article's first page", c1)
		}
	}
}
