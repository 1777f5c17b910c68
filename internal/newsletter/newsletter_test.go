package newsletter_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/newsletter"
	"github.com/folio/folio/internal/postgres/postgrestest"
)

// recorder is a NewsletterStore that remembers what it was asked.
type recorder struct {
	email, ref string
	hash       []byte
	expires    time.Time
	calls      int
}

func (r *recorder) SubscribeNewsletter(_ context.Context, email, ref string, hash []byte, expires time.Time) error {
	r.calls++
	r.email, r.ref, r.hash, r.expires = email, ref, hash, expires
	return nil
}

func (r *recorder) ConfirmNewsletter(context.Context, []byte) (string, error) {
	panic("not used: TestService_Confirm runs against Postgres")
}

func (r *recorder) UnsubscribeNewsletter(_ context.Context, email string) error {
	r.calls++
	r.email = email
	return nil
}

var (
	now    = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	keys   = auth.MustGenerateKeys()
	tokens = keys.MailTokens(auth.PurposeNewsletterConfirm)
)

func service(store folio.NewsletterStore) newsletter.Service {
	return newsletter.Service{Store: store, Now: func() time.Time { return now }, Tokens: tokens}
}

// token is the clear token a mail made from ref carries.
func token(t *testing.T, ref string) string {
	t.Helper()
	tok, err := tokens.Token(ref)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func wantInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var e *folio.Error
	if !errors.As(err, &e) || e.Code != folio.EInvalid || e.Field != field {
		t.Fatalf("got %v, want EInvalid on %s", err, field)
	}
}

func TestService_Subscribe(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		var st recorder
		email, err := service(&st).Subscribe(t.Context(), "  Ada@Example.COM ", "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		if email != "Ada@example.com" || st.email != email {
			t.Errorf("got %q, stored %q, want Ada@example.com", email, st.email)
		}
		// Stored: the hash of the mailed token and the reference it is made
		// from again, never the token itself.
		tok := token(t, st.ref)
		sum := sha256.Sum256([]byte(tok))
		if !bytes.Equal(st.hash, sum[:]) || strings.Contains(st.ref, tok) {
			t.Errorf("got ref %q hash %x, want the SHA-256 of %q and a ref without it", st.ref, st.hash, tok)
		}
		if want := now.Add(newsletter.TokenTTL); !st.expires.Equal(want) {
			t.Errorf("got expiry %v, want %v", st.expires, want)
		}
	})
	t.Run("TokenLivesTwoDays", func(t *testing.T) {
		if newsletter.TokenTTL != 48*time.Hour {
			t.Errorf("got %v, want 48h", newsletter.TokenTTL)
		}
	})
	t.Run("FreshTokens", func(t *testing.T) {
		var st recorder
		s := newsletter.Service{Store: &st, Tokens: tokens}
		seen := map[string]bool{}
		for range 3 {
			if _, err := s.Subscribe(t.Context(), "ada@example.com", "192.0.2.1"); err != nil {
				t.Fatal(err)
			}
			tok := token(t, st.ref)
			if len(tok) < 40 || seen[tok] {
				t.Fatalf("got token %q, want a long one never seen before", tok)
			}
			seen[tok] = true
		}
	})
	t.Run("NoKeys", func(t *testing.T) {
		var st recorder
		if _, err := (newsletter.Service{Store: &st}).Subscribe(t.Context(), "ada@example.com", "192.0.2.1"); err == nil || st.calls != 0 {
			t.Errorf("got %v and %d store calls, want an error and none", err, st.calls)
		}
	})
	t.Run("NotAnAddress", func(t *testing.T) {
		var st recorder
		_, err := service(&st).Subscribe(t.Context(), "ada", "192.0.2.1")
		wantInvalid(t, err, "email")
		if st.calls != 0 {
			t.Errorf("got %d store calls, want none", st.calls)
		}
	})
}

func TestService_Unsubscribe(t *testing.T) {
	links := newsletter.Links{Keys: keys.Derive(auth.PurposeUnsubscribe)}
	svc := func(st *recorder) newsletter.Service { s := service(st); s.Links = links; return s }
	t.Run("OK", func(t *testing.T) {
		var st recorder
		if err := svc(&st).Unsubscribe(t.Context(), links.UnsubscribeToken("ada@example.com")); err != nil {
			t.Fatal(err)
		}
		if st.email != "ada@example.com" {
			t.Errorf("got %q, want ada@example.com", st.email)
		}
	})
	t.Run("Forged", func(t *testing.T) {
		good := links.UnsubscribeToken("ada@example.com")
		other := newsletter.Links{Keys: auth.MustGenerateKeys().Derive(auth.PurposeUnsubscribe)}.UnsubscribeToken("ada@example.com")
		// Another purpose's key of the same JWT_KEYS.
		purpose := newsletter.Links{Keys: keys.Derive(auth.PurposeVerifyEmail)}.UnsubscribeToken("ada@example.com")
		// Someone else's address with Ada's signature.
		_, sig, _ := strings.Cut(good, ".")
		swapped := strings.Split(links.UnsubscribeToken("bob@example.com"), ".")[0] + "." + sig
		for _, token := range []string{"", "ada@example.com", other, purpose, swapped, good[:len(good)-2]} {
			var st recorder
			wantInvalid(t, svc(&st).Unsubscribe(t.Context(), token), "token")
			if st.calls != 0 {
				t.Errorf("token %q: %d store calls, want none", token, st.calls)
			}
		}
	})
}

// TestLinks_Rotation: an unsubscribe link keeps working while the key it
// was signed with stays in JWT_KEYS, and stops once it is removed.
func TestLinks_Rotation(t *testing.T) {
	oldKey, newKey := auth.GenerateKey(), auth.GenerateKey()
	links := func(jwtKeys string) newsletter.Links {
		t.Helper()
		ks, err := auth.ParseKeys(jwtKeys)
		if err != nil {
			t.Fatal(err)
		}
		return newsletter.Links{Keys: ks.Derive(auth.PurposeUnsubscribe)}
	}
	mailed := links(oldKey).UnsubscribeToken("ada@example.com")
	t.Run("NewKeyFirst", func(t *testing.T) {
		l := links(newKey + "," + oldKey)
		if got, err := l.Address(mailed); err != nil || got != "ada@example.com" {
			t.Fatalf("got %q, %v, want ada@example.com", got, err)
		}
		if l.UnsubscribeToken("ada@example.com") == mailed {
			t.Error("new links are still signed with the old key")
		}
	})
	t.Run("OldKeyRemoved", func(t *testing.T) {
		_, err := links(newKey).Address(mailed)
		wantInvalid(t, err, "token")
	})
}

// refOf passes subscriptions on to the database, keeping the reference.
type refOf struct {
	folio.NewsletterStore
	ref string
}

func (r *refOf) SubscribeNewsletter(ctx context.Context, email, ref string, hash []byte, expires time.Time) error {
	r.ref = ref
	return r.NewsletterStore.SubscribeNewsletter(ctx, email, ref, hash, expires)
}

// TestService_Confirm runs the token's whole life against Postgres, whose
// clock decides expiry: the service's clock only sets the deadline.
func TestService_Confirm(t *testing.T) {
	db := postgrestest.MustDB(t, "newsletter")
	subscribe := func(t *testing.T, email string, at time.Time) string {
		t.Helper()
		st := &refOf{NewsletterStore: db}
		s := newsletter.Service{Store: st, Now: func() time.Time { return at }, Tokens: tokens}
		if _, err := s.Subscribe(t.Context(), email, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		return token(t, st.ref)
	}
	s := newsletter.Service{Store: db}
	t.Run("OK", func(t *testing.T) {
		token := subscribe(t, "ok@example.com", time.Now())
		email, err := s.Confirm(t.Context(), token)
		if err != nil || email != "ok@example.com" {
			t.Fatalf("got %q, %v, want ok@example.com", email, err)
		}
	})
	t.Run("Used", func(t *testing.T) {
		token := subscribe(t, "used@example.com", time.Now())
		if _, err := s.Confirm(t.Context(), token); err != nil {
			t.Fatal(err)
		}
		_, err := s.Confirm(t.Context(), token)
		wantInvalid(t, err, "token")
	})
	t.Run("Expired", func(t *testing.T) {
		token := subscribe(t, "late@example.com", time.Now().Add(-newsletter.TokenTTL-time.Minute))
		_, err := s.Confirm(t.Context(), token)
		wantInvalid(t, err, "token")
	})
	t.Run("Unknown", func(t *testing.T) {
		_, err := s.Confirm(t.Context(), "no-such-token")
		wantInvalid(t, err, "token")
	})
}
