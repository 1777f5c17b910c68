package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/postgres/postgrestest"
)

// TestDB_ArticleBySlugWith checks that the pages read with an article in
// one batch (folio.ArticleWith) are what the many-parent reads return on
// their own for that article: its comments, with their replies, totals
// and authors, and its author's articles as the viewer sees them.
func TestDB_ArticleBySlugWith(t *testing.T) {
	f := postgrestest.Fixture{TB: t, DB: testDB}
	author := f.User("page_author", folio.RoleAuthor)
	ann := f.User("page_ann", folio.RoleReader)
	at := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Microsecond)
	next := func() time.Time { at = at.Add(time.Minute); return at }
	var arts []*folio.Article
	for i := range 4 {
		arts = append(arts, f.Article(postgrestest.Article{Author: author, Slug: fmt.Sprintf("page-%d", i), Title: fmt.Sprintf("Page %d", i), PublishedAt: next()}))
	}
	// Published once, now archived: only its author sees it listed.
	f.Article(postgrestest.Article{Author: author, Slug: "page-pulled", Title: "Pulled", Status: folio.StatusArchived, PublishedAt: next()})
	a := arts[1]
	for i := range 3 {
		c := f.Comment(a, ann, nil, fmt.Sprintf("comment %d", i), next())
		for j := range 2 - i {
			f.Comment(a, author, c, fmt.Sprintf("reply %d.%d", i, j), next())
		}
	}
	ctx := context.Background()
	page := func(p folio.Page) *folio.Page { return &p }

	for _, v := range []folio.Viewer{{}, {UserID: author.ID, Role: folio.RoleAuthor}} {
		for _, comments := range []*folio.Page{
			nil,
			page(folio.Page{Limit: 2, WithTotal: true, Related: folio.Related{WithAuthors: true}, Replies: folio.Replies{Set: true, Limit: 1, WithTotal: true, WithAuthors: true}}),
			page(folio.Page{Limit: 10, WithTotal: true}),
			page(folio.Page{Limit: 2, Backward: true}),
		} {
			for _, byAuthor := range []*folio.Page{
				nil,
				page(folio.Page{Limit: 3, SkipBody: true}),
				page(folio.Page{Limit: 10, Related: folio.Related{WithTags: true}}),
			} {
				w := folio.ArticleWith{Related: folio.Related{WithAuthors: true, WithTags: true}, Comments: comments, ByAuthor: byAuthor, Viewer: v}
				t.Run(fmt.Sprintf("viewer%d/%v/%v", v.UserID, comments, byAuthor), func(t *testing.T) {
					got, err := testDB.ArticleBySlugWith(ctx, a.Slug, w)
					if err != nil {
						t.Fatal(err)
					}
					if len(got.Items) != 1 || got.Items[0].ID != a.ID || len(got.Authors) != 1 || got.Authors[0].ID != author.ID {
						t.Fatalf("article: got %+v with authors %v", got.Items, got.Authors)
					}
					if (got.Comments != nil) != (comments != nil) || (got.ByAuthor != nil) != (byAuthor != nil) {
						t.Fatalf("pages read: comments %v, by author %v; want %v, %v", got.Comments != nil, got.ByAuthor != nil, comments != nil, byAuthor != nil)
					}
					if comments != nil {
						all, err := testDB.CommentsByArticles(ctx, []int64{a.ID}, *comments)
						if err != nil {
							t.Fatal(err)
						}
						want := all[a.ID]
						sameList(t, "comments", *got.Comments, want, comments.WithAuthors)
						if len(got.Comments.Replies) != len(want.Replies) {
							t.Errorf("replies of %d comments, want %d", len(got.Comments.Replies), len(want.Replies))
						}
						for id, r := range want.Replies {
							sameList(t, fmt.Sprintf("replies of %d", id), got.Comments.Replies[id], r, comments.Replies.WithAuthors)
						}
					}
					if byAuthor != nil {
						all, err := testDB.ArticlesByAuthors(ctx, v, []int64{author.ID}, *byAuthor)
						if err != nil {
							t.Fatal(err)
						}
						want := all[author.ID]
						ids := func(l folio.List[*folio.Article]) (out []int64) {
							for _, a := range l.Items {
								out = append(out, a.ID)
							}
							return out
						}
						if !slices.Equal(ids(*got.ByAuthor), ids(want)) || got.ByAuthor.HasNext != want.HasNext {
							t.Errorf("author's articles: got %v next %v, want %v next %v", ids(*got.ByAuthor), got.ByAuthor.HasNext, ids(want), want.HasNext)
						}
						if n := len(want.Items); v.UserID == author.ID && n < min(byAuthor.Limit, 5) || v.UserID == 0 && n > 4 {
							t.Errorf("the author's list holds %d articles for viewer %d", n, v.UserID)
						}
					}
				})
			}
		}
	}

	t.Run("NoSuchSlug", func(t *testing.T) {
		got, err := testDB.ArticleBySlugWith(ctx, "page-none", folio.ArticleWith{Comments: page(folio.Page{Limit: 2}), ByAuthor: page(folio.Page{Limit: 2})})
		if err != nil || len(got.Items) != 0 || got.Comments != nil || got.ByAuthor != nil {
			t.Errorf("got %+v, %v; want nothing", got, err)
		}
	})
}

// TestDB_ListStats checks that counts read with a list's rows
// (folio.Related.WithStats) are ArticleStats' own: live comments, replies
// included, and reactions by kind; none where there are none.
func TestDB_ListStats(t *testing.T) {
	f := postgrestest.Fixture{TB: t, DB: testDB}
	author := f.User("stats_author", folio.RoleAuthor)
	ann := f.User("stats_ann", folio.RoleReader)
	bob := f.User("stats_bob", folio.RoleReader)
	at := time.Now().UTC().Add(-24 * time.Hour).Truncate(time.Microsecond)
	var arts []*folio.Article
	for i := range 3 {
		arts = append(arts, f.Article(postgrestest.Article{Author: author, Slug: fmt.Sprintf("stats-%d", i), Title: fmt.Sprintf("Stats %d", i), PublishedAt: at.Add(time.Duration(i) * time.Minute)}))
	}
	c := f.Comment(arts[0], ann, nil, "first", at)
	f.Comment(arts[0], bob, c, "a reply", at.Add(time.Second))
	f.DeleteComment(f.Comment(arts[0], bob, nil, "gone", at.Add(2*time.Second)))
	f.Comment(arts[1], ann, nil, "lone", at)
	f.React(arts[0], ann, folio.ReactionLike)
	f.React(arts[0], bob, folio.ReactionLike)
	f.React(arts[0], bob, folio.ReactionInsightful)
	f.React(arts[2], ann, folio.ReactionCelebrate)

	ctx := context.Background()
	l, err := testDB.ListArticles(ctx, folio.Viewer{}, folio.ArticleFilter{AuthorID: &author.ID}, folio.ArticleOrder{Field: folio.OrderPublishedAt, Desc: true},
		folio.Page{Limit: 10, Related: folio.Related{WithStats: true}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, a := range l.Items {
		ids = append(ids, a.ID)
	}
	want, err := testDB.ArticleStats(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 3 || len(l.Stats) != 3 {
		t.Fatalf("stats of %d articles for %d read, want 3 and 3", len(l.Stats), len(ids))
	}
	for _, id := range ids {
		if l.Stats[id] != want[id] {
			t.Errorf("article %d: got %+v, want %+v", id, l.Stats[id], want[id])
		}
	}
	if s := l.Stats[arts[0].ID]; s.Comments != 2 || s.Reactions.Like != 2 || s.Reactions.Insightful != 1 {
		t.Errorf("the busy article: got %+v, want 2 live comments, 2 likes, 1 insightful", s)
	}
}
