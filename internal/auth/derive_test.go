package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio/internal/folio"
)

func TestMailTokens(t *testing.T) {
	oldKey, newKey := GenerateKey(), GenerateKey()
	keys := func(s string) *KeySet {
		t.Helper()
		ks, err := ParseKeys(s)
		if err != nil {
			t.Fatal(err)
		}
		return ks
	}
	tokens := keys(oldKey).MailTokens(PurposeVerifyEmail)
	ref, token, err := tokens.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("MadeAgainTheSame", func(t *testing.T) {
		again, err := tokens.Token(ref)
		if err != nil || again != token {
			t.Fatalf("got %q, %v, want %q", again, err, token)
		}
		if strings.Contains(ref, token) || len(token) < 40 {
			t.Errorf("ref %q, token %q: want a long token that the ref does not hold", ref, token)
		}
	})
	t.Run("Fresh", func(t *testing.T) {
		if ref2, token2, _ := tokens.New(); ref2 == ref || token2 == token {
			t.Error("two tokens alike")
		}
	})
	t.Run("PurposesApart", func(t *testing.T) {
		other, err := keys(oldKey).MailTokens(PurposeNewsletterConfirm).Token(ref)
		if err != nil || other == token {
			t.Errorf("the newsletter's token of the same ref is %q (%v), want another", other, err)
		}
	})
	t.Run("Rotation", func(t *testing.T) {
		if got, err := keys(newKey + "," + oldKey).MailTokens(PurposeVerifyEmail).Token(ref); err != nil || got != token {
			t.Errorf("with the old key second: %q, %v, want %q", got, err, token)
		}
		if _, err := keys(newKey).MailTokens(PurposeVerifyEmail).Token(ref); err == nil {
			t.Error("with the old key removed the token is still made")
		}
	})
	t.Run("Malformed", func(t *testing.T) {
		for _, bad := range []string{"", "nodot", ".nonce", "kid."} {
			if _, err := tokens.Token(bad); err == nil {
				t.Errorf("ref %q made a token", bad)
			}
		}
		if _, _, err := (MailTokens{}).New(); err == nil {
			t.Error("the zero MailTokens made a token")
		}
	})
}

// signUpStore answers SignUp as the database does for a free address (an
// account) or a taken one (nil), and remembers what it was given.
type signUpStore struct {
	Store
	taken bool
	hash  string
	token folio.MailToken
}

func (s *signUpStore) SignUp(_ context.Context, u folio.NewUser, hash string, verify folio.MailToken) (*folio.User, error) {
	s.hash, s.token = hash, verify
	if s.taken {
		return nil, nil
	}
	return &folio.User{ID: 1, Email: u.Email, Unverified: true}, nil
}

// TestService_SignUp: a free and a taken address get the same answer after
// the same work: the password is hashed and a verification token made for
// both, and nobody is signed in.
func TestService_SignUp(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	in := folio.NewUser{Email: " Ada@Example.COM", Password: "long enough password", Handle: "ada", DisplayName: "Ada"}
	var answers []string
	for _, taken := range []bool{false, true} {
		st := &signUpStore{taken: taken}
		s := &Service{Store: st, Keys: MustGenerateKeys(), Now: func() time.Time { return now }}
		email, err := s.SignUp(t.Context(), in, "192.0.2.1")
		if err != nil {
			t.Fatalf("taken %v: %v", taken, err)
		}
		answers = append(answers, email)
		if !CheckPassword(in.Password, st.hash) {
			t.Errorf("taken %v: the store got %q, not a hash of the password", taken, st.hash)
		}
		if len(st.token.Hash) != 32 || st.token.Ref == "" || !st.token.Expires.Equal(now.Add(VerificationTTL)) {
			t.Errorf("taken %v: verification %+v, want a hash, a ref and 48 hours", taken, st.token)
		}
	}
	if answers[0] != answers[1] || answers[0] != "Ada@example.com" {
		t.Errorf("answers %q, want the normalized address twice", answers)
	}
	t.Run("NoKeys", func(t *testing.T) {
		s := &Service{Store: &signUpStore{}}
		if _, err := s.SignUp(t.Context(), in, "192.0.2.1"); err == nil || errors.As(err, new(*folio.Error)) {
			t.Errorf("got %v, want an internal error", err)
		}
	})
}
