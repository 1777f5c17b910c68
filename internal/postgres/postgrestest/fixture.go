package postgrestest

import (
	"context"
	"testing"
	"time"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/postgres"
)

// Fixture inserts exactly the rows a test describes, in SQL, so that a
// read-path test does not depend on the write API it is not testing (the
// stores' writes have tests of their own).
type Fixture struct {
	TB testing.TB
	DB *postgres.DB
}

func (f Fixture) exec(sql string, args ...any) {
	f.TB.Helper()
	if _, err := f.DB.Pool.Exec(context.Background(), sql, args...); err != nil {
		f.TB.Fatalf("fixture: %v\n%s", err, sql)
	}
}

func (f Fixture) queryRow(dest []any, sql string, args ...any) {
	f.TB.Helper()
	if err := f.DB.Pool.QueryRow(context.Background(), sql, args...).Scan(dest...); err != nil {
		f.TB.Fatalf("fixture: %v\n%s", err, sql)
	}
}

// User inserts a user with the given handle and role.
func (f Fixture) User(handle string, role folio.Role) *folio.User {
	f.TB.Helper()
	u := &folio.User{Handle: handle, Email: handle + "@example.com", DisplayName: "User " + handle, Role: role}
	f.queryRow([]any{&u.ID, &u.CreatedAt, &u.UpdatedAt},
		`INSERT INTO users (handle, email, display_name, role) VALUES ($1, $2, $3, $4) RETURNING id, created_at, updated_at`,
		u.Handle, u.Email, u.DisplayName, string(u.Role))
	return u
}

// Category inserts a category.
func (f Fixture) Category(slug, name string) *folio.Category {
	f.TB.Helper()
	c := &folio.Category{Slug: slug, Name: name, Description: "All about " + name}
	f.queryRow([]any{&c.ID}, `INSERT INTO categories (slug, name, description) VALUES ($1, $2, $3) RETURNING id`, c.Slug, c.Name, c.Description)
	return c
}

// Tag inserts a tag.
func (f Fixture) Tag(slug, name string) *folio.Tag {
	f.TB.Helper()
	t := &folio.Tag{Slug: slug, Name: name}
	f.queryRow([]any{&t.ID}, `INSERT INTO tags (slug, name) VALUES ($1, $2) RETURNING id`, t.Slug, t.Name)
	return t
}

// Article describes an article to insert. Zero fields get defaults:
// published now, a body made of the title.
type Article struct {
	Author      *folio.User
	Category    *folio.Category
	Slug        string
	Title       string
	Excerpt     string
	Body        string
	Status      folio.ArticleStatus
	PublishedAt time.Time
	CreatedAt   time.Time
	Tags        []*folio.Tag
}

// Article inserts an article and its tags.
func (f Fixture) Article(a Article) *folio.Article {
	f.TB.Helper()
	if a.Status == "" {
		a.Status = folio.StatusPublished
	}
	if a.Body == "" {
		a.Body = a.Title
	}
	if a.PublishedAt.IsZero() && a.Status != folio.StatusDraft {
		a.PublishedAt = time.Now().UTC().Truncate(time.Microsecond)
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = a.PublishedAt
		if a.CreatedAt.IsZero() {
			a.CreatedAt = time.Now().UTC().Truncate(time.Microsecond)
		}
	}
	out := &folio.Article{AuthorID: a.Author.ID, Slug: a.Slug, Title: a.Title, Excerpt: a.Excerpt, Body: a.Body,
		Status: a.Status, CreatedAt: a.CreatedAt, UpdatedAt: a.CreatedAt, ReadingMinutes: 1}
	if a.Category != nil {
		out.CategoryID = &a.Category.ID
	}
	if a.Status != folio.StatusDraft {
		out.PublishedAt = &a.PublishedAt
	}
	f.queryRow([]any{&out.ID}, `INSERT INTO articles (author_id, category_id, slug, title, excerpt, body, status, published_at, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
		out.AuthorID, out.CategoryID, out.Slug, out.Title, out.Excerpt, out.Body, string(out.Status), out.PublishedAt, out.CreatedAt)
	for _, t := range a.Tags {
		f.exec(`INSERT INTO article_tags (article_id, tag_id) VALUES ($1, $2)`, out.ID, t.ID)
	}
	return out
}

// Comment inserts a comment on a, or a reply to parent when it is set.
func (f Fixture) Comment(a *folio.Article, author *folio.User, parent *folio.Comment, body string, at time.Time) *folio.Comment {
	f.TB.Helper()
	c := &folio.Comment{ArticleID: a.ID, AuthorID: author.ID, Body: body, CreatedAt: at, UpdatedAt: at}
	if parent != nil {
		c.ParentID = &parent.ID
	}
	f.queryRow([]any{&c.ID}, `INSERT INTO comments (article_id, author_id, parent_id, body, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, c.ArticleID, c.AuthorID, c.ParentID, c.Body, c.CreatedAt)
	return c
}

// DeleteComment soft-deletes c, as moderation does.
func (f Fixture) DeleteComment(c *folio.Comment) {
	f.TB.Helper()
	now := time.Now().UTC()
	f.exec(`UPDATE comments SET deleted_at = $2 WHERE id = $1`, c.ID, now)
	c.DeletedAt = &now
}

// React records u's reaction of kind k to a.
func (f Fixture) React(a *folio.Article, u *folio.User, k folio.ReactionKind) {
	f.TB.Helper()
	f.exec(`INSERT INTO reactions (article_id, user_id, kind) VALUES ($1, $2, $3)`, a.ID, u.ID, string(k))
}
