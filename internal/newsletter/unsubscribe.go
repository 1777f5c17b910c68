package newsletter

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"html/template"
	"net/http"
	"strings"

	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/folio"
)

// Links signs the one-click unsubscribe links of newsletter mail: the token
// is the address, the id of the key that signed it and an HMAC-SHA256 of
// the address, so that only a link Folio mailed unsubscribes, and nothing
// needs to be stored. The keys are derived from JWT_KEYS
// (auth.PurposeUnsubscribe): a link keeps working across a rotation for as
// long as its key stays listed.
type Links struct {
	Keys *auth.Derived
}

const unsubscribePurpose = "folio newsletter unsubscribe\x00"

// UnsubscribeToken is the token of email's unsubscribe link.
func (l Links) UnsubscribeToken(email string) string {
	enc := base64.RawURLEncoding
	kid := l.Keys.SigningKeyID()
	sig, _ := l.Keys.MAC(kid, []byte(unsubscribePurpose+email))
	return enc.EncodeToString([]byte(email)) + "." + kid + "." + enc.EncodeToString(sig)
}

// Address verifies a token and returns the address it names; EInvalid on
// field "token" for a forged, altered or truncated one, or one whose key
// has been rotated out of JWT_KEYS.
func (l Links) Address(token string) (string, error) {
	bad := folio.InvalidField("token", "This unsubscribe link is not valid: use the link of a newsletter mail as it came.")
	if l.Keys == nil {
		return "", bad
	}
	enc := base64.RawURLEncoding
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", bad
	}
	email, err1 := enc.DecodeString(parts[0])
	sig, err2 := enc.DecodeString(parts[2])
	want, ok := l.Keys.MAC(parts[1], []byte(unsubscribePurpose+string(email)))
	if err1 != nil || err2 != nil || !ok || !hmac.Equal(sig, want) {
		return "", bad
	}
	return string(email), nil
}

// Unsubscribe ends the subscription a signed link names; EInvalid on field
// "token" for a link Folio did not sign. Unsubscribing twice succeeds.
func (s Service) Unsubscribe(ctx context.Context, token string) error {
	email, err := s.Links.Address(token)
	if err != nil {
		return err
	}
	return s.Store.UnsubscribeNewsletter(ctx, email)
}

var unsubscribePage = template.Must(template.New("unsubscribe").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Unsubscribe</title></head><body>
{{if .Done}}<p>You are unsubscribed from Folio's newsletter.</p>
{{else if .Bad}}<p>This unsubscribe link is not valid: use the link of a newsletter mail as it came.</p>
{{else}}<form method="post"><p>Stop receiving Folio's newsletter?</p><button type="submit">Unsubscribe</button></form>{{end}}
</body></html>
`))

// UnsubscribeHandler serves the link of newsletter mail, ?token=…: POST
// unsubscribes (RFC 8058 one-click, List-Unsubscribe=One-Click, as mail
// clients send it, or the page's button); GET shows a page with that
// button, so that link scanners that fetch every URL unsubscribe nobody.
func (s Service) UnsubscribeHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := r.URL.Query().Get("token")
		page := struct{ Done, Bad bool }{}
		status := http.StatusOK
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			if _, err := s.Links.Address(token); err != nil {
				page.Bad, status = true, http.StatusBadRequest
			}
		case http.MethodPost:
			err := s.Unsubscribe(r.Context(), token)
			switch {
			case err == nil:
				page.Done = true
			case folio.ErrorCode(err) == folio.EInvalid:
				page.Bad, status = true, http.StatusBadRequest
			default:
				http.Error(w, "Something went wrong: try again later.", http.StatusInternalServerError)
				return
			}
		default:
			w.Header().Set("Allow", "GET, HEAD, POST")
			http.Error(w, "Method not allowed.", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_ = unsubscribePage.Execute(w, page)
	})
}
