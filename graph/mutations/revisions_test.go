package mutations_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/folio/folio/graph/graphtest"
	"github.com/folio/folio/internal/folio"
)

const revisionsQuery = `query($id: ID!, $first: Int, $after: String) { node(id: $id) { ... on Article {
  version
  revisions(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { version title excerpt body replacedAt replacedBy { handle } } }
  } } } }`

type revisionData struct {
	Version    int    `json:"version"`
	Title      string `json:"title"`
	Excerpt    string `json:"excerpt"`
	Body       string `json:"body"`
	ReplacedAt string `json:"replacedAt"`
	ReplacedBy *struct {
		Handle string `json:"handle"`
	} `json:"replacedBy"`
}

type revisionsPage struct {
	TotalCount int `json:"totalCount"`
	PageInfo   struct {
		HasNextPage bool    `json:"hasNextPage"`
		EndCursor   *string `json:"endCursor"`
	} `json:"pageInfo"`
	Edges []struct {
		Cursor string       `json:"cursor"`
		Node   revisionData `json:"node"`
	} `json:"edges"`
}

// revisions reads an article's revisions as h sees them: nil when the
// field is null (or the article unseen).
func (e *env) revisions(t *testing.T, h http.Header, id string, first int, after *string) *revisionsPage {
	t.Helper()
	var out struct {
		Node *struct {
			Revisions *revisionsPage `json:"revisions"`
		} `json:"node"`
	}
	vars := map[string]any{"id": id, "first": first}
	if after != nil {
		vars["after"] = *after
	}
	e.OK(t, h, revisionsQuery, vars, &out)
	if out.Node == nil {
		return nil
	}
	return out.Node.Revisions
}

const diffQuery = `query($id: ID!, $from: Int!, $to: Int!) { node(id: $id) { ... on Article {
  revisionDiff(from: $from, to: $to) { from to changed title excerpt body } } } }`

type diffData struct {
	From    int    `json:"from"`
	To      int    `json:"to"`
	Changed bool   `json:"changed"`
	Title   string `json:"title"`
	Excerpt string `json:"excerpt"`
	Body    string `json:"body"`
}

func (e *env) diff(t *testing.T, h http.Header, id string, from, to int) *diffData {
	t.Helper()
	var out struct {
		Node *struct {
			RevisionDiff *diffData `json:"revisionDiff"`
		} `json:"node"`
	}
	e.OK(t, h, diffQuery, map[string]any{"id": id, "from": from, "to": to}, &out)
	if out.Node == nil {
		return nil
	}
	return out.Node.RevisionDiff
}

const restoreRevision = `mutation($in: RestoreRevisionInput!) { restoreRevision(input: $in) {
  article { id version title excerpt body } userErrors { field message code } } }`

func (e *env) restore(t *testing.T, h http.Header, id string, version, expected int) articlePayload {
	t.Helper()
	var out struct {
		RestoreRevision *articlePayload `json:"restoreRevision"`
	}
	e.OK(t, h, restoreRevision, map[string]any{"in": map[string]any{"articleId": id, "version": version, "expectedVersion": expected}}, &out)
	return *out.RestoreRevision
}

func TestRevisions_RoundTrip(t *testing.T) {
	e := newEnv(t)
	author, editor := e.signUp(t, folio.RoleAuthor), e.signUp(t, folio.RoleEditor)
	out, _ := e.create(t, author.h(), map[string]any{"title": "First title", "excerpt": "An excerpt.", "body": "one\ntwo\nthree\n"})
	a := out.Article

	// Edit, edit: each keeps the text it replaces.
	if u, r := e.update(t, author.h(), map[string]any{"id": a.ID, "expectedVersion": 1, "title": "Second title"}); u.Article == nil {
		t.Fatalf("first edit: %+v %s", u.UserErrors, r.Raw)
	}
	if u, r := e.update(t, editor.h(), map[string]any{"id": a.ID, "expectedVersion": 2, "body": "one\n2\nthree\nfour\n"}); u.Article == nil {
		t.Fatalf("second edit: %+v %s", u.UserErrors, r.Raw)
	}
	// A change of neither title, excerpt nor body keeps nothing.
	if u, r := e.update(t, author.h(), map[string]any{"id": a.ID, "expectedVersion": 3, "slug": "a-new-slug-" + graphtest.RandomHex(3)}); u.Article == nil {
		t.Fatalf("slug edit: %+v %s", u.UserErrors, r.Raw)
	}

	page := e.revisions(t, author.h(), a.ID, 10, nil)
	if page == nil || page.TotalCount != 2 || len(page.Edges) != 2 {
		t.Fatalf("revisions = %+v, want 2", page)
	}
	newest, oldest := page.Edges[0].Node, page.Edges[1].Node
	if newest.Version != 2 || newest.Title != "Second title" || newest.Body != "one\ntwo\nthree\n" || newest.ReplacedBy == nil || newest.ReplacedBy.Handle != editor.user.Handle {
		t.Fatalf("newest revision = %+v, want version 2 with the first body, replaced by the editor", newest)
	}
	if oldest.Version != 1 || oldest.Title != "First title" || oldest.Excerpt != "An excerpt." || oldest.ReplacedBy == nil || oldest.ReplacedBy.Handle != author.user.Handle {
		t.Fatalf("oldest revision = %+v, want version 1, replaced by the author", oldest)
	}

	// The diff from the first version to the current one.
	d := e.diff(t, author.h(), a.ID, 1, 4)
	wantTitle := "--- v1/title\n+++ v4/title\n@@ -1 +1 @@\n-First title\n+Second title\n"
	wantBody := "--- v1/body\n+++ v4/body\n@@ -1,3 +1,4 @@\n one\n-two\n+2\n three\n+four\n"
	if d == nil || !d.Changed || d.From != 1 || d.To != 4 || d.Title != wantTitle || d.Body != wantBody || d.Excerpt != "" {
		t.Fatalf("diff 1→4 = %+v\nwant title %q\nwant body %q", d, wantTitle, wantBody)
	}
	if d := e.diff(t, editor.h(), a.ID, 2, 1); d == nil || d.Body != "" || d.Title == "" {
		t.Fatalf("diff 2→1 = %+v, want only the title changed", d)
	}

	// Restore: the first version's text comes back, as a new version; the
	// text it replaced is a revision in turn.
	res := e.restore(t, author.h(), a.ID, 1, 4)
	if res.Article == nil || res.Article.Version != 5 || res.Article.Title != "First title" || res.Article.Body != "one\ntwo\nthree\n" || res.Article.Excerpt != "An excerpt." {
		t.Fatalf("restore = %+v, want version 5 with the first text", res)
	}
	page = e.revisions(t, editor.h(), a.ID, 10, nil)
	if page == nil || page.TotalCount != 3 || page.Edges[0].Node.Version != 4 || page.Edges[0].Node.Body != "one\n2\nthree\nfour\n" {
		t.Fatalf("revisions after restore = %+v, want version 4's text kept first", page)
	}
	if d := e.diff(t, author.h(), a.ID, 1, 5); d == nil || d.Changed {
		t.Fatalf("diff 1→5 = %+v, want no change", d)
	}

	t.Run("Pages", func(t *testing.T) {
		first := e.revisions(t, author.h(), a.ID, 2, nil)
		if len(first.Edges) != 2 || !first.PageInfo.HasNextPage {
			t.Fatalf("first page = %+v, want 2 and more", first)
		}
		rest := e.revisions(t, author.h(), a.ID, 2, first.PageInfo.EndCursor)
		if len(rest.Edges) != 1 || rest.PageInfo.HasNextPage || rest.Edges[0].Node.Version != 1 {
			t.Fatalf("second page = %+v, want version 1 alone", rest)
		}
	})
	t.Run("RestoreRefused", func(t *testing.T) {
		var out struct {
			RestoreRevision *articlePayload `json:"restoreRevision"`
		}
		e.OK(t, author.h(), restoreRevision, map[string]any{"in": map[string]any{"articleId": a.ID, "version": 3, "expectedVersion": 5}}, &out)
		wantUserErrors(t, out.RestoreRevision.UserErrors, "version:NOT_FOUND") // version 3 changed only the slug
		e.OK(t, author.h(), restoreRevision, map[string]any{"in": map[string]any{"articleId": a.ID, "version": 1, "expectedVersion": 4}}, &out)
		wantUserErrors(t, out.RestoreRevision.UserErrors, "expectedVersion:CONFLICT")
		other := e.signUp(t, folio.RoleAuthor)
		wantCode(t, e.Do(t, other.h(), restoreRevision, map[string]any{"in": map[string]any{"articleId": a.ID, "version": 1, "expectedVersion": 5}}), "NOT_FOUND")
		reader := e.signUp(t, folio.RoleReader)
		wantCode(t, e.Do(t, reader.h(), restoreRevision, map[string]any{"in": map[string]any{"articleId": a.ID, "version": 1, "expectedVersion": 5}}), "FORBIDDEN")
		wantCode(t, e.Do(t, nil, restoreRevision, map[string]any{"in": map[string]any{"articleId": a.ID, "version": 1, "expectedVersion": 5}}), "UNAUTHENTICATED")
	})
	t.Run("DiffOfNoText", func(t *testing.T) {
		wantCode(t, e.Do(t, author.h(), diffQuery, map[string]any{"id": a.ID, "from": 3, "to": 5}), "NOT_FOUND")
	})
	t.Run("Visibility", func(t *testing.T) {
		// Published, the article is public; its revisions are not.
		if p, r := e.setStatus(t, editor.h(), "publishArticle", a.ID); p.Article == nil {
			t.Fatalf("publish: %s", r.Raw)
		}
		reader, other := e.signUp(t, folio.RoleReader), e.signUp(t, folio.RoleAuthor)
		for name, h := range map[string]http.Header{"anonymous": nil, "reader": reader.h(), "another author": other.h()} {
			if p := e.revisions(t, h, a.ID, 10, nil); p != nil {
				t.Errorf("%s sees revisions %+v", name, p)
			}
			if d := e.diff(t, h, a.ID, 1, 4); d != nil {
				t.Errorf("%s sees a diff %+v", name, d)
			}
		}
		if p := e.revisions(t, author.h(), a.ID, 10, nil); p == nil {
			t.Error("the author does not see the published article's revisions")
		}
		// Published, only editors change it, restores included.
		wantCode(t, e.Do(t, author.h(), restoreRevision, map[string]any{"in": map[string]any{"articleId": a.ID, "version": 4, "expectedVersion": 6}}), "FORBIDDEN")
		if res := e.restore(t, editor.h(), a.ID, 4, 6); res.Article == nil || res.Article.Version != 7 {
			t.Fatalf("editor's restore = %+v, want version 7", res)
		}
	})
}

func TestRevisions_Pruned(t *testing.T) {
	e := newEnv(t)
	author := e.signUp(t, folio.RoleAuthor)
	a := e.mustCreate(t, author, "Edited often")
	for v := 1; v <= folio.MaxRevisions+2; v++ {
		if u, r := e.update(t, author.h(), map[string]any{"id": a.ID, "expectedVersion": v, "title": fmt.Sprintf("Edit %d", v)}); u.Article == nil {
			t.Fatalf("edit %d: %+v %s", v, u.UserErrors, r.Raw)
		}
	}
	page := e.revisions(t, author.h(), a.ID, 100, nil)
	if page.TotalCount != folio.MaxRevisions || len(page.Edges) != folio.MaxRevisions {
		t.Fatalf("%d revisions kept (%d listed), want %d", page.TotalCount, len(page.Edges), folio.MaxRevisions)
	}
	if got := page.Edges[len(page.Edges)-1].Node.Version; got != 3 {
		t.Fatalf("oldest kept revision is version %d, want 3 (1 and 2 pruned)", got)
	}
}
