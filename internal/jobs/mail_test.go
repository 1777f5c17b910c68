package jobs_test

import (
	"context"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/jobs"
	fmail "github.com/folio/folio/internal/mail"
	"github.com/folio/folio/internal/mail/smtptest"
	"github.com/folio/folio/internal/newsletter"
	"github.com/folio/folio/internal/postgres/postgrestest"
	"github.com/folio/folio/internal/webhook"
)

func mailQueue(t *testing.T, smtp *smtptest.Server) *jobs.Queue {
	t.Helper()
	port, _ := strconv.Atoi(smtp.Port)
	q, err := jobs.New(jobs.Options{Pool: testDB.Pool, Store: testDB, Sender: webhook.NewSender(&webhook.Guard{}, time.Second),
		Workers: 2, MaxAttempts: 3, RetryBase: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond,
		MailStore: testDB, Mailer: &fmail.SMTP{Host: smtp.Host, Port: port, TLS: fmail.TLSNone, From: "Folio <no-reply@folio.test>"},
		LinkBase: "https://folio.test", Keys: testKeys, UnsubscribeURL: func(email string) string {
			return "https://api.folio.test/newsletter/unsubscribe?token=" + url.QueryEscape(links.UnsubscribeToken(email))
		}})
	if err != nil {
		t.Fatal(err)
	}
	testDB.SetJobs(q)
	t.Cleanup(func() { testDB.SetJobs(nil) })
	return q
}

func start(t *testing.T, q *jobs.Queue) {
	t.Helper()
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = q.Stop(ctx)
	})
}

var (
	testKeys      = auth.MustGenerateKeys()
	links         = newsletter.Links{Keys: testKeys.Derive(auth.PurposeUnsubscribe)}
	confirmTokens = testKeys.MailTokens(auth.PurposeNewsletterConfirm)
	verifyTokens  = testKeys.MailTokens(auth.PurposeVerifyEmail)
)

// newToken makes a mail token as the services do: the token, and what is
// stored of it.
func newToken(t *testing.T, tokens auth.MailTokens) (token string, stored folio.MailToken) {
	t.Helper()
	ref, token, err := tokens.New()
	if err != nil {
		t.Fatal(err)
	}
	return token, folio.MailToken{Ref: ref, Hash: auth.HashToken(token), Expires: time.Now().Add(time.Hour)}
}

// outboxPayloads are the payloads of every outbox row to email.
func outboxPayloads(t *testing.T, email string) string {
	t.Helper()
	var all string
	if err := testDB.Pool.QueryRow(t.Context(), `SELECT coalesce(string_agg(payload::text, ' '), '') FROM email_outbox WHERE recipient = $1`, email).Scan(&all); err != nil {
		t.Fatal(err)
	}
	return all
}

var tokenLink = regexp.MustCompile(`https://folio\.test/newsletter/confirm\?token=([A-Za-z0-9_%-]+)`)

// receive waits for the next message to addr and returns its decoded text.
func receive(t *testing.T, smtp *smtptest.Server, to string) string {
	text, _ := receiveWithHeader(t, smtp, to)
	return text
}

func receiveWithHeader(t *testing.T, smtp *smtptest.Server, to string) (string, mail.Header) {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case m := <-smtp.Messages:
			if m.To != to {
				continue
			}
			msg, err := mail.ReadMessage(strings.NewReader(m.Data))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(msg.Header.Get("Content-Type"), "multipart/alternative") {
				t.Errorf("Content-Type = %q, want multipart/alternative (text and HTML)", msg.Header.Get("Content-Type"))
			}
			body, _ := io.ReadAll(msg.Body)
			decoded, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(string(body))))
			return string(decoded), msg.Header
		case <-deadline:
			t.Fatalf("no mail to %s within 15 s", to)
		}
	}
}

func TestMail_NewsletterConfirmation(t *testing.T) {
	smtp := smtptest.Start(t)
	q := mailQueue(t, smtp)
	email := "reader-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "@example.com"
	token, stored := newToken(t, confirmTokens)
	if err := testDB.SubscribeNewsletter(t.Context(), email, stored.Ref, stored.Hash, stored.Expires); err != nil {
		t.Fatal(err)
	}
	// The clear token exists only in the mail: never in the outbox, even
	// before it is sent. The queue starts after the look, since sending
	// empties the payload.
	if p := outboxPayloads(t, email); strings.Contains(p, token) || !strings.Contains(p, stored.Ref) {
		t.Errorf("the outbox holds %s: want the reference %q and not the token", p, stored.Ref)
	}
	start(t, q)
	text, header := receiveWithHeader(t, smtp, email)
	m := tokenLink.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no confirmation link in the mail:\n%s", text)
	}
	got, err := testDB.ConfirmNewsletter(t.Context(), auth.HashToken(m[1]))
	if err != nil || got != email {
		t.Fatalf("confirming with the mailed link: %q, %v", got, err)
	}
	// Once sent, the outbox no longer holds even the reference.
	var payload string
	waitForDB(t, "the mail to be marked sent", func() bool {
		err := testDB.Pool.QueryRow(t.Context(), `SELECT payload::text FROM email_outbox WHERE recipient = $1 AND sent_at IS NOT NULL`, email).Scan(&payload)
		return err == nil
	})
	if payload != "{}" {
		t.Errorf("the sent mail's payload is %s, want {}", payload)
	}

	// RFC 8058: the mail names a one-click link; a client POSTs it.
	if got := header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post = %q", got)
	}
	lu := header.Get("List-Unsubscribe")
	if !strings.HasPrefix(lu, "<https://api.folio.test/newsletter/unsubscribe?token=") || !strings.HasSuffix(lu, ">") {
		t.Fatalf("List-Unsubscribe = %q", lu)
	}
	link, err := url.Parse(strings.Trim(lu, "<>"))
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(newsletter.Service{Store: testDB, Links: links}.UnsubscribeHandler())
	defer api.Close()
	oneClick := func(token string) int {
		res, err := http.Post(api.URL+"/newsletter/unsubscribe?token="+url.QueryEscape(token), "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	status := func() (s string) {
		_ = testDB.Pool.QueryRow(t.Context(), `SELECT status FROM newsletter_subscriptions WHERE email = $1`, email).Scan(&s)
		return s
	}
	forged := newsletter.Links{Keys: auth.MustGenerateKeys().Derive(auth.PurposeUnsubscribe)}.UnsubscribeToken(email)
	if code := oneClick(forged); code != http.StatusBadRequest || status() != "confirmed" {
		t.Fatalf("a forged link answered %d and left the subscription %s; want 400, confirmed", code, status())
	}
	if code := oneClick(link.Query().Get("token")); code != http.StatusOK || status() != "unsubscribed" {
		t.Fatalf("the mailed link answered %d and left the subscription %s; want 200, unsubscribed", code, status())
	}
}

// TestMail_OutboxDrained: mail written to the outbox before the queue
// existed (no job) is sent when a queue with workers starts, whether its
// row holds a token's reference or, written by an older version, the clear
// token.
func TestMail_OutboxDrained(t *testing.T) {
	smtp := smtptest.Start(t)
	suffix := strconv.FormatInt(time.Now().UnixNano(), 36)
	email, legacy := "old-"+suffix+"@example.com", "older-"+suffix+"@example.com"
	token, stored := newToken(t, confirmTokens)
	if err := testDB.SubscribeNewsletter(t.Context(), email, stored.Ref, stored.Hash, stored.Expires); err != nil {
		t.Fatal(err) // testDB has no queue yet: the row waits in the outbox
	}
	legacyToken := auth.NewToken()
	if _, err := testDB.Pool.Exec(t.Context(), `INSERT INTO email_outbox (recipient, kind, payload) VALUES ($1, 'newsletter_confirm', jsonb_build_object('token', $2::text))`, legacy, legacyToken); err != nil {
		t.Fatal(err)
	}
	q := mailQueue(t, smtp)
	start(t, q)
	got := map[string]string{}
	for range 2 {
		select {
		case m := <-smtp.Messages:
			got[m.To] = m.Data
		case <-time.After(15 * time.Second):
			t.Fatalf("got mail to %v within 15 s, want %s and %s", got, email, legacy)
		}
	}
	for to, want := range map[string]string{email: token, legacy: legacyToken} {
		msg, err := mail.ReadMessage(strings.NewReader(got[to]))
		if err != nil {
			t.Fatalf("mail to %s: %v", to, err)
		}
		body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
		if m := tokenLink.FindStringSubmatch(string(body)); m == nil || m[1] != want {
			t.Errorf("the drained mail to %s does not carry its token %q:\n%s", to, want, body)
		}
	}
}

// TestMail_SignUp: a new account's verification mail arrives and its link
// verifies, once; a sign-up with a taken address mails its owner a notice
// instead, at most once an hour, and stores no token of any kind.
func TestMail_SignUp(t *testing.T) {
	smtp := smtptest.Start(t)
	start(t, mailQueue(t, smtp))
	suffix := strconv.FormatInt(time.Now().UnixNano(), 36)
	email := "new-" + suffix + "@example.com"
	in := folio.NewUser{Email: email, Handle: "new_" + suffix, DisplayName: "New", Password: "long enough password"}
	token, stored := newToken(t, verifyTokens)
	u, err := testDB.SignUp(t.Context(), in, "hash", stored)
	if err != nil || u == nil || !u.Unverified {
		t.Fatalf("sign up: got %+v, %v, want an unverified account", u, err)
	}
	if p := outboxPayloads(t, email); strings.Contains(p, token) {
		t.Errorf("the outbox holds the clear token: %s", p)
	}
	text := receive(t, smtp, email)
	m := regexp.MustCompile(`https://folio\.test/verify-email\?token=([A-Za-z0-9_%-]+)`).FindStringSubmatch(text)
	if m == nil || m[1] != token {
		t.Fatalf("the verification mail does not carry its link with %q:\n%s", token, text)
	}
	verified, err := testDB.VerifyEmail(t.Context(), auth.HashToken(m[1]))
	if err != nil || verified.ID != u.ID || verified.Unverified {
		t.Fatalf("verify with the mailed link: got %+v, %v", verified, err)
	}
	if _, err := testDB.VerifyEmail(t.Context(), auth.HashToken(m[1])); folio.ErrorCode(err) != folio.EInvalid {
		t.Fatalf("the link used twice: got %v, want EInvalid", err)
	}

	// The same address again, even in other case, with a free handle.
	_, again := newToken(t, verifyTokens)
	in.Email, in.Handle = strings.ToUpper(email[:1])+email[1:], "again_"+suffix
	if u, err := testDB.SignUp(t.Context(), in, "hash", again); err != nil || u != nil {
		t.Fatalf("sign up with a taken address: got %+v, %v, want nothing made and no error", u, err)
	}
	text = receive(t, smtp, email)
	if !strings.Contains(text, "tried to make a new Folio account with your address") || !strings.Contains(text, "https://folio.test/sign-in") {
		t.Errorf("the notice to the owner reads:\n%s", text)
	}
	in.Handle = "thrice_" + suffix
	if _, err := testDB.SignUp(t.Context(), in, "hash", again); err != nil {
		t.Fatal(err)
	}
	var notices int
	if err := testDB.Pool.QueryRow(t.Context(), `SELECT count(*) FROM email_outbox WHERE recipient = $1 AND kind = 'signup_attempt'`, email).Scan(&notices); err != nil {
		t.Fatal(err)
	}
	if notices != 1 {
		t.Errorf("%d notices queued for two attempts within the hour, want 1", notices)
	}
	var handles int
	if err := testDB.Pool.QueryRow(t.Context(), `SELECT count(*) FROM users WHERE handle IN ($1, $2)`, "again_"+suffix, "thrice_"+suffix).Scan(&handles); err != nil || handles != 0 {
		t.Errorf("%d accounts made for a taken address (%v), want 0", handles, err)
	}
}

func waitForDB(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}

// TestMail_CommentReply: a reply mails the parent comment's author over
// SMTP, unless they switched it off; replying to oneself mails nobody.
func TestMail_CommentReply(t *testing.T) {
	smtp := smtptest.Start(t)
	start(t, mailQueue(t, smtp))
	f := postgrestest.Fixture{TB: t, DB: testDB}
	suffix := strconv.FormatInt(time.Now().UnixNano(), 36)
	ada, bob := f.User("ada_"+suffix, folio.RoleReader), f.User("bob_"+suffix, folio.RoleReader)
	article := f.Article(postgrestest.Article{Author: f.User("author_"+suffix, folio.RoleAuthor), Slug: "replies-" + suffix, Title: "On <replies>"})
	as := func(u *folio.User) folio.Viewer { return folio.Viewer{UserID: u.ID, Role: u.Role} }
	comment := func(u *folio.User, parent *int64, body string) *folio.Comment {
		c, err := testDB.AddComment(t.Context(), as(u), folio.NewComment{ArticleID: article.ID, ParentID: parent, Body: body})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	parent := comment(ada, nil, "First!")
	comment(ada, &parent.ID, "Replying to myself") // no mail
	reply := comment(bob, &parent.ID, "I <disagree> & say so")
	text := receive(t, smtp, ada.Email)
	for _, want := range []string{bob.DisplayName + " replied", `"On <replies>"`, "I <disagree> & say so",
		"https://folio.test/articles/replies-" + suffix + "#comment-" + strconv.FormatInt(reply.ID, 10)} {
		if !strings.Contains(text, want) {
			t.Errorf("the reply mail lacks %q:\n%s", want, text)
		}
	}

	off := false
	if _, err := testDB.UpdateProfile(t.Context(), as(ada), folio.ProfilePatch{NotifyReplies: &off}); err != nil {
		t.Fatal(err)
	}
	comment(bob, &parent.ID, "Are you still there?")
	var n int
	if err := testDB.Pool.QueryRow(t.Context(), `SELECT count(*) FROM email_outbox WHERE recipient = $1`, ada.Email).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d mails to ada, want 1: the self-reply and the reply after opting out send none", n)
	}
}

// TestMail_WithoutMailer: a process with workers but no mailer (production
// without SMTP_HOST) still takes writes that mail: their jobs wait in the
// mail queue for a process that has one.
func TestMail_WithoutMailer(t *testing.T) {
	q, err := jobs.New(jobs.Options{Pool: testDB.Pool, Store: testDB, Sender: webhook.NewSender(&webhook.Guard{}, time.Second), Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	testDB.SetJobs(q)
	t.Cleanup(func() { testDB.SetJobs(nil) })
	email := "waiting-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "@example.com"
	_, stored := newToken(t, confirmTokens)
	if err := testDB.SubscribeNewsletter(t.Context(), email, stored.Ref, stored.Hash, stored.Expires); err != nil {
		t.Fatalf("subscribe with no mailer: %v", err)
	}
	var n int
	err = testDB.Pool.QueryRow(t.Context(), `SELECT count(*) FROM river_job j JOIN email_outbox o ON o.id = (j.args->>'outbox_id')::bigint
WHERE o.recipient = $1 AND j.queue = $2 AND j.state = 'available'`, email, jobs.QueueMail).Scan(&n)
	if err != nil || n != 1 {
		t.Fatalf("%d mail jobs waiting (%v), want 1", n, err)
	}
}
