package mutations_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/folio/folio/graph/graphtest"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/postgres/postgrestest"
)

const (
	catFields               = `id slug name description position`
	createCategoryMutation  = `mutation($in: CreateCategoryInput!) { createCategory(input: $in) { category { ` + catFields + ` } userErrors { field message code } } }`
	updateCategoryMutation  = `mutation($in: UpdateCategoryInput!) { updateCategory(input: $in) { category { ` + catFields + ` } userErrors { field message code } } }`
	mergeCategoriesMutation = `mutation($in: MergeCategoriesInput!) { mergeCategories(input: $in) { category { ` + catFields + ` } mergedCategoryIds userErrors { field message code } } }`
	deleteCategoryMutation  = `mutation($in: DeleteCategoryInput!) { deleteCategory(input: $in) { deletedCategoryId userErrors { field message code } } }`
)

type categoryData struct {
	ID          string `json:"id"`
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Position    int    `json:"position"`
}

type categoryPayload struct {
	Category          *categoryData `json:"category"`
	MergedCategoryIds []string      `json:"mergedCategoryIds"`
	DeletedCategoryID *string       `json:"deletedCategoryId"`
	UserErrors        []userError   `json:"userErrors"`
}

func (e *env) catOp(t *testing.T, h http.Header, mutation, field string, in map[string]any) (*categoryPayload, graphtest.Response) {
	t.Helper()
	var out map[string]*categoryPayload
	r := e.Do(t, h, mutation, map[string]any{"in": in})
	r.Decode(t, &out)
	return out[field], r
}

func (e *env) mustCreateCategory(t *testing.T, h http.Header, in map[string]any) *categoryData {
	t.Helper()
	p, r := e.catOp(t, h, createCategoryMutation, "createCategory", in)
	if p == nil || p.Category == nil {
		t.Fatalf("create category %v: %s", in, r.Raw)
	}
	return p.Category
}

func categoryOf(t *testing.T, articleID int64) *int64 {
	t.Helper()
	as, err := testDB.ArticlesByIDs(context.Background(), []int64{articleID})
	if err != nil || len(as) != 1 {
		t.Fatalf("read article %d: %v", articleID, err)
	}
	return as[0].CategoryID
}

func TestCategories_Permissions(t *testing.T) {
	e := newEnv(t)
	reader, author, editor, admin := e.signUp(t, folio.RoleReader), e.signUp(t, folio.RoleAuthor), e.signUp(t, folio.RoleEditor), e.signUp(t, folio.RoleAdmin)
	victim, other := fixture(t).Category("cperm-"+graphtest.RandomHex(4), "Victim"), fixture(t).Category("cperm-"+graphtest.RandomHex(4), "Other")
	vid, oid := victim.NodeID(), other.NodeID()
	ops := []struct {
		name, mutation, field string
		in                    map[string]any
	}{
		{"CreateCategory", createCategoryMutation, "createCategory", map[string]any{"name": "Never " + graphtest.RandomHex(3)}},
		{"UpdateCategory", updateCategoryMutation, "updateCategory", map[string]any{"id": vid, "name": "Hijacked"}},
		{"MergeCategories", mergeCategoriesMutation, "mergeCategories", map[string]any{"from": []string{vid}, "into": oid}},
		{"DeleteCategory", deleteCategoryMutation, "deleteCategory", map[string]any{"id": vid}},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			_, r := e.catOp(t, nil, op.mutation, op.field, op.in)
			wantCode(t, r, "UNAUTHENTICATED")
			for _, p := range []person{reader, author} {
				_, r := e.catOp(t, p.h(), op.mutation, op.field, op.in)
				wantCode(t, r, "FORBIDDEN")
			}
		})
	}
	if got, err := testDB.CategoriesByIDs(context.Background(), []int64{victim.ID, other.ID}); err != nil || len(got) != 2 {
		t.Fatalf("after refused writes: %v (%v), want both categories", got, err)
	}
	for _, p := range []person{editor, admin} {
		t.Run("Allowed/"+string(p.user.Role), func(t *testing.T) {
			a := e.mustCreateCategory(t, p.h(), map[string]any{"name": "Kept " + graphtest.RandomHex(3), "description": "  Kept things. ", "position": 3})
			if a.Description != "Kept things." || a.Position != 3 {
				t.Fatalf("created %+v, want the trimmed description and position 3", a)
			}
			if u, r := e.catOp(t, p.h(), updateCategoryMutation, "updateCategory", map[string]any{"id": a.ID, "name": "Renamed", "position": 7}); u == nil || u.Category == nil || u.Category.Name != "Renamed" || u.Category.Position != 7 || u.Category.Description != "Kept things." {
				t.Fatalf("update: %s", r.Raw)
			}
			b := e.mustCreateCategory(t, p.h(), map[string]any{"name": "Merged " + graphtest.RandomHex(3)})
			if m, r := e.catOp(t, p.h(), mergeCategoriesMutation, "mergeCategories", map[string]any{"from": []string{b.ID}, "into": a.ID}); m == nil || m.Category == nil || len(m.MergedCategoryIds) != 1 || m.MergedCategoryIds[0] != b.ID {
				t.Fatalf("merge: %s", r.Raw)
			}
			if d, r := e.catOp(t, p.h(), deleteCategoryMutation, "deleteCategory", map[string]any{"id": a.ID}); d == nil || d.DeletedCategoryID == nil || *d.DeletedCategoryID != a.ID {
				t.Fatalf("delete: %s", r.Raw)
			}
		})
	}
}

func TestCategories_Validation(t *testing.T) {
	e := newEnv(t)
	editor := e.signUp(t, folio.RoleEditor)
	h := editor.h()
	existing := e.mustCreateCategory(t, h, map[string]any{"name": "Existing " + graphtest.RandomHex(4)})
	gone := fixture(t).Category("cgone-"+graphtest.RandomHex(4), "Gone")
	if _, err := testDB.Pool.Exec(context.Background(), `DELETE FROM categories WHERE id = $1`, gone.ID); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, mutation, field string
		in                    map[string]any
		want                  []string
	}{
		{"EmptyName", createCategoryMutation, "createCategory", map[string]any{"name": ""}, []string{"name:INVALID"}},
		{"LongDescription", createCategoryMutation, "createCategory", map[string]any{"name": "Fine", "description": strings.Repeat("d", folio.MaxCategoryDescriptionLength+1)}, []string{"description:INVALID"}},
		{"NegativePosition", createCategoryMutation, "createCategory", map[string]any{"name": "Fine", "position": -1}, []string{"position:INVALID"}},
		{"BadSlug", createCategoryMutation, "createCategory", map[string]any{"name": "Fine", "slug": "bad slug"}, []string{"slug:INVALID"}},
		{"TakenSlug", createCategoryMutation, "createCategory", map[string]any{"name": "Again", "slug": existing.Slug}, []string{"slug:TAKEN"}},
		{"UpdatePositionTooHigh", updateCategoryMutation, "updateCategory", map[string]any{"id": existing.ID, "position": folio.MaxCategoryPosition + 1}, []string{"position:INVALID"}},
		{"MergeIntoItself", mergeCategoriesMutation, "mergeCategories", map[string]any{"from": []string{existing.ID}, "into": existing.ID}, []string{"from.0:INVALID"}},
		{"MergeMissing", mergeCategoriesMutation, "mergeCategories", map[string]any{"from": []string{gone.NodeID()}, "into": existing.ID}, []string{"from.0:NOT_FOUND"}},
		{"MergeTagIDs", mergeCategoriesMutation, "mergeCategories", map[string]any{"from": []string{fixture(t).Tag("ctag-"+graphtest.RandomHex(4), "T").NodeID()}, "into": existing.ID}, []string{"from.0:INVALID"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, r := e.catOp(t, h, c.mutation, c.field, c.in)
			if p == nil {
				t.Fatalf("payload is null: %s", r.Raw)
			}
			if p.Category != nil {
				t.Fatalf("category = %+v, want none", p.Category)
			}
			wantUserErrors(t, p.UserErrors, c.want...)
		})
	}
	t.Run("DeleteMissing", func(t *testing.T) {
		_, r := e.catOp(t, h, deleteCategoryMutation, "deleteCategory", map[string]any{"id": gone.NodeID()})
		wantCode(t, r, "NOT_FOUND")
	})
}

// TestCategories_MergeDeleteOrder: merging moves every article in one
// transaction, deleting leaves them without a category, and the list of
// categories reads by position, page after page.
func TestCategories_MergeDeleteOrder(t *testing.T) {
	e := newEnv(t)
	editor, author := e.signUp(t, folio.RoleEditor), e.signUp(t, folio.RoleAuthor)
	f := fixture(t)
	keep, fold := f.Category("keep-"+graphtest.RandomHex(4), "Keep"), f.Category("fold-"+graphtest.RandomHex(4), "Fold")
	a1 := f.Article(postgrestest.Article{Author: author.user, Category: fold, Slug: "cm-1-" + graphtest.RandomHex(3), Title: "One"})
	a2 := f.Article(postgrestest.Article{Author: author.user, Category: fold, Slug: "cm-2-" + graphtest.RandomHex(3), Title: "Two", Status: folio.StatusDraft})
	if m, r := e.catOp(t, editor.h(), mergeCategoriesMutation, "mergeCategories", map[string]any{"from": []string{fold.NodeID()}, "into": keep.NodeID()}); m == nil || m.Category == nil {
		t.Fatalf("merge: %s", r.Raw)
	}
	for _, a := range []*folio.Article{a1, a2} {
		if got := categoryOf(t, a.ID); got == nil || *got != keep.ID {
			t.Errorf("category of %q = %v, want %d", a.Title, got, keep.ID)
		}
	}
	if d, r := e.catOp(t, editor.h(), deleteCategoryMutation, "deleteCategory", map[string]any{"id": keep.NodeID()}); d == nil || d.DeletedCategoryID == nil {
		t.Fatalf("delete: %s", r.Raw)
	}
	if got := categoryOf(t, a1.ID); got != nil {
		t.Errorf("category of an article of a deleted category = %d, want none", *got)
	}

	t.Run("Order", func(t *testing.T) {
		// Positions far above any other test's categories put these last.
		tag := graphtest.RandomHex(3)
		for name, pos := range map[string]int{"d": 900_003, "c": 900_001, "b": 900_002, "a": 900_001} {
			e.mustCreateCategory(t, editor.h(), map[string]any{"name": "Ord " + tag + " " + name, "position": pos})
		}
		// By position, ties by slug.
		want := []string{"ord-" + tag + "-a", "ord-" + tag + "-c", "ord-" + tag + "-b", "ord-" + tag + "-d"}
		var got []string
		after := any(nil)
		for {
			var out struct {
				Categories struct {
					Nodes    []categoryData `json:"nodes"`
					PageInfo struct {
						HasNextPage bool   `json:"hasNextPage"`
						EndCursor   string `json:"endCursor"`
					} `json:"pageInfo"`
				} `json:"categories"`
			}
			e.OK(t, nil, `query($after: String) { categories(first: 2, after: $after) { nodes { slug position } pageInfo { hasNextPage endCursor } } }`, map[string]any{"after": after}, &out)
			for _, c := range out.Categories.Nodes {
				if strings.HasPrefix(c.Slug, "ord-"+tag) {
					got = append(got, c.Slug)
				}
			}
			if !out.Categories.PageInfo.HasNextPage {
				break
			}
			after = out.Categories.PageInfo.EndCursor
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("categories in order = %v, want %v", got, want)
		}
	})
}

// TestCategories_CacheInvalidation: a renamed category shows on the other
// instance at once; an unrelated cached response stays cached.
func TestCategories_CacheInvalidation(t *testing.T) {
	a, b := newResponseCachedPair(t)
	author, editor := a.signUp(t, folio.RoleAuthor), a.signUp(t, folio.RoleEditor)
	f := fixture(t)
	cat, other := f.Category("ccache-"+graphtest.RandomHex(4), "Before"), f.Category("ccache-o-"+graphtest.RandomHex(4), "Other")
	inCat := f.Article(postgrestest.Article{Author: author.user, Category: other, Slug: "in-cat-" + graphtest.RandomHex(3), Title: "In a category"})
	unrelated := f.Article(postgrestest.Article{Author: author.user, Slug: "c-unrelated-" + graphtest.RandomHex(3), Title: "Unrelated"})
	const (
		catQ  = `query Cat($s: String!) { category(slug: $s) { name description } }`
		pageQ = `query Page($s: String!) { article(slug: $s) { title category { name } } }`
	)
	hit := func(t *testing.T, q string, vars map[string]any) (graphtest.Response, bool) {
		t.Helper()
		before := b.rc.Stats().Hits
		r := b.OK(t, nil, q, vars, nil)
		return r, b.rc.Stats().Hits > before
	}
	warm := func(t *testing.T, q string, vars map[string]any) {
		t.Helper()
		b.OK(t, nil, q, vars, nil)
		if _, ok := hit(t, q, vars); !ok {
			t.Fatalf("%s %v is not cached on b", q, vars)
		}
	}
	unrelatedVars := map[string]any{"s": unrelated.Slug}
	t.Run("Rename", func(t *testing.T) {
		warm(t, catQ, map[string]any{"s": cat.Slug})
		warm(t, pageQ, unrelatedVars)
		if p, r := a.catOp(t, editor.h(), updateCategoryMutation, "updateCategory", map[string]any{"id": cat.NodeID(), "name": "After", "description": "Now described"}); p == nil || p.Category == nil {
			t.Fatalf("rename: %s", r.Raw)
		}
		if r, _ := hit(t, catQ, map[string]any{"s": cat.Slug}); !strings.Contains(r.Raw, `"name":"After","description":"Now described"`) {
			t.Errorf("category on b = %s, want the new name and description", r.Raw)
		}
		if _, ok := hit(t, pageQ, unrelatedVars); !ok {
			t.Errorf("unrelated article on b was not answered from the cache after the rename")
		}
	})
	t.Run("Merge", func(t *testing.T) {
		vars := map[string]any{"s": inCat.Slug}
		warm(t, pageQ, vars)
		warm(t, pageQ, unrelatedVars)
		if p, r := a.catOp(t, editor.h(), mergeCategoriesMutation, "mergeCategories", map[string]any{"from": []string{other.NodeID()}, "into": cat.NodeID()}); p == nil || p.Category == nil {
			t.Fatalf("merge: %s", r.Raw)
		}
		if r, _ := hit(t, pageQ, vars); !strings.Contains(r.Raw, `"category":{"name":"After"}`) {
			t.Errorf("moved article on b = %s, want category After", r.Raw)
		}
		if _, ok := hit(t, pageQ, unrelatedVars); !ok {
			t.Errorf("unrelated article on b was not answered from the cache after the merge")
		}
	})
}
