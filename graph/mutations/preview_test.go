package mutations_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/folio/folio/internal/folio"
)

const createPreviewToken = `mutation($in: CreatePreviewTokenInput!) { createPreviewToken(input: $in) {
  token previewToken { id version expiresAt revokedAt article { id } } userErrors { field message code } } }`

const revokePreviewToken = `mutation($in: RevokePreviewTokenInput!) { revokePreviewToken(input: $in) {
  previewToken { id revokedAt } userErrors { field message code } } }`

type previewPayload struct {
	Token        *string `json:"token"`
	PreviewToken *struct {
		ID        string  `json:"id"`
		Version   int     `json:"version"`
		RevokedAt *string `json:"revokedAt"`
		Article   struct {
			ID string `json:"id"`
		} `json:"article"`
	} `json:"previewToken"`
	UserErrors []userError `json:"userErrors"`
}

func (e *env) preview(t *testing.T, h http.Header, articleID string, extra ...any) previewPayload {
	t.Helper()
	in := map[string]any{"articleId": articleID}
	for i := 0; i+1 < len(extra); i += 2 {
		in[extra[i].(string)] = extra[i+1]
	}
	var out struct {
		CreatePreviewToken previewPayload `json:"createPreviewToken"`
	}
	e.OK(t, h, createPreviewToken, map[string]any{"in": in}, &out)
	return out.CreatePreviewToken
}

func (e *env) mustPreview(t *testing.T, h http.Header, articleID string) (token, id string) {
	t.Helper()
	p := e.preview(t, h, articleID)
	if p.Token == nil || p.PreviewToken == nil {
		t.Fatalf("createPreviewToken: %+v", p.UserErrors)
	}
	return *p.Token, p.PreviewToken.ID
}

func withPreview(h http.Header, token string) http.Header {
	out := http.Header{"Folio-Preview": {token}}
	for k, v := range h {
		out[k] = v
	}
	return out
}

const articleBySlug = `query($s: String!) { article(slug: $s) { id title status } }`

// readsDraft reports whether a request with h finds the article by slug
// and by ID, failing on an error.
func (e *env) readsDraft(t *testing.T, h http.Header, a *articleData) bool {
	t.Helper()
	var bySlug struct {
		Article *struct {
			Title string `json:"title"`
		} `json:"article"`
	}
	e.OK(t, h, articleBySlug, map[string]any{"s": a.Slug}, &bySlug)
	var byID struct {
		Node *struct {
			Title string `json:"title"`
		} `json:"node"`
	}
	e.OK(t, h, `query($id: ID!) { node(id: $id) { ... on Article { title } } }`, map[string]any{"id": a.ID}, &byID)
	if (bySlug.Article == nil) != (byID.Node == nil) {
		t.Fatalf("article(slug:) found %v, node(id:) found %v: want the same", bySlug.Article, byID.Node)
	}
	return bySlug.Article != nil && bySlug.Article.Title == a.Title
}

func TestPreviewToken(t *testing.T) {
	rc, _ := newResponseCachedPair(t)
	e := rc.env
	author, editor := e.signUp(t, folio.RoleAuthor), e.signUp(t, folio.RoleEditor)
	draft := e.mustCreate(t, author, "A draft for review")
	other := e.mustCreate(t, author, "Another draft")

	token, _ := e.mustPreview(t, author.h(), draft.ID)
	if !strings.HasPrefix(token, "fpv_") || len(token) < 40 {
		t.Fatalf("token %q, want fpv_ and at least 256 bits", token)
	}
	pv := withPreview(nil, token)

	t.Run("ReadsItsDraft", func(t *testing.T) {
		if e.readsDraft(t, nil, draft) {
			t.Fatal("an anonymous request without the token reads the draft")
		}
		for range 2 { // the second could be a response cache hit: it must not be
			if !e.readsDraft(t, pv, draft) {
				t.Fatal("the token does not read its draft")
			}
		}
		r := e.Do(t, pv, articleBySlug, map[string]any{"s": draft.Slug})
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") || strings.Contains(cc, "public") {
			t.Fatalf("POST with a preview token: Cache-Control %q, want private, no-store", cc)
		}
		g := e.Get(t, pv, url.Values{"query": {articleBySlug}, "variables": {`{"s":"` + draft.Slug + `"}`}})
		if cc := g.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") || strings.Contains(cc, "public") || !strings.Contains(g.Raw, draft.Title) {
			t.Fatalf("GET with a preview token: Cache-Control %q, body %s; want the draft, private", cc, g.Raw)
		}
		// And nothing of it leaked into the anonymous answers.
		if e.readsDraft(t, nil, draft) {
			t.Fatal("after preview reads, an anonymous request without the token reads the draft")
		}
		a := e.Get(t, nil, url.Values{"query": {articleBySlug}, "variables": {`{"s":"` + draft.Slug + `"}`}})
		if strings.Contains(a.Raw, draft.Title) {
			t.Fatalf("an anonymous GET got the draft: %s", a.Raw)
		}
	})
	t.Run("ReadsNothingElse", func(t *testing.T) {
		if e.readsDraft(t, pv, other) {
			t.Fatal("the token reads another draft")
		}
		var list struct {
			Articles struct {
				Nodes []struct {
					ID string `json:"id"`
				} `json:"nodes"`
			} `json:"articles"`
		}
		e.OK(t, pv, `{ articles(first: 100, orderBy: {field: CREATED_AT, direction: DESC}) { nodes { id } } }`, nil, &list)
		for _, n := range list.Articles.Nodes {
			if n.ID == draft.ID {
				t.Fatal("the draft shows in a list read with the token")
			}
		}
		var s struct {
			Node *struct {
				Revisions *struct{} `json:"revisions"`
			} `json:"node"`
		}
		e.OK(t, pv, `query($id: ID!) { node(id: $id) { ... on Article { revisions { totalCount } } } }`, map[string]any{"id": draft.ID}, &s)
		if s.Node == nil || s.Node.Revisions != nil {
			t.Fatalf("with the token, revisions = %+v; want the article, without revisions", s.Node)
		}
		// Writes are not widened: anonymous stays anonymous, and another
		// author still cannot find the draft to change it.
		wantCode(t, e.Do(t, pv, updateArticle, map[string]any{"in": map[string]any{"id": draft.ID, "expectedVersion": 1, "title": "Hijacked"}}), "UNAUTHENTICATED")
		stranger := e.signUp(t, folio.RoleAuthor)
		wantCode(t, e.Do(t, withPreview(stranger.h(), token), updateArticle, map[string]any{"in": map[string]any{"id": draft.ID, "expectedVersion": 1, "title": "Hijacked"}}), "NOT_FOUND")
	})
	t.Run("EndsWhenTheVersionChanges", func(t *testing.T) {
		a := e.mustCreate(t, author, "Edited after the link was made")
		tok, _ := e.mustPreview(t, editor.h(), a.ID)
		if !e.readsDraft(t, withPreview(nil, tok), a) {
			t.Fatal("the editor's token does not read the draft")
		}
		if u, r := e.update(t, author.h(), map[string]any{"id": a.ID, "expectedVersion": 1, "body": "New words."}); u.Article == nil {
			t.Fatalf("edit: %s", r.Raw)
		}
		wantCode(t, e.Do(t, withPreview(nil, tok), articleBySlug, map[string]any{"s": a.Slug}), "UNAUTHENTICATED")
	})
	t.Run("EndsOnRevocation", func(t *testing.T) {
		tok, id := e.mustPreview(t, author.h(), draft.ID)
		var out struct {
			RevokePreviewToken struct {
				PreviewToken *struct {
					RevokedAt *string `json:"revokedAt"`
				} `json:"previewToken"`
				UserErrors []userError `json:"userErrors"`
			} `json:"revokePreviewToken"`
		}
		// Only the article's author and editors revoke it.
		wantCode(t, e.Do(t, e.signUp(t, folio.RoleAuthor).h(), revokePreviewToken, map[string]any{"in": map[string]any{"id": id}}), "NOT_FOUND")
		e.OK(t, editor.h(), revokePreviewToken, map[string]any{"in": map[string]any{"id": id}}, &out)
		if p := out.RevokePreviewToken.PreviewToken; p == nil || p.RevokedAt == nil {
			t.Fatalf("revoke = %+v", out.RevokePreviewToken)
		}
		wantCode(t, e.Do(t, withPreview(nil, tok), articleBySlug, map[string]any{"s": draft.Slug}), "UNAUTHENTICATED")
		// The first token still works: revocation ends one token only.
		if !e.readsDraft(t, pv, draft) {
			t.Fatal("revoking one token ended another")
		}
	})
	t.Run("EndsOnExpiry", func(t *testing.T) {
		tok, id := e.mustPreview(t, author.h(), draft.ID)
		_, n, _ := folio.ParseNodeID(id)
		// The clock moves past the expiry (no waiting).
		if _, err := testDB.Pool.Exec(t.Context(), `UPDATE preview_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, n); err != nil {
			t.Fatal(err)
		}
		wantCode(t, e.Do(t, withPreview(nil, tok), articleBySlug, map[string]any{"s": draft.Slug}), "UNAUTHENTICATED")
	})
	t.Run("ForgedToken", func(t *testing.T) {
		for _, tok := range []string{"fpv_" + strings.Repeat("a", 52), "not-a-token", token + "x"} {
			wantCode(t, e.Do(t, withPreview(nil, tok), articleBySlug, map[string]any{"s": draft.Slug}), "UNAUTHENTICATED")
		}
	})
	t.Run("Refused", func(t *testing.T) {
		wantCode(t, e.Do(t, nil, createPreviewToken, map[string]any{"in": map[string]any{"articleId": draft.ID}}), "UNAUTHENTICATED")
		reader := e.signUp(t, folio.RoleReader)
		wantCode(t, e.Do(t, reader.h(), createPreviewToken, map[string]any{"in": map[string]any{"articleId": draft.ID}}), "FORBIDDEN")
		stranger := e.signUp(t, folio.RoleAuthor)
		wantCode(t, e.Do(t, stranger.h(), createPreviewToken, map[string]any{"in": map[string]any{"articleId": draft.ID}}), "NOT_FOUND")
		// Another author's published article: seen, but not theirs to preview.
		pub := e.mustCreate(t, author, "Out in the open")
		e.setStatus(t, editor.h(), "publishArticle", pub.ID)
		wantCode(t, e.Do(t, stranger.h(), createPreviewToken, map[string]any{"in": map[string]any{"articleId": pub.ID}}), "FORBIDDEN")
		wantUserErrors(t, e.preview(t, author.h(), draft.ID, "expiresIn", 10).UserErrors, "expiresIn:INVALID")
		wantUserErrors(t, e.preview(t, author.h(), draft.ID, "expiresIn", 31*24*3600).UserErrors, "expiresIn:INVALID")
	})
}
