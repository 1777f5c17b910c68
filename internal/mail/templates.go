package mail

import (
	"bytes"
	htmltemplate "html/template"
	"net/url"
	"strconv"
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

var (
	replyText = texttemplate.Must(texttemplate.New("reply.txt").Parse(`Hello,

{{.Replier}} replied to your comment on "{{.ArticleTitle}}":

{{.Body}}

Read the thread: {{.URL}}

You get this mail because you commented there. To stop mail about replies,
switch "mail me about replies" off in your profile (updateProfile with
notifyOnReply: false).
`))
	replyHTML = htmltemplate.Must(htmltemplate.New("reply.html").Parse(`<!doctype html>
<html><body>
<p>Hello,</p>
<p>{{.Replier}} replied to your comment on “{{.ArticleTitle}}”:</p>
<blockquote>{{.Body}}</blockquote>
<p><a href="{{.URL}}">Read the thread</a></p>
<p>You get this mail because you commented there. To stop mail about replies,
switch “mail me about replies” off in your profile.</p>
</body></html>
`))
)

// Reply is what a reply notice tells.
type Reply struct {
	To, Replier, ArticleTitle, ArticleSlug, Body string
	CommentID                                    int64
}

// CommentReply is the mail telling a comment's author of a reply; the link
// opens the reply on the site (linkBase).
func CommentReply(r Reply, linkBase string) (Message, error) {
	data := struct{ Replier, ArticleTitle, Body, URL string }{r.Replier, r.ArticleTitle, r.Body,
		linkBase + "/articles/" + url.PathEscape(r.ArticleSlug) + "#comment-" + strconv.FormatInt(r.CommentID, 10)}
	var text, html bytes.Buffer
	if err := replyText.Execute(&text, data); err != nil {
		return Message{}, err
	}
	if err := replyHTML.Execute(&html, data); err != nil {
		return Message{}, err
	}
	return Message{To: r.To, Subject: r.Replier + " replied to your comment", Text: text.String(), HTML: html.String()}, nil
}

var (
	verifyText = texttemplate.Must(texttemplate.New("verify.txt").Parse(`Hello,

someone (we hope you) made a Folio account with this address, {{.To}}.
Confirm it is yours within 48 hours by opening this link:

{{.URL}}

Until then the account can read and sign in, but not comment or react.
If it was not you, ignore this message: the address stays unconfirmed.
`))
	verifyHTML = htmltemplate.Must(htmltemplate.New("verify.html").Parse(`<!doctype html>
<html><body>
<p>Hello,</p>
<p>someone (we hope you) made a Folio account with this address, {{.To}}.</p>
<p><a href="{{.URL}}">Confirm your address</a> within 48 hours.</p>
<p>Until then the account can read and sign in, but not comment or react.
If it was not you, ignore this message: the address stays unconfirmed.</p>
</body></html>
`))
)

// VerifyEmail is the mail that verifies a new account's address: linkBase
// (the site) gets /verify-email?token=… appended.
func VerifyEmail(to, linkBase, token string) (Message, error) {
	return render(to, "Confirm your address for Folio", verifyText, verifyHTML,
		struct{ To, URL string }{to, linkBase + "/verify-email?token=" + url.QueryEscape(token)})
}

var (
	attemptText = texttemplate.Must(texttemplate.New("attempt.txt").Parse(`Hello,

someone just tried to make a new Folio account with your address, {{.To}}.
You already have an account, so nothing was made.

If it was you: sign in with your password at {{.URL}}
(if you never confirmed this address, you can ask for a new link there).
If it was not you: nothing needs doing; your account is unchanged.
`))
	attemptHTML = htmltemplate.Must(htmltemplate.New("attempt.html").Parse(`<!doctype html>
<html><body>
<p>Hello,</p>
<p>someone just tried to make a new Folio account with your address, {{.To}}.
You already have an account, so nothing was made.</p>
<p>If it was you: <a href="{{.URL}}">sign in</a> with your password
(if you never confirmed this address, you can ask for a new link there).</p>
<p>If it was not you: nothing needs doing; your account is unchanged.</p>
</body></html>
`))
)

// SignUpAttempt is the mail telling an account's owner that someone tried
// to sign up with their address: signUp answers that person as if the
// address were free, so only the owner learns it is taken.
func SignUpAttempt(to, linkBase string) (Message, error) {
	return render(to, "Someone tried to sign up to Folio with your address", attemptText, attemptHTML,
		struct{ To, URL string }{to, linkBase + "/sign-in"})
}

// render runs a text and an HTML template over data.
func render(to, subject string, text *texttemplate.Template, html *htmltemplate.Template, data any) (Message, error) {
	var t, h bytes.Buffer
	if err := text.Execute(&t, data); err != nil {
		return Message{}, err
	}
	if err := html.Execute(&h, data); err != nil {
		return Message{}, err
	}
	return Message{To: to, Subject: subject, Text: t.String(), HTML: h.String()}, nil
}
