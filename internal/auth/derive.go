package auth

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
)

// The purposes keys are derived for. Each is the HKDF info of its keys, so
// a key of one purpose never verifies anything of another.
const (
	PurposeUnsubscribe       = "folio newsletter unsubscribe link v1"
	PurposeNewsletterConfirm = "folio newsletter confirmation token v1"
	PurposeVerifyEmail       = "folio email verification token v1"
)

// Derived is a set of HMAC-SHA256 keys for one purpose, derived with HKDF
// from the access-token keys (JWT_KEYS): a key per kid, the first signing.
// So nothing else needs a secret of its own, every instance derives the
// same keys, and rotating JWT_KEYS rotates them too: what was signed with a
// key still listed keeps verifying until that key is removed.
type Derived struct {
	signing string
	keys    map[string][]byte
}

// Derive returns the keys of purpose; nil for a nil KeySet.
func (ks *KeySet) Derive(purpose string) *Derived {
	if ks == nil {
		return nil
	}
	d := &Derived{signing: ks.signing, keys: make(map[string][]byte, len(ks.keys))}
	for kid, k := range ks.keys {
		key, err := hkdf.Key(sha256.New, k.Seed(), nil, purpose, 32)
		if err != nil {
			panic(err) // only for lengths over 255 hashes
		}
		d.keys[kid] = key
	}
	return d
}

// SigningKeyID is the kid of the key that signs; "" for nil.
func (d *Derived) SigningKeyID() string {
	if d == nil {
		return ""
	}
	return d.signing
}

// MAC is the HMAC-SHA256 of msg under the key kid; false when no key has
// that id (it was rotated out), or d is nil.
func (d *Derived) MAC(kid string, msg []byte) ([]byte, bool) {
	if d == nil {
		return nil, false
	}
	key, ok := d.keys[kid]
	if !ok {
		return nil, false
	}
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil), true
}

// MailTokens make the secrets mailed in links (email verification,
// newsletter confirmation) without ever storing one: a token is the MAC of
// a random nonce. What is stored is a reference, the kid and the nonce,
// which is useless without the key, and the token's hash, which finds the
// record when the link comes back. The job that sends the mail makes the
// token again from the reference, the same each time it runs.
type MailTokens struct {
	keys *Derived
}

// MailTokens returns the mail tokens of purpose.
func (ks *KeySet) MailTokens(purpose string) MailTokens { return MailTokens{keys: ks.Derive(purpose)} }

var (
	errUnknownRef = errors.New("mail token reference: malformed, or its key was rotated out")
	errNoKeys     = errors.New("mail tokens: no keys")
)

// New returns a fresh token and the reference it is made from; an error
// only for the zero MailTokens, which has no keys.
func (m MailTokens) New() (ref, token string, err error) {
	if m.keys == nil {
		return "", "", errNoKeys
	}
	ref = m.keys.SigningKeyID() + "." + NewToken()
	token, err = m.Token(ref)
	return ref, token, err
}

// Token makes the token of ref again; an error when ref is malformed or its
// key is no longer in JWT_KEYS.
func (m MailTokens) Token(ref string) (string, error) {
	kid, nonce, ok := strings.Cut(ref, ".")
	if !ok || nonce == "" || m.keys == nil {
		return "", errUnknownRef
	}
	mac, ok := m.keys.MAC(kid, []byte(nonce))
	if !ok {
		return "", errUnknownRef
	}
	return base64.RawURLEncoding.EncodeToString(mac), nil
}
