package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/postgres"
	"github.com/folio/folio/internal/postgres/postgrestest"
)

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serving is a `folio serve` running in this process.
type serving struct {
	base string
	stop context.CancelFunc // what SIGTERM does: main cancels run's context
	done chan error
	logs *lockedBuffer

	once    sync.Once
	exited  bool
	exitErr error
}

// wait returns what run returned, waiting up to a minute for it; ok is
// false if it did not return.
func (s *serving) wait() (err error, ok bool) {
	s.once.Do(func() {
		select {
		case s.exitErr = <-s.done:
			s.exited = true
		case <-time.After(time.Minute):
		}
	})
	return s.exitErr, s.exited
}

// serveProduction starts `folio serve` in production on a migrated, empty
// database of its own, with env added.
func serveProduction(t *testing.T, env map[string]string) (*serving, *postgres.DB) {
	t.Helper()
	db, drop, err := postgrestest.Create(context.Background(), "main")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	t.Cleanup(db.Close)
	vars := map[string]string{"ENV": "production", "DATABASE_URL": db.Pool.Config().ConnString(), "HTTP_ADDR": "127.0.0.1:0", "JWT_KEYS": auth.GenerateKey()}
	for k, v := range env {
		vars[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &serving{stop: cancel, done: make(chan error, 1), logs: &lockedBuffer{}}
	ready := make(chan string, 1)
	go func() { s.done <- run(ctx, []string{"serve"}, envOf(vars), io.Discard, s.logs, ready) }()
	t.Cleanup(func() {
		cancel()
		if _, ok := s.wait(); !ok {
			t.Error("serve did not stop within a minute of cancellation")
		}
	})
	select {
	case addr := <-ready:
		s.base = "http://" + addr
	case err := <-s.done:
		t.Fatalf("serve stopped before it was ready: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("serve not ready within 60s")
	}
	return s, db
}

// waitFor polls cond until it holds, failing after a minute: a bound on a
// hang, not a measure of speed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// lockArticles holds an exclusive lock on articles, so any read of them
// waits, until the returned function releases it.
func lockArticles(t *testing.T, db *postgres.DB) func() {
	t.Helper()
	ctx := context.Background()
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "LOCK TABLE articles IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release := func() { once.Do(func() { _ = tx.Rollback(ctx) }) }
	t.Cleanup(release)
	return release
}

// waitingOnLock counts the server's statements blocked on a lock.
func waitingOnLock(t *testing.T, db *postgres.DB) int {
	t.Helper()
	var n int
	err := db.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%articles%'`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

type result struct {
	status int
	body   string
	err    error
}

func postAsync(url, body string) chan result {
	out := make(chan result, 1)
	go func() {
		res, err := http.Post(url, "application/json", strings.NewReader(body))
		if err != nil {
			out <- result{err: err}
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		out <- result{status: res.StatusCode, body: string(b)}
	}()
	return out
}

func TestServe_GracefulShutdown(t *testing.T) {
	s, db := serveProduction(t, map[string]string{"SHUTDOWN_DELAY": "3s", "SHUTDOWN_TIMEOUT": "30s"})
	release := lockArticles(t, db)
	slow := postAsync(s.base+"/query", `{"query":"{ articles(first: 1) { totalCount } }"}`)
	waitFor(t, "the request to block on the lock", func() bool { return waitingOnLock(t, db) > 0 })

	s.stop() // SIGTERM
	// During the delay the listener still answers, and readiness fails
	// (once the server has seen the signal).
	for {
		res, err := http.Get(s.base + "/readyz")
		if err != nil {
			t.Fatalf("the listener closed before readiness failed: %v", err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode == http.StatusServiceUnavailable && strings.Contains(string(b), "draining") {
			break
		}
		if res.StatusCode != http.StatusOK {
			t.Fatalf("readyz during the drain: got %d %s, want 503 draining", res.StatusCode, b)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Then the listener closes: no new connections.
	waitFor(t, "the listener to close", func() bool {
		res, err := http.Get(s.base + "/healthz")
		if err == nil {
			res.Body.Close()
		}
		return err != nil
	})
	select {
	case r := <-slow:
		t.Fatalf("the in-flight request ended before its SQL could finish: %+v", r)
	default:
	}

	release()
	r := <-slow
	if r.err != nil || r.status != http.StatusOK || !strings.Contains(r.body, `"totalCount":0`) {
		t.Errorf("in-flight request: got %+v, want 200 with data", r)
	}
	if err, ok := s.wait(); !ok {
		t.Fatal("serve did not return after the drain")
	} else if err != nil {
		t.Errorf("serve returned %v, want nil after a clean drain", err)
	}
	if !strings.Contains(s.logs.String(), `"msg":"stopped"`) {
		t.Errorf("no 'stopped' log line:\n%s", s.logs)
	}
}

func TestServe_ShutdownTimeoutCutsOff(t *testing.T) {
	s, db := serveProduction(t, map[string]string{"SHUTDOWN_TIMEOUT": "500ms", "REQUEST_TIMEOUT": "0s"})
	lockArticles(t, db) // never released while the server runs
	stuck := postAsync(s.base+"/query", `{"query":"{ articles(first: 1) { totalCount } }"}`)
	waitFor(t, "the request to block on the lock", func() bool { return waitingOnLock(t, db) > 0 })

	s.stop()
	err, ok := s.wait()
	if !ok {
		t.Fatal("serve did not return although its SHUTDOWN_TIMEOUT passed")
	}
	if err == nil || !strings.Contains(err.Error(), "SHUTDOWN_TIMEOUT") {
		t.Errorf("serve returned %v, want an error naming SHUTDOWN_TIMEOUT", err)
	}
	if r := <-stuck; r.err == nil {
		t.Errorf("the stuck request got %d %s, want its connection cut", r.status, r.body)
	}
	// Its statement was cancelled in Postgres, not left waiting.
	waitFor(t, "the cut-off statement to be cancelled", func() bool { return waitingOnLock(t, db) == 0 })
}

func TestServe_ProductionHardening(t *testing.T) {
	s, _ := serveProduction(t, map[string]string{"METRICS_ADDR": "127.0.0.1:0", "CORS_ALLOWED_ORIGINS": "https://app.example.com",
		"MAX_CONCURRENT_OPERATIONS": "7"})
	send := func(method, path, contentType, body string, header ...string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	query := `{"query":"query Count { articles { totalCount } }"}`

	t.Run("CSRF", func(t *testing.T) {
		for _, ct := range []string{"text/plain", "multipart/form-data; boundary=x"} {
			res, body := send("POST", "/query", ct, query)
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "BAD_USER_INPUT") || !strings.Contains(body, "cross-site") {
				t.Errorf("POST %s: got %d %s, want a 400 CSRF refusal", ct, res.StatusCode, body)
			}
		}
		res, body := send("GET", "/query?query="+url.QueryEscape("mutation { anything }"), "", "")
		if res.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(body, "POST") {
			t.Errorf("GET mutation: got %d %s, want 405", res.StatusCode, body)
		}
		res, body = send("GET", "/query?query="+url.QueryEscape("{ articles { totalCount } }"), "", "")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "totalCount") {
			t.Errorf("GET query: got %d %s, want 200", res.StatusCode, body)
		}
	})
	t.Run("SecurityHeaders", func(t *testing.T) {
		res, _ := send("POST", "/query", "application/json", query, "Origin", "https://app.example.com")
		h := res.Header
		if h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
			h.Get("Referrer-Policy") == "" || h.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
			t.Errorf("got headers %v", h)
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Error("HSTS sent over plain HTTP")
		}
	})
	t.Run("NoIntrospectionNorSuggestions", func(t *testing.T) {
		_, body := send("POST", "/query", "application/json", `{"query":"{ __schema { types { name } } }"}`)
		if !strings.Contains(body, "Introspection is disabled") || !strings.Contains(body, "GRAPHQL_VALIDATION_FAILED") {
			t.Errorf("introspection in production: got %s, want a refusal", body)
		}
		_, body = send("POST", "/query", "application/json", `{"query":"{ artcles { totalCount } }"}`)
		if strings.Contains(body, "Did you mean") || !strings.Contains(body, "artcles") {
			t.Errorf("got %s, want a validation error without suggestions", body)
		}
	})
	t.Run("Metrics", func(t *testing.T) {
		send("POST", "/query", "application/json", query)
		maddr := metricsAddr(t, s.logs.String())
		code, body := get(t, "http://"+maddr+"/metrics")
		for _, want := range []string{
			`folio_graphql_operation_duration_seconds_count{operation="Count",outcome="ok",type="query"}`,
			`folio_graphql_errors_total{code="BAD_USER_INPUT"}`,
			`folio_sql_statements_total`, `folio_pgx_pool_total_connections`, `go_goroutines`,
			"folio_operations_limit 7", "folio_operations_waiting 0",
		} {
			if code != 200 || !strings.Contains(body, want) {
				t.Errorf("/metrics (%d) lacks %q", code, want)
			}
		}
		// The API's port does not serve them.
		if res, _ := send("GET", "/metrics", "", ""); res.StatusCode == http.StatusOK {
			t.Error("/metrics is served on the public port")
		}
	})
	t.Run("OneJSONLinePerRequest", func(t *testing.T) {
		before := countRequestLines(t, s.logs.String())
		res, _ := send("POST", "/query", "application/json", query, "Authorization", "Bearer eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJl")
		logs := s.logs.String()
		if n := countRequestLines(t, logs) - before; n != 1 {
			t.Errorf("got %d request lines for one request", n)
		}
		if !strings.Contains(logs, res.Header.Get("X-Request-ID")) || strings.Contains(logs, "eyJhbGciOiJFZERTQSJ9") {
			t.Errorf("the log lacks the request id or shows the token:\n%s", logs)
		}
	})
}

// metricsAddr finds where the metrics listener serves, from the log.
func metricsAddr(t *testing.T, logs string) string {
	t.Helper()
	for _, line := range strings.Split(logs, "\n") {
		var m struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &m) == nil && m.Msg == "serving metrics" {
			return m.Addr
		}
	}
	t.Fatalf("no 'serving metrics' line in:\n%s", logs)
	return ""
}

func countRequestLines(t *testing.T, logs string) int {
	t.Helper()
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if m["msg"] == "request" {
			n++
		}
	}
	return n
}

// TestServe_LogsNoSecrets signs up and in, then calls the API with the access
// token, with every log line on (debug: headers, variables, SQL): the logs
// name the user by id and never show the password or a token.
func TestServe_LogsNoSecrets(t *testing.T) {
	s, _ := serveProduction(t, map[string]string{"LOG_LEVEL": "debug"})
	const password = "correct horse battery staple"
	signUp := `{"query":"mutation SignUp($input: SignUpInput!) { signUp(input: $input) { email userErrors { message } } }",` +
		`"variables":{"input":{"email":"ops@example.com","password":"` + password + `","handle":"ops_person","displayName":"Ops Person"}}}`
	if r := <-postAsync(s.base+"/query", signUp); !strings.Contains(r.body, `"email":"ops@example.com","userErrors":[]`) {
		t.Fatalf("signUp: got %d %s", r.status, r.body)
	}
	// signUp signs nobody in; an account not yet verified can sign in.
	signIn := `{"query":"mutation SignIn($input: SignInInput!) { signIn(input: $input) { session { accessToken refreshToken } userErrors { message } } }",` +
		`"variables":{"input":{"email":"ops@example.com","password":"` + password + `"}}}`
	r := <-postAsync(s.base+"/query", signIn)
	var out struct {
		Data struct {
			SignIn struct {
				Session    struct{ AccessToken, RefreshToken string }
				UserErrors []struct{ Message string }
			}
		}
	}
	if err := json.Unmarshal([]byte(r.body), &out); err != nil || out.Data.SignIn.Session.AccessToken == "" {
		t.Fatalf("signIn: got %d %s", r.status, r.body)
	}
	session := out.Data.SignIn.Session

	req, _ := http.NewRequest("POST", s.base+"/query", strings.NewReader(`{"query":"query Me { viewer { id } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+session.AccessToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()

	logs := s.logs.String()
	for name, secret := range map[string]string{"password": password, "access token": session.AccessToken, "refresh token": session.RefreshToken} {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs show the %s", name)
		}
	}
	var me map[string]any
	for _, line := range strings.Split(logs, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == "request" && m["operation"] == "Me" {
			me = m
		}
	}
	client, _ := me["client"].(map[string]any)
	if uid, _ := client["user_id"].(float64); uid == 0 {
		t.Errorf("the Me request's line does not name the user: %v", me)
	}
	if !strings.Contains(logs, `"msg":"sql"`) || !strings.Contains(logs, `"password":"[REDACTED]"`) {
		t.Errorf("debug logs lack SQL or the redacted variables")
	}
}
