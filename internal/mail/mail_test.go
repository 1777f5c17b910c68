package mail_test

import (
	"io"
	"mime"
	"net/http/httptest"
	"net/mail"
	"strings"
	"testing"
	"time"

	fmail "github.com/folio/folio/internal/mail"
)

func TestNewsletterConfirmation_Escapes(t *testing.T) {
	to := `"<script>alert(1)</script>"@example.com`
	m, err := fmail.NewsletterConfirmation(to, "https://folio.test", "tok", "https://api.folio.test/newsletter/unsubscribe?token=a.b")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, "<script>") || !strings.Contains(m.HTML, "&lt;script&gt;") {
		t.Errorf("the HTML body does not escape the address:\n%s", m.HTML)
	}
	if !strings.Contains(m.Text, "https://folio.test/newsletter/confirm?token=tok") || !strings.Contains(m.HTML, `href="https://folio.test/newsletter/confirm?token=tok"`) {
		t.Errorf("the confirmation link is missing:\n%s\n%s", m.Text, m.HTML)
	}
	if m.Headers["List-Unsubscribe"] != "<https://api.folio.test/newsletter/unsubscribe?token=a.b>" || m.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" {
		t.Errorf("headers = %v", m.Headers)
	}
}

// TestSignUpMails: the verification mail carries its link; the notice to a
// taken address's owner carries none with a token, only the sign-in page;
// both escape the address in HTML and carry no unsubscribe headers (they
// are not newsletter mail).
func TestSignUpMails(t *testing.T) {
	to := `"<b>x</b>"@example.com`
	verify, err := fmail.VerifyEmail(to, "https://folio.test", "tok")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(verify.Text, "https://folio.test/verify-email?token=tok") || !strings.Contains(verify.HTML, `href="https://folio.test/verify-email?token=tok"`) {
		t.Errorf("the verification link is missing:\n%s\n%s", verify.Text, verify.HTML)
	}
	notice, err := fmail.SignUpAttempt(to, "https://folio.test")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(notice.Subject, "tried to sign up") || !strings.Contains(notice.HTML, `href="https://folio.test/sign-in"`) || strings.Contains(notice.Text, "token") {
		t.Errorf("the notice reads %q:\n%s\n%s", notice.Subject, notice.Text, notice.HTML)
	}
	for _, m := range []fmail.Message{verify, notice} {
		if strings.Contains(m.HTML, "<b>") || !strings.Contains(m.HTML, "&lt;b&gt;") || len(m.Headers) != 0 {
			t.Errorf("%q: HTML does not escape the address, or headers %v:\n%s", m.Subject, m.Headers, m.HTML)
		}
	}
}

func TestRender(t *testing.T) {
	raw := fmail.Render("Folio <no-reply@folio.test>", fmail.Message{To: "ada@example.com", Subject: "Grüße", Text: "plain", HTML: "<p>html</p>",
		Headers: map[string]string{"List-Unsubscribe": "<https://x.test/u>"}}, time.Unix(0, 0))
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mimeDecoder).decode(msg.Header.Get("Subject"))
	if err != nil || subject != "Grüße" {
		t.Errorf("Subject = %q (%v), want Grüße", subject, err)
	}
	if !strings.HasPrefix(msg.Header.Get("Content-Type"), "multipart/alternative; boundary=") || msg.Header.Get("List-Unsubscribe") != "<https://x.test/u>" {
		t.Errorf("headers: %v", msg.Header)
	}
	body, _ := io.ReadAll(msg.Body)
	if i, j := strings.Index(string(body), "text/plain"), strings.Index(string(body), "text/html"); i < 0 || j < i {
		t.Errorf("want the text part, then the HTML part:\n%s", body)
	}
}

func TestDev(t *testing.T) {
	d := &fmail.Dev{Keep: 2}
	for _, s := range []string{"one", "two", "<b>three</b>"} {
		_ = d.Send(t.Context(), fmail.Message{To: "ada@example.com", Subject: s, Text: s})
	}
	if last := d.Last(); len(last) != 2 || last[1].Subject != "<b>three</b>" {
		t.Fatalf("Last = %+v, want the two newest", last)
	}
	rec := httptest.NewRecorder()
	d.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/dev/mail", nil))
	page := rec.Body.String()
	if strings.Contains(page, "<b>three</b>") || !strings.Contains(page, "&lt;b&gt;three&lt;/b&gt;") || strings.Contains(page, ">one<") {
		t.Errorf("page:\n%s", page)
	}
}

type mimeDecoder struct{}

func (mimeDecoder) decode(s string) (string, error) { return (&mime.WordDecoder{}).DecodeHeader(s) }
