package main

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio/internal/redistest"
)

// runOut runs a command that must succeed and returns its standard output.
func runOut(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), args, envOf(env), &out, io.Discard, nil); err != nil {
		t.Fatalf("folio %s: got %v, want no error", strings.Join(args, " "), err)
	}
	return out.String()
}

// wantLines fails unless out, the output of what, holds every line.
func wantLines(t *testing.T, what, out string, lines ...string) {
	t.Helper()
	for _, line := range lines {
		if !strings.Contains(out, line) {
			t.Errorf("%s lacks %q:\n%s", what, line, out)
		}
	}
}

func TestRun_Help(t *testing.T) {
	t.Run("Overview", func(t *testing.T) {
		const want = `Folio serves the GraphQL API of a publishing platform.

Usage: folio [COMMAND] [ARGUMENTS] [FLAGS]

Commands:
  serve                    serve the GraphQL API over HTTP (the default command)
  migrate up|down|status   apply, roll back or list the database migrations
  seed                     load deterministic demo data into the database
  documents load FILE      register the operations of a persisted-documents manifest (TRUSTED_DOCUMENTS)
  accounts unlock EMAIL    clear an account's sign-in delays, on every instance
  worker                   run queued jobs (webhook deliveries) without serving HTTP
  keygen                   print a new access-token key for JWT_KEYS
  help [COMMAND]           show this help, or a command's

Settings come from environment variables; a flag of the same name in lower
case overrides one (--database-url for DATABASE_URL).
Run ` + "`folio COMMAND --help`" + ` for a command's flags.
`
		for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}, {"help", "--help"}} {
			if got := runOut(t, nil, args...); got != want {
				t.Errorf("folio %s: got\n%s\nwant\n%s", strings.Join(args, " "), got, want)
			}
		}
	})
	t.Run("Migrate", func(t *testing.T) {
		got := runOut(t, nil, "migrate", "--help")
		wantLines(t, "migrate --help", got,
			"Usage: folio migrate up|down|status [FLAGS]\n",
			"  status  list each migration, applied or pending; changes nothing\n",
			"Connections:\n  --database-url URL                 env DATABASE_URL; default postgres://",
			"Environment and logs:\n  --env development|production       env ENV; default development\n",
			"  --log-level debug|info|warn|error  env LOG_LEVEL; default info\n")
		// Only migrate's own settings: not the server's.
		for _, other := range []string{"--http-addr", "--jwt-keys", "--playground", "Usage of"} {
			if strings.Contains(got, other) {
				t.Errorf("migrate --help shows %s:\n%s", other, got)
			}
		}
		if again := runOut(t, nil, "help", "migrate"); again != got {
			t.Errorf("folio help migrate:\n%s\nwant what migrate --help says", again)
		}
	})
	t.Run("KeygenTakesHelp", func(t *testing.T) {
		if got := runOut(t, nil, "keygen", "--help"); !strings.HasPrefix(got, "Usage: folio keygen") {
			t.Errorf("keygen --help: got %q, want its usage", got)
		}
	})
	t.Run("ServeGroupsItsFlags", func(t *testing.T) {
		got := runOut(t, nil, "serve", "--help")
		for _, g := range settingGroups {
			if !strings.Contains(got, "\n"+g+":\n") {
				t.Errorf("serve --help lacks the group %q", g)
			}
		}
		if !strings.Contains(got, "--jwt-keys KID:SEED,…") {
			t.Errorf("serve --help lacks --jwt-keys with its placeholder:\n%s", got)
		}
	})
}

func TestRun_WrongFlag(t *testing.T) {
	for name, tt := range map[string]struct {
		args []string
		want string
	}{
		"Unknown":      {[]string{"serve", "--prot", "8080"}, "serve has no flag --prot: run `folio serve --help` for its flags"},
		"Near":         {[]string{"--database", "x"}, "serve has no flag --database: did you mean --database-replica-urls or --database-url? run `folio serve --help` for its flags"},
		"NotMigrates":  {[]string{"migrate", "status", "--http-addr", ":1"}, "migrate has no flag --http-addr: run `folio migrate --help` for its flags"},
		"MissingValue": {[]string{"seed", "--scale"}, "flag needs an argument: -scale: run `folio seed --help` for its flags"},
	} {
		t.Run(name, func(t *testing.T) {
			if got := runErr(t, nil, tt.args...); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestRun_MigrateStatusCreatesNothing checks that a read-only command
// leaves a missing database missing, in development too.
func TestRun_MigrateStatusCreatesNothing(t *testing.T) {
	_, dbURL := freshDatabase(t)
	env := map[string]string{"DATABASE_URL": dbURL}
	for _, args := range [][]string{{"migrate", "status"}, {"migrate", "down"}, {"migrate", "status"}} {
		if msg := runErr(t, env, args...); !strings.Contains(msg, "does not exist") {
			t.Errorf("folio %s: got %q, want it to say the database does not exist", strings.Join(args, " "), msg)
		}
	}
	// And up, which writes, creates it.
	if out := runOut(t, env, "migrate", "up"); !strings.Contains(out, "applied") {
		t.Errorf("migrate up: got %q", out)
	}
}

// TestRun_AccountsUnlock: an account delayed from two addresses signs in at
// once after `folio accounts unlock`, which reaches the keys every instance
// shares.
func TestRun_AccountsUnlock(t *testing.T) {
	rdb := redistest.Client(t)
	email := "unlock-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "@example.com"
	env := map[string]string{"REDIS_URL": "redis://" + redistest.Addr() + "/0"}
	cfg, err := loadConfig(t, env)
	if err != nil {
		t.Fatal(err)
	}
	th := newThrottle(cfg, rdb, nil)
	ctx := context.Background()
	for _, addr := range []string{"203.0.113.1", "203.0.113.2"} {
		for range cfg.SignInFreeAttempts {
			th.SignIn(ctx, email, addr)
		}
		if th.SignIn(ctx, email, addr) == 0 {
			t.Fatalf("%s is not delayed after %d attempts", addr, cfg.SignInFreeAttempts)
		}
	}
	t.Cleanup(func() { _, _ = th.Unlock(ctx, email) })

	if out := runOut(t, env, "accounts", "unlock", strings.ToUpper(email)); !strings.Contains(strings.ToLower(out), "unlocked "+email+": cleared 3 sign-in counts") {
		t.Errorf("accounts unlock: got %q", out)
	}
	for _, addr := range []string{"203.0.113.1", "203.0.113.2"} {
		if wait := th.SignIn(ctx, email, addr); wait != 0 {
			t.Errorf("after unlock %s still waits %v", addr, wait)
		}
	}
	if out := runOut(t, env, "accounts", "unlock", "nobody-"+email); !strings.Contains(out, "nothing to unlock") {
		t.Errorf("unlocking an account without delays: got %q", out)
	}
	if msg := runErr(t, env, "accounts", "unlock"); !strings.Contains(msg, "usage: folio accounts unlock EMAIL") {
		t.Errorf("accounts unlock without an email: got %q", msg)
	}
}
