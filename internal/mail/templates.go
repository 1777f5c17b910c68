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
`))
	confirmHTML = htmltemplate.Must(htmltemplate.New("confirm.html").Parse(`<!doctype html>
<html><body>
<p>Hello,</p>
<p>someone (we hope you) asked to receive Folio's newsletter at {{.To}}.</p>
<p><a href="{{.ConfirmURL}}">Confirm your subscription</a> within 48 hours.</p>
<p>If it was not you, ignore this message: nothing will be sent.</p>
</body></html>
`))
)

// NewsletterConfirmation is the confirmation mail of a subscription:
// linkBase (the site, e.g. https://folio.example) gets
// /newsletter/confirm?token=… appended.
func NewsletterConfirmation(to, linkBase, token string) (Message, error) {
	data := struct{ To, ConfirmURL string }{to, linkBase + "/newsletter/confirm?token=" + url.QueryEscape(token)}
	var text, html bytes.Buffer
	if err := confirmText.Execute(&text, data); err != nil {
		return Message{}, err
	}
	if err := confirmHTML.Execute(&html, data); err != nil {
		return Message{}, err
	}
	return Message{To: to, Subject: "Confirm your subscription to Folio's newsletter", Text: text.String(), HTML: html.String()}, nil
}
