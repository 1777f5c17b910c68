package graph_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/folio/folio/internal/folio"
)

// HomeFeedQuery is what a front page asks for: each article with its author,
// category, tags, comment count and reaction counts.
const HomeFeedQuery = `query HomeFeed($first: Int!, $after: String) {
  articles(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id slug title excerpt publishedAt readingMinutes
      author { id handle displayName avatarUrl }
      category { slug name }
      tags { slug name }
      commentCount
      reactionCounts { like love insightful celebrate total }
    } }
  }
}`

// ArticlePageQuery is what an article page asks for: the article, its author
// with their latest articles, its tags, and the first comments with their
// authors and first replies with theirs. Authors come first in each
// selection: gqlgen starts an object's first resolver before the others, so
// each level's user lookups begin no later than the lists beside them, and a
// lower level's users never catch the batch of the level above.
const ArticlePageQuery = `query ArticlePage($slug: String!, $comments: Int!, $replies: Int!) {
  article(slug: $slug) {
    author { handle displayName bio articles(first: 3) { nodes { slug title } } }
    id title body publishedAt readingMinutes
    tags { slug name }
    comments(first: $comments) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node {
        author { handle displayName avatarUrl }
        id body createdAt deleted
        replies(first: $replies) { totalCount nodes { author { handle displayName avatarUrl } id body createdAt } }
      } }
    }
  }
}`

// The statements these pages run, whatever their page sizes. The README
// quotes these numbers.
const (
	homeFeedStatements = 1 // articles with their authors, categories, tags and stats (comment and reaction counts)
	homeFeedRoundTrips = 1
	// the article with its author and tags; its comments with their total
	// and authors and their replies with theirs, the author's articles
	articlePageStatements = 3
	// all three in one batch: the pages below the article do not wait
	// for it to come back
	articlePageRoundTrips = 1
)

func TestStatements_HomeFeed(t *testing.T) {
	getWorld(t)
	for _, first := range []int{5, 20, 50} {
		t.Run(fmt.Sprintf("First%d", first), func(t *testing.T) {
			var out struct {
				Articles struct {
					Edges []struct {
						Node struct {
							Author   struct{ Handle string }
							Category *struct{ Slug string }
							Tags     []struct{ Slug string }
						}
					}
				}
			}
			r := stmtSrv(t).query(t, HomeFeedQuery, map[string]any{"first": first}, &out)
			if got := len(out.Articles.Edges); got != first {
				t.Fatalf("got %d articles, want %d", got, first)
			}
			for _, e := range out.Articles.Edges {
				if e.Node.Author.Handle == "" || e.Node.Category == nil || len(e.Node.Tags) == 0 {
					t.Fatalf("incomplete article %+v", e.Node)
				}
			}
			if r.Statements != homeFeedStatements || r.RoundTrips != homeFeedRoundTrips {
				t.Errorf("statements: got %d in %d round trips, want %d in %d for first: %d", r.Statements, r.RoundTrips, homeFeedStatements, homeFeedRoundTrips, first)
			}
		})
	}
}

func TestStatements_ArticlePage(t *testing.T) {
	w := getWorld(t)
	for _, sizes := range [][2]int{{5, 2}, {20, 5}} {
		t.Run(fmt.Sprintf("Comments%dReplies%d", sizes[0], sizes[1]), func(t *testing.T) {
			var out struct {
				Article struct {
					Author struct {
						Articles struct{ Nodes []struct{ Slug string } }
					}
					Comments struct {
						TotalCount int
						Edges      []struct {
							Node struct {
								ID      string
								Author  struct{ Handle string }
								Replies struct {
									TotalCount int
									Nodes      []struct{ Author struct{ Handle string } }
								}
							}
						}
					}
				}
			}
			r := stmtSrv(t).query(t, ArticlePageQuery, map[string]any{"slug": w.filler[50].Slug, "comments": sizes[0], "replies": sizes[1]}, &out)
			a := out.Article
			if len(a.Author.Articles.Nodes) != 3 || len(a.Comments.Edges) != sizes[0] || len(a.Comments.Edges[0].Node.Replies.Nodes) != sizes[1] {
				t.Fatalf("page shape: %d author articles, %d comments, %d replies on the first; want 3, %d, %d",
					len(a.Author.Articles.Nodes), len(a.Comments.Edges), len(a.Comments.Edges[0].Node.Replies.Nodes), sizes[0], sizes[1])
			}
			if a.Comments.Edges[0].Node.Replies.Nodes[0].Author.Handle != "Bob_Writes" {
				t.Errorf("reply author: got %+v", a.Comments.Edges[0].Node.Replies.Nodes[0])
			}
			if r.Statements != articlePageStatements || r.RoundTrips != articlePageRoundTrips {
				t.Errorf("statements: got %d in %d round trips, want %d in %d", r.Statements, r.RoundTrips, articlePageStatements, articlePageRoundTrips)
			}
			// The counts come with their pages, and are the lists' own.
			ctx := context.Background()
			var comments int
			if err := testDB.Pool.QueryRow(ctx, `SELECT count(*) FROM comments WHERE article_id = $1 AND parent_id IS NULL`, w.filler[50].ID).Scan(&comments); err != nil {
				t.Fatal(err)
			}
			if a.Comments.TotalCount != comments {
				t.Errorf("comments totalCount = %d, want %d", a.Comments.TotalCount, comments)
			}
			for _, e := range a.Comments.Edges {
				_, id, _ := folio.ParseNodeID(e.Node.ID)
				var replies int
				if err := testDB.Pool.QueryRow(ctx, `SELECT count(*) FROM comments WHERE parent_id = $1`, id).Scan(&replies); err != nil {
					t.Fatal(err)
				}
				if e.Node.Replies.TotalCount != replies {
					t.Errorf("comment %d: replies totalCount = %d, want %d", id, e.Node.Replies.TotalCount, replies)
				}
			}
		})
	}
}

// TestStatements_NestedListsBatch checks the per-parent lists of one level
// share one statement: the tags of every article, each with its articles.
func TestStatements_NestedListsBatch(t *testing.T) {
	getWorld(t)
	var out struct {
		Tags struct {
			Nodes []struct {
				Articles struct {
					TotalCount int
					Nodes      []struct{ Author struct{ Handle string } }
				}
			}
		}
	}
	r := stmtSrv(t).query(t, `{ tags(first: 10) { nodes { articles(first: 4) { totalCount nodes { author { handle } } } } } }`, nil, &out)
	// tags; articles by tag with their authors, and their counts.
	if r.Statements != 3 {
		t.Errorf("statements: got %d, want 3", r.Statements)
	}
	if len(out.Tags.Nodes) != 5 || out.Tags.Nodes[1].Articles.TotalCount != 62 {
		t.Errorf("got %+v", out.Tags.Nodes)
	}
}

// TestStatements_SameRowsTwice asks for the same relations through nodes and
// through edges at once, and through two aliases: they share their batches.
func TestStatements_SameRowsTwice(t *testing.T) {
	getWorld(t)
	r := stmtSrv(t).post(t, `{ articles(first: 5) {
	  nodes { author { handle } a: author { displayName } }
	  edges { node { author { handle } } }
	} }`, nil)
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	// articles with their authors.
	if r.Statements != 1 {
		t.Errorf("statements: got %d, want 1", r.Statements)
	}
}

// TestStatements_UnderParallelLoad sends many pages at once, so the
// executor's goroutines interleave as they do on a busy server: each request
// still runs exactly its page's statements, since no batch waits on a clock.
func TestStatements_UnderParallelLoad(t *testing.T) {
	w := getWorld(t)
	const each = 12
	type page struct {
		query string
		vars  map[string]any
		want  [2]int64 // statements, round trips
	}
	pages := []page{
		{HomeFeedQuery, map[string]any{"first": 20}, [2]int64{homeFeedStatements, homeFeedRoundTrips}},
		{ArticlePageQuery, map[string]any{"slug": w.filler[50].Slug, "comments": 20, "replies": 5}, [2]int64{articlePageStatements, articlePageRoundTrips}},
	}
	got := make([][][2]int64, len(pages))
	var wg sync.WaitGroup
	for p := range pages {
		got[p] = make([][2]int64, each)
		for i := range each {
			wg.Go(func() {
				r := srv(t).post(t, pages[p].query, pages[p].vars)
				if len(r.Errors) > 0 {
					t.Errorf("page %d: %v", p, r.Errors)
				}
				got[p][i] = [2]int64{r.Statements, r.RoundTrips}
			})
		}
	}
	wg.Wait()
	for p := range pages {
		for i, n := range got[p] {
			if n != pages[p].want {
				t.Errorf("page %d, request %d: %v statements and round trips, want %v (all: %v)", p, i, n, pages[p].want, got[p])
				break
			}
		}
	}
}

// stmtSrv is the server of the statement-count tests.
func stmtSrv(t *testing.T) *server { return srv(t) }

// TestStatements_SearchWithAuthors: a search whose hits show their author
// and category reads them in its one statement.
func TestStatements_SearchWithAuthors(t *testing.T) {
	getWorld(t)
	var out struct {
		Search struct {
			Edges []struct {
				Node struct {
					Author   struct{ Handle string }
					Category *struct{ Name string }
				}
			}
		}
	}
	r := stmtSrv(t).query(t, `{ search(query: "postgres", first: 5) { edges { node { author { handle } category { name } } } } }`, nil, &out)
	if len(out.Search.Edges) == 0 {
		t.Fatal("no hits")
	}
	for _, e := range out.Search.Edges {
		if e.Node.Author.Handle == "" {
			t.Fatalf("a hit without its author: %+v", out.Search.Edges)
		}
	}
	if r.Statements != 1 {
		t.Errorf("statements: got %d, want 1", r.Statements)
	}
}
