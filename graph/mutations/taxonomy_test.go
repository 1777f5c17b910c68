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
	createTagMutation = `mutation($in: CreateTagInput!) { createTag(input: $in) { tag { id slug name } userErrors { field message code } } }`
	updateTagMutation = `mutation($in: UpdateTagInput!) { updateTag(input: $in) { tag { id slug name } userErrors { field message code } } }`
	mergeTagsMutation = `mutation($in: MergeTagsInput!) { mergeTags(input: $in) { tag { id slug name } mergedTagIds userErrors { field message code } } }`
	deleteTagMutation = `mutation($in: DeleteTagInput!) { deleteTag(input: $in) { deletedTagId userErrors { field message code } } }`
)

type tagData struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

type tagPayload struct {
	Tag          *tagData    `json:"tag"`
	MergedTagIds []string    `json:"mergedTagIds"`
	DeletedTagID *string     `json:"deletedTagId"`
	UserErrors   []userError `json:"userErrors"`
}

// tagOp runs one taxonomy mutation and returns its payload (nil when the
// field itself failed) with the response.
func (e *env) tagOp(t *testing.T, h http.Header, mutation, field string, in map[string]any) (*tagPayload, graphtest.Response) {
	t.Helper()
	var out map[string]*tagPayload
	r := e.Do(t, h, mutation, map[string]any{"in": in})
	r.Decode(t, &out)
	return out[field], r
}

func (e *env) mustCreateTag(t *testing.T, h http.Header, name string) *tagData {
	t.Helper()
	p, r := e.tagOp(t, h, createTagMutation, "createTag", map[string]any{"name": name})
	if p == nil || p.Tag == nil {
		t.Fatalf("create tag %q: %s", name, r.Raw)
	}
	return p.Tag
}

func tagIDsOf(t *testing.T, articleID int64) []int64 {
	t.Helper()
	ts, err := testDB.TagsOfArticles(context.Background(), []int64{articleID})
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, x := range ts[articleID] {
		out = append(out, x.ID)
	}
	return out
}

func TestTaxonomy_Permissions(t *testing.T) {
	e := newEnv(t)
	reader, author, editor, admin := e.signUp(t, folio.RoleReader), e.signUp(t, folio.RoleAuthor), e.signUp(t, folio.RoleEditor), e.signUp(t, folio.RoleAdmin)
	victim := fixture(t).Tag("perm-"+graphtest.RandomHex(4), "Victim")
	other := fixture(t).Tag("perm-"+graphtest.RandomHex(4), "Other")
	vid, oid := victim.NodeID(), other.NodeID()
	ops := []struct {
		name, mutation, field string
		in                    map[string]any
	}{
		{"CreateTag", createTagMutation, "createTag", map[string]any{"name": "Never " + graphtest.RandomHex(3)}},
		{"UpdateTag", updateTagMutation, "updateTag", map[string]any{"id": vid, "name": "Hijacked"}},
		{"MergeTags", mergeTagsMutation, "mergeTags", map[string]any{"from": []string{vid}, "into": oid}},
		{"DeleteTag", deleteTagMutation, "deleteTag", map[string]any{"id": vid}},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			_, r := e.tagOp(t, nil, op.mutation, op.field, op.in)
			wantCode(t, r, "UNAUTHENTICATED")
			for _, p := range []person{reader, author} {
				_, r := e.tagOp(t, p.h(), op.mutation, op.field, op.in)
				wantCode(t, r, "FORBIDDEN")
			}
		})
	}
	if got, err := testDB.TagsByIDs(context.Background(), []int64{victim.ID, other.ID}); err != nil || len(got) != 2 || got[0].Name != victim.Name && got[1].Name != victim.Name {
		t.Fatalf("after refused writes the tags are %v (%v), want both unchanged", got, err)
	}
	for _, p := range []person{editor, admin} {
		t.Run("Allowed/"+string(p.user.Role), func(t *testing.T) {
			a := e.mustCreateTag(t, p.h(), "Kept "+graphtest.RandomHex(3))
			b := e.mustCreateTag(t, p.h(), "Gone "+graphtest.RandomHex(3))
			if u, r := e.tagOp(t, p.h(), updateTagMutation, "updateTag", map[string]any{"id": a.ID, "name": "Renamed"}); u == nil || u.Tag == nil || u.Tag.Name != "Renamed" {
				t.Fatalf("update: %s", r.Raw)
			}
			c := e.mustCreateTag(t, p.h(), "Merged "+graphtest.RandomHex(3))
			if m, r := e.tagOp(t, p.h(), mergeTagsMutation, "mergeTags", map[string]any{"from": []string{c.ID}, "into": a.ID}); m == nil || m.Tag == nil || len(m.MergedTagIds) != 1 || m.MergedTagIds[0] != c.ID {
				t.Fatalf("merge: %s", r.Raw)
			}
			if d, r := e.tagOp(t, p.h(), deleteTagMutation, "deleteTag", map[string]any{"id": b.ID}); d == nil || d.DeletedTagID == nil || *d.DeletedTagID != b.ID {
				t.Fatalf("delete: %s", r.Raw)
			}
		})
	}
}

func TestTaxonomy_Validation(t *testing.T) {
	e := newEnv(t)
	editor := e.signUp(t, folio.RoleEditor)
	h := editor.h()
	existing := e.mustCreateTag(t, h, "Existing "+graphtest.RandomHex(4))
	gone := fixture(t).Tag("gone-"+graphtest.RandomHex(4), "Gone")
	if _, err := testDB.Pool.Exec(context.Background(), `DELETE FROM tags WHERE id = $1`, gone.ID); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, mutation, field string
		in                    map[string]any
		want                  []string
	}{
		{"EmptyName", createTagMutation, "createTag", map[string]any{"name": "   "}, []string{"name:INVALID"}},
		{"LongName", createTagMutation, "createTag", map[string]any{"name": strings.Repeat("x", folio.MaxTagNameLength+1)}, []string{"name:INVALID"}},
		{"BadSlug", createTagMutation, "createTag", map[string]any{"name": "Fine", "slug": "Not A Slug"}, []string{"slug:INVALID"}},
		{"NoSlugFromName", createTagMutation, "createTag", map[string]any{"name": "✓✓"}, []string{"slug:INVALID"}},
		{"TakenSlug", createTagMutation, "createTag", map[string]any{"name": "Again", "slug": existing.Slug}, []string{"slug:TAKEN"}},
		{"UpdateToTakenSlug", updateTagMutation, "updateTag", map[string]any{"id": e.mustCreateTag(t, h, "Mover "+graphtest.RandomHex(4)).ID, "slug": existing.Slug}, []string{"slug:TAKEN"}},
		{"UpdateEmptyName", updateTagMutation, "updateTag", map[string]any{"id": existing.ID, "name": ""}, []string{"name:INVALID"}},
		{"MergeNothing", mergeTagsMutation, "mergeTags", map[string]any{"from": []string{}, "into": existing.ID}, []string{"from:INVALID"}},
		{"MergeIntoItself", mergeTagsMutation, "mergeTags", map[string]any{"from": []string{existing.ID}, "into": existing.ID}, []string{"from.0:INVALID"}},
		{"MergeTwice", mergeTagsMutation, "mergeTags", map[string]any{"from": []string{gone.NodeID(), gone.NodeID()}, "into": existing.ID}, []string{"from.1:INVALID"}},
		{"MergeMissing", mergeTagsMutation, "mergeTags", map[string]any{"from": []string{gone.NodeID()}, "into": existing.ID}, []string{"from.0:NOT_FOUND"}},
		{"MergeIntoMissing", mergeTagsMutation, "mergeTags", map[string]any{"from": []string{existing.ID}, "into": gone.NodeID()}, []string{"into:NOT_FOUND"}},
		{"MergeWrongKind", mergeTagsMutation, "mergeTags", map[string]any{"from": []string{editor.id}, "into": existing.ID}, []string{"from.0:INVALID"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, r := e.tagOp(t, h, c.mutation, c.field, c.in)
			if p == nil {
				t.Fatalf("payload is null: %s", r.Raw)
			}
			if p.Tag != nil {
				t.Fatalf("tag = %+v, want none", p.Tag)
			}
			wantUserErrors(t, p.UserErrors, c.want...)
		})
	}
	t.Run("UpdateMissing", func(t *testing.T) {
		_, r := e.tagOp(t, h, updateTagMutation, "updateTag", map[string]any{"id": gone.NodeID(), "name": "Ghost"})
		wantCode(t, r, "NOT_FOUND")
	})
	t.Run("DeleteMissing", func(t *testing.T) {
		_, r := e.tagOp(t, h, deleteTagMutation, "deleteTag", map[string]any{"id": gone.NodeID()})
		wantCode(t, r, "NOT_FOUND")
	})
	t.Run("MalformedID", func(t *testing.T) {
		_, r := e.tagOp(t, h, deleteTagMutation, "deleteTag", map[string]any{"id": "not-an-id"})
		wantCode(t, r, "BAD_USER_INPUT")
	})
}

func TestTaxonomy_Merge(t *testing.T) {
	e := newEnv(t)
	editor, author := e.signUp(t, folio.RoleEditor), e.signUp(t, folio.RoleAuthor)
	f := fixture(t)
	golang, gol, goLang := f.Tag("go-"+graphtest.RandomHex(4), "Go"), f.Tag("golang-"+graphtest.RandomHex(4), "golang"), f.Tag("go-lang-"+graphtest.RandomHex(4), "Go lang")
	both := f.Article(postgrestest.Article{Author: author.user, Slug: "merge-both-" + graphtest.RandomHex(3), Title: "Both", Tags: []*folio.Tag{golang, gol}})
	one := f.Article(postgrestest.Article{Author: author.user, Slug: "merge-one-" + graphtest.RandomHex(3), Title: "One", Tags: []*folio.Tag{goLang}})
	p, r := e.tagOp(t, editor.h(), mergeTagsMutation, "mergeTags", map[string]any{"from": []string{gol.NodeID(), goLang.NodeID()}, "into": golang.NodeID()})
	if p == nil || p.Tag == nil || p.Tag.ID != golang.NodeID() {
		t.Fatalf("merge: %s", r.Raw)
	}
	for _, a := range []*folio.Article{both, one} {
		if got := tagIDsOf(t, a.ID); len(got) != 1 || got[0] != golang.ID {
			t.Errorf("tags of %q = %v, want only %d", a.Title, got, golang.ID)
		}
	}
	if got, _ := testDB.TagsByIDs(context.Background(), []int64{gol.ID, goLang.ID}); len(got) != 0 {
		t.Errorf("merged tags still exist: %v", got)
	}
	t.Run("Delete", func(t *testing.T) {
		d, r := e.tagOp(t, editor.h(), deleteTagMutation, "deleteTag", map[string]any{"id": golang.NodeID()})
		if d == nil || d.DeletedTagID == nil {
			t.Fatalf("delete: %s", r.Raw)
		}
		if got := tagIDsOf(t, both.ID); len(got) != 0 {
			t.Errorf("tags of the article after delete = %v, want none", got)
		}
	})
}

// TestTaxonomy_CacheInvalidation: a tag write on one instance shows on the
// other at once, through its entity and response caches, and a cached
// response that holds nothing of the tag stays cached.
func TestTaxonomy_CacheInvalidation(t *testing.T) {
	a, b := newResponseCachedPair(t)
	author, editor := a.signUp(t, folio.RoleAuthor), a.signUp(t, folio.RoleEditor)
	f := fixture(t)
	tag, extra := f.Tag("cache-"+graphtest.RandomHex(4), "Before"), f.Tag("cache-extra-"+graphtest.RandomHex(4), "Extra")
	tagged := f.Article(postgrestest.Article{Author: author.user, Slug: "tagged-" + graphtest.RandomHex(3), Title: "Tagged", Tags: []*folio.Tag{extra}})
	unrelated := f.Article(postgrestest.Article{Author: author.user, Slug: "unrelated-" + graphtest.RandomHex(3), Title: "Unrelated"})
	if _, err := testDB.Pool.Exec(context.Background(), `INSERT INTO article_tags (article_id, tag_id) VALUES ($1, $2)`, tagged.ID, tag.ID); err != nil {
		t.Fatal(err)
	}
	const (
		tagQ     = `query Tag($s: String!) { tag(slug: $s) { name slug } }`
		articleQ = `query Page($s: String!) { article(slug: $s) { title tags { name } } }`
	)
	unrelatedVars := map[string]any{"s": unrelated.Slug}
	// hit runs q on b and reports whether the response cache answered.
	hit := func(t *testing.T, q string, vars map[string]any) (graphtest.Response, bool) {
		t.Helper()
		before := b.rc.Stats().Hits
		r := b.OK(t, nil, q, vars, nil)
		return r, b.rc.Stats().Hits > before
	}
	warm := func(t *testing.T, reqs ...[2]any) {
		t.Helper()
		for _, q := range reqs {
			b.OK(t, nil, q[0].(string), q[1].(map[string]any), nil)
			if _, ok := hit(t, q[0].(string), q[1].(map[string]any)); !ok {
				t.Fatalf("%s %v is not cached on b", q[0], q[1])
			}
		}
	}
	page := [2]any{articleQ, map[string]any{"s": tagged.Slug}}
	other := [2]any{articleQ, unrelatedVars}

	t.Run("Rename", func(t *testing.T) {
		warm(t, [2]any{tagQ, map[string]any{"s": tag.Slug}}, page, other)
		newSlug := "renamed-" + graphtest.RandomHex(4)
		if p, r := a.tagOp(t, editor.h(), updateTagMutation, "updateTag", map[string]any{"id": tag.NodeID(), "name": "After", "slug": newSlug}); p == nil || p.Tag == nil {
			t.Fatalf("rename: %s", r.Raw)
		}
		if r, _ := hit(t, tagQ, map[string]any{"s": newSlug}); !strings.Contains(r.Raw, `"name":"After"`) {
			t.Errorf("tag by its new slug on b = %s, want name After", r.Raw)
		}
		if r, _ := hit(t, page[0].(string), page[1].(map[string]any)); !strings.Contains(r.Raw, `"After"`) || strings.Contains(r.Raw, `"Before"`) {
			t.Errorf("tagged article on b = %s, want the new name", r.Raw)
		}
		if r, ok := hit(t, articleQ, unrelatedVars); !ok {
			t.Errorf("unrelated article on b was not answered from the cache after the rename: %s", r.Raw)
		}
		tag.Slug = newSlug
	})
	t.Run("Create", func(t *testing.T) {
		slug := "fresh-" + graphtest.RandomHex(4)
		warm(t, [2]any{tagQ, map[string]any{"s": slug}}, other)
		if p, r := a.tagOp(t, editor.h(), createTagMutation, "createTag", map[string]any{"name": "Fresh", "slug": slug}); p == nil || p.Tag == nil {
			t.Fatalf("create: %s", r.Raw)
		}
		if r, _ := hit(t, tagQ, map[string]any{"s": slug}); !strings.Contains(r.Raw, `"slug":"`+slug+`"`) {
			t.Errorf("new tag on b = %s, want it found", r.Raw)
		}
		if _, ok := hit(t, articleQ, unrelatedVars); !ok {
			t.Errorf("unrelated article on b was not answered from the cache after a create")
		}
	})
	t.Run("Merge", func(t *testing.T) {
		warm(t, page, other)
		if p, r := a.tagOp(t, editor.h(), mergeTagsMutation, "mergeTags", map[string]any{"from": []string{extra.NodeID()}, "into": tag.NodeID()}); p == nil || p.Tag == nil {
			t.Fatalf("merge: %s", r.Raw)
		}
		if r, _ := hit(t, page[0].(string), page[1].(map[string]any)); strings.Contains(r.Raw, `"Extra"`) || !strings.Contains(r.Raw, `"tags":[{"name":"After"}]`) {
			t.Errorf("tagged article on b after the merge = %s, want only After", r.Raw)
		}
		if _, ok := hit(t, articleQ, unrelatedVars); !ok {
			t.Errorf("unrelated article on b was not answered from the cache after the merge")
		}
	})
	t.Run("Delete", func(t *testing.T) {
		warm(t, [2]any{tagQ, map[string]any{"s": tag.Slug}}, page, other)
		if p, r := a.tagOp(t, editor.h(), deleteTagMutation, "deleteTag", map[string]any{"id": tag.NodeID()}); p == nil || p.DeletedTagID == nil {
			t.Fatalf("delete: %s", r.Raw)
		}
		if r, _ := hit(t, tagQ, map[string]any{"s": tag.Slug}); !strings.Contains(r.Raw, `"tag":null`) {
			t.Errorf("deleted tag on b = %s, want null", r.Raw)
		}
		if r, _ := hit(t, page[0].(string), page[1].(map[string]any)); !strings.Contains(r.Raw, `"tags":[]`) {
			t.Errorf("tagged article on b after the delete = %s, want no tags", r.Raw)
		}
		if _, ok := hit(t, articleQ, unrelatedVars); !ok {
			t.Errorf("unrelated article on b was not answered from the cache after the delete")
		}
	})
}
