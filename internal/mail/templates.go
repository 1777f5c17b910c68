package mail

import (
	"bytes"
	htmltemplate "html/template"
	"net/url"
	texttemplate "text/template"
)

// confirmText and confirmHTML are the newsletter confirmation. html/template
// escapes every value by context (the link in href is URL-checked).
var (
	confirmText = texttemplate.Must(texttemplate.New("confirm.txt").Parse(`Hello,

someone (we hope you) asked to receive Folio's newsletter at {{.To}}.
Confirm within 48 hours by opening this link:

{{.ConfirmURL}}

If it was not you, ignore this message: nothing will be sent.
{{if .UnsubscribeURL}}
To stop all mail from Folio's newsletter: {{.UnsubscribeURL}}
{{end}}`))
	confirmHTML = htmltemplate.Must(htmltemplate.New("confirm.html").Parse(`<!doctype html>
<html><body>
<p>Hello,</p>
<p>someone (we hope you) asked to receive Folio's newsletter at {{.To}}.</p>
<p><a href="{{.ConfirmURL}}">Confirm your subscription</a> within 48 hours.</p>
<p>If it was not you, ignore this message: nothing will be sent.</p>
{{if .UnsubscribeURL}}<p><a href="{{.UnsubscribeURL}}">Unsubscribe</a></p>{{end}}
</body></html>
`))
)

// NewsletterConfirmation is the confirmation mail of a subscription:
// linkBase (the site, e.g. https://folio.example) gets
// /newsletter/confirm?token=… appended. unsubscribeURL, if set, is the
// signed one-click link, in the body and in the RFC 8058 headers
// (List-Unsubscribe with List-Unsubscribe-Post), as every newsletter mail
// carries it.
func NewsletterConfirmation(to, linkBase, token, unsubscribeURL string) (Message, error) {
	data := struct{ To, ConfirmURL, UnsubscribeURL string }{to, linkBase + "/newsletter/confirm?token=" + url.QueryEscape(token), unsubscribeURL}
	var text, html bytes.Buffer
	if err := confirmText.Execute(&text, data); err != nil {
		return Message{}, err
	}
	if err := confirmHTML.Execute(&html, data); err != nil {
		return Message{}, err
	}
	m := Message{To: to, Subject: "Confirm your subscription to Folio's newsletter", Text: text.String(), HTML: html.String()}
	if unsubscribeURL != "" {
		m.Headers = map[string]string{"List-Unsubscribe": "<" + unsubscribeURL + ">", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
	}
	return m, nil
}
