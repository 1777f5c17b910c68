package postgres_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/postgres/postgrestest"
)

// TestDB_AuthorColumns: the authors read with a page of comments and their
// replies, for each set of parts of a user's row (Related.AuthorColumns),
// hold exactly those parts as a whole read has them, besides the id and
// the handle, and are marked Partial; without UserProjected they are whole.
func TestDB_AuthorColumns(t *testing.T) {
	f := postgrestest.Fixture{TB: t, DB: testDB}
	author := f.User("cols_author", folio.RoleAuthor)
	reader := f.User("cols_reader", folio.RoleReader)
	ctx := context.Background()
	// Every part non-zero, so that one left out shows.
	if _, err := testDB.Pool.Exec(ctx, `UPDATE users SET bio = 'Writes about ' || handle,
		avatar_url = 'https://example.com/' || handle || '.png', email_verified_at = NULL WHERE id = ANY($1)`,
		[]int64{author.ID, reader.ID}); err != nil {
		t.Fatal(err)
	}
	a := f.Article(postgrestest.Article{Author: author, Slug: "author-columns", Title: "Columns"})
	c := f.Comment(a, reader, nil, "a comment", time.Now().UTC().Add(-time.Minute))
	f.Comment(a, author, c, "a reply", time.Now().UTC())
	rows, err := testDB.UsersByIDs(ctx, []int64{author.ID, reader.ID})
	if err != nil || len(rows) != 2 {
		t.Fatalf("users by id: %d rows, %v", len(rows), err)
	}
	whole := map[int64]*folio.User{rows[0].ID: rows[0], rows[1].ID: rows[1]}

	sets := []folio.UserColumns{0}
	for parts := range folio.UserProjected {
		sets = append(sets, folio.UserProjected|parts)
	}
	for _, cols := range sets {
		p := folio.Page{Limit: 5, Related: folio.Related{WithAuthors: true, AuthorColumns: cols},
			Replies: folio.Replies{Set: true, Limit: 5, WithAuthors: true}}
		lists, err := testDB.CommentsByArticles(ctx, []int64{a.ID}, p)
		if err != nil {
			t.Fatalf("columns %07b: %v", cols, err)
		}
		authors := lists[a.ID].Authors
		for _, r := range lists[a.ID].Replies {
			authors = append(authors, r.Authors...)
		}
		if len(authors) != 2 {
			t.Fatalf("columns %07b: %d authors read, want the comment's and the reply's", cols, len(authors))
		}
		for _, got := range authors {
			if want := shownOf(whole[got.ID], cols); !reflect.DeepEqual(got, want) {
				t.Errorf("columns %07b: author read as\n%+v\nwant\n%+v", cols, *got, *want)
			}
		}
	}
}

// shownOf is what of u a read of the parts cols holds.
func shownOf(u *folio.User, cols folio.UserColumns) *folio.User {
	if cols&folio.UserProjected == 0 {
		return u
	}
	s := &folio.User{ID: u.ID, Handle: u.Handle, Partial: true}
	if cols&folio.UserDisplayName != 0 {
		s.DisplayName = u.DisplayName
	}
	if cols&folio.UserBio != 0 {
		s.Bio = u.Bio
	}
	if cols&folio.UserEmail != 0 {
		s.Email, s.Unverified = u.Email, u.Unverified
	}
	if cols&folio.UserAvatar != 0 {
		s.AvatarURL, s.Avatar = u.AvatarURL, u.Avatar
	}
	if cols&folio.UserRole != 0 {
		s.Role = u.Role
	}
	if cols&folio.UserTimes != 0 {
		s.CreatedAt, s.UpdatedAt = u.CreatedAt, u.UpdatedAt
	}
	return s
}
