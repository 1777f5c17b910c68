package graph_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/postgres/postgrestest"
)

// TestAuthorColumns_UnionOfTheOperation: the authors read with a page of
// comments hold what the operation shows of any user, not only what the
// comments' authors show: here the replies' authors, read in the same
// statement, show more of the same users (ann wrote the comment and a
// reply), through a fragment. Each must be as a lookup of its own gives it.
func TestAuthorColumns_UnionOfTheOperation(t *testing.T) {
	f := fixture(t)
	ann, ben := f.User("cols_ann", folio.RoleReader), f.User("cols_ben", folio.RoleAuthor)
	if _, err := testDB.Pool.Exec(context.Background(), `UPDATE users SET bio = 'Writes about ' || handle,
		avatar_url = 'https://example.com/' || handle || '.png' WHERE id = ANY($1)`, []int64{ann.ID, ben.ID}); err != nil {
		t.Fatal(err)
	}
	a := f.Article(postgrestest.Article{Author: ben, Slug: "author-columns-union", Title: "Union"})
	at := time.Now().UTC().Add(-time.Hour)
	c := f.Comment(a, ann, nil, "First.", at)
	f.Comment(a, ann, c, "Me again.", at.Add(time.Minute))
	f.Comment(a, ben, c, "Thanks.", at.Add(2*time.Minute))
	s := srv(t)
	const card = `fragment Card on User { handle displayName bio avatarUrl role createdAt }`
	type user struct {
		Handle, DisplayName, Bio, Role, CreatedAt string
		AvatarURL                                 *string
	}
	var page struct {
		Article struct {
			Comments struct {
				Nodes []struct {
					Author  struct{ Handle string }
					Replies struct{ Nodes []struct{ Author user } }
				}
			}
		}
	}
	s.query(t, `query($slug: String!) { article(slug: $slug) { comments(first: 10) { nodes {
		author { handle }
		replies(first: 5) { nodes { author { ...Card } } }
	} } } } `+card, map[string]any{"slug": a.Slug}, &page)
	checked := 0
	for _, c := range page.Article.Comments.Nodes {
		for _, r := range c.Replies.Nodes {
			var alone struct{ User user }
			s.query(t, `query($h: String!) { user(handle: $h) { ...Card } } `+card, map[string]any{"h": r.Author.Handle}, &alone)
			if !reflect.DeepEqual(r.Author, alone.User) {
				t.Errorf("reply author shown as %+v, alone as %+v", r.Author, alone.User)
			}
			if r.Author.Bio == "" || r.Author.AvatarURL == nil || r.Author.CreatedAt == "" {
				t.Errorf("reply author %s shows no bio, avatar or creation time: each was set", r.Author.Handle)
			}
			checked++
		}
	}
	if checked < 2 {
		t.Fatalf("%d reply authors checked, want the comment's two replies", checked)
	}
}
