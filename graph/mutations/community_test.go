package mutations_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/folio/folio/graph/graphtest"
	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/newsletter"
)

type commentPayload struct {
	Comment *struct {
		ID      string  `json:"id"`
		Body    *string `json:"body"`
		Deleted bool    `json:"deleted"`
		Parent  *struct {
			ID string `json:"id"`
		} `json:"parent"`
	} `json:"comment"`
	UserErrors []userError `json:"userErrors"`
}

func (e *env) comment(t *testing.T, p *person, op string, in map[string]any) (commentPayload, graphtest.Response) {
	t.Helper()
	var out map[string]*commentPayload
	h := map[string][]string(nil)
	if p != nil {
		h = p.h()
	}
	r := e.Do(t, h, `mutation($in: `+strings.ToUpper(op[:1])+op[1:]+`Input!) { `+op+`(input: $in) { comment { id body deleted parent { id } } userErrors { field message code } } }`, map[string]any{"in": in})
	if r.Data != nil {
		r.Decode(t, &out)
	}
	if out[op] == nil {
		return commentPayload{}, r
	}
	return *out[op], r
}

func TestComments(t *testing.T) {
	e := newEnv(t)
	author, editor := e.signUp(t, folio.RoleAuthor), e.signUp(t, folio.RoleEditor)
	reader, other := e.signUp(t, folio.RoleReader), e.signUp(t, folio.RoleReader)
	article := e.mustCreate(t, author, "Discussed")
	e.setStatus(t, editor.h(), "publishArticle", article.ID)
	second := e.mustCreate(t, author, "Also discussed")
	e.setStatus(t, editor.h(), "publishArticle", second.ID)
	draft := e.mustCreate(t, author, "Not yet")

	top, _ := e.comment(t, &reader, "addComment", map[string]any{"articleId": article.ID, "body": "  First!  "})
	if top.Comment == nil || *top.Comment.Body != "First!" || top.Comment.Parent != nil {
		t.Fatalf("comment %+v", top)
	}
	t.Run("Reply", func(t *testing.T) {
		reply, _ := e.comment(t, &other, "addComment", map[string]any{"articleId": article.ID, "parentId": top.Comment.ID, "body": "Second."})
		if reply.Comment == nil || reply.Comment.Parent == nil || reply.Comment.Parent.ID != top.Comment.ID {
			t.Fatalf("reply %+v", reply)
		}
		r := e.OK(t, nil, `query($s: String!) { article(slug: $s) { commentCount comments(first: 5) { nodes { body replies(first: 5) { nodes { body } } } } } }`, map[string]any{"s": article.Slug}, nil)
		if !strings.Contains(r.Raw, `"commentCount":2`) || !strings.Contains(r.Raw, `"replies":{"nodes":[{"body":"Second."}]}`) {
			t.Fatalf("thread %s", r.Raw)
		}
	})
	t.Run("Reply across articles", func(t *testing.T) {
		out, _ := e.comment(t, &reader, "addComment", map[string]any{"articleId": second.ID, "parentId": top.Comment.ID, "body": "x"})
		wantUserErrors(t, out.UserErrors, "parentId:NOT_FOUND")
	})
	t.Run("Draft is not found", func(t *testing.T) {
		_, r := e.comment(t, &reader, "addComment", map[string]any{"articleId": draft.ID, "body": "x"})
		wantCode(t, r, "NOT_FOUND")
		// Its author sees it, but drafts take no comments.
		out, _ := e.comment(t, &author, "addComment", map[string]any{"articleId": draft.ID, "body": "x"})
		wantUserErrors(t, out.UserErrors, "articleId:INVALID")
	})
	t.Run("Validation", func(t *testing.T) {
		out, _ := e.comment(t, &reader, "addComment", map[string]any{"articleId": article.ID, "body": "   "})
		wantUserErrors(t, out.UserErrors, "body:INVALID")
		out, _ = e.comment(t, &reader, "addComment", map[string]any{"articleId": article.ID, "body": strings.Repeat("é", folio.MaxCommentLength+1)})
		wantUserErrors(t, out.UserErrors, "body:INVALID")
	})
	t.Run("Anonymous", func(t *testing.T) {
		_, r := e.comment(t, nil, "addComment", map[string]any{"articleId": article.ID, "body": "x"})
		wantCode(t, r, "UNAUTHENTICATED")
	})
	t.Run("Edit own, not others'", func(t *testing.T) {
		out, _ := e.comment(t, &reader, "editComment", map[string]any{"id": top.Comment.ID, "body": "First (edited)"})
		if out.Comment == nil || *out.Comment.Body != "First (edited)" {
			t.Fatalf("edit %+v", out)
		}
		_, r := e.comment(t, &other, "editComment", map[string]any{"id": top.Comment.ID, "body": "hijack"})
		wantCode(t, r, "FORBIDDEN")
		// Editors moderate, they do not put words in people's mouths.
		_, r = e.comment(t, &editor, "editComment", map[string]any{"id": top.Comment.ID, "body": "hijack"})
		wantCode(t, r, "FORBIDDEN")
	})
	t.Run("Delete keeps the thread's shape", func(t *testing.T) {
		_, r := e.comment(t, &other, "deleteComment", map[string]any{"id": top.Comment.ID})
		wantCode(t, r, "FORBIDDEN")
		out, _ := e.comment(t, &reader, "deleteComment", map[string]any{"id": top.Comment.ID})
		if out.Comment == nil || !out.Comment.Deleted || out.Comment.Body != nil {
			t.Fatalf("delete %+v", out)
		}
		r = e.OK(t, nil, `query($s: String!) { article(slug: $s) { commentCount comments(first: 5) { totalCount nodes { deleted body replies(first: 5) { totalCount } } } } }`, map[string]any{"s": article.Slug}, nil)
		if !strings.Contains(r.Raw, `"commentCount":1`) || !strings.Contains(r.Raw, `{"deleted":true,"body":null,"replies":{"totalCount":1}}`) {
			t.Fatalf("thread after delete %s", r.Raw)
		}
		edit, _ := e.comment(t, &reader, "editComment", map[string]any{"id": top.Comment.ID, "body": "back"})
		wantUserErrors(t, edit.UserErrors, "id:INVALID")
		reply, _ := e.comment(t, &other, "addComment", map[string]any{"articleId": article.ID, "parentId": top.Comment.ID, "body": "x"})
		wantUserErrors(t, reply.UserErrors, "parentId:INVALID")
	})
	t.Run("Editors moderate", func(t *testing.T) {
		c, _ := e.comment(t, &other, "addComment", map[string]any{"articleId": second.ID, "body": "spam"})
		out, _ := e.comment(t, &editor, "deleteComment", map[string]any{"id": c.Comment.ID})
		if out.Comment == nil || !out.Comment.Deleted {
			t.Fatalf("moderation %+v", out)
		}
	})
}

func TestReactions(t *testing.T) {
	e := newEnv(t)
	author, editor, reader := e.signUp(t, folio.RoleAuthor), e.signUp(t, folio.RoleEditor), e.signUp(t, folio.RoleReader)
	a := e.mustCreate(t, author, "Reactable")
	const add = `mutation($id: ID!, $k: ReactionKind!) { addReaction(input: {articleId: $id, kind: $k}) { article { reactionCounts { like love total } } userErrors { field code message } } }`
	const remove = `mutation($id: ID!, $k: ReactionKind!) { removeReaction(input: {articleId: $id, kind: $k}) { article { reactionCounts { like love total } } userErrors { field code message } } }`
	t.Run("Draft takes none", func(t *testing.T) {
		wantCode(t, e.Do(t, reader.h(), add, map[string]any{"id": a.ID, "k": "LIKE"}), "NOT_FOUND")
	})
	e.setStatus(t, editor.h(), "publishArticle", a.ID)
	t.Run("Idempotent", func(t *testing.T) {
		e.OK(t, reader.h(), add, map[string]any{"id": a.ID, "k": "LIKE"}, nil)
		r := e.OK(t, reader.h(), add, map[string]any{"id": a.ID, "k": "LIKE"}, nil)
		if !strings.Contains(r.Raw, `"like":1,"love":0,"total":1`) {
			t.Fatalf("after adding twice %s", r.Raw)
		}
		r = e.OK(t, author.h(), add, map[string]any{"id": a.ID, "k": "LOVE"}, nil)
		if !strings.Contains(r.Raw, `"like":1,"love":1,"total":2`) {
			t.Fatalf("after a second person %s", r.Raw)
		}
		e.OK(t, reader.h(), remove, map[string]any{"id": a.ID, "k": "LIKE"}, nil)
		r = e.OK(t, reader.h(), remove, map[string]any{"id": a.ID, "k": "LIKE"}, nil)
		if !strings.Contains(r.Raw, `"like":0,"love":1,"total":1`) {
			t.Fatalf("after removing twice %s", r.Raw)
		}
	})
	t.Run("Anonymous and bad input", func(t *testing.T) {
		wantCode(t, e.Do(t, nil, add, map[string]any{"id": a.ID, "k": "LIKE"}), "UNAUTHENTICATED")
		wantCode(t, e.Do(t, reader.h(), add, map[string]any{"id": a.ID, "k": "HATE"}), "BAD_USER_INPUT")
	})
}

func TestProfileAndRoles(t *testing.T) {
	e := newEnv(t)
	reader, admin := e.signUp(t, folio.RoleReader), e.signUp(t, folio.RoleAdmin)
	const update = `mutation($in: UpdateProfileInput!) { updateProfile(input: $in) { user { displayName bio avatarUrl } userErrors { field code message } } }`
	t.Run("Profile", func(t *testing.T) {
		r := e.OK(t, reader.h(), update, map[string]any{"in": map[string]any{"displayName": " New Name ", "bio": "Hi", "avatarUrl": "https://example.com/a.png"}}, nil)
		if !strings.Contains(r.Raw, `{"displayName":"New Name","bio":"Hi","avatarUrl":"https://example.com/a.png"}`) {
			t.Fatalf("profile %s", r.Raw)
		}
		r = e.OK(t, reader.h(), update, map[string]any{"in": map[string]any{"avatarUrl": nil}}, nil)
		if !strings.Contains(r.Raw, `"displayName":"New Name","bio":"Hi","avatarUrl":null`) {
			t.Fatalf("removing the avatar %s", r.Raw)
		}
		var out struct {
			UpdateProfile struct {
				UserErrors []userError `json:"userErrors"`
			} `json:"updateProfile"`
		}
		e.OK(t, reader.h(), update, map[string]any{"in": map[string]any{"displayName": "", "bio": strings.Repeat("b", 2001), "avatarUrl": "javascript:alert(1)"}}, &out)
		wantUserErrors(t, out.UpdateProfile.UserErrors, "displayName:INVALID", "bio:INVALID", "avatarUrl:INVALID")
		wantCode(t, e.Do(t, nil, update, map[string]any{"in": map[string]any{"bio": "x"}}), "UNAUTHENTICATED")
	})
	const setRole = `mutation($id: ID!, $r: Role!) { setUserRole(input: {userId: $id, role: $r}) { user { role email } userErrors { field code message } } }`
	t.Run("Admin sets roles", func(t *testing.T) {
		r := e.OK(t, admin.h(), setRole, map[string]any{"id": reader.id, "r": "AUTHOR"}, nil)
		if !strings.Contains(r.Raw, `"role":"AUTHOR","email":"`+reader.email) {
			t.Fatalf("set role %s", r.Raw)
		}
		// The new role applies to the reader's existing token at once.
		if _, r := e.create(t, reader.h(), map[string]any{"title": "Promoted", "body": "b"}); r.Code() != "" {
			t.Fatalf("promoted author cannot write: %s", r.Raw)
		}
	})
	t.Run("Not your own role", func(t *testing.T) {
		var out struct {
			SetUserRole struct {
				UserErrors []userError `json:"userErrors"`
			} `json:"setUserRole"`
		}
		e.OK(t, admin.h(), setRole, map[string]any{"id": admin.id, "r": "READER"}, &out)
		wantUserErrors(t, out.SetUserRole.UserErrors, "userId:INVALID")
	})
	t.Run("Non-admins", func(t *testing.T) {
		wantCode(t, e.Do(t, e.signUp(t, folio.RoleReader).h(), setRole, map[string]any{"id": admin.id, "r": "READER"}), "FORBIDDEN")
		wantCode(t, e.Do(t, e.signUp(t, folio.RoleEditor).h(), setRole, map[string]any{"id": reader.id, "r": "ADMIN"}), "FORBIDDEN")
		wantCode(t, e.Do(t, nil, setRole, map[string]any{"id": reader.id, "r": "ADMIN"}), "UNAUTHENTICATED")
	})
	t.Run("Two admins demoting each other leave one", func(t *testing.T) {
		x, y := e.signUp(t, folio.RoleAdmin), e.signUp(t, folio.RoleAdmin)
		var wg sync.WaitGroup
		var codes [2]string
		for i, pair := range [][2]person{{x, y}, {y, x}} {
			wg.Go(func() {
				r := e.Do(t, pair[0].h(), setRole, map[string]any{"id": pair[1].id, "r": "READER"})
				codes[i] = r.Code()
			})
		}
		wg.Wait()
		var n int
		_ = testDB.Pool.QueryRow(t.Context(), `SELECT count(*) FROM users WHERE id = ANY($1) AND role = 'admin'`, []int64{x.user.ID, y.user.ID}).Scan(&n)
		if n != 1 || codes[0] == codes[1] {
			t.Fatalf("%d of the two are admins; codes %q", n, codes)
		}
	})
	t.Run("Emails are private", func(t *testing.T) {
		q := `query($h: String!) { user(handle: $h) { email } }`
		if r := e.OK(t, e.signUp(t, folio.RoleReader).h(), q, map[string]any{"h": admin.user.Handle}, nil); !strings.Contains(r.Raw, `"email":null`) {
			t.Fatalf("another user's email leaked: %s", r.Raw)
		}
		if r := e.OK(t, admin.h(), q, map[string]any{"h": reader.user.Handle}, nil); !strings.Contains(r.Raw, reader.email) {
			t.Fatalf("admin cannot see email: %s", r.Raw)
		}
	})
}

func TestNewsletter(t *testing.T) {
	e := newEnv(t)
	email := "news-" + graphtest.RandomHex(4) + "@Example.COM"
	const sub = `mutation($e: String!) { subscribeNewsletter(input: {email: $e}) { email userErrors { field code message } } }`
	const confirm = `mutation($t: String!) { confirmNewsletter(input: {token: $t}) { email userErrors { field code message } } }`
	const unsub = `mutation($t: String!) { unsubscribeNewsletter(input: {token: $t}) { ok userErrors { field code message } } }`
	r := e.OK(t, nil, sub, map[string]any{"e": email}, nil)
	normalized := strings.ToLower(email[strings.Index(email, "@"):])
	if !strings.Contains(r.Raw, normalized) {
		t.Fatalf("subscribe %s", r.Raw)
	}
	var ref, payload, status string
	if err := testDB.Pool.QueryRow(t.Context(), `SELECT o.payload->>'ref', o.payload::text, s.status FROM email_outbox o JOIN newsletter_subscriptions s ON s.email = o.recipient
WHERE o.recipient = $1 AND o.kind = 'newsletter_confirm' ORDER BY o.id DESC LIMIT 1`, email).Scan(&ref, &payload, &status); err != nil {
		t.Fatalf("no confirmation mail queued: %v", err)
	}
	if status != "pending" {
		t.Fatalf("status %q before confirmation", status)
	}
	// The mail job makes the token from the row's reference with the
	// server's keys; the row never holds the token itself.
	token, err := e.keys.MailTokens(auth.PurposeNewsletterConfirm).Token(ref)
	if err != nil || strings.Contains(payload, token) {
		t.Fatalf("token of %s: %v (payload %s)", ref, err, payload)
	}
	t.Run("Confirm once", func(t *testing.T) {
		r := e.OK(t, nil, confirm, map[string]any{"t": token}, nil)
		if !strings.Contains(strings.ToLower(r.Raw), strings.ToLower(email)) {
			t.Fatalf("confirm %s", r.Raw)
		}
		r = e.OK(t, nil, confirm, map[string]any{"t": token}, nil)
		if !strings.Contains(r.Raw, `"field":"token","code":"INVALID"`) {
			t.Fatalf("second confirm %s", r.Raw)
		}
	})
	t.Run("Resubscribing a confirmed address sends nothing and says nothing", func(t *testing.T) {
		r := e.OK(t, nil, sub, map[string]any{"e": email}, nil)
		var mails int
		_ = testDB.Pool.QueryRow(t.Context(), `SELECT count(*) FROM email_outbox WHERE recipient = $1`, email).Scan(&mails)
		if mails != 1 || !strings.Contains(r.Raw, `"userErrors":[]`) {
			t.Fatalf("%d mails, response %s", mails, r.Raw)
		}
	})
	t.Run("Unsubscribe by signed link only", func(t *testing.T) {
		stored := strings.ToLower(email)
		// An address alone, or a link signed with another key, does nothing.
		forged := newsletter.Links{Keys: auth.MustGenerateKeys().Derive(auth.PurposeUnsubscribe)}.UnsubscribeToken(stored)
		for _, token := range []string{stored, forged} {
			r := e.OK(t, nil, unsub, map[string]any{"t": token}, nil)
			if !strings.Contains(r.Raw, `"ok":false,"userErrors":[{"field":"token","code":"INVALID"`) {
				t.Fatalf("unsubscribe with %q: %s", token, r.Raw)
			}
		}
		var s string
		_ = testDB.Pool.QueryRow(t.Context(), `SELECT status FROM newsletter_subscriptions WHERE email = $1`, email).Scan(&s)
		if s != "confirmed" {
			t.Fatalf("status %q after forged unsubscribes, want confirmed", s)
		}
		// The link the mail carries works, for a known address and an
		// unknown one alike.
		known := e.OK(t, nil, unsub, map[string]any{"t": testLinks.UnsubscribeToken(stored)}, nil).Data
		unknown := e.OK(t, nil, unsub, map[string]any{"t": testLinks.UnsubscribeToken("nobody-" + graphtest.RandomHex(4) + "@example.com")}, nil).Data
		if string(known) != string(unknown) || !strings.Contains(string(known), `"ok":true`) {
			t.Fatalf("known %s, unknown %s", known, unknown)
		}
		_ = testDB.Pool.QueryRow(t.Context(), `SELECT status FROM newsletter_subscriptions WHERE email = $1`, email).Scan(&s)
		if s != "unsubscribed" {
			t.Fatalf("status %q after unsubscribing", s)
		}
	})
	t.Run("Invalid email", func(t *testing.T) {
		r := e.OK(t, nil, sub, map[string]any{"e": "Bob <bob@example.com>"}, nil)
		if !strings.Contains(r.Raw, `"email":null,"userErrors":[{"field":"email","code":"INVALID"`) {
			t.Fatalf("subscribe invalid %s", r.Raw)
		}
	})
}

// TestComments_PayloadBatches checks that a mutation's payload is read like
// a query, level by level: the statements it runs do not grow with the
// comments its article shows.
func TestComments_PayloadBatches(t *testing.T) {
	e := newEnv(t)
	author, editor := e.signUp(t, folio.RoleAuthor), e.signUp(t, folio.RoleEditor)
	const payload = `mutation($in: AddCommentInput!) { addComment(input: $in) {
	  comment { id article { comments(first: 20) { nodes { id author { handle } } } } }
	  userErrors { field message code } } }`
	statements := func(readers int) int64 {
		a := e.mustCreate(t, author, "Batched "+graphtest.RandomHex(3))
		e.setStatus(t, editor.h(), "publishArticle", a.ID)
		for range readers {
			r := e.signUp(t, folio.RoleReader)
			e.comment(t, &r, "addComment", map[string]any{"articleId": a.ID, "body": "Hello"})
		}
		r := e.Do(t, author.h(), payload, map[string]any{"in": map[string]any{"articleId": a.ID, "body": "Thanks"}})
		if len(r.Errors) > 0 {
			t.Fatalf("%+v", r.Errors)
		}
		return r.Statements
	}
	one, six := statements(1), statements(6)
	if one != six {
		t.Errorf("statements: %d with 2 commenters, %d with 7; want the same", one, six)
	}
}

// TestNewsletter_Throttle: subscribeNewsletter cannot mail-bomb an address.
// Past three requests for one address in the window, the answer is
// RATE_LIMITED with a retry time, and no further mail is queued.
func TestNewsletter_Throttle(t *testing.T) {
	e := newEnv(t)
	email := "bomb-" + graphtest.RandomHex(4) + "@example.com"
	const sub = `mutation($e: String!) { subscribeNewsletter(input: {email: $e}) { email userErrors { field code message } } }`
	for range 3 {
		e.OK(t, nil, sub, map[string]any{"e": email}, nil)
	}
	r := e.Do(t, nil, sub, map[string]any{"e": email})
	wantCode(t, r, "RATE_LIMITED")
	var mails int
	_ = testDB.Pool.QueryRow(t.Context(), `SELECT count(*) FROM email_outbox WHERE recipient = $1`, email).Scan(&mails)
	if mails != 3 {
		t.Errorf("%d mails queued for the address, want 3", mails)
	}
	// Another address from the same client still gets through.
	e.OK(t, nil, sub, map[string]any{"e": "other-" + graphtest.RandomHex(4) + "@example.com"}, nil)
}
