// Package webhook sends events to webhook endpoints the Standard Webhooks
// way (https://www.standardwebhooks.com): signed with HMAC-SHA256 over
// "id.timestamp.body", through a dialer that refuses private addresses.
package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// SecretPrefix starts every signing secret, as Standard Webhooks writes them.
const SecretPrefix = "whsec_"

// The headers of a delivery.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// NewSecret makes a signing secret: whsec_ and 32 random bytes in base64.
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// key is the HMAC key of a secret: the base64 after the prefix.
func key(secret string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil {
		return nil, errors.New("webhook secret is not whsec_ and base64")
	}
	return k, nil
}

// Sign returns the webhook-signature value of a message: "v1,<base64>"
// for each secret, separated by spaces, so that a receiver holding either
// secret of a rotation verifies it.
func Sign(secrets []string, id string, ts time.Time, body []byte) (string, error) {
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		k, err := key(s)
		if err != nil {
			return "", err
		}
		sigs = append(sigs, "v1,"+sign(k, id, ts.Unix(), body))
	}
	return strings.Join(sigs, " "), nil
}

func sign(k []byte, id string, unix int64, body []byte) string {
	m := hmac.New(sha256.New, k)
	m.Write([]byte(id + "." + strconv.FormatInt(unix, 10) + "."))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Tolerance is how far a delivery's timestamp may be from the receiver's
// clock, against replays.
const Tolerance = 5 * time.Minute

// Verify checks a delivery as a receiver does: the timestamp is recent and
// one of the v1 signatures is secret's. It is the documented scheme, used
// by tests and available to Go receivers.
func Verify(secret string, h http.Header, body []byte, now time.Time) error {
	k, err := key(secret)
	if err != nil {
		return err
	}
	id, tsText := h.Get(HeaderID), h.Get(HeaderTimestamp)
	unix, err := strconv.ParseInt(tsText, 10, 64)
	if id == "" || err != nil {
		return errors.New("missing webhook-id or webhook-timestamp")
	}
	if d := now.Sub(time.Unix(unix, 0)); d > Tolerance || d < -Tolerance {
		return errors.New("webhook-timestamp too far from now")
	}
	want := sign(k, id, unix, body)
	for _, s := range strings.Fields(h.Get(HeaderSignature)) {
		v, sig, ok := strings.Cut(s, ",")
		if ok && v == "v1" && hmac.Equal([]byte(sig), []byte(want)) {
			return nil
		}
	}
	return errors.New("no matching signature")
}
