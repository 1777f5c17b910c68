package mutations_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/folio/folio/graph/graphtest"
	"github.com/folio/folio/internal/folio"
)

const articleFields = `id slug title body bodyHtml excerpt status version publishedAt author { handle } category { slug } tags { slug }`

type articleData struct {
	ID          string  `json:"id"`
	Slug        string  `json:"slug"`
	Title       string  `json:"title"`
	Body        string  `json:"body"`
	BodyHTML    string  `json:"bodyHtml"`
	Excerpt     string  `json:"excerpt"`
	Status      string  `json:"status"`
	Version     int     `json:"version"`
	PublishedAt *string `json:"publishedAt"`
	Category    *struct {
		Slug string `json:"slug"`
	} `json:"category"`
	Tags []struct {
		Slug string `json:"slug"`
	} `json:"tags"`
}

type articlePayload struct {
	Article    *articleData `json:"article"`
	UserErrors []userError  `json:"userErrors"`
}

const createArticle = `mutation($in: CreateArticleInput!) { createArticle(input: $in) { article { ` + articleFields + ` } userErrors { field message code } } }`
const updateArticle = `mutation($in: UpdateArticleInput!) { updateArticle(input: $in) { article { ` + articleFields + ` } userErrors { field message code } } }`

func (e *env) create(t *testing.T, h http.Header, in map[string]any) (articlePayload, graphtest.Response) {
	t.Helper()
	var out struct {
		CreateArticle *articlePayload `json:"createArticle"`
	}
	r := e.Do(t, h, createArticle, map[string]any{"in": in})
	if r.Data != nil {
		r.Decode(t, &out)
	}
	if out.CreateArticle == nil {
		return articlePayload{}, r
	}
	return *out.CreateArticle, r
}

func (e *env) update(t *testing.T, h http.Header, in map[string]any) (articlePayload, graphtest.Response) {
	t.Helper()
	var out struct {
		UpdateArticle *articlePayload `json:"updateArticle"`
	}
	r := e.Do(t, h, updateArticle, map[string]any{"in": in})
	if r.Data != nil {
		r.Decode(t, &out)
	}
	if out.UpdateArticle == nil {
		return articlePayload{}, r
	}
	return *out.UpdateArticle, r
}

func (e *env) mustCreate(t *testing.T, p person, title string) *articleData {
	t.Helper()
	out, r := e.create(t, p.h(), map[string]any{"title": title, "body": "Some *words* about " + title})
	if out.Article == nil {
		t.Fatalf("create %q: %+v %s", title, out.UserErrors, r.Raw)
	}
	return out.Article
}

func (e *env) setStatus(t *testing.T, h http.Header, op, id string) (articlePayload, graphtest.Response) {
	t.Helper()
	var out map[string]*articlePayload
	r := e.Do(t, h, `mutation($id: ID!) { `+op+`(input: {id: $id}) { article { `+articleFields+` } userErrors { field message code } } }`, map[string]any{"id": id})
	if r.Data != nil {
		r.Decode(t, &out)
	}
	if out[op] == nil {
		return articlePayload{}, r
	}
	return *out[op], r
}

func TestCreateArticle(t *testing.T) {
	e := newEnv(t)
	f := fixture(t)
	cat := f.Category("cat-"+graphtest.RandomHex(3), "Cat")
	tag := f.Tag("tag-"+graphtest.RandomHex(3), "Tag")
	author := e.signUp(t, folio.RoleAuthor)
	t.Run("OK", func(t *testing.T) {
		out, _ := e.create(t, author.h(), map[string]any{"title": "  Héllo, Wörld: GraphQL & Go!  ", "body": "# Hi", "excerpt": "x",
			"categoryId": gid("Category", cat.ID), "tagIds": []string{gid("Tag", tag.ID)}})
		a := out.Article
		if a == nil || a.Status != "DRAFT" || a.Version != 1 || a.PublishedAt != nil || a.Title != "Héllo, Wörld: GraphQL & Go!" ||
			a.Slug != "hello-world-graphql-go" || a.Category == nil || a.Category.Slug != cat.Slug || len(a.Tags) != 1 || a.BodyHTML != "<h1>Hi</h1>\n" {
			t.Fatalf("created %+v (%+v)", a, out.UserErrors)
		}
	})
	t.Run("An excerpt is made from the body when none is given", func(t *testing.T) {
		out, _ := e.create(t, author.h(), map[string]any{"title": "No excerpt", "body": "# No excerpt\n\nOFFSET reads every row it skips. **Keysets** do not."})
		if a := out.Article; a == nil || a.Excerpt != "OFFSET reads every row it skips. Keysets do not." {
			t.Fatalf("created %+v (%+v), want the excerpt made from the body", a, out.UserErrors)
		}
	})
	t.Run("Slugs are made unique", func(t *testing.T) {
		a := e.mustCreate(t, author, "Same title")
		b := e.mustCreate(t, author, "Same title")
		c := e.mustCreate(t, author, "Same title")
		if a.Slug != "same-title" || b.Slug != "same-title-2" || c.Slug != "same-title-3" {
			t.Fatalf("slugs %q %q %q", a.Slug, b.Slug, c.Slug)
		}
	})
	t.Run("A chosen slug that is taken is refused", func(t *testing.T) {
		slug := "chosen-" + graphtest.RandomHex(3)
		if out, _ := e.create(t, author.h(), map[string]any{"title": "One", "body": "b", "slug": slug}); out.Article == nil || out.Article.Slug != slug {
			t.Fatalf("first: %+v", out)
		}
		out, _ := e.create(t, author.h(), map[string]any{"title": "Two", "body": "b", "slug": slug})
		wantUserErrors(t, out.UserErrors, "slug:TAKEN")
	})
	t.Run("Validation", func(t *testing.T) {
		out, _ := e.create(t, author.h(), map[string]any{"title": " ", "body": strings.Repeat("x", folio.MaxBodyBytes+1), "slug": "Not A Slug",
			"categoryId": "bogus", "tagIds": []string{gid("Tag", tag.ID), gid("Tag", tag.ID), gid("User", 1)}})
		wantUserErrors(t, out.UserErrors, "categoryId:INVALID", "tagIds.2:INVALID", "title:INVALID", "body:INVALID", "slug:INVALID", "tagIds.1:INVALID")
		out, _ = e.create(t, author.h(), map[string]any{"title": "t", "body": "b", "categoryId": gid("Category", 999999), "tagIds": []string{gid("Tag", 999998)}})
		wantUserErrors(t, out.UserErrors, "categoryId:NOT_FOUND", "tagIds.0:NOT_FOUND")
		var n int
		_ = testDB.Pool.QueryRow(t.Context(), `SELECT count(*) FROM articles WHERE title = 't'`).Scan(&n)
		if n != 0 {
			t.Fatal("a refused article was written")
		}
	})
	t.Run("Readers and anonymous callers cannot write", func(t *testing.T) {
		_, r := e.create(t, e.signUp(t, folio.RoleReader).h(), map[string]any{"title": "t", "body": "b"})
		wantCode(t, r, "FORBIDDEN")
		_, r = e.create(t, nil, map[string]any{"title": "t", "body": "b"})
		wantCode(t, r, "UNAUTHENTICATED")
	})
	t.Run("Hostile strings are stored verbatim and rendered harmless", func(t *testing.T) {
		title := `Robert'); DROP TABLE articles;-- <img src=x onerror=alert(1)>`
		body := "<script>alert('xss')</script>\n\n[click](javascript:alert(1)) <a href=\"#\" onclick=\"steal()\">x</a>\n\n' OR 1=1; --"
		out, _ := e.create(t, author.h(), map[string]any{"title": title, "body": body})
		a := out.Article
		if a == nil || a.Title != title || a.Body != body {
			t.Fatalf("stored %+v", a)
		}
		for _, bad := range []string{"<script", "javascript:", "onclick", "onerror"} {
			if strings.Contains(strings.ToLower(a.BodyHTML), bad) {
				t.Errorf("bodyHtml carries %q: %s", bad, a.BodyHTML)
			}
		}
	})
}

func TestDraftVisibility(t *testing.T) {
	e := newEnv(t)
	author := e.signUp(t, folio.RoleAuthor)
	other := e.signUp(t, folio.RoleAuthor)
	editor := e.signUp(t, folio.RoleEditor)
	word := "zyzzyva" + graphtest.RandomHex(3)
	draft := e.mustCreate(t, author, "Draft about "+word)
	byNode := `query($id: ID!) { node(id: $id) { id } }`
	bySlug := `query($s: String!) { article(slug: $s) { id } }`
	list := `query($h: String!) { articles(first: 10, filter: {authorHandle: $h}, orderBy: {field: CREATED_AT, direction: DESC}) { totalCount nodes { id } } }`
	search := `query($q: String!) { search(query: $q) { totalCount } }`
	author2 := `query($h: String!) { user(handle: $h) { articles(first: 5) { totalCount } } }`
	for name, tc := range map[string]struct {
		h    http.Header
		sees bool
	}{
		"Author": {author.h(), true}, "Editor": {editor.h(), true}, "Other author": {other.h(), false}, "Anonymous": {nil, false},
	} {
		t.Run(name, func(t *testing.T) {
			raw := e.OK(t, tc.h, byNode, map[string]any{"id": draft.ID}, nil).Raw +
				e.OK(t, tc.h, bySlug, map[string]any{"s": draft.Slug}, nil).Raw +
				e.OK(t, tc.h, list, map[string]any{"h": author.user.Handle}, nil).Raw
			if got := strings.Count(raw, draft.ID); (got == 3) != tc.sees || (got != 0 && !tc.sees) {
				t.Fatalf("draft seen %d times in node, article and list; sees = %v: %s", got, tc.sees, raw)
			}
			want := `"totalCount":0`
			if tc.sees {
				want = `"totalCount":1`
			}
			if r := e.OK(t, tc.h, search, map[string]any{"q": word}, nil); !strings.Contains(r.Raw, want) {
				t.Fatalf("search = %s, want %s", r.Raw, want)
			}
			// Drafts were never published: the user's (publication-ordered) list leaves them out for everyone.
			if r := e.OK(t, tc.h, author2, map[string]any{"h": author.user.Handle}, nil); !strings.Contains(r.Raw, `"totalCount":0`) {
				t.Fatalf("user.articles = %s", r.Raw)
			}
		})
	}
}

func TestUpdateArticle(t *testing.T) {
	e := newEnv(t)
	author := e.signUp(t, folio.RoleAuthor)
	other := e.signUp(t, folio.RoleAuthor)
	editor := e.signUp(t, folio.RoleEditor)
	tag := fixture(t).Tag("upd-"+graphtest.RandomHex(3), "Upd")
	t.Run("Own draft", func(t *testing.T) {
		a := e.mustCreate(t, author, "Before")
		out, _ := e.update(t, author.h(), map[string]any{"id": a.ID, "expectedVersion": 1, "title": "After", "tagIds": []string{gid("Tag", tag.ID)}})
		if out.Article == nil || out.Article.Title != "After" || out.Article.Version != 2 || out.Article.Slug != a.Slug || len(out.Article.Tags) != 1 {
			t.Fatalf("updated %+v %+v", out.Article, out.UserErrors)
		}
		out, _ = e.update(t, author.h(), map[string]any{"id": a.ID, "expectedVersion": 2, "tagIds": []string{}, "slug": "brand-new-" + graphtest.RandomHex(2)})
		if out.Article == nil || len(out.Article.Tags) != 0 || !strings.HasPrefix(out.Article.Slug, "brand-new-") {
			t.Fatalf("cleared tags / new slug: %+v %+v", out.Article, out.UserErrors)
		}
	})
	t.Run("A cleared excerpt is made from the body", func(t *testing.T) {
		a := e.mustCreate(t, author, "Excerpts")
		out, _ := e.update(t, author.h(), map[string]any{"id": a.ID, "expectedVersion": 1, "excerpt": "  "})
		if out.Article == nil || out.Article.Excerpt == "" || out.Article.Excerpt != folio.ExcerptOf(out.Article.Body) {
			t.Fatalf("cleared the excerpt: %+v %+v, want the body's first sentences", out.Article, out.UserErrors)
		}
		out, _ = e.update(t, author.h(), map[string]any{"id": a.ID, "expectedVersion": 2, "excerpt": "", "body": "Rewritten. From the top."})
		if out.Article == nil || out.Article.Excerpt != "Rewritten. From the top." {
			t.Fatalf("cleared the excerpt with a new body: %+v %+v, want the new body's sentences", out.Article, out.UserErrors)
		}
		out, _ = e.update(t, author.h(), map[string]any{"id": a.ID, "expectedVersion": 3, "excerpt": "Mine."})
		if out.Article == nil || out.Article.Excerpt != "Mine." {
			t.Fatalf("set the excerpt: %+v %+v", out.Article, out.UserErrors)
		}
	})
	t.Run("Stale version is a conflict", func(t *testing.T) {
		a := e.mustCreate(t, author, "Versioned")
		e.update(t, author.h(), map[string]any{"id": a.ID, "expectedVersion": 1, "body": "first"})
		out, _ := e.update(t, author.h(), map[string]any{"id": a.ID, "expectedVersion": 1, "body": "lost update"})
		wantUserErrors(t, out.UserErrors, "expectedVersion:CONFLICT")
	})
	t.Run("Taken slug", func(t *testing.T) {
		a, b := e.mustCreate(t, author, "Slug one"), e.mustCreate(t, author, "Slug two")
		out, _ := e.update(t, author.h(), map[string]any{"id": b.ID, "expectedVersion": 1, "slug": a.Slug})
		wantUserErrors(t, out.UserErrors, "slug:TAKEN")
	})
	t.Run("Another author's draft is not found", func(t *testing.T) {
		a := e.mustCreate(t, author, "Mine")
		_, r := e.update(t, other.h(), map[string]any{"id": a.ID, "expectedVersion": 1, "title": "Hijacked"})
		wantCode(t, r, "NOT_FOUND")
		r = e.Do(t, other.h(), `mutation($id: ID!) { deleteArticle(input: {id: $id}) { deletedArticleId } }`, map[string]any{"id": a.ID})
		wantCode(t, r, "NOT_FOUND")
	})
	t.Run("Another author's published article is forbidden", func(t *testing.T) {
		a := e.mustCreate(t, author, "Public")
		if out, _ := e.setStatus(t, editor.h(), "publishArticle", a.ID); out.Article == nil {
			t.Fatal("publish failed")
		}
		_, r := e.update(t, other.h(), map[string]any{"id": a.ID, "expectedVersion": 2, "title": "Hijacked"})
		wantCode(t, r, "FORBIDDEN")
		// Authors edit drafts only, even their own.
		_, r = e.update(t, author.h(), map[string]any{"id": a.ID, "expectedVersion": 2, "title": "Changed after publication"})
		wantCode(t, r, "FORBIDDEN")
		// Editors edit anything.
		if out, _ := e.update(t, editor.h(), map[string]any{"id": a.ID, "expectedVersion": 2, "title": "Edited"}); out.Article == nil || out.Article.Title != "Edited" {
			t.Fatalf("editor update: %+v", out)
		}
	})
	t.Run("Readers are forbidden", func(t *testing.T) {
		a := e.mustCreate(t, author, "Unreachable")
		_, r := e.update(t, e.signUp(t, folio.RoleReader).h(), map[string]any{"id": a.ID, "expectedVersion": 1, "title": "x"})
		wantCode(t, r, "FORBIDDEN")
	})
	t.Run("Validation", func(t *testing.T) {
		a := e.mustCreate(t, author, "Valid")
		out, _ := e.update(t, author.h(), map[string]any{"id": a.ID, "expectedVersion": 0, "title": strings.Repeat("x", 201), "excerpt": strings.Repeat("y", 501)})
		wantUserErrors(t, out.UserErrors, "expectedVersion:INVALID", "title:INVALID", "excerpt:INVALID")
		_, r := e.update(t, author.h(), map[string]any{"id": gid("Tag", 1), "expectedVersion": 1})
		wantCode(t, r, "BAD_USER_INPUT")
	})
	t.Run("Concurrent updates of one version: exactly one wins", func(t *testing.T) {
		a := e.mustCreate(t, author, "Contended")
		const n = 8
		var wg sync.WaitGroup
		results := make([]articlePayload, n)
		for i := range n {
			wg.Go(func() {
				results[i], _ = e.update(t, author.h(), map[string]any{"id": a.ID, "expectedVersion": 1, "body": "writer " + itoa(int64(i))})
			})
		}
		wg.Wait()
		won, conflicts := 0, 0
		for _, r := range results {
			switch {
			case r.Article != nil:
				won++
			case len(r.UserErrors) == 1 && r.UserErrors[0].Code == "CONFLICT":
				conflicts++
			}
		}
		if won != 1 || conflicts != n-1 {
			t.Fatalf("%d won and %d conflicted, want 1 and %d", won, conflicts, n-1)
		}
	})
}

func TestPublishArchiveDelete(t *testing.T) {
	e := newEnv(t)
	author := e.signUp(t, folio.RoleAuthor)
	editor := e.signUp(t, folio.RoleEditor)
	reader := e.signUp(t, folio.RoleReader)
	a := e.mustCreate(t, author, "Lifecycle")
	t.Run("Readers and authors cannot publish", func(t *testing.T) {
		_, r := e.setStatus(t, reader.h(), "publishArticle", a.ID)
		wantCode(t, r, "FORBIDDEN")
		_, r = e.setStatus(t, author.h(), "publishArticle", a.ID)
		wantCode(t, r, "FORBIDDEN")
		_, r = e.setStatus(t, nil, "publishArticle", a.ID)
		wantCode(t, r, "UNAUTHENTICATED")
	})
	t.Run("Editor publishes; anyone reads", func(t *testing.T) {
		out, _ := e.setStatus(t, editor.h(), "publishArticle", a.ID)
		if out.Article == nil || out.Article.Status != "PUBLISHED" || out.Article.PublishedAt == nil {
			t.Fatalf("published %+v", out)
		}
		r := e.OK(t, nil, `query($s: String!) { article(slug: $s) { status } }`, map[string]any{"s": a.Slug}, nil)
		if !strings.Contains(r.Raw, "PUBLISHED") {
			t.Fatalf("anonymous read %s", r.Raw)
		}
	})
	t.Run("Editor archives; anonymous loses it", func(t *testing.T) {
		out, _ := e.setStatus(t, editor.h(), "archiveArticle", a.ID)
		if out.Article == nil || out.Article.Status != "ARCHIVED" || out.Article.PublishedAt == nil {
			t.Fatalf("archived %+v", out)
		}
		r := e.OK(t, nil, `query($s: String!) { article(slug: $s) { id } }`, map[string]any{"s": a.Slug}, nil)
		if !strings.Contains(r.Raw, `"article":null`) {
			t.Fatalf("anonymous read of archived %s", r.Raw)
		}
	})
	t.Run("Authors delete their own drafts only", func(t *testing.T) {
		d := e.mustCreate(t, author, "Doomed")
		var out struct {
			DeleteArticle struct {
				DeletedArticleID *string `json:"deletedArticleId"`
			} `json:"deleteArticle"`
		}
		e.OK(t, author.h(), `mutation($id: ID!) { deleteArticle(input: {id: $id}) { deletedArticleId } }`, map[string]any{"id": d.ID}, &out)
		if out.DeleteArticle.DeletedArticleID == nil || *out.DeleteArticle.DeletedArticleID != d.ID {
			t.Fatalf("deleted %+v", out)
		}
		r := e.OK(t, author.h(), `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": d.ID}, nil)
		if !strings.Contains(r.Raw, `"node":null`) {
			t.Fatalf("deleted article still readable: %s", r.Raw)
		}
		// a is archived: the author may not delete it, an editor may.
		r = e.Do(t, author.h(), `mutation($id: ID!) { deleteArticle(input: {id: $id}) { deletedArticleId } }`, map[string]any{"id": a.ID})
		wantCode(t, r, "FORBIDDEN")
		e.OK(t, editor.h(), `mutation($id: ID!) { deleteArticle(input: {id: $id}) { deletedArticleId } }`, map[string]any{"id": a.ID}, nil)
	})
	t.Run("Unknown article", func(t *testing.T) {
		_, r := e.setStatus(t, editor.h(), "publishArticle", gid("Article", 99999999))
		wantCode(t, r, "NOT_FOUND")
	})
}

func gid(kind string, id int64) string { return globalID(kind, id) }
