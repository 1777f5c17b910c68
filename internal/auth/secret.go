// Package auth is who a request speaks for: passwords, access tokens,
// refresh tokens and API keys, the sign-in throttle, and the HTTP
// authentication that turns credentials into a folio.Viewer.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
)

// token32 spells random bytes in lowercase base32: no characters that need
// escaping in a URL or a header, and none ("_") that splits our prefixes.
var token32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// randomToken returns n random bytes spelled in token32.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return token32.EncodeToString(b)
}

// NewToken returns a random secret with 256 bits of entropy.
func NewToken() string { return randomToken(32) }

// HashToken is what is stored of a secret. The secrets are random and long,
// so a fast hash is enough: nobody can guess their way back.
func HashToken(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// equalHash compares hashes in constant time.
func equalHash(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }
