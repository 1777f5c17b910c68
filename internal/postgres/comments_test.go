package postgres_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/postgres"
	"github.com/folio/folio/internal/postgres/postgrestest"
)

// TestDB_Threads checks that comments read with their replies in one
// statement (folio.Page.Replies) are what the two reads apart return:
// the same pages, flags, totals and authors, and a page of replies for
// every comment of the page, empty where there are none.
func TestDB_Threads(t *testing.T) {
	f := postgrestest.Fixture{TB: t, DB: testDB}
	author := f.User("threads_author", folio.RoleAuthor)
	ann := f.User("threads_ann", folio.RoleReader)
	bob := f.User("threads_bob", folio.RoleReader)
	a := f.Article(postgrestest.Article{Author: author, Slug: "threads-a", Title: "Threads A"})
	b := f.Article(postgrestest.Article{Author: author, Slug: "threads-b", Title: "Threads B"})
	quiet := f.Article(postgrestest.Article{Author: author, Slug: "threads-quiet", Title: "No comments"})
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Microsecond)
	next := func() time.Time { at = at.Add(time.Second); return at }
	early := at // before every comment below
	var top []*folio.Comment
	for i, replies := range []int{3, 0, 1, 2} {
		body := fmt.Sprintf("comment %d", i)
		if i == 2 {
			body += strings.Repeat(" and on", 1000) // past a chunk of the text arena
		}
		c := f.Comment(a, []*folio.User{ann, bob}[i%2], nil, body, next())
		top = append(top, c)
		for j := range replies {
			r := f.Comment(a, []*folio.User{bob, ann}[j%2], c, fmt.Sprintf("reply %d.%d", i, j), next())
			if i == 3 && j == 0 {
				f.DeleteComment(r)
			}
		}
	}
	// Two comments at one instant: thread order puts the older id first.
	tie := next()
	top = append(top, f.Comment(a, bob, nil, "tied first", tie), f.Comment(a, ann, nil, "tied second", tie))
	f.Comment(a, ann, top[len(top)-1], "reply to a tie", next())
	// A comment written last but dated first, and replies likewise: their
	// ids disagree with the thread order.
	late := f.Comment(a, bob, nil, "backdated", early)
	f.Comment(a, ann, late, "reply later", next())
	f.Comment(a, ann, late, "backdated reply", early.Add(time.Millisecond))
	f.Comment(b, bob, nil, "lone comment", next())
	ctx := context.Background()
	ids := []int64{a.ID, b.ID, quiet.ID}

	after := folio.Cursor{Time: top[0].CreatedAt.UnixMicro(), ID: top[0].ID}
	for _, p := range []folio.Page{
		{Limit: 2, WithTotal: true, Related: folio.Related{WithAuthors: true}},
		{Limit: 10, WithTotal: true},
		{Limit: 2, After: after, HasAfter: true, Related: folio.Related{WithAuthors: true}},
		{Limit: 0, WithTotal: true},
	} {
		for _, r := range []folio.Replies{
			{Set: true, Limit: 2, WithTotal: true, WithAuthors: true},
			{Set: true, Limit: 1},
			{Set: true, Limit: 5, WithTotal: true},
			{Set: true, Limit: 0, WithAuthors: true},
		} {
			t.Run(fmt.Sprintf("%+v/%+v", p, r), func(t *testing.T) {
				p := p
				p.Replies = r
				got, err := testDB.CommentsByArticles(ctx, ids, p)
				if err != nil {
					t.Fatal(err)
				}
				// The statement's rows come in no promised order.
				reversed, err := postgres.CommentsByArticlesReversed(ctx, testDB, ids, p)
				if err != nil {
					t.Fatal(err)
				}
				for _, id := range ids {
					what := fmt.Sprintf("article %d, rows reversed", id)
					sameList(t, what, reversed[id], got[id], p.WithAuthors)
					for cid, l := range got[id].Replies {
						sameList(t, fmt.Sprintf("%s: replies of %d", what, cid), reversed[id].Replies[cid], l, r.WithAuthors)
					}
				}
				p.Replies = folio.Replies{}
				want, err := testDB.CommentsByArticles(ctx, ids, p)
				if err != nil {
					t.Fatal(err)
				}
				rp := folio.Page{Limit: r.Limit, WithTotal: r.WithTotal, Related: folio.Related{WithAuthors: r.WithAuthors}}
				for _, id := range ids {
					g, w := got[id], want[id]
					sameList(t, fmt.Sprintf("article %d", id), g, w, p.WithAuthors)
					var commentIDs []int64
					for _, c := range w.Items {
						commentIDs = append(commentIDs, c.ID)
					}
					replies, err := testDB.RepliesByComments(ctx, commentIDs, rp)
					if err != nil {
						t.Fatal(err)
					}
					if len(g.Replies) != len(commentIDs) {
						t.Errorf("article %d: replies of %d comments, want %d", id, len(g.Replies), len(commentIDs))
					}
					for _, cid := range commentIDs {
						gr, ok := g.Replies[cid]
						if !ok {
							t.Errorf("comment %d: no page of replies", cid)
							continue
						}
						sameList(t, fmt.Sprintf("replies of %d", cid), gr, replies[cid], r.WithAuthors)
					}
				}
			})
		}
	}
}

// sameList compares two pages of comments: rows, flags, total and, when
// they were asked for, authors.
func sameList(t *testing.T, what string, got, want folio.List[*folio.Comment], authors bool) {
	t.Helper()
	rowIDs := func(l folio.List[*folio.Comment]) (out []int64) {
		for _, c := range l.Items {
			out = append(out, c.ID)
		}
		return out
	}
	if !slices.Equal(rowIDs(got), rowIDs(want)) || got.HasNext != want.HasNext || got.HasPrevious != want.HasPrevious {
		t.Errorf("%s: got %v next %v previous %v, want %v next %v previous %v", what,
			rowIDs(got), got.HasNext, got.HasPrevious, rowIDs(want), want.HasNext, want.HasPrevious)
	}
	for i := range min(len(got.Items), len(want.Items)) {
		if g, w := got.Items[i], want.Items[i]; !reflect.DeepEqual(g, w) {
			t.Errorf("%s: row %d is %+v, want %+v", what, i, *g, *w)
		}
	}
	if (got.Total == nil) != (want.Total == nil) || got.Total != nil && *got.Total != *want.Total {
		t.Errorf("%s: total %v, want %v", what, deref(got.Total), deref(want.Total))
	}
	if authors {
		userIDs := func(l folio.List[*folio.Comment]) (out []int64) {
			for _, u := range l.Authors {
				out = append(out, u.ID)
			}
			slices.Sort(out)
			return out
		}
		// The joined read may also hold the author of the look-ahead row.
		// Each author is read whole, and once.
		for _, c := range got.Items {
			if !slices.Contains(userIDs(got), c.AuthorID) {
				t.Errorf("%s: author %d of comment %d not read", what, c.AuthorID, c.ID)
			}
		}
		if ids := userIDs(got); len(slices.Compact(ids)) != len(got.Authors) {
			t.Errorf("%s: authors %v read more than once", what, userIDs(got))
		}
		wantAuthors := make(map[int64]*folio.User)
		for _, u := range want.Authors {
			wantAuthors[u.ID] = u
		}
		for _, u := range got.Authors {
			if w, ok := wantAuthors[u.ID]; ok && !reflect.DeepEqual(u, w) {
				t.Errorf("%s: author %+v, want %+v", what, *u, *w)
			}
		}
	}
}

func deref(n *int) any {
	if n == nil {
		return nil
	}
	return *n
}
