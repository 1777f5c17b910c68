package webhooks_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/webhook"
)

// receiver is a webhook endpoint: it records each POST and answers with
// the status answer picks for the nth one (1-based).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	answer func(n int) int
}

type received struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, answer func(n int) int) *receiver {
	r := &receiver{answer: answer}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{header: req.Header.Clone(), body: body})
		n := len(r.got)
		r.mu.Unlock()
		w.WriteHeader(r.answer(n))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) received() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

func ok(int) int { return http.StatusOK }

func TestWebhooks_Publish(t *testing.T) {
	e := newEnv(t, queueOptions{})
	admin, editor := e.person(t, folio.RoleAdmin), e.person(t, folio.RoleEditor)
	rcv := newReceiver(t, ok)
	hook := e.createWebhook(t, admin, rcv.URL+"/hooks", "ARTICLE_PUBLISHED")
	if hook.ID == "" || !strings.HasPrefix(hook.Secret, "whsec_") {
		t.Fatalf("createWebhook = %+v, want a webhook and a whsec_ secret", hook)
	}
	id := e.article(t, editor, "Signed and delivered")
	e.publish(t, editor, id)

	waitFor(t, "the delivery to succeed", 10*time.Second, func() bool {
		d := e.deliveries(t, admin)
		return len(d) == 1 && d[0].Status == "SUCCEEDED"
	})
	waitFor(t, "river to complete the job", 10*time.Second, func() bool { return jobStates(t)["completed"] == 1 })
	got := rcv.received()
	if len(got) != 1 {
		t.Fatalf("receiver got %d deliveries, want exactly 1", len(got))
	}
	if err := webhook.Verify(hook.Secret, got[0].header, got[0].body, time.Now()); err != nil {
		t.Fatalf("the receiver could not verify the delivery: %v", err)
	}
	var ev struct {
		Type string `json:"type"`
		Data struct {
			Title  string `json:"title"`
			Status string `json:"status"`
		} `json:"data"`
	}
	if err := json.Unmarshal(got[0].body, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Type != "article.published" || ev.Data.Title != "Signed and delivered" || ev.Data.Status != "published" {
		t.Errorf("event = %+v, want article.published of the article", ev)
	}
	d := e.deliveries(t, admin)[0]
	if d.Attempts != 1 || d.ResponseCode == nil || *d.ResponseCode != 200 || d.EventID != got[0].header.Get("webhook-id") || d.Event != "ARTICLE_PUBLISHED" {
		t.Errorf("delivery record = %+v, want 1 attempt, 200 and the event id sent", d)
	}

	t.Run("ForgedSignatureFails", func(t *testing.T) {
		h := got[0].header.Clone()
		if err := webhook.Verify(webhook.NewSecret(), h, got[0].body, time.Now()); err == nil {
			t.Error("another secret verified the delivery")
		}
		if err := webhook.Verify(hook.Secret, h, append([]byte(" "), got[0].body...), time.Now()); err == nil {
			t.Error("a changed body verified")
		}
	})
}

// TestWebhooks_RolledBack makes the commit of an article update fail after
// its event was recorded: neither the delivery nor its job may survive.
func TestWebhooks_RolledBack(t *testing.T) {
	e := newEnv(t, queueOptions{})
	admin, editor := e.person(t, folio.RoleAdmin), e.person(t, folio.RoleEditor)
	rcv := newReceiver(t, ok)
	e.createWebhook(t, admin, rcv.URL, "ARTICLE_UPDATED")
	id := e.article(t, editor, "Doomed update")
	before := jobStates(t)

	// A deferred constraint trigger refuses the title at commit time, after
	// every statement of the write (the event's among them) ran.
	ctx := t.Context()
	for _, sql := range []string{
		`CREATE OR REPLACE FUNCTION refuse_doomed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF NEW.title = 'rolled back' THEN RAISE EXCEPTION 'refused at commit'; END IF; RETURN NEW; END $$`,
		`CREATE CONSTRAINT TRIGGER refuse_doomed AFTER UPDATE ON articles DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_doomed()`,
	} {
		if _, err := testDB.Pool.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { _, _ = testDB.Pool.Exec(context.Background(), `DROP TRIGGER refuse_doomed ON articles`) })

	r := e.Do(t, editor, `mutation($id: ID!) { updateArticle(input: {id: $id, expectedVersion: 1, title: "rolled back"}) { article { id } } }`, map[string]any{"id": id})
	if r.Code() != "INTERNAL_SERVER_ERROR" {
		t.Fatalf("update answered %s, want the commit's failure", r.Raw)
	}
	var n int
	if err := testDB.Pool.QueryRow(ctx, `SELECT count(*) FROM webhook_deliveries`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	after := jobStates(t)
	if n != 0 || total(after) != total(before) {
		t.Fatalf("after a rolled-back write: %d deliveries, jobs %v (before %v); want none", n, after, before)
	}
	if len(rcv.received()) != 0 {
		t.Fatal("the receiver got a delivery of a rolled-back write")
	}
}

func total(m map[string]int) (n int) {
	for _, v := range m {
		n += v
	}
	return n
}

func TestWebhooks_Retry(t *testing.T) {
	t.Run("FailTwiceThenSucceed", func(t *testing.T) {
		e := newEnv(t, queueOptions{maxAttempts: 5})
		admin, editor := e.person(t, folio.RoleAdmin), e.person(t, folio.RoleEditor)
		rcv := newReceiver(t, func(n int) int {
			if n <= 2 {
				return http.StatusServiceUnavailable
			}
			return http.StatusNoContent
		})
		e.createWebhook(t, admin, rcv.URL, "ARTICLE_PUBLISHED")
		e.publish(t, editor, e.article(t, editor, "Third time lucky"))
		waitFor(t, "the delivery to succeed", 15*time.Second, func() bool {
			d := e.deliveries(t, admin)
			return len(d) == 1 && d[0].Status == "SUCCEEDED"
		})
		got := rcv.received()
		if len(got) != 3 {
			t.Fatalf("receiver got the event %d times, want 3", len(got))
		}
		if a, b, c := got[0].header.Get("webhook-id"), got[1].header.Get("webhook-id"), got[2].header.Get("webhook-id"); a != b || b != c {
			t.Errorf("webhook-id changed between attempts: %s %s %s", a, b, c)
		}
		d := e.deliveries(t, admin)[0]
		if d.Attempts != 3 || *d.ResponseCode != http.StatusNoContent || d.LastError != nil {
			t.Errorf("record = attempts %d, code %v, last error %v; want 3, 204, none", d.Attempts, *d.ResponseCode, d.LastError)
		}
	})
	t.Run("AlwaysFailingIsDiscarded", func(t *testing.T) {
		e := newEnv(t, queueOptions{maxAttempts: 3})
		admin, editor := e.person(t, folio.RoleAdmin), e.person(t, folio.RoleEditor)
		rcv := newReceiver(t, func(int) int { return http.StatusInternalServerError })
		e.createWebhook(t, admin, rcv.URL, "ARTICLE_PUBLISHED")
		e.publish(t, editor, e.article(t, editor, "Never accepted"))
		waitFor(t, "the delivery to be discarded", 15*time.Second, func() bool {
			d := e.deliveries(t, admin)
			return len(d) == 1 && d[0].Status == "DISCARDED"
		})
		waitFor(t, "river to discard the job", 10*time.Second, func() bool { return jobStates(t)["discarded"] >= 1 })
		d := e.deliveries(t, admin)[0]
		if d.Attempts != 3 || len(rcv.received()) != 3 || d.LastError == nil || *d.ResponseCode != 500 {
			t.Errorf("record = %+v after %d posts; want 3 attempts, 500 and an error", d, len(rcv.received()))
		}

		// An admin redelivers it: the receiver now accepts.
		rcv.mu.Lock()
		rcv.answer = ok
		rcv.mu.Unlock()
		var out struct {
			RedeliverWebhook struct {
				Delivery struct{ Status string } `json:"delivery"`
			} `json:"redeliverWebhook"`
		}
		e.OK(t, admin, `mutation($id: ID!) { redeliverWebhook(input: {deliveryId: $id}) { delivery { status } } }`, map[string]any{"id": d.ID}, &out)
		if out.RedeliverWebhook.Delivery.Status != "PENDING" {
			t.Errorf("redelivered status = %q, want PENDING", out.RedeliverWebhook.Delivery.Status)
		}
		waitFor(t, "the redelivery to succeed", 10*time.Second, func() bool {
			d := e.deliveries(t, admin)
			return len(d) == 1 && d[0].Status == "SUCCEEDED"
		})
	})
}

func TestWebhooks_Admin(t *testing.T) {
	e := newEnv(t, queueOptions{})
	admin, editor := e.person(t, folio.RoleAdmin), e.person(t, folio.RoleEditor)
	rcv := newReceiver(t, ok)

	t.Run("OnlyAdmins", func(t *testing.T) {
		r := e.Do(t, editor, createWebhook, map[string]any{"in": map[string]any{"url": rcv.URL, "events": []string{"COMMENT_ADDED"}}})
		if r.Code() != "FORBIDDEN" {
			t.Fatalf("editor createWebhook: %s, want FORBIDDEN", r.Raw)
		}
		if r := e.Do(t, editor, `{ webhooks { id } }`, nil); r.Code() != "FORBIDDEN" {
			t.Fatalf("editor webhooks: %s, want FORBIDDEN", r.Raw)
		}
	})
	t.Run("BadInput", func(t *testing.T) {
		for _, url := range []string{"ftp://example.com/", "/relative", "http://user:pw@example.com/", ""} {
			c := e.createWebhook(t, admin, url, "COMMENT_ADDED")
			if c.ID != "" || len(c.Errors) != 1 || c.Errors[0].Code != "INVALID" || *c.Errors[0].Field != "url" {
				t.Errorf("createWebhook(%q) = %+v, want one INVALID error on url", url, c)
			}
		}
		c := e.createWebhook(t, admin, rcv.URL)
		if c.ID != "" || len(c.Errors) != 1 || *c.Errors[0].Field != "events" {
			t.Errorf("createWebhook without events = %+v, want an error on events", c)
		}
	})
	t.Run("RotateSignsWithBoth", func(t *testing.T) {
		hook := e.createWebhook(t, admin, rcv.URL, "ARTICLE_PUBLISHED")
		var out struct {
			RotateWebhookSecret struct {
				Secret  string `json:"secret"`
				Webhook struct {
					PreviousSecretExpiresAt *time.Time `json:"previousSecretExpiresAt"`
				} `json:"webhook"`
			} `json:"rotateWebhookSecret"`
		}
		e.OK(t, admin, `mutation($id: ID!) { rotateWebhookSecret(input: {id: $id}) { secret webhook { previousSecretExpiresAt } } }`, map[string]any{"id": hook.ID}, &out)
		next := out.RotateWebhookSecret.Secret
		if next == hook.Secret || !strings.HasPrefix(next, "whsec_") || out.RotateWebhookSecret.Webhook.PreviousSecretExpiresAt == nil {
			t.Fatalf("rotate = %+v", out)
		}
		e.publish(t, editor, e.article(t, editor, "Rotated"))
		waitFor(t, "the delivery", 10*time.Second, func() bool { return len(rcv.received()) == 1 })
		got := rcv.received()[0]
		for name, s := range map[string]string{"old": hook.Secret, "new": next} {
			if err := webhook.Verify(s, got.header, got.body, time.Now()); err != nil {
				t.Errorf("the %s secret does not verify during the grace period: %v", name, err)
			}
		}
	})
	t.Run("UpdateAndDelete", func(t *testing.T) {
		hook := e.createWebhook(t, admin, rcv.URL, "ARTICLE_PUBLISHED")
		var up struct {
			UpdateWebhook struct {
				Webhook struct{ Events []string } `json:"webhook"`
			} `json:"updateWebhook"`
		}
		e.OK(t, admin, `mutation($id: ID!) { updateWebhook(input: {id: $id, events: [COMMENT_ADDED, ARTICLE_DELETED, COMMENT_ADDED]}) { webhook { events } } }`, map[string]any{"id": hook.ID}, &up)
		if got := strings.Join(up.UpdateWebhook.Webhook.Events, ","); got != "COMMENT_ADDED,ARTICLE_DELETED" {
			t.Errorf("events = %s", got)
		}
		var del struct {
			DeleteWebhook struct {
				DeletedWebhookID string `json:"deletedWebhookId"`
			} `json:"deleteWebhook"`
		}
		e.OK(t, admin, `mutation($id: ID!) { deleteWebhook(input: {id: $id}) { deletedWebhookId } }`, map[string]any{"id": hook.ID}, &del)
		if del.DeleteWebhook.DeletedWebhookID != hook.ID {
			t.Errorf("deleted %q, want %q", del.DeleteWebhook.DeletedWebhookID, hook.ID)
		}
		if r := e.Do(t, admin, `mutation($id: ID!) { deleteWebhook(input: {id: $id}) { deletedWebhookId } }`, map[string]any{"id": hook.ID}); r.Code() != "NOT_FOUND" {
			t.Errorf("deleting twice: %s, want NOT_FOUND", r.Raw)
		}
	})
}

// resolver answers names from a table, as DNS would.
type resolver struct {
	mu    sync.Mutex
	names map[string]string
}

func (r *resolver) set(name, ip string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.names[name] = ip
}

func (r *resolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ip, ok := r.names[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return []net.IPAddr{{IP: net.ParseIP(ip)}}, nil
}

// TestWebhooks_SSRF uses the default guard with a resolver of its own and
// a dialer that fails the test if it is ever asked to connect: no test
// packet leaves the process.
func TestWebhooks_SSRF(t *testing.T) {
	dns := &resolver{names: map[string]string{"inside.example": "10.0.0.1", "rebind.example": "93.184.215.14"}}
	guard := &webhook.Guard{Resolver: dns, Dial: func(_ context.Context, _, addr string) (net.Conn, error) {
		t.Errorf("the guard dialed %s", addr)
		return nil, &net.OpError{Op: "dial", Err: net.UnknownNetworkError("refused by the test")}
	}}
	e := newEnv(t, queueOptions{guard: guard, maxAttempts: 1})
	admin, editor := e.person(t, folio.RoleAdmin), e.person(t, folio.RoleEditor)

	t.Run("RefusedAtCreation", func(t *testing.T) {
		for _, url := range []string{"http://127.0.0.1/", "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[::1]:8080/", "https://inside.example/", "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/"} {
			c := e.createWebhook(t, admin, url, "ARTICLE_PUBLISHED")
			if c.ID != "" || len(c.Errors) != 1 || *c.Errors[0].Field != "url" {
				t.Errorf("createWebhook(%s) = %+v, want refused on url", url, c)
			}
		}
	})
	t.Run("RebindingRefusedAtDelivery", func(t *testing.T) {
		hook := e.createWebhook(t, admin, "https://rebind.example/hook", "ARTICLE_PUBLISHED")
		if hook.ID == "" {
			t.Fatalf("a public address was refused: %+v", hook.Errors)
		}
		dns.set("rebind.example", "127.0.0.1") // the name now points inside
		e.publish(t, editor, e.article(t, editor, "Rebound"))
		waitFor(t, "the delivery to be discarded", 10*time.Second, func() bool {
			d := e.deliveries(t, admin)
			return len(d) == 1 && d[0].Status == "DISCARDED"
		})
		d := e.deliveries(t, admin)[0]
		if d.LastError == nil || !strings.Contains(*d.LastError, "not allowed") || d.ResponseCode != nil {
			t.Errorf("record = %+v, want refused before any connection", d)
		}
	})
}
