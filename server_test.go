package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio/internal/metrics"
	"github.com/folio/folio/internal/postgres"
	"github.com/folio/folio/internal/postgres/postgrestest"
	"github.com/folio/folio/internal/ratelimit"
	"github.com/folio/folio/internal/redistest"
	"github.com/folio/folio/internal/seed"
	"github.com/folio/folio/migrations"
)

// envOf returns a getenv over vars, with nothing else set.
func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// runErr runs a command that must fail and returns its error message.
func runErr(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := run(ctx, args, envOf(env), io.Discard, io.Discard, nil)
	if err == nil {
		t.Fatalf("run %v with %v: got no error", args, env)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error is not one line: %q", msg)
	}
	return msg
}

func TestRun_StartupErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string // every one must appear in the message
	}{
		{"BadEnv", map[string]string{"ENV": "staging"}, nil, []string{"ENV must be", "staging"}},
		{"BadLogLevel", map[string]string{"LOG_LEVEL": "loud"}, nil, []string{"LOG_LEVEL", "loud"}},
		{"SeveralProblemsOneLine", map[string]string{"ENV": "x", "REQUEST_TIMEOUT": "soon", "PLAYGROUND": "maybe"}, nil,
			[]string{"ENV", "REQUEST_TIMEOUT", "PLAYGROUND"}},
		{"BadDatabaseURL", map[string]string{"DATABASE_URL": "postgres://u:hunter2@[::1"}, nil, []string{"DATABASE_URL is not a valid Postgres URL"}},
		{"PostgresDown", map[string]string{"DATABASE_URL": "postgres://postgres@127.0.0.1:1/folio"}, nil, []string{"cannot reach Postgres", "127.0.0.1:1", "DATABASE_URL"}},
		{"RedisDown", map[string]string{"DATABASE_URL": postgrestest.BaseURL(), "REDIS_URL": "redis://127.0.0.1:1/0", "MIGRATE_ON_START": "false", "SEED_IF_EMPTY": "false"}, nil,
			[]string{"cannot reach Redis", "127.0.0.1:1", "REDIS_URL"}},
		{"BadRedisURL", map[string]string{"DATABASE_URL": postgrestest.BaseURL(), "REDIS_URL": "http://nope"}, nil, []string{"REDIS_URL is not a valid Redis URL"}},
		{"UnknownCommand", nil, []string{"launch"}, []string{"unknown command", "launch"}},
		{"FlagOverridesEnv", map[string]string{"ENV": "production"}, []string{"serve", "-env", "qa"}, []string{"qa"}},
		{"MigrateUsage", nil, []string{"migrate", "sideways"}, []string{"usage: folio migrate up|down|status"}},
		{"StrayArgument", nil, []string{"serve", "bogus", "--http-addr", "127.0.0.1:0"}, []string{"unexpected arguments", "bogus", "command comes first"}},
		{"CommandAfterFlags", nil, []string{"--http-addr", "127.0.0.1:0", "migrate", "status"}, []string{"unexpected arguments", "migrate"}},
		{"SeedScale", nil, []string{"seed", "--scale", "huge"}, []string{"huge", "tiny", "medium"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := runErr(t, tt.env, tt.args...)
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
			if strings.Contains(msg, "hunter2") {
				t.Errorf("message %q shows the password", msg)
			}
		})
	}
}

// freshDatabase names a database that does not exist yet and drops it after.
func freshDatabase(t *testing.T) (name, url string) {
	t.Helper()
	name = postgrestest.Name("main")
	url, err := postgrestest.URL(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = postgrestest.Drop(name) })
	return name, url
}

// startServer runs `folio serve` until the test ends and returns its
// address; its standard output goes to stdout (nil: nowhere).
func startServer(t *testing.T, env map[string]string, stdout io.Writer) string {
	t.Helper()
	if stdout == nil {
		stdout = io.Discard
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	env["HTTP_ADDR"] = "127.0.0.1:0"
	if _, ok := env["DEV_JWT_KEY_FILE"]; !ok {
		// Development keeps its key in a file under the user's config
		// folder by default; a test's server keeps it in the test's own.
		env["DEV_JWT_KEY_FILE"] = filepath.Join(t.TempDir(), "dev-jwt.key")
	}
	go func() { done <- run(ctx, []string{"serve"}, envOf(env), stdout, io.Discard, ready) }()
	select {
	case addr := <-ready:
		t.Cleanup(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("serve returned %v after shutdown, want nil", err)
				}
			case <-time.After(20 * time.Second):
				t.Error("serve did not stop within 20s of cancellation")
			}
		})
		return "http://" + addr
	case err := <-done:
		cancel()
		t.Fatalf("serve stopped before it was ready: %v", err)
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("serve not ready within 60s")
	}
	return ""
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func TestRun_ServeDevelopment(t *testing.T) {
	_, dbURL := freshDatabase(t)
	var stdout bytes.Buffer // written before the server is ready, read after
	base := startServer(t, map[string]string{"DATABASE_URL": dbURL}, &stdout)

	t.Run("Banner", func(t *testing.T) {
		files, err := fs.Glob(migrations.FS, "*.sql")
		if err != nil {
			t.Fatal(err)
		}
		banner := stdout.String()
		for _, want := range []string{
			"Folio is serving (development).",
			"database       " + databaseName(dbURL) + ": created, " + fmt.Sprintf("%d migrations applied", len(files)) + ", demo data loaded (100 users, 1,000 articles, ",
			"playground     " + base + "/\n",
			"API            " + base + "/query\n",
			"schema         " + base + "/schema.graphql\n",
			"demo accounts  admin@demo.folio.example, author@demo.folio.example, editor@demo.folio.example, reader@demo.folio.example\n",
			"password       " + DemoPassword + "\n",
		} {
			if !strings.Contains(banner, want) {
				t.Errorf("the banner lacks %q:\n%s", want, banner)
			}
		}
		if strings.Contains(banner, "metrics") {
			t.Errorf("the banner names metrics, which are off:\n%s", banner)
		}
	})

	t.Run("NoHeapSampling", func(t *testing.T) {
		// PPROF is off, so no one could read a heap profile.
		if runtime.MemProfileRate != 0 {
			t.Errorf("runtime.MemProfileRate = %d, want 0 without PPROF", runtime.MemProfileRate)
		}
		if heapProfileRate(true) == 0 {
			t.Error("with PPROF the heap would not be sampled")
		}
	})
	t.Run("Healthz", func(t *testing.T) {
		if code, body := get(t, base+"/healthz"); code != 200 || !strings.Contains(body, `"ok"`) {
			t.Errorf("got %d %s", code, body)
		}
	})
	t.Run("Readyz", func(t *testing.T) {
		code, body := get(t, base+"/readyz")
		if code != 200 || !strings.Contains(body, `"postgres":"ok"`) || !strings.Contains(body, `"redis":"ok"`) {
			t.Errorf("got %d %s", code, body)
		}
	})
	t.Run("Playground", func(t *testing.T) {
		if code, body := get(t, base+"/"); code != 200 || !strings.Contains(body, "/query") {
			t.Errorf("got %d, want the playground page pointing at /query", code)
		}
	})
	t.Run("CreatedMigratedAndSeeded", func(t *testing.T) {
		res, err := http.Post(base+"/query", "application/json", strings.NewReader(`{"query":"{ articles { totalCount } categories { totalCount } }"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out struct {
			Data struct {
				Articles, Categories struct{ TotalCount int }
			}
		}
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		// small: 1,000 articles of which about 90% are published.
		if n := out.Data.Articles.TotalCount; n < 800 || n > 1000 || out.Data.Categories.TotalCount != 12 {
			t.Errorf("got %d published articles and %d categories, want the small seed", n, out.Data.Categories.TotalCount)
		}
	})
	t.Run("DemoAccountsSignIn", func(t *testing.T) {
		for role, email := range seed.DemoAccounts {
			body, _ := json.Marshal(map[string]any{
				"query":     `mutation($e: String!, $p: String!) { signIn(input: {email: $e, password: $p}) { session { user { role } } } }`,
				"variables": map[string]any{"e": email, "p": DemoPassword},
			})
			res, err := http.Post(base+"/query", "application/json", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if !strings.Contains(string(raw), `"role":"`+strings.ToUpper(role)+`"`) {
				t.Errorf("%s: %s", email, raw)
			}
		}
	})
}

func TestRun_ProductionRefusesOutdatedSchema(t *testing.T) {
	ctx := context.Background()
	db, drop, err := postgrestest.Create(ctx, "main")
	if err != nil {
		t.Fatal(err)
	}
	defer drop()
	m, err := postgres.NewMigrator(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Down(ctx); err != nil {
		t.Fatal(err)
	}
	m.Close()
	dbURL := db.Pool.Config().ConnString()

	msg := runErr(t, map[string]string{"ENV": "production", "DATABASE_URL": dbURL})
	if !strings.Contains(msg, "lacks 1 migration") || !strings.Contains(msg, "migrate up") {
		t.Errorf("got %q, want it to name the missing migration and the fix", msg)
	}
	t.Run("ProductionDoesNotCreateDatabases", func(t *testing.T) {
		_, missing := freshDatabase(t)
		msg := runErr(t, map[string]string{"ENV": "production", "DATABASE_URL": missing})
		if !strings.Contains(msg, "does not exist") || !strings.Contains(msg, "createdb") {
			t.Errorf("got %q", msg)
		}
	})
}

func TestRun_MigrateAndSeed(t *testing.T) {
	_, dbURL := freshDatabase(t)
	env := map[string]string{"DATABASE_URL": dbURL}
	cmd := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), args, envOf(env), &out, io.Discard, nil)
		return out.String(), err
	}

	t.Run("UpStatusDown", func(t *testing.T) {
		files, err := fs.Glob(migrations.FS, "*.sql")
		if err != nil {
			t.Fatal(err)
		}
		out, err := cmd("migrate", "up")
		if err != nil || !strings.Contains(out, fmt.Sprintf("applied %d migration", len(files))) {
			t.Fatalf("up: %q %v", out, err)
		}
		out, err = cmd("migrate", "status")
		if err != nil || !strings.Contains(out, "00001_initial_schema.sql") || !strings.Contains(out, "applied 20") {
			t.Fatalf("status: %q %v", out, err)
		}
		// Flags may follow the subcommand's own argument.
		if _, err := cmd("migrate", "down", "--log-level", "warn"); err != nil {
			t.Fatalf("down: %v", err)
		}
		out, err = cmd("migrate", "status")
		if err != nil || !strings.Contains(out, "pending") {
			t.Fatalf("status after down: %q %v", out, err)
		}
	})

	t.Run("DocumentsLoad", func(t *testing.T) {
		if _, err := cmd("migrate", "up"); err != nil {
			t.Fatal(err)
		}
		doc := "query Q { tags { totalCount } }"
		sum := sha256.Sum256([]byte(doc))
		manifest := filepath.Join(t.TempDir(), "persisted-documents.json")
		raw, _ := json.Marshal(map[string]string{hex.EncodeToString(sum[:]): doc})
		if err := os.WriteFile(manifest, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := cmd("documents", "load", manifest); err != nil || !strings.Contains(out, "registered 1 new of 1") {
			t.Fatalf("load: %q %v", out, err)
		}
		if out, err := cmd("documents", "load", manifest); err != nil || !strings.Contains(out, "registered 0 new of 1") {
			t.Fatalf("load again: %q %v", out, err)
		}
		bad := filepath.Join(t.TempDir(), "bad.json")
		_ = os.WriteFile(bad, []byte(`{"`+strings.Repeat("0", 64)+`": "query { x }"}`), 0o600)
		if _, err := cmd("documents", "load", bad); err == nil || !strings.Contains(err.Error(), "SHA-256") {
			t.Fatalf("a mismatched manifest: %v", err)
		}
	})
	t.Run("SeedThenRefuseThenReplace", func(t *testing.T) {
		out, err := cmd("seed", "--scale", "tiny")
		if err != nil || !strings.Contains(out, "seeded tiny") {
			t.Fatalf("seed: %q %v", out, err)
		}
		if _, err := cmd("seed", "--scale", "tiny"); err == nil || !strings.Contains(err.Error(), "--replace") {
			t.Fatalf("second seed: got %v, want a refusal naming --replace", err)
		}
		if out, err := cmd("seed", "--scale", "tiny", "--replace"); err != nil || !strings.Contains(out, "seeded tiny") {
			t.Fatalf("seed --replace: %q %v", out, err)
		}
	})
}

// TestNewLimiter_Metrics checks the limiter's decisions and fallbacks reach
// the Prometheus metrics of issue 6.
func TestNewLimiter_Metrics(t *testing.T) {
	m := metrics.New(metrics.Options{})
	c, err := loadConfig(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	lim := newLimiter(c.RateLimit, redistest.Dead(t), slog.New(slog.DiscardHandler), m)
	ctx := context.Background()
	lim.Budgets.Take(ctx, ratelimit.Client{Key: "ip:x", Tier: c.RateLimit.Tiers.Anonymous}, 1)
	lim.Observe(ctx, ratelimit.Observation{Outcome: "ok", Tier: "anonymous", Actual: 12, Available: 988})
	lim.Observe(ctx, ratelimit.Observation{Outcome: "throttled", Tier: "anonymous", Requested: 900, Available: 10})
	lim.Observe(ctx, ratelimit.Observation{Outcome: "dryRun", Tier: "anonymous", Requested: 5})
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{
		`folio_ratelimit_decisions_total{decision="allowed"} 1`,
		`folio_ratelimit_decisions_total{decision="limited"} 1`,
		`folio_ratelimit_fallbacks_total 1`,
		`folio_graphql_operation_cost_count 1`,
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestGCTarget checks which commands run with Folio's GOGC: the long-running
// ones, unless GOGC is set; the one-off ones keep Go's.
func TestGCTarget(t *testing.T) {
	env := func(gogc string) func(string) string {
		return func(k string) string {
			if k == "GOGC" {
				return gogc
			}
			return ""
		}
	}
	for _, tc := range []struct {
		args []string
		gogc string
		want bool
	}{
		{nil, "", true},
		{[]string{"serve"}, "", true},
		{[]string{"--http-addr", ":9000"}, "", true},
		{[]string{"worker"}, "", true},
		{[]string{"serve"}, "200", false},
		{[]string{"seed", "--scale", "medium"}, "", false},
		{[]string{"migrate", "up"}, "", false},
		{[]string{"--help"}, "", false},
	} {
		gc, ok := gcTarget(tc.args, env(tc.gogc))
		if ok != tc.want || (ok && gc != defaultGOGC) {
			t.Errorf("gcTarget(%q, GOGC=%q) = %d, %v; want %v", tc.args, tc.gogc, gc, ok, tc.want)
		}
	}
}
