package auth

import (
	"strings"
	"testing"
	"time"
)

func TestParseKeys(t *testing.T) {
	good := GenerateKey()
	for name, tc := range map[string]struct {
		in      string
		wantErr string
	}{
		"OneKey":       {good, ""},
		"TwoKeys":      {GenerateKey() + ", " + good, ""},
		"NoKid":        {":" + strings.SplitN(good, ":", 2)[1], "kid:base64-seed"},
		"ShortSeed":    {"k1:AAAA", "32 bytes"},
		"NotBase64":    {"k1:!!!", "32 bytes"},
		"DuplicateKid": {good + "," + good, "twice"},
		"Empty":        {"", "kid:base64-seed"},
	} {
		t.Run(name, func(t *testing.T) {
			ks, err := ParseKeys(tc.in)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("ParseKeys: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("ParseKeys = %v, want an error saying %q", err, tc.wantErr)
			case tc.wantErr == "" && ks.SigningKeyID() != strings.SplitN(strings.TrimSpace(strings.Split(tc.in, ",")[0]), ":", 2)[0]:
				t.Fatalf("signing kid %q is not the first key's", ks.SigningKeyID())
			}
		})
	}
}

func TestAccessToken_Lifetime(t *testing.T) {
	ks := MustGenerateKeys()
	now := time.Date(2026, 11, 27, 12, 0, 0, 123456789, time.UTC)
	tok, exp, err := ks.IssueAccessToken(42, "s1", now, 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 27, 12, 15, 0, 0, time.UTC); !exp.Equal(want) {
		t.Fatalf("expiry %v, want %v (whole seconds, as the token says)", exp, want)
	}
	if got, err := ks.VerifyAccessToken(tok, exp.Add(-time.Second)); err != nil || got.UserID != 42 || got.SessionID != "s1" || !got.ExpiresAt.Equal(exp) {
		t.Fatalf("just before expiry: %+v, %v", got, err)
	}
	if _, err := ks.VerifyAccessToken(tok, exp.Add(time.Minute)); err == nil {
		t.Fatal("a token verified a minute after it expired")
	}
	// Without a session it could not be signed out: refused.
	orphan, _, err := ks.IssueAccessToken(42, "", now, 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ks.VerifyAccessToken(orphan, now); err == nil {
		t.Fatalf("a token without a session verified: %+v", got)
	}
}

func TestPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not carry the documented parameters", h)
	}
	if !CheckPassword("correct horse battery staple", h) || CheckPassword("correct horse battery stapler", h) || CheckPassword("x", "") {
		t.Fatal("CheckPassword accepts the wrong password or rejects the right one")
	}
}
