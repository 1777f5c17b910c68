package mutations_test

import (
	"strings"
	"testing"

	"github.com/folio/folio/graph/graphtest"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/redistest"
)

const articlePage = `query($s: String!) { article(slug: $s) {
  id title body status publishedAt readingMinutes
  author { handle displayName avatarUrl }
  category { slug name }
  tags { slug name }
  commentCount
  reactionCounts { like love insightful celebrate total }
  comments(first: 10) { totalCount nodes { body createdAt author { handle displayName } replies(first: 5) { nodes { body author { handle } } } } }
} }`

// TestCache_ArticlePage: a warm article page costs fewer statements than a
// cold one: the article, its author, category and tags come from Redis;
// counts and the pages of comments (with their authors) are not lookups and
// still run.
func TestCache_ArticlePage(t *testing.T) {
	a, b := newCachedPair(t)
	author, editor, reader := a.signUp(t, folio.RoleAuthor), a.signUp(t, folio.RoleEditor), a.signUp(t, folio.RoleReader)
	tag := fixture(t).Tag("warm-"+graphtest.RandomHex(3), "Warm")
	cat := fixture(t).Category("warm-"+graphtest.RandomHex(3), "Warm")
	out, _ := a.create(t, author.h(), map[string]any{"title": "Warm page", "body": "b", "categoryId": gid("Category", cat.ID), "tagIds": []string{gid("Tag", tag.ID)}})
	a.setStatus(t, editor.h(), "publishArticle", out.Article.ID)
	c, _ := a.comment(t, &reader, "addComment", map[string]any{"articleId": out.Article.ID, "body": "hello"})
	a.comment(t, &author, "addComment", map[string]any{"articleId": out.Article.ID, "parentId": c.Comment.ID, "body": "hi"})

	vars := map[string]any{"s": out.Article.Slug}
	redistest.Flush(a.rdb, a.cache.Prefix()) // a cold cache
	cold := a.OK(t, nil, articlePage, vars, nil)
	warm := b.OK(t, nil, articlePage, vars, nil)
	if string(cold.Data) != string(warm.Data) {
		t.Fatalf("warm page differs from cold:\n%s\n%s", cold.Data, warm.Data)
	}
	// Cold: the article, its author, category and tags, its stats (comment
	// and reaction counts, one statement), and the comments page with its
	// total, its authors and each comment's replies with theirs (one
	// statement). Warm: the stats, and the comments with their replies.
	if cold.Statements != 6 || warm.Statements != 2 {
		t.Fatalf("statements: cold %d, warm %d; want 6 and 2", cold.Statements, warm.Statements)
	}
}

// TestCache_WritesInvalidate: after each write through one instance, the
// other instance, warm with the old state, reads the new state at once.
func TestCache_WritesInvalidate(t *testing.T) {
	a, b := newCachedPair(t)
	author, editor, admin := a.signUp(t, folio.RoleAuthor), a.signUp(t, folio.RoleEditor), a.signUp(t, folio.RoleAdmin)
	bySlug := `query($s: String!) { article(slug: $s) { slug title status tags { slug } author { displayName } } }`
	read := func(t *testing.T, h map[string][]string, slug string) string {
		t.Helper()
		return b.OK(t, h, bySlug, map[string]any{"s": slug}, nil).Raw
	}
	art := a.mustCreate(t, author, "Cached title")
	read(t, editor.h(), art.Slug) // warm

	t.Run("updateArticle", func(t *testing.T) {
		a.update(t, editor.h(), map[string]any{"id": art.ID, "expectedVersion": 1, "title": "New title", "tagIds": []string{gid("Tag", fixture(t).Tag("new-"+graphtest.RandomHex(3), "New").ID)}})
		if got := read(t, editor.h(), art.Slug); !strings.Contains(got, `"title":"New title"`) || !strings.Contains(got, `"tags":[{"slug":"new-`) {
			t.Fatalf("B read %s", got)
		}
	})
	t.Run("updateArticle slug", func(t *testing.T) {
		newSlug := "moved-" + graphtest.RandomHex(3)
		read(t, editor.h(), newSlug) // cached as missing
		a.update(t, editor.h(), map[string]any{"id": art.ID, "expectedVersion": 2, "slug": newSlug})
		// The old slug is remembered: it finds the article under its new
		// slug, for a frontend to redirect.
		if got := read(t, editor.h(), art.Slug); !strings.Contains(got, `"slug":"`+newSlug+`"`) {
			t.Fatalf("old slug on B = %s, want the article with slug %s", got, newSlug)
		}
		if got := read(t, editor.h(), newSlug); !strings.Contains(got, `"title":"New title"`) {
			t.Fatalf("new slug on B: %s", got)
		}
		art.Slug = newSlug
	})
	t.Run("publishArticle", func(t *testing.T) {
		if got := read(t, nil, art.Slug); !strings.Contains(got, `"article":null`) {
			t.Fatalf("draft visible: %s", got)
		}
		a.setStatus(t, editor.h(), "publishArticle", art.ID)
		if got := read(t, nil, art.Slug); !strings.Contains(got, `"status":"PUBLISHED"`) {
			t.Fatalf("published article on B: %s", got)
		}
	})
	t.Run("archiveArticle", func(t *testing.T) {
		a.setStatus(t, editor.h(), "archiveArticle", art.ID)
		if got := read(t, nil, art.Slug); !strings.Contains(got, `"article":null`) {
			t.Fatalf("archived article on B: %s", got)
		}
	})
	t.Run("updateProfile", func(t *testing.T) {
		a.OK(t, author.h(), `mutation { updateProfile(input: {displayName: "Renamed Author"}) { user { displayName } } }`, nil, nil)
		if got := read(t, editor.h(), art.Slug); !strings.Contains(got, `"displayName":"Renamed Author"`) {
			t.Fatalf("B read %s", got)
		}
	})
	t.Run("deleteArticle", func(t *testing.T) {
		a.OK(t, editor.h(), `mutation($id: ID!) { deleteArticle(input: {id: $id}) { deletedArticleId } }`, map[string]any{"id": art.ID}, nil)
		if got := read(t, editor.h(), art.Slug); !strings.Contains(got, `"article":null`) {
			t.Fatalf("deleted article on B: %s", got)
		}
	})
	t.Run("setUserRole", func(t *testing.T) {
		p := a.signUp(t, folio.RoleReader)
		if r := b.Do(t, p.h(), createArticle, map[string]any{"in": map[string]any{"title": "t", "body": "b"}}); r.Code() != "FORBIDDEN" {
			t.Fatalf("reader could write on B: %s", r.Raw)
		}
		a.OK(t, admin.h(), `mutation($id: ID!) { setUserRole(input: {userId: $id, role: AUTHOR}) { user { role } } }`, map[string]any{"id": p.id}, nil)
		if out, r := b.create(t, p.h(), map[string]any{"title": "Promoted on B", "body": "b"}); out.Article == nil {
			t.Fatalf("the new role did not reach B: %s", r.Raw)
		}
	})
	t.Run("signUp of a handle cached as missing", func(t *testing.T) {
		handle := "newcomer_" + graphtest.RandomHex(3)
		q := `query($h: String!) { user(handle: $h) { handle } }`
		if got := b.OK(t, nil, q, map[string]any{"h": handle}, nil).Raw; !strings.Contains(got, `"user":null`) {
			t.Fatal(got)
		}
		a.OK(t, nil, signUpMutation, map[string]any{"in": map[string]any{"email": handle + "@example.com", "password": "long enough password", "handle": handle, "displayName": "N"}}, nil)
		if got := b.OK(t, nil, q, map[string]any{"h": handle}, nil).Raw; !strings.Contains(got, handle) {
			t.Fatalf("B still says no such user: %s", got)
		}
	})
	t.Run("verifyEmail", func(t *testing.T) {
		pub := a.mustCreate(t, author, "Reacted to "+graphtest.RandomHex(3))
		a.setStatus(t, editor.h(), "publishArticle", pub.ID)
		handle := "verifier_" + graphtest.RandomHex(3)
		email, pw := handle+"@example.com", "long enough password"
		a.OK(t, nil, signUpMutation, map[string]any{"in": map[string]any{"email": email, "password": pw, "handle": handle, "displayName": "V"}}, nil)
		in, _ := b.signIn(t, email, pw)
		if in.SignIn == nil || in.SignIn.Session == nil {
			t.Fatalf("sign in on B: %+v", in.SignIn)
		}
		h := graphtest.Bearer(in.SignIn.Session.AccessToken)
		const react = `mutation($a: ID!) { addReaction(input: {articleId: $a, kind: LIKE}) { article { id } } }`
		// B caches the unverified user on this request.
		wantCode(t, b.Do(t, h, react, map[string]any{"a": pub.ID}), "EMAIL_NOT_VERIFIED")
		a.OK(t, nil, `mutation($t: String!) { verifyEmail(input: {token: $t}) { session { accessToken } } }`,
			map[string]any{"t": graphtest.VerificationToken(t, testDB, a.keys, email)}, nil)
		b.OK(t, h, react, map[string]any{"a": pub.ID}, nil)
	})
}
