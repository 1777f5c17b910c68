package auth

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySet holds the Ed25519 keys of access tokens: the first signs, every one
// verifies, so a key can be rotated in (added second, then moved first) and
// out (removed once no token it signed can still be alive) without signing
// anyone out.
type KeySet struct {
	signing string
	keys    map[string]ed25519.PrivateKey
}

// ParseKeys reads keys written as "kid:seed,kid:seed", each seed the 32-byte
// Ed25519 seed in base64 (as `folio keygen` prints). The first key signs.
func ParseKeys(s string) (*KeySet, error) {
	ks := &KeySet{keys: map[string]ed25519.PrivateKey{}}
	for i, part := range strings.Split(s, ",") {
		kid, seed64, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || kid == "" {
			return nil, fmt.Errorf("key %d is not written as kid:base64-seed", i+1)
		}
		seed, err := base64.StdEncoding.DecodeString(seed64)
		if err != nil {
			seed, err = base64.RawURLEncoding.DecodeString(seed64)
		}
		if err != nil || len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("key %q: the seed must be %d bytes in base64", kid, ed25519.SeedSize)
		}
		if _, dup := ks.keys[kid]; dup {
			return nil, fmt.Errorf("key %q appears twice", kid)
		}
		ks.keys[kid] = ed25519.NewKeyFromSeed(seed)
		if i == 0 {
			ks.signing = kid
		}
	}
	if ks.signing == "" {
		return nil, errors.New("no key given")
	}
	return ks, nil
}

// GenerateKey returns a new key in the form ParseKeys reads.
func GenerateKey() string {
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	return "k" + randomToken(5) + ":" + base64.StdEncoding.EncodeToString(priv.Seed())
}

// MustGenerateKeys returns a set of one fresh key, for development and tests.
func MustGenerateKeys() *KeySet {
	ks, err := ParseKeys(GenerateKey())
	if err != nil {
		panic(err)
	}
	return ks
}

// SigningKeyID is the kid new tokens carry.
func (ks *KeySet) SigningKeyID() string { return ks.signing }
