package newsletter_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/newsletter"
	"github.com/folio/folio/internal/postgres/postgrestest"
)

// recorder is a NewsletterStore that remembers what it was asked.
type recorder struct {
	email, token string
	hash         []byte
	expires      time.Time
	calls        int
}

func (r *recorder) SubscribeNewsletter(_ context.Context, email, token string, hash []byte, expires time.Time) error {
	r.calls++
	r.email, r.token, r.hash, r.expires = email, token, hash, expires
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

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func service(store folio.NewsletterStore) newsletter.Service {
	return newsletter.Service{Store: store, Now: func() time.Time { return now }, NewToken: func() string { return "tok" }}
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
		sum := sha256.Sum256([]byte("tok"))
		if st.token != "tok" || !bytes.Equal(st.hash, sum[:]) {
			t.Errorf("got token %q hash %x, want tok and its SHA-256", st.token, st.hash)
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
		s := newsletter.Service{Store: &st}
		seen := map[string]bool{}
		for range 3 {
			if _, err := s.Subscribe(t.Context(), "ada@example.com", "192.0.2.1"); err != nil {
				t.Fatal(err)
			}
			if len(st.token) < 40 || seen[st.token] {
				t.Fatalf("got token %q, want a long one never seen before", st.token)
			}
			seen[st.token] = true
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
	links := newsletter.Links{Key: []byte("0123456789abcdef0123456789abcdef")}
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
		other := newsletter.Links{Key: []byte("another key of thirty-two bytes!")}.UnsubscribeToken("ada@example.com")
		// Someone else's address with Ada's signature.
		_, sig, _ := strings.Cut(good, ".")
		swapped := strings.Split(links.UnsubscribeToken("bob@example.com"), ".")[0] + "." + sig
		for _, token := range []string{"", "ada@example.com", other, swapped, good[:len(good)-2]} {
			var st recorder
			wantInvalid(t, svc(&st).Unsubscribe(t.Context(), token), "token")
			if st.calls != 0 {
				t.Errorf("token %q: %d store calls, want none", token, st.calls)
			}
		}
	})
}

// TestService_Confirm runs the token's whole life against Postgres, whose
// clock decides expiry: the service's clock only sets the deadline.
func TestService_Confirm(t *testing.T) {
	db := postgrestest.MustDB(t, "newsletter")
	subscribe := func(t *testing.T, email string, at time.Time) string {
		t.Helper()
		token := "token-of-" + email
		s := newsletter.Service{Store: db, Now: func() time.Time { return at }, NewToken: func() string { return token }}
		if _, err := s.Subscribe(t.Context(), email, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		return token
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
