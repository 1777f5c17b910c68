package e2e

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/folio/folio/test/e2e/client"
)

// account is a person signed up for a test.
type account struct {
	email, password, handle string
	accessToken             string
}

// signUp creates a fresh account through the API as a person does: signUp,
// then the link of the verification mail (development serves the last
// mails at /dev/mail), whose verifyEmail signs in. It returns the account
// verified and signed in.
func signUp(t *testing.T) account {
	t.Helper()
	var b [5]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	a := account{email: "e2e-" + id + "@example.com", password: "e2e-password-" + id, handle: "e2e_" + id}
	res, err := client.SignUp(testContext(t), newClient(nil), a.email, a.password, a.handle, "E2E "+id)
	if err != nil {
		t.Fatal(err)
	}
	if res.SignUp == nil || res.SignUp.Email == nil || *res.SignUp.Email != a.email || len(res.SignUp.UserErrors) > 0 {
		t.Fatalf("signUp: got %+v, want the address back", res.SignUp)
	}
	v, err := client.VerifyEmail(testContext(t), newClient(nil), mailedToken(t, a.email))
	if err != nil {
		t.Fatal(err)
	}
	if v.VerifyEmail == nil || v.VerifyEmail.Session == nil || !*v.VerifyEmail.Session.User.EmailVerified {
		t.Fatalf("verifyEmail: got %+v, want a verified session", v.VerifyEmail)
	}
	a.accessToken = v.VerifyEmail.Session.AccessToken
	return a
}

// mailedToken waits for the verification mail to email on the development
// server's /dev/mail page, which the mail job fills once it has run, and
// returns its link's token.
func mailedToken(t *testing.T, email string) string {
	t.Helper()
	link := regexp.MustCompile(`to ` + regexp.QuoteMeta(email) + ` at [^<]*</p>\s*<pre>[^<]*?/verify-email\?token=([A-Za-z0-9_-]+)`)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		res, err := http.Get(baseURL + "/dev/mail")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if m := link.FindSubmatch(page); m != nil {
			return string(m[1])
		}
	}
	t.Fatalf("no verification mail to %s at /dev/mail within 20 s", email)
	return ""
}

func bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

func TestSignIn(t *testing.T) {
	ctx := testContext(t)
	a := signUp(t)

	t.Run("OK", func(t *testing.T) {
		res, err := client.SignIn(ctx, newClient(nil), a.email, a.password)
		if err != nil {
			t.Fatal(err)
		}
		s := res.SignIn.Session
		if s == nil || s.AccessToken == "" || s.RefreshToken == "" || s.User.Handle != a.handle {
			t.Fatalf("got %+v, want a session for %s", res.SignIn, a.handle)
		}
		if !s.AccessTokenExpiresAt.After(time.Now()) || !s.RefreshTokenExpiresAt.After(s.AccessTokenExpiresAt) {
			t.Errorf("access token expires %v, refresh token %v: want the refresh token to outlive the access token",
				s.AccessTokenExpiresAt, s.RefreshTokenExpiresAt)
		}
		me, err := client.Viewer(ctx, newClient(bearer(s.AccessToken)))
		if err != nil || me.Viewer == nil || me.Viewer.Handle != a.handle {
			t.Errorf("viewer with the new token: got %+v, %v; want %s", me, err, a.handle)
		}
	})
	t.Run("DemoAccount", func(t *testing.T) {
		// The development seed's reader, as the playground's SignIn tab uses it.
		res, err := client.SignIn(ctx, newClient(nil), "reader@demo.folio.example", "folio-demo-password")
		if err != nil {
			t.Fatal(err)
		}
		if s := res.SignIn.Session; s == nil || s.User.Role != client.RoleReader {
			t.Errorf("got %+v, want a READER's session", res.SignIn)
		}
	})
	t.Run("WrongPassword", func(t *testing.T) {
		res, err := client.SignIn(ctx, newClient(nil), a.email, a.password+"-not")
		if err != nil {
			t.Fatal(err)
		}
		if res.SignIn.Session != nil || len(res.SignIn.UserErrors) != 1 || res.SignIn.UserErrors[0].Code != client.UserErrorCodeInvalidCredentials {
			t.Errorf("got %+v, want no session and one INVALID_CREDENTIALS user error", res.SignIn)
		}
	})
	t.Run("Anonymous", func(t *testing.T) {
		me, err := client.Viewer(ctx, newClient(nil))
		if err != nil || me.Viewer != nil {
			t.Errorf("got %+v, %v; want a null viewer", me.Viewer, err)
		}
	})
	t.Run("BadToken", func(t *testing.T) {
		// Refused, never served as anonymous…
		_, err := client.Viewer(ctx, newClient(bearer("not-a-token")))
		if code, _ := errorCode(t, err); code != "UNAUTHENTICATED" {
			t.Errorf("viewer with a bad token: got code %q, want UNAUTHENTICATED", code)
		}
		// …but a client holding an expired token can still sign in again.
		res, err := client.SignIn(ctx, newClient(bearer("not-a-token")), a.email, a.password)
		if err != nil || res.SignIn.Session == nil {
			t.Errorf("signIn with a bad token: got %+v, %v; want a session", res, err)
		}
	})
	t.Run("APIKey", func(t *testing.T) {
		res, err := client.CreateApiKey(ctx, newClient(bearer(a.accessToken)), "e2e build")
		if err != nil {
			t.Fatal(err)
		}
		k := res.CreateApiKey
		if k == nil || k.Secret == nil || k.ApiKey == nil || len(k.UserErrors) > 0 {
			t.Fatalf("got %+v, want a key and its secret", k)
		}
		me, err := client.Viewer(ctx, newClient(http.Header{"X-API-Key": {*k.Secret}}))
		if err != nil || me.Viewer == nil || me.Viewer.Handle != a.handle {
			t.Errorf("viewer with the API key: got %+v, %v; want %s", me, err, a.handle)
		}
	})
}

func TestAddComment(t *testing.T) {
	ctx := testContext(t)
	a := signUp(t)
	feed, err := client.HomeFeed(ctx, newClient(nil), ptr(1), nil)
	if err != nil {
		t.Fatal(err)
	}
	article := feed.Articles.Edges[0].Node
	c := newClient(bearer(a.accessToken))

	t.Run("OK", func(t *testing.T) {
		res, err := client.AddComment(ctx, c, article.Id, nil, "Clear and useful, thanks.")
		if err != nil {
			t.Fatal(err)
		}
		cm := res.AddComment.Comment
		if cm == nil || len(res.AddComment.UserErrors) > 0 || cm.Body == nil || *cm.Body != "Clear and useful, thanks." || cm.Author == nil || cm.Author.Handle != a.handle {
			t.Fatalf("got %+v, want the comment by %s", res.AddComment, a.handle)
		}
		// It is on the article, for anyone to read.
		n, err := client.Node(ctx, newClient(nil), cm.Id)
		got, ok := deref(n.Node).(*client.NodeNodeComment)
		if err != nil || !ok || got.Article.Slug != article.Slug {
			t.Fatalf("node(%s): got %#v, %v; want the comment on %s", cm.Id, n.Node, err, article.Slug)
		}

		t.Run("Reply", func(t *testing.T) {
			res, err := client.AddComment(ctx, c, article.Id, &cm.Id, "And a follow-up.")
			if err != nil || res.AddComment.Comment == nil {
				t.Fatalf("got %+v, %v; want the reply", res, err)
			}
		})
	})
	t.Run("Anonymous", func(t *testing.T) {
		_, err := client.AddComment(ctx, newClient(nil), article.Id, nil, "Who am I?")
		var list gqlerror.List
		if !errors.As(err, &list) {
			t.Fatalf("got %v, want a GraphQL error", err)
		}
		if code, _ := errorCode(t, err); code != "UNAUTHENTICATED" {
			t.Errorf("got code %q, want UNAUTHENTICATED", code)
		}
	})
	t.Run("EmptyBody", func(t *testing.T) {
		res, err := client.AddComment(ctx, c, article.Id, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		ue := res.AddComment.UserErrors
		if res.AddComment.Comment != nil || len(ue) != 1 || ue[0].Code != client.UserErrorCodeInvalid || ue[0].Field == nil || *ue[0].Field != "body" {
			t.Errorf("got %+v, want no comment and INVALID on body", res.AddComment)
		}
	})
}
