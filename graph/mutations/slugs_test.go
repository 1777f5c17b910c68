package mutations_test

import (
	"strings"
	"testing"

	"github.com/folio/folio/graph/graphtest"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/postgres/postgrestest"
)

// TestSlugHistory: a changed slug keeps finding its article, tag or
// category, which answers with its current slug; a live slug wins over a
// remembered one; and the caches of a second instance follow at once.
func TestSlugHistory(t *testing.T) {
	a, b := newResponseCachedPair(t)
	author, editor := a.signUp(t, folio.RoleAuthor), a.signUp(t, folio.RoleEditor)
	f := fixture(t)
	const (
		articleQ  = `query($s: String!) { article(slug: $s) { slug title } }`
		tagQ      = `query($s: String!) { tag(slug: $s) { slug name } }`
		categoryQ = `query($s: String!) { category(slug: $s) { slug name } }`
	)
	wantSlug := func(t *testing.T, q, asked, want string) {
		t.Helper()
		for _, e := range []*rcEnv{a, b, b} { // b twice: the second may come from its cache
			r := e.OK(t, nil, q, map[string]any{"s": asked}, nil)
			if want == "" {
				if strings.Contains(r.Raw, `"slug"`) {
					t.Fatalf("%s with %q = %s, want null", q, asked, r.Raw)
				}
				continue
			}
			if !strings.Contains(r.Raw, `"slug":"`+want+`"`) {
				t.Fatalf("%s with %q = %s, want slug %q", q, asked, r.Raw, want)
			}
		}
	}

	t.Run("Article", func(t *testing.T) {
		art := a.publish(t, author, editor, "Slugs move "+graphtest.RandomHex(3))
		old := art.Slug
		wantSlug(t, articleQ, old, old)
		var out map[string]*articlePayload
		r := a.Do(t, editor.h(), `mutation($in: UpdateArticleInput!) { updateArticle(input: $in) { article { slug version } userErrors { code } } }`,
			map[string]any{"in": map[string]any{"id": art.ID, "expectedVersion": art.Version, "slug": "moved-" + graphtest.RandomHex(4)}})
		r.Decode(t, &out)
		if out["updateArticle"] == nil || out["updateArticle"].Article == nil {
			t.Fatalf("re-slug: %s", r.Raw)
		}
		moved := out["updateArticle"].Article
		wantSlug(t, articleQ, old, moved.Slug)
		wantSlug(t, articleQ, moved.Slug, moved.Slug)

		// A new article that takes the old slug wins it.
		taker := f.Article(postgrestest.Article{Author: author.user, Slug: old, Title: "Taker"})
		a.rc.Invalidate(t.Context(), "article:slug:"+old) // the fixture writes past the API's writers
		wantSlug(t, articleQ, old, taker.Slug)
	})
	t.Run("Tag", func(t *testing.T) {
		tag := a.mustCreateTag(t, editor.h(), "Old name "+graphtest.RandomHex(3))
		old := tag.Slug
		wantSlug(t, tagQ, old, old)
		u, r := a.tagOp(t, editor.h(), updateTagMutation, "updateTag", map[string]any{"id": tag.ID, "slug": "new-" + graphtest.RandomHex(4)})
		if u == nil || u.Tag == nil {
			t.Fatalf("re-slug: %s", r.Raw)
		}
		wantSlug(t, tagQ, old, u.Tag.Slug)
		// Renamed back: the slug is live again and the memory of it goes.
		back, r := a.tagOp(t, editor.h(), updateTagMutation, "updateTag", map[string]any{"id": tag.ID, "slug": old})
		if back == nil || back.Tag == nil {
			t.Fatalf("re-slug back: %s", r.Raw)
		}
		wantSlug(t, tagQ, old, old)
		wantSlug(t, tagQ, u.Tag.Slug, old)
		// Merged away: its slug leads to the tag that stayed.
		into := a.mustCreateTag(t, editor.h(), "Into "+graphtest.RandomHex(3))
		if m, r := a.tagOp(t, editor.h(), mergeTagsMutation, "mergeTags", map[string]any{"from": []string{tag.ID}, "into": into.ID}); m == nil || m.Tag == nil {
			t.Fatalf("merge: %s", r.Raw)
		}
		wantSlug(t, tagQ, old, into.Slug)
		// Deleted: every slug it had leads nowhere.
		if d, r := a.tagOp(t, editor.h(), deleteTagMutation, "deleteTag", map[string]any{"id": into.ID}); d == nil || d.DeletedTagID == nil {
			t.Fatalf("delete: %s", r.Raw)
		}
		wantSlug(t, tagQ, old, "")
		wantSlug(t, tagQ, into.Slug, "")
	})
	t.Run("Category", func(t *testing.T) {
		c := a.mustCreateCategory(t, editor.h(), map[string]any{"name": "Old cat " + graphtest.RandomHex(3)})
		old := c.Slug
		wantSlug(t, categoryQ, old, old)
		u, r := a.catOp(t, editor.h(), updateCategoryMutation, "updateCategory", map[string]any{"id": c.ID, "slug": "new-cat-" + graphtest.RandomHex(4)})
		if u == nil || u.Category == nil {
			t.Fatalf("re-slug: %s", r.Raw)
		}
		wantSlug(t, categoryQ, old, u.Category.Slug)
	})
}
