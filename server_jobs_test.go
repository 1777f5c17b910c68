package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/postgres"
)

// process is a folio binary started by a test.
type process struct {
	cmd    *exec.Cmd
	base   string
	exited chan error
}

func startFolio(t *testing.T, bin string, env ...string) *process {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, exited: make(chan error, 1)}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var m struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &m) == nil && m.Msg == "serving" {
				addrc <- m.Addr
			}
		}
		p.exited <- cmd.Wait()
	}()
	select {
	case addr := <-addrc:
		p.base = "http://" + addr
	case err := <-p.exited:
		t.Fatalf("the server exited before serving: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("the server did not start within a minute")
	}
	return p
}

// holdingReceiver is a webhook endpoint that holds every request while
// holding is on, and afterwards accepts each event once: a request whose
// sender went away before the answer is not counted, one whose event id it
// has already processed is acknowledged and ignored.
type holdingReceiver struct {
	*httptest.Server
	mu        sync.Mutex
	held      int
	gone      int // held requests whose sender went away
	processed map[string]int
	release   chan struct{}
}

func newHoldingReceiver(t *testing.T) *holdingReceiver {
	r := &holdingReceiver{processed: map[string]int{}, release: make(chan struct{})}
	var once sync.Once
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		// Reading the body whole lets the server watch the connection, so
		// that the request's context ends when the sender goes away.
		_, _ = io.Copy(io.Discard, req.Body)
		r.mu.Lock()
		holding := r.release != nil
		if holding {
			r.held++
		}
		release := r.release
		r.mu.Unlock()
		if holding {
			select {
			case <-release:
			case <-req.Context().Done():
				r.mu.Lock()
				r.gone++
				r.mu.Unlock()
				return // the sender is gone: nothing was acknowledged
			}
		}
		r.mu.Lock()
		r.processed[req.Header.Get("webhook-id")]++
		r.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(func() {
		r.stopHolding()
		once.Do(r.Close)
	})
	return r
}

func (r *holdingReceiver) stopHolding() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.release != nil {
		close(r.release)
		r.release = nil
	}
}

func (r *holdingReceiver) counts() (held, gone int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.held, r.gone
}

// signIn makes an editor in db and signs them in on the server at base.
func signIn(t *testing.T, db *postgres.DB, base string) string {
	t.Helper()
	hash, err := auth.HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(t.Context(), `INSERT INTO users (handle, email, display_name, role, password_hash) VALUES ('ed', 'ed@example.com', 'Ed', 'admin', $1)`, hash); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Data struct {
			SignIn struct {
				Session struct {
					AccessToken string `json:"accessToken"`
				} `json:"session"`
			} `json:"signIn"`
		} `json:"data"`
	}
	gql(t, base, "", `mutation { signIn(input: {email: "ed@example.com", password: "correct horse battery staple"}) { session { accessToken } } }`, &out)
	if out.Data.SignIn.Session.AccessToken == "" {
		t.Fatal("sign in failed")
	}
	return out.Data.SignIn.Session.AccessToken
}

func gql(t *testing.T, base, token, query string, out any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, base+"/query", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

// TestMain_KillDuringDeliveries kills a server with SIGKILL while its
// workers are in the middle of deliveries: after a restart every delivery
// completes, and the receiver, deduplicating by event id, processes each
// event exactly once.
func TestMain_KillDuringDeliveries(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and waits for river to rescue jobs")
	}
	bin, db := folioBinary(t), binaryDatabase(t, "main")
	env := []string{"ENV=production", "DATABASE_URL=" + db.Pool.Config().ConnString(), "HTTP_ADDR=127.0.0.1:0",
		"REDIS_URL=redis://127.0.0.1:6379/0", "JWT_KEYS=" + auth.GenerateKey(), "MIGRATE_ON_START=true",
		"JOBS_WORKERS=3", "JOBS_RETRY_BASE=50ms", "JOBS_RETRY_MAX=200ms", "WEBHOOK_ALLOW_PRIVATE=true",
		"WEBHOOK_TIMEOUT=2s", "JOBS_RESCUE_AFTER=13s", "RATE_LIMIT=false"}
	rcv := newHoldingReceiver(t)

	first := startFolio(t, bin, env...)
	token := signIn(t, db, first.base)
	var created struct {
		Data struct {
			CreateWebhook struct {
				Webhook struct{ ID string } `json:"webhook"`
			} `json:"createWebhook"`
		} `json:"data"`
	}
	gql(t, first.base, token, fmt.Sprintf(`mutation { createWebhook(input: {url: %q, events: [ARTICLE_PUBLISHED]}) { webhook { id } } }`, rcv.URL), &created)
	if created.Data.CreateWebhook.Webhook.ID == "" {
		t.Fatal("createWebhook failed")
	}
	const articles = 5
	for i := range articles {
		var out struct {
			Data struct {
				CreateArticle struct {
					Article struct{ ID string } `json:"article"`
				} `json:"createArticle"`
			} `json:"data"`
		}
		gql(t, first.base, token, fmt.Sprintf(`mutation { createArticle(input: {title: "Survivor %d", body: "Still here."}) { article { id } } }`, i), &out)
		var pub map[string]any
		gql(t, first.base, token, fmt.Sprintf(`mutation { publishArticle(input: {id: %q}) { article { id } } }`, out.Data.CreateArticle.Article.ID), &pub)
	}
	waitFor(t, "three deliveries to be in flight", func() bool { held, _ := rcv.counts(); return held == 3 })
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-first.exited
	// The receiver sees the killed sender's connections close; from now on
	// it answers at once.
	waitFor(t, "the receiver to see the sender gone", func() bool { _, gone := rcv.counts(); return gone == 3 })
	rcv.stopHolding()

	second := startFolio(t, bin, env...)
	deadline := time.Now().Add(90 * time.Second)
	for {
		var pending, done int
		if err := db.Pool.QueryRow(t.Context(), `SELECT count(*) FILTER (WHERE status <> 'succeeded'), count(*) FILTER (WHERE status = 'succeeded') FROM webhook_deliveries`).Scan(&pending, &done); err != nil {
			t.Fatal(err)
		}
		if pending == 0 && done == articles {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restart: %d deliveries pending, %d done; want all %d done", pending, done, articles)
		}
		time.Sleep(100 * time.Millisecond) // polling the database, bounded by the deadline
	}
	rows, err := db.Pool.Query(t.Context(), `SELECT event_id FROM webhook_deliveries`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	rcv.mu.Lock()
	processed := len(rcv.processed)
	for _, id := range ids {
		if n := rcv.processed[id]; n != 1 {
			t.Errorf("the receiver acknowledged event %s %d times, want once", id, n)
		}
	}
	rcv.mu.Unlock()
	if processed != articles {
		t.Errorf("the receiver processed %d distinct events, want %d", processed, articles)
	}
	_ = second.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-second.exited:
		if err != nil {
			t.Errorf("the restarted server exited with %v, want status 0", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the restarted server did not exit within a minute of SIGTERM")
	}
}
