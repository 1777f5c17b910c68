package mutations_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/folio/folio/graph/graphtest"
	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/redistest"
)

const viewerQuery = `{ viewer { id handle email role } }`

type viewerData struct {
	Viewer *struct {
		ID     string  `json:"id"`
		Handle string  `json:"handle"`
		Email  *string `json:"email"`
		Role   string  `json:"role"`
	} `json:"viewer"`
}

func TestSignUp(t *testing.T) {
	e := newEnv(t)
	t.Run("OK", func(t *testing.T) {
		p := e.signUp(t, folio.RoleReader)
		var v viewerData
		e.OK(t, p.h(), viewerQuery, nil, &v)
		if v.Viewer == nil || v.Viewer.ID != p.id || v.Viewer.Role != "READER" || v.Viewer.Email == nil || *v.Viewer.Email != p.email {
			t.Fatalf("viewer = %+v, want the new reader with their email", v.Viewer)
		}
	})
	t.Run("Anonymous viewer is null", func(t *testing.T) {
		var v viewerData
		e.OK(t, nil, viewerQuery, nil, &v)
		if v.Viewer != nil {
			t.Fatalf("viewer = %+v, want null", v.Viewer)
		}
	})
	t.Run("Invalid input names every field", func(t *testing.T) {
		var out struct {
			SignUp struct {
				Session    *sessionData `json:"session"`
				UserErrors []userError  `json:"userErrors"`
			} `json:"signUp"`
		}
		e.OK(t, nil, signUpMutation, map[string]any{"in": map[string]any{"email": "not-an-email", "password": "short", "handle": "a b", "displayName": "  "}}, &out)
		if out.SignUp.Session != nil {
			t.Fatal("got a session for invalid input")
		}
		wantUserErrors(t, out.SignUp.UserErrors, "email:INVALID", "handle:INVALID", "displayName:INVALID", "password:INVALID")
	})
	t.Run("Taken handle", func(t *testing.T) {
		p := e.signUp(t, folio.RoleReader)
		var out struct {
			SignUp struct {
				UserErrors []userError `json:"userErrors"`
			} `json:"signUp"`
		}
		// Handles are public, so a taken one is said, whether or not the
		// email is taken too: the answer never depends on the email.
		for _, email := range []string{"fresh" + graphtest.RandomHex(3) + "@example.com", p.email} {
			e.OK(t, nil, signUpMutation, map[string]any{"in": map[string]any{"email": email, "password": "long enough password", "handle": strings.ToUpper(p.user.Handle), "displayName": "X"}}, &out)
			wantUserErrors(t, out.SignUp.UserErrors, "handle:TAKEN")
		}
	})
}

// TestSignUp_NoEnumeration: signUp answers a taken address exactly as a
// free one, and mails the owner instead of saying so.
func TestSignUp_NoEnumeration(t *testing.T) {
	e := newEnv(t)
	p := e.signUp(t, folio.RoleReader)
	const q = `mutation($in: SignUpInput!) { signUp(input: $in) { session { accessToken } email userErrors { field message code } } }`
	answer := func(email, handle string) string {
		r := e.OK(t, nil, q, map[string]any{"in": map[string]any{"email": email, "password": "long enough password", "handle": handle, "displayName": "X"}}, nil)
		// The address is echoed, normalized: take it out to compare.
		return strings.ReplaceAll(string(r.Data), strings.ToLower(email), "EMAIL")
	}
	fresh := "fresh" + graphtest.RandomHex(3) + "@example.com"
	free, taken := answer(fresh, "fresh_"+graphtest.RandomHex(3)), answer(strings.ToLower(p.email), "squat_"+graphtest.RandomHex(3))
	if want := `{"signUp":{"session":null,"email":"EMAIL","userErrors":[]}}`; free != want || taken != want {
		t.Fatalf("free address: %s\ntaken address: %s\nwant both %s", free, taken, want)
	}
	mails := func(email, kind string) (n int) {
		t.Helper()
		if err := testDB.Pool.QueryRow(t.Context(), `SELECT count(*) FROM email_outbox WHERE recipient = $1 AND kind = $2`, email, kind).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := mails(p.email, "signup_attempt"); got != 1 {
		t.Errorf("%d notices to the owner of the taken address, want 1", got)
	}
	if got := mails(p.email, "verify_email"); got != 1 {
		t.Errorf("%d verification mails to the taken address, want only its first", got)
	}
	if got := mails(fresh, "verify_email"); got != 1 {
		t.Errorf("%d verification mails to the free address, want 1", got)
	}
	// The owner's account is untouched: the password given with the taken
	// address does not sign in.
	if out, _ := e.signIn(t, p.email, "long enough password"); out.SignIn == nil || out.SignIn.Session != nil {
		t.Errorf("the squatter's password signs in to the owner's account: %+v", out.SignIn)
	}
}

// TestSignUp_Squatted: signing up with someone else's address cannot keep
// them out: an account never verified holds the address for the life of its
// link; after that a new sign-up with the address replaces it.
func TestSignUp_Squatted(t *testing.T) {
	e := newEnv(t)
	email := "victim-" + graphtest.RandomHex(4) + "@example.com"
	up := func(handle, pw string) string {
		t.Helper()
		return string(e.OK(t, nil, signUpMutation, map[string]any{"in": map[string]any{"email": email, "password": pw, "handle": handle, "displayName": "X"}}, nil).Data)
	}
	squatter, victim := "squatter_"+graphtest.RandomHex(3), "victim_"+graphtest.RandomHex(3)
	want := up(squatter, "the squatter's password")
	handles := func() (hs []string) {
		t.Helper()
		rows, err := testDB.Pool.Query(t.Context(), `SELECT handle::text FROM users WHERE email = $1`, email)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var h string
			_ = rows.Scan(&h)
			hs = append(hs, h)
		}
		return hs
	}
	t.Run("Held while its link lives", func(t *testing.T) {
		if got := up(victim, "the victim's password"); got != want {
			t.Errorf("got %s, want %s", got, want)
		}
		if hs := handles(); len(hs) != 1 || hs[0] != squatter {
			t.Fatalf("accounts %v, want the squatter's alone", hs)
		}
	})
	t.Run("Replaced once it is stale", func(t *testing.T) {
		if _, err := testDB.Pool.Exec(t.Context(), `UPDATE users SET created_at = now() - interval '49 hours' WHERE email = $1`, email); err != nil {
			t.Fatal(err)
		}
		if got := up(victim, "the victim's password"); got != want {
			t.Errorf("got %s, want %s", got, want)
		}
		if hs := handles(); len(hs) != 1 || hs[0] != victim {
			t.Fatalf("accounts %v, want the victim's alone", hs)
		}
		if out, _ := e.signIn(t, email, "the squatter's password"); out.SignIn == nil || out.SignIn.Session != nil {
			t.Errorf("the squatter still signs in: %+v", out.SignIn)
		}
		if out, _ := e.signIn(t, email, "the victim's password"); out.SignIn == nil || out.SignIn.Session == nil {
			t.Errorf("the victim does not sign in: %+v", out.SignIn)
		}
	})
}

// TestSignUp_Verification: until its address is verified an account can
// sign in but not comment, react or write; the mailed link verifies it
// once, and a new link replaces the old.
func TestSignUp_Verification(t *testing.T) {
	e := newEnv(t)
	author, editor := e.signUp(t, folio.RoleAuthor), e.signUp(t, folio.RoleEditor)
	article := e.mustCreate(t, author, "Verified "+graphtest.RandomHex(3))
	e.setStatus(t, editor.h(), "publishArticle", article.ID)

	handle := "unverified_" + graphtest.RandomHex(3)
	email, pw := handle+"@example.com", "correct horse battery staple"
	e.OK(t, nil, signUpMutation, map[string]any{"in": map[string]any{"email": email, "password": pw, "handle": handle, "displayName": "U"}}, nil)
	in, _ := e.signIn(t, email, pw)
	if in.SignIn == nil || in.SignIn.Session == nil {
		t.Fatalf("an unverified account cannot sign in: %+v", in.SignIn)
	}
	h := graphtest.Bearer(in.SignIn.Session.AccessToken)
	verified := func(h http.Header) any {
		var v struct {
			Viewer struct {
				EmailVerified *bool `json:"emailVerified"`
			} `json:"viewer"`
		}
		e.OK(t, h, `{ viewer { emailVerified } }`, nil, &v)
		if v.Viewer.EmailVerified == nil {
			return nil
		}
		return *v.Viewer.EmailVerified
	}
	const react = `mutation($a: ID!) { addReaction(input: {articleId: $a, kind: LIKE}) { article { id } userErrors { code } } }`
	const comment = `mutation($a: ID!) { addComment(input: {articleId: $a, body: "Hi"}) { comment { id } userErrors { code } } }`
	t.Run("Limited until verified", func(t *testing.T) {
		if got := verified(h); got != false {
			t.Fatalf("emailVerified = %v, want false", got)
		}
		for _, m := range []string{react, comment} {
			r := e.Do(t, h, m, map[string]any{"a": article.ID})
			wantCode(t, r, "EMAIL_NOT_VERIFIED")
			if !strings.Contains(r.Errors[0].Message, "verifyEmail") {
				t.Errorf("the refusal does not say what to do: %q", r.Errors[0].Message)
			}
		}
		// Reading and the profile stay open.
		e.OK(t, h, `mutation { updateProfile(input: {bio: "new here"}) { user { bio } } }`, nil, nil)
	})
	const verify = `mutation($t: String!) { verifyEmail(input: {token: $t}) { session { accessToken user { handle emailVerified } } userErrors { field code } } }`
	first := graphtest.VerificationToken(t, testDB, e.keys, email)
	t.Run("A new link replaces the old", func(t *testing.T) {
		r := e.OK(t, h, `mutation { resendVerificationEmail { sent userErrors { code } } }`, nil, nil)
		if !strings.Contains(string(r.Data), `"sent":true`) {
			t.Fatalf("resend: %s", r.Data)
		}
		r = e.OK(t, nil, verify, map[string]any{"t": first}, nil)
		if !strings.Contains(string(r.Data), `"session":null,"userErrors":[{"field":"token","code":"INVALID"}]`) {
			t.Fatalf("the replaced link: %s", r.Data)
		}
	})
	t.Run("The link verifies and signs in, once", func(t *testing.T) {
		token := graphtest.VerificationToken(t, testDB, e.keys, email)
		var out struct {
			VerifyEmail struct {
				Session *struct {
					AccessToken string `json:"accessToken"`
					User        struct {
						Handle        string `json:"handle"`
						EmailVerified bool   `json:"emailVerified"`
					} `json:"user"`
				} `json:"session"`
			} `json:"verifyEmail"`
		}
		e.OK(t, nil, verify, map[string]any{"t": token}, &out)
		if s := out.VerifyEmail.Session; s == nil || s.User.Handle != handle || !s.User.EmailVerified {
			t.Fatalf("verifyEmail: %+v", out.VerifyEmail)
		}
		r := e.OK(t, nil, verify, map[string]any{"t": token}, nil)
		if !strings.Contains(string(r.Data), `"code":"INVALID"`) {
			t.Fatalf("the link used twice: %s", r.Data)
		}
		// The session from before verification has the new rights at once.
		if got := verified(h); got != true {
			t.Fatalf("emailVerified = %v, want true", got)
		}
		for _, m := range []string{react, comment} {
			e.OK(t, h, m, map[string]any{"a": article.ID}, nil)
		}
		r = e.OK(t, h, `mutation { resendVerificationEmail { sent } }`, nil, nil)
		if !strings.Contains(string(r.Data), `"sent":false`) {
			t.Fatalf("resend when verified: %s", r.Data)
		}
	})
}

const signInMutation = `mutation($in: SignInInput!) { signIn(input: $in) {
  session { accessToken refreshToken user { id email } } userErrors { field message code } } }`

type signInData struct {
	SignIn *struct {
		Session    *sessionData `json:"session"`
		UserErrors []userError  `json:"userErrors"`
	} `json:"signIn"`
}

func (e *env) signIn(t *testing.T, email, pw string) (signInData, graphtest.Response) {
	t.Helper()
	var out signInData
	r := e.Do(t, nil, signInMutation, map[string]any{"in": map[string]any{"email": email, "password": pw}})
	if r.Data != nil {
		r.Decode(t, &out)
	}
	return out, r
}

func TestSignIn(t *testing.T) {
	e := newEnv(t)
	p := e.signUp(t, folio.RoleReader)
	t.Run("OK", func(t *testing.T) {
		out, r := e.signIn(t, "  "+p.email+" ", p.pw)
		if out.SignIn.Session == nil || out.SignIn.Session.User.ID != p.id {
			t.Fatalf("sign in = %+v", out.SignIn)
		}
		if !strings.Contains(r.Raw, `"email":"`+p.email+`"`) {
			t.Fatalf("the signed-in user's own email is missing: %s", r.Raw)
		}
	})
	t.Run("Wrong password and unknown account look the same", func(t *testing.T) {
		wrong, _ := e.signIn(t, p.email, "not the password")
		unknown, _ := e.signIn(t, "nobody-"+graphtest.RandomHex(4)+"@example.com", "not the password")
		wantUserErrors(t, wrong.SignIn.UserErrors, ":INVALID_CREDENTIALS")
		wantUserErrors(t, unknown.SignIn.UserErrors, ":INVALID_CREDENTIALS")
		if wrong.SignIn.UserErrors[0].Message != unknown.SignIn.UserErrors[0].Message {
			t.Fatalf("messages differ: %q vs %q", wrong.SignIn.UserErrors[0].Message, unknown.SignIn.UserErrors[0].Message)
		}
	})
	t.Run("Parallel guesses are counted too", func(t *testing.T) {
		q := e.signUp(t, folio.RoleReader)
		var wg sync.WaitGroup
		var checked, limited atomic.Int64
		for range 12 {
			wg.Go(func() {
				out, r := e.signIn(t, q.email, "parallel guess")
				switch {
				case r.Code() == "RATE_LIMITED":
					limited.Add(1)
				case out.SignIn != nil && len(out.SignIn.UserErrors) == 1:
					checked.Add(1)
				}
			})
		}
		wg.Wait()
		if checked.Load() != int64(e.limit) || limited.Load() != 12-int64(e.limit) {
			t.Fatalf("%d guesses checked, %d refused; want %d and %d", checked.Load(), limited.Load(), e.limit, 12-e.limit)
		}
	})
	t.Run("Repeated failures are slowed per account", func(t *testing.T) {
		q := e.signUp(t, folio.RoleReader)
		for range e.limit {
			out, _ := e.signIn(t, q.email, "guess guess guess")
			wantUserErrors(t, out.SignIn.UserErrors, ":INVALID_CREDENTIALS")
		}
		// Past the limit even the right password waits.
		_, r := e.signIn(t, q.email, q.pw)
		wantCode(t, r, "RATE_LIMITED")
		if ms, _ := r.Errors[0].Extensions["retryAfterMs"].(float64); ms <= 0 || ms > float64(time.Minute.Milliseconds()) {
			t.Fatalf("retryAfterMs = %v, want within the window", r.Errors[0].Extensions["retryAfterMs"])
		}
		// Another account is untouched.
		if out, _ := e.signIn(t, p.email, p.pw); out.SignIn.Session == nil {
			t.Fatalf("another account was throttled too: %+v", out.SignIn)
		}
	})
}

const refreshMutation = `mutation($t: String!) { refreshSession(input: {refreshToken: $t}) { session { accessToken refreshToken } } }`

func (e *env) refresh(t *testing.T, token string) (*sessionData, graphtest.Response) {
	t.Helper()
	var out struct {
		RefreshSession *struct {
			Session *sessionData `json:"session"`
		} `json:"refreshSession"`
	}
	r := e.Do(t, nil, refreshMutation, map[string]any{"t": token})
	if r.Data != nil {
		r.Decode(t, &out)
	}
	if out.RefreshSession == nil {
		return nil, r
	}
	return out.RefreshSession.Session, r
}

func TestRefreshSession(t *testing.T) {
	e := newEnv(t)
	t.Run("Rotates", func(t *testing.T) {
		p := e.signUp(t, folio.RoleReader)
		s, r := e.refresh(t, p.refresh)
		if s == nil || s.RefreshToken == p.refresh || s.AccessToken == "" {
			t.Fatalf("refresh = %+v (%s)", s, r.Raw)
		}
		var v viewerData
		e.OK(t, graphtest.Bearer(s.AccessToken), viewerQuery, nil, &v)
		if v.Viewer == nil || v.Viewer.ID != p.id {
			t.Fatalf("new access token speaks for %+v", v.Viewer)
		}
	})
	t.Run("Reuse revokes the family", func(t *testing.T) {
		p := e.signUp(t, folio.RoleReader)
		next, _ := e.refresh(t, p.refresh)
		if next == nil {
			t.Fatal("first refresh failed")
		}
		// The spent token comes back: a thief or a replay.
		_, r := e.refresh(t, p.refresh)
		wantCode(t, r, "UNAUTHENTICATED")
		// The token the legitimate rotation made is dead too.
		_, r = e.refresh(t, next.RefreshToken)
		wantCode(t, r, "UNAUTHENTICATED")
	})
	t.Run("Garbage", func(t *testing.T) {
		_, r := e.refresh(t, "folio_rt_notatoken")
		wantCode(t, r, "UNAUTHENTICATED")
	})
	t.Run("Sign out ends the session", func(t *testing.T) {
		p := e.signUp(t, folio.RoleReader)
		var out struct {
			SignOut struct {
				SignedOut bool `json:"signedOut"`
			} `json:"signOut"`
		}
		e.OK(t, nil, `mutation($t: String) { signOut(input: {refreshToken: $t}) { signedOut } }`, map[string]any{"t": p.refresh}, &out)
		if !out.SignOut.SignedOut {
			t.Fatal("signedOut = false")
		}
		_, r := e.refresh(t, p.refresh)
		wantCode(t, r, "UNAUTHENTICATED")
	})
	t.Run("Signing out an ended session says so", func(t *testing.T) {
		p := e.signUp(t, folio.RoleReader)
		const signOut = `mutation($t: String) { signOut(input: {refreshToken: $t}) { signedOut userErrors { field message code } } }`
		e.OK(t, nil, signOut, map[string]any{"t": p.refresh}, nil)
		var out struct {
			SignOut struct {
				SignedOut  bool        `json:"signedOut"`
				UserErrors []userError `json:"userErrors"`
			} `json:"signOut"`
		}
		e.OK(t, nil, signOut, map[string]any{"t": p.refresh}, &out)
		if out.SignOut.SignedOut || len(out.SignOut.UserErrors) != 1 || out.SignOut.UserErrors[0].Field == nil ||
			*out.SignOut.UserErrors[0].Field != "refreshToken" || !strings.Contains(out.SignOut.UserErrors[0].Message, "already ended") {
			t.Fatalf("second sign-out = %+v", out.SignOut)
		}
	})
	t.Run("Sign out everywhere", func(t *testing.T) {
		p := e.signUp(t, folio.RoleReader)
		second, _ := e.signIn(t, p.email, p.pw)
		r := e.Do(t, nil, `mutation { signOut(input: {everywhere: true}) { signedOut } }`, nil)
		wantCode(t, r, "UNAUTHENTICATED")
		e.OK(t, p.h(), `mutation { signOut(input: {everywhere: true}) { signedOut } }`, nil, nil)
		for _, tok := range []string{p.refresh, second.SignIn.Session.RefreshToken} {
			if _, r := e.refresh(t, tok); r.Code() != "UNAUTHENTICATED" {
				t.Fatalf("a session survived signing out everywhere: %s", r.Raw)
			}
		}
	})
}

// TestHostileTokens: every forged, foreign or stale token is refused with
// 401 and UNAUTHENTICATED, never served as anonymous or as someone.
func TestHostileTokens(t *testing.T) {
	e := newEnv(t)
	p := e.signUp(t, folio.RoleAdmin)
	sub := p.user.ID
	claims := func(exp time.Time) jwt.RegisteredClaims {
		return jwt.RegisteredClaims{Issuer: "folio", Subject: itoa(sub), Audience: jwt.ClaimStrings{"folio-api"},
			IssuedAt: jwt.NewNumericDate(time.Now().Add(-time.Minute)), ExpiresAt: jwt.NewNumericDate(exp)}
	}
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, claims(time.Now().Add(time.Hour))).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	other := auth.MustGenerateKeys()
	foreign, _, err := other.IssueAccessToken(sub, p.sessionID(t), time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// Same kid as ours, other key: the kid alone must not be trusted.
	_, strangerKey, _ := ed25519.GenerateKey(nil)
	sameKid := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims(time.Now().Add(time.Hour)))
	sameKid.Header["kid"] = e.keys.SigningKeyID()
	spoofed, err := sameKid.SignedString(strangerKey)
	if err != nil {
		t.Fatal(err)
	}
	expired, _, err := e.keys.IssueAccessToken(sub, p.sessionID(t), time.Now().Add(-2*time.Hour), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// A reader's genuine token with the payload edited to name the admin.
	reader := e.signUp(t, folio.RoleReader)
	parts := strings.Split(reader.access, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	edited := strings.Replace(string(payload), `"sub":"`+itoa(reader.user.ID)+`"`, `"sub":"`+itoa(sub)+`"`, 1)
	if edited == string(payload) {
		t.Fatalf("could not edit payload %s", payload)
	}
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(edited)) + "." + parts[2]
	hs256, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(time.Now().Add(time.Hour))).SignedString([]byte("secret"))

	for name, h := range map[string]http.Header{
		"alg none":          graphtest.Bearer(none),
		"alg HS256":         graphtest.Bearer(hs256),
		"other key":         graphtest.Bearer(foreign),
		"our kid other key": graphtest.Bearer(spoofed),
		"expired":           graphtest.Bearer(expired),
		"tampered payload":  graphtest.Bearer(tampered),
		"garbage":           graphtest.Bearer("not.a.jwt"),
		"basic scheme":      {"Authorization": {"Basic dXNlcjpwYXNz"}},
		"unknown api key":   {"X-API-Key": {"folio_key_abcdefgh_" + strings.Repeat("a", 52)}},
		"both credentials":  {"Authorization": {"Bearer " + p.access}, "X-API-Key": {"folio_key_abcdefgh_x"}},
	} {
		t.Run(name, func(t *testing.T) {
			r := e.Do(t, h, `{ viewer { id } feed: articles(first: 1) { totalCount } }`, nil)
			wantCode(t, r, "UNAUTHENTICATED")
			if len(r.Errors) != 2 || string(r.Data) != "null" {
				t.Fatalf("served with a bad credential: %s", r.Raw)
			}
			// One error per root field, each on its field's path.
			var paths []string
			for _, e := range r.Errors {
				paths = append(paths, fmt.Sprint(e.Path))
			}
			if slices.Sort(paths); strings.Join(paths, " ") != "[feed] [viewer]" {
				t.Fatalf("error paths: got %v, want [feed] and [viewer]", paths)
			}
			// And at their fields' places in the document.
			if !strings.Contains(string(r.Raw), `"locations":[{"line":1,"column":3}]`) || !strings.Contains(string(r.Raw), `"locations":[{"line":1,"column":17}]`) {
				t.Fatalf("error locations: want line 1, columns 3 and 17: %s", r.Raw)
			}
			if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Fatalf("WWW-Authenticate = %q", r.Header.Get("WWW-Authenticate"))
			}
		})
	}
	t.Run("A stale access token does not block refreshing", func(t *testing.T) {
		var out struct {
			RefreshSession *struct {
				Session *sessionData `json:"session"`
			} `json:"refreshSession"`
		}
		e.OK(t, graphtest.Bearer(expired), refreshMutation, map[string]any{"t": reader.refresh}, &out)
		if out.RefreshSession == nil || out.RefreshSession.Session == nil {
			t.Fatal("no session")
		}
		// But nothing else rides along on the stale token.
		r := e.Do(t, graphtest.Bearer(expired), `mutation($t: String!) { refreshSession(input: {refreshToken: $t}) { session { accessToken } } updateProfile(input: {bio: "x"}) { user { bio } } }`,
			map[string]any{"t": out.RefreshSession.Session.RefreshToken})
		wantCode(t, r, "UNAUTHENTICATED")
	})
	t.Run("One password check per request", func(t *testing.T) {
		r := e.Do(t, nil, `mutation { a: signIn(input: {email: "a@example.com", password: "x"}) { session { accessToken } } b: signIn(input: {email: "a@example.com", password: "y"}) { session { accessToken } } }`, nil)
		wantCode(t, r, "BAD_USER_INPUT")
	})
	t.Run("Previous key still verifies after rotation", func(t *testing.T) {
		line := auth.GenerateKey()
		old, err := auth.ParseKeys(line)
		if err != nil {
			t.Fatal(err)
		}
		rotated, err := auth.ParseKeys(auth.GenerateKey() + "," + line)
		if err != nil {
			t.Fatal(err)
		}
		if rotated.SigningKeyID() == old.SigningKeyID() {
			t.Fatal("rotation did not change the signing key")
		}
		tok, _, _ := old.IssueAccessToken(sub, "00000000-0000-0000-0000-000000000001", time.Now(), time.Hour)
		if got, err := rotated.VerifyAccessToken(tok, time.Now()); err != nil || got.UserID != sub {
			t.Fatalf("old token after rotation: %+v, %v", got, err)
		}
	})
}

func TestAPIKeys(t *testing.T) {
	e := newEnv(t)
	p := e.signUp(t, folio.RoleAuthor)
	const create = `mutation($n: String!) { createApiKey(input: {name: $n}) { apiKey { id name prefix lastUsedAt revokedAt } secret userErrors { field code message } } }`
	var out struct {
		CreateAPIKey struct {
			APIKey *struct {
				ID, Name, Prefix string
				LastUsedAt       *string `json:"lastUsedAt"`
			} `json:"apiKey"`
			Secret     *string     `json:"secret"`
			UserErrors []userError `json:"userErrors"`
		} `json:"createApiKey"`
	}
	e.OK(t, p.h(), create, map[string]any{"n": "static site build"}, &out)
	k, secret := out.CreateAPIKey.APIKey, out.CreateAPIKey.Secret
	if k == nil || secret == nil || !strings.HasPrefix(*secret, k.Prefix+"_") || !strings.HasPrefix(k.Prefix, "folio_key_") {
		t.Fatalf("created %+v with secret %v", k, secret)
	}
	t.Run("Only a hash is stored", func(t *testing.T) {
		var n int
		if err := testDB.Pool.QueryRow(t.Context(), `SELECT count(*) FROM api_keys WHERE key_hash = $1 AND prefix = $2`, auth.HashToken(*secret), k.Prefix).Scan(&n); err != nil || n != 1 {
			t.Fatalf("stored hash rows = %d, %v", n, err)
		}
		var plain int
		_ = testDB.Pool.QueryRow(t.Context(), `SELECT count(*) FROM api_keys WHERE encode(key_hash, 'escape') LIKE '%' || $1 || '%'`, (*secret)[len(k.Prefix)+1:]).Scan(&plain)
		if plain != 0 {
			t.Fatal("the secret is stored in clear")
		}
	})
	for name, h := range map[string]http.Header{
		"X-API-Key": {"X-API-Key": {*secret}},
		"Bearer":    graphtest.Bearer(*secret),
	} {
		t.Run("Works as "+name, func(t *testing.T) {
			var v viewerData
			e.OK(t, h, viewerQuery, nil, &v)
			if v.Viewer == nil || v.Viewer.ID != p.id {
				t.Fatalf("key speaks for %+v, want %s", v.Viewer, p.id)
			}
		})
	}
	t.Run("Listed with last use, secret never", func(t *testing.T) {
		r := e.OK(t, p.h(), `{ apiKeys { id name prefix lastUsedAt revokedAt } }`, nil, nil)
		if strings.Contains(r.Raw, *secret) || !strings.Contains(r.Raw, k.Prefix) || strings.Contains(r.Raw, `"lastUsedAt":null`) {
			t.Fatalf("apiKeys = %s", r.Raw)
		}
	})
	t.Run("A key cannot make keys", func(t *testing.T) {
		r := e.Do(t, http.Header{"X-API-Key": {*secret}}, create, map[string]any{"n": "escalation"})
		wantCode(t, r, "FORBIDDEN")
	})
	t.Run("Name is required", func(t *testing.T) {
		e.OK(t, p.h(), create, map[string]any{"n": "  "}, &out)
		wantUserErrors(t, out.CreateAPIKey.UserErrors, "name:INVALID")
	})
	t.Run("Anonymous", func(t *testing.T) {
		wantCode(t, e.Do(t, nil, create, map[string]any{"n": "x"}), "UNAUTHENTICATED")
		wantCode(t, e.Do(t, nil, `{ apiKeys { id } }`, nil), "UNAUTHENTICATED")
	})
	t.Run("Key IDs are not nodes", func(t *testing.T) {
		r := e.OK(t, p.h(), `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": k.ID}, nil)
		if !strings.Contains(r.Raw, `"node":null`) {
			t.Fatalf("node(apiKey) = %s", r.Raw)
		}
	})
	t.Run("Someone else's key cannot be revoked", func(t *testing.T) {
		q := e.signUp(t, folio.RoleReader)
		r := e.Do(t, q.h(), `mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { id } } }`, map[string]any{"id": k.ID})
		wantCode(t, r, "NOT_FOUND")
	})
	t.Run("Revoked keys stop working", func(t *testing.T) {
		e.OK(t, p.h(), `mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { revokedAt } } }`, map[string]any{"id": k.ID}, nil)
		r := e.Do(t, http.Header{"X-API-Key": {*secret}}, viewerQuery, nil)
		wantCode(t, r, "UNAUTHENTICATED")
	})
}

// TestNoSecretsInLogs: with debug logging on, no password, token or key
// appears anywhere in the log while people sign up, sign in, refresh, fail
// to sign in, and make and use keys.
func TestNoSecretsInLogs(t *testing.T) {
	e := newEnv(t)
	p := e.signUp(t, folio.RoleReader)
	in, _ := e.signIn(t, p.email, p.pw)
	_, _ = e.signIn(t, p.email, "wrong password attempt")
	s, _ := e.refresh(t, in.SignIn.Session.RefreshToken)
	_, _ = e.refresh(t, in.SignIn.Session.RefreshToken) // reuse
	var out struct {
		CreateAPIKey struct {
			Secret string `json:"secret"`
		} `json:"createApiKey"`
	}
	e.OK(t, p.h(), `mutation { createApiKey(input: {name: "ci"}) { secret } }`, nil, &out)
	e.Do(t, http.Header{"X-API-Key": {out.CreateAPIKey.Secret}}, viewerQuery, nil)
	e.Do(t, graphtest.Bearer(p.access+"x"), viewerQuery, nil)

	logs := e.logs.String()
	if logs == "" {
		t.Fatal("nothing was logged: the test would prove nothing")
	}
	secrets := map[string]string{
		"password": p.pw, "wrong password": "wrong password attempt", "access token": p.access,
		"refresh token": p.refresh, "second refresh token": in.SignIn.Session.RefreshToken,
		"rotated refresh token": s.RefreshToken, "api key": out.CreateAPIKey.Secret,
		"api key secret part": out.CreateAPIKey.Secret[len("folio_key_abcdefgh_"):],
	}
	for what, secret := range secrets {
		if strings.Contains(logs, secret) {
			t.Errorf("the %s appears in the logs", what)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestSignOut_EndsAccessTokens: signing out stops the session's access
// tokens at once on every instance, not when they expire, and keeps them
// stopped when Redis is down (the check then asks Postgres). The user's
// other sessions keep working.
func TestSignOut_EndsAccessTokens(t *testing.T) {
	rdb := redistest.Client(t)
	prefix, keys := redistest.Prefix(t, rdb), auth.MustGenerateKeys()
	a := newEnvWith(t, rdb, prefix, keys, false)
	b := newEnvWith(t, rdb, prefix, keys, false)
	// A third instance whose Redis refuses every connection.
	c := newEnvWith(t, redistest.Dead(t), prefix, keys, false)

	const me = `{ viewer { handle } }`
	viewer := func(e *env, p person) graphtest.Response { return e.Do(t, p.h(), me, nil) }

	p := a.signUp(t, folio.RoleReader)
	other, _ := a.signIn(t, p.email, p.pw)
	q := p
	q.access, q.refresh = other.SignIn.Session.AccessToken, other.SignIn.Session.RefreshToken
	for _, e := range []*env{a, b, c} {
		if r := viewer(e, p); r.Code() != "" {
			t.Fatalf("before sign-out: %s", r.Raw)
		}
	}

	a.OK(t, nil, `mutation($t: String) { signOut(input: {refreshToken: $t}) { signedOut } }`, map[string]any{"t": p.refresh}, nil)
	for name, e := range map[string]*env{"the same instance": a, "another instance": b, "an instance without Redis": c} {
		r := viewer(e, p)
		wantCode(t, r, "UNAUTHENTICATED")
		if !strings.Contains(string(r.Raw), "signed out") || string(r.Data) != `{"viewer":null}` {
			t.Errorf("%s: the signed-out token got %s", name, r.Raw)
		}
		if r := viewer(e, q); r.Code() != "" {
			t.Errorf("%s: the user's other session stopped working: %s", name, r.Raw)
		}
	}

	// Everywhere: the other session's access token stops too.
	b.OK(t, q.h(), `mutation { signOut(input: {everywhere: true}) { signedOut } }`, nil, nil)
	for _, e := range []*env{a, b, c} {
		wantCode(t, viewer(e, q), "UNAUTHENTICATED")
	}
	// The revocation lasts as long as an access token could.
	ttl, err := rdb.PTTL(context.Background(), prefix+"session:{u"+itoa(p.user.ID)+"}:revoked:"+q.sessionID(t)).Result()
	if err != nil || ttl <= 0 || ttl > auth.DefaultAccessTTL+time.Minute {
		t.Errorf("revocation TTL = %v, %v; want about the access-token lifetime", ttl, err)
	}
}
