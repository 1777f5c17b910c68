package postgres_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/postgres"
	"github.com/folio/folio/internal/postgres/postgrestest"
)

// TestDB_ArticleColumns checks that every list of articles reads the body
// and search computes a snippet only when asked, and that lookups by key
// always return whole rows.
func TestDB_ArticleColumns(t *testing.T) {
	f := postgrestest.Fixture{TB: t, DB: testDB}
	author := f.User("columns_author", folio.RoleAuthor)
	cat := f.Category("columns", "Columns")
	tag := f.Tag("columns", "Columns")
	t.Cleanup(func() { // other tests list every tag
		if _, err := testDB.Pool.Exec(context.Background(), `DELETE FROM tags WHERE id = $1`, tag.ID); err != nil {
			t.Error(err)
		}
	})
	// The match lies past SnippetSource: its snippet is the body's opening.
	late := strings.Repeat("filler words here. ", postgres.SnippetSource/10) + "a zanzibar sighting"
	a := f.Article(postgrestest.Article{Author: author, Category: cat, Slug: "columns-a", Title: "Zanzibar notes",
		Body: "Notes from zanzibar & <elsewhere>.", PublishedAt: time.Now().Add(-time.Hour), Tags: []*folio.Tag{tag}})
	b := f.Article(postgrestest.Article{Author: author, Category: cat, Slug: "columns-b", Title: "Later",
		Body: late, PublishedAt: time.Now().Add(-2 * time.Hour), Tags: []*folio.Tag{tag}})
	bodies := map[int64]string{a.ID: a.Body, b.ID: b.Body}
	ctx := context.Background()
	v := folio.Viewer{}

	lists := map[string]func(p folio.Page) ([]*folio.Article, error){
		"ListArticles": func(p folio.Page) ([]*folio.Article, error) {
			l, err := testDB.ListArticles(ctx, v, folio.ArticleFilter{AuthorID: &author.ID}, folio.ArticleOrder{Field: folio.OrderPublishedAt, Desc: true}, p)
			return l.Items, err
		},
		"ArticlesByAuthors": func(p folio.Page) ([]*folio.Article, error) {
			m, err := testDB.ArticlesByAuthors(ctx, v, []int64{author.ID}, p)
			return m[author.ID].Items, err
		},
		"ArticlesByCategories": func(p folio.Page) ([]*folio.Article, error) {
			m, err := testDB.ArticlesByCategories(ctx, v, []int64{cat.ID}, p)
			return m[cat.ID].Items, err
		},
		"ArticlesByTags": func(p folio.Page) ([]*folio.Article, error) {
			m, err := testDB.ArticlesByTags(ctx, v, []int64{tag.ID}, p)
			return m[tag.ID].Items, err
		},
		"Search": func(p folio.Page) ([]*folio.Article, error) {
			l, err := testDB.Search(ctx, v, "zanzibar", p)
			var out []*folio.Article
			for _, h := range l.Items {
				out = append(out, h.Article)
			}
			return out, err
		},
	}
	for name, list := range lists {
		t.Run(name, func(t *testing.T) {
			for _, skip := range []bool{false, true} {
				got, err := list(folio.Page{Limit: 10, SkipBody: skip})
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != 2 {
					t.Fatalf("SkipBody=%v: %d articles, want 2", skip, len(got))
				}
				for _, r := range got {
					want := bodies[r.ID]
					if skip {
						want = ""
					}
					if r.Body != want || r.BodyOmitted != skip || r.Title == "" || r.Slug == "" || r.PublishedAt == nil {
						t.Errorf("SkipBody=%v: got %+v, want body %q and BodyOmitted=%v", skip, r, want, skip)
					}
				}
			}
		})
	}

	t.Run("SearchSnippet", func(t *testing.T) {
		snippets := func(p folio.Page) map[int64]string {
			t.Helper()
			l, err := testDB.Search(ctx, v, "zanzibar", p)
			if err != nil {
				t.Fatal(err)
			}
			out := map[int64]string{}
			for _, h := range l.Items {
				out[h.Article.ID] = h.Snippet
			}
			return out
		}
		for id, s := range snippets(folio.Page{Limit: 10, SkipBody: true, SkipSnippet: true}) {
			if s != "" {
				t.Errorf("article %d: snippet %q, want none when it is not asked for", id, s)
			}
		}
		got := snippets(folio.Page{Limit: 10, SkipBody: true})
		if s := got[a.ID]; !strings.Contains(s, "<mark>zanzibar</mark>") || !strings.Contains(s, "&amp;") || !strings.Contains(s, "&lt;elsewhere") {
			t.Errorf("snippet %q: want the match marked and the body escaped", s)
		}
		if s := got[b.ID]; s == "" || strings.Contains(s, "<mark>") || len(s) > postgres.SnippetSource {
			t.Errorf("snippet %q: want the body's opening, unmarked, for a match past the first %d characters", s, postgres.SnippetSource)
		}
	})

	t.Run("LookupsAreWhole", func(t *testing.T) {
		byID, err := testDB.ArticlesByIDs(ctx, []int64{a.ID, b.ID})
		if err != nil {
			t.Fatal(err)
		}
		bySlug, err := testDB.ArticlesBySlugs(ctx, []string{a.Slug, b.Slug})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range append(byID, bySlug...) {
			if r.Body != bodies[r.ID] || r.BodyOmitted {
				t.Errorf("lookup returned %+v, want the whole row", r)
			}
		}
	})
}

// TestDB_ArticlesByTags pages through a tag's articles both ways, for
// readers who see only what is published and for an author who also sees
// their archived piece.
func TestDB_ArticlesByTags(t *testing.T) {
	f := postgrestest.Fixture{TB: t, DB: testDB}
	author := f.User("bytag_author", folio.RoleAuthor)
	tag := f.Tag("bytag", "By tag")
	t.Cleanup(func() { // other tests list every tag
		if _, err := testDB.Pool.Exec(context.Background(), `DELETE FROM tags WHERE id = $1`, tag.ID); err != nil {
			t.Error(err)
		}
	})
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var all []string // newest first
	for i := range 6 {
		s := folio.StatusPublished
		if i == 2 {
			s = folio.StatusArchived
		}
		a := f.Article(postgrestest.Article{Author: author, Slug: "bytag-" + string(rune('a'+i)), Title: "T", Status: s,
			PublishedAt: base.Add(time.Duration(i) * time.Hour), Tags: []*folio.Tag{tag}})
		all = append([]string{a.Slug}, all...)
	}
	f.Article(postgrestest.Article{Author: author, Slug: "bytag-draft", Title: "T", Status: folio.StatusDraft, Tags: []*folio.Tag{tag}})
	published := slices.DeleteFunc(slices.Clone(all), func(s string) bool { return s == "bytag-c" })
	cursor := func(slug string) *folio.Cursor {
		as, err := testDB.ArticlesBySlugs(context.Background(), []string{slug})
		if err != nil || len(as) != 1 {
			t.Fatalf("%s: %v %v", slug, as, err)
		}
		return &folio.Cursor{Time: as[0].PublishedAt.UnixMicro(), ID: as[0].ID}
	}
	n := func(i int) *int { return &i }
	tests := []struct {
		name                 string
		v                    folio.Viewer
		first, last          *int
		after, before        string
		want                 []string
		hasNext, hasPrevious bool
	}{
		{"Reader", folio.Viewer{}, n(10), nil, "", "", published, false, false},
		{"ReaderFirst", folio.Viewer{}, n(2), nil, "", "", published[:2], true, false},
		{"ReaderAfter", folio.Viewer{}, n(2), nil, published[1], "", published[2:4], true, true},
		{"ReaderLastBefore", folio.Viewer{}, nil, n(2), "", published[4], published[2:4], true, true},
		{"Author", folio.Viewer{UserID: author.ID, Role: folio.RoleAuthor}, n(10), nil, "", "", all, false, false},
		{"AuthorLast", folio.Viewer{UserID: author.ID, Role: folio.RoleAuthor}, nil, n(3), "", "", all[3:], false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var after, before *folio.Cursor
			if tt.after != "" {
				after = cursor(tt.after)
			}
			if tt.before != "" {
				before = cursor(tt.before)
			}
			p, err := folio.NewPage(tt.first, tt.last, after, before)
			if err != nil {
				t.Fatal(err)
			}
			p.SkipBody = true
			m, err := testDB.ArticlesByTags(context.Background(), tt.v, []int64{tag.ID}, p)
			if err != nil {
				t.Fatal(err)
			}
			l := m[tag.ID]
			var got []string
			for _, a := range l.Items {
				got = append(got, a.Slug)
			}
			if !slices.Equal(got, tt.want) || l.HasNext != tt.hasNext || l.HasPrevious != tt.hasPrevious {
				t.Errorf("got %v next=%v previous=%v, want %v next=%v previous=%v", got, l.HasNext, l.HasPrevious, tt.want, tt.hasNext, tt.hasPrevious)
			}
		})
	}
}

// TestDB_TagPageFollowsPublication: a signed-out viewer's tag page is read
// from article_tags' copy of the publication time (migration 00014), which
// its triggers keep whatever writes the article or its tags.
func TestDB_TagPageFollowsPublication(t *testing.T) {
	ctx := context.Background()
	f := postgrestest.Fixture{TB: t, DB: testDB}
	author := f.User("follows_author", folio.RoleAuthor)
	tag, other := f.Tag("follows", "Follows"), f.Tag("follows-other", "Follows other")
	t.Cleanup(func() { // other tests list every tag
		if _, err := testDB.Pool.Exec(ctx, `DELETE FROM tags WHERE id = ANY($1)`, []int64{tag.ID, other.ID}); err != nil {
			t.Error(err)
		}
	})
	a := f.Article(postgrestest.Article{Author: author, Slug: "follows-draft", Title: "T", Status: folio.StatusDraft, Tags: []*folio.Tag{tag}})
	page := func(tagID int64) (slugs []string, count int) {
		t.Helper()
		p, _ := folio.NewPage(nil, nil, nil, nil)
		m, err := testDB.ArticlesByTags(ctx, folio.Viewer{}, []int64{tagID}, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range m[tagID].Items {
			slugs = append(slugs, x.Slug)
		}
		counts, err := testDB.CountArticlesByTags(ctx, folio.Viewer{}, []int64{tagID})
		if err != nil {
			t.Fatal(err)
		}
		return slugs, counts[tagID]
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := testDB.Pool.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name  string
		write func()
		tagID int64
		want  []string
	}{
		{"Draft", func() {}, tag.ID, nil},
		{"Published", func() {
			exec(`UPDATE articles SET status = 'published', published_at = now() WHERE id = $1`, a.ID)
		}, tag.ID, []string{a.Slug}},
		{"Retagged", func() {
			exec(`DELETE FROM article_tags WHERE article_id = $1`, a.ID)
			exec(`INSERT INTO article_tags (article_id, tag_id) VALUES ($1, $2)`, a.ID, other.ID)
		}, other.ID, []string{a.Slug}},
		{"OldTagEmpty", func() {}, tag.ID, nil},
		{"Archived", func() { exec(`UPDATE articles SET status = 'archived' WHERE id = $1`, a.ID) }, other.ID, nil},
		{"PublishedAgain", func() { exec(`UPDATE articles SET status = 'published' WHERE id = $1`, a.ID) }, other.ID, []string{a.Slug}},
	}
	for _, s := range steps {
		s.write()
		slugs, count := page(s.tagID)
		if !slices.Equal(slugs, s.want) || count != len(s.want) {
			t.Errorf("%s: page %v, count %d; want %v", s.name, slugs, count, s.want)
		}
	}
}
