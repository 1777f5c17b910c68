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
		LinkBase: "https://folio.test", UnsubscribeURL: func(email string) string {
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

var links = newsletter.Links{Key: []byte("jobs tests' unsubscribe link key")}

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
	start(t, q)
	email := "reader-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "@example.com"
	token := auth.NewToken()
	if err := testDB.SubscribeNewsletter(t.Context(), email, token, auth.HashToken(token), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	text, header := receiveWithHeader(t, smtp, email)
	m := tokenLink.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no confirmation link in the mail:\n%s", text)
	}
	got, err := testDB.ConfirmNewsletter(t.Context(), auth.HashToken(m[1]))
	if err != nil || got != email {
		t.Fatalf("confirming with the mailed link: %q, %v", got, err)
	}
	// Once sent, the outbox no longer holds the token.
	var payload string
	waitForDB(t, "the mail to be marked sent", func() bool {
		err := testDB.Pool.QueryRow(t.Context(), `SELECT payload::text FROM email_outbox WHERE recipient = $1 AND sent_at IS NOT NULL`, email).Scan(&payload)
		return err == nil
	})
	if strings.Contains(payload, token) {
		t.Errorf("the outbox still holds the clear token: %s", payload)
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
	forged := newsletter.Links{Key: []byte("a key that is not the server's!!")}.UnsubscribeToken(email)
	if code := oneClick(forged); code != http.StatusBadRequest || status() != "confirmed" {
		t.Fatalf("a forged link answered %d and left the subscription %s; want 400, confirmed", code, status())
	}
	if code := oneClick(link.Query().Get("token")); code != http.StatusOK || status() != "unsubscribed" {
		t.Fatalf("the mailed link answered %d and left the subscription %s; want 200, unsubscribed", code, status())
	}
}

// TestMail_OutboxDrained: mail written to the outbox before the queue
// existed (no job) is sent when a queue with workers starts.
func TestMail_OutboxDrained(t *testing.T) {
	smtp := smtptest.Start(t)
	email := "old-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "@example.com"
	token := auth.NewToken()
	if err := testDB.SubscribeNewsletter(t.Context(), email, token, auth.HashToken(token), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err) // testDB has no queue yet: the row waits in the outbox
	}
	q := mailQueue(t, smtp)
	start(t, q)
	text := receive(t, smtp, email)
	if m := tokenLink.FindStringSubmatch(text); m == nil || m[1] != token {
		t.Fatalf("the drained mail does not carry the token written before the queue existed:\n%s", text)
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
