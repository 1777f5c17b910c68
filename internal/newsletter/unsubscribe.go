package newsletter

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
	"strings"

	"github.com/folio/folio/internal/folio"
)

// Links signs the one-click unsubscribe links of newsletter mail: the token
// is the address and an HMAC-SHA256 of it, so that only a link Folio
// mailed unsubscribes, and nothing needs to be stored.
type Links struct {
	Key []byte
}

const unsubscribePurpose = "folio newsletter unsubscribe\x00"

func (l Links) sign(email string) []byte {
	m := hmac.New(sha256.New, l.Key)
	m.Write([]byte(unsubscribePurpose + email))
	return m.Sum(nil)
}

// UnsubscribeToken is the token of email's unsubscribe link.
func (l Links) UnsubscribeToken(email string) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(email)) + "." + enc.EncodeToString(l.sign(email))
}

// Address verifies a token and returns the address it names; EInvalid on
// field "token" for a forged, altered or truncated one.
func (l Links) Address(token string) (string, error) {
	bad := folio.InvalidField("token", "This unsubscribe link is not valid: use the link of a newsletter mail as it came.")
	if len(l.Key) == 0 {
		return "", bad
	}
	enc := base64.RawURLEncoding
	p, s, ok := strings.Cut(token, ".")
	email, err1 := enc.DecodeString(p)
	sig, err2 := enc.DecodeString(s)
	if !ok || err1 != nil || err2 != nil || !hmac.Equal(sig, l.sign(string(email))) {
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
