// Package fault tests that Folio survives the failures of what it runs on:
// Postgres restarted, Redis killed, the process stopped or killed in the
// middle of a burst of writes. Each test runs the real binary as a
// subprocess, over a Postgres cluster (initdb, pg_ctl) and a redis-server of
// its own on spare ports, so the shared services are never touched.
package fault

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/folio/folio/internal/testtool"
	"github.com/jackc/pgx/v5"
)

// pgBin is where Debian installs PostgreSQL 15's server programs.
const pgBin = "/usr/lib/postgresql/15/bin"

// bin is the folio binary TestMain builds.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "folio-fault-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "folio")
	build := exec.Command("go", "build", "-o", bin, "github.com/folio/folio")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "fault: build the server: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// freePort is a TCP port nothing listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitFor polls cond every 20 ms until it holds or the deadline passes.
func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
	}
}

// cluster is a Postgres cluster of the test's own.
type cluster struct {
	t    *testing.T
	dir  string
	port int
}

// asPostgres runs a Postgres program as the postgres user when the test
// runs as root (Postgres refuses to run as root).
func asPostgres(name string, args ...string) *exec.Cmd {
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(pgBin, name)}, args...)...)
	}
	return exec.Command(filepath.Join(pgBin, name), args...)
}

// startCluster creates and starts a cluster on a spare port, with settings
// added to postgresql.conf; it is stopped and removed when the test ends.
func startCluster(t *testing.T, settings ...string) *cluster {
	t.Helper()
	if _, err := os.Stat(filepath.Join(pgBin, "initdb")); err != nil {
		testtool.Skip(t, "PostgreSQL 15's initdb ("+err.Error()+")", "apt-get install postgresql-15")
	}
	dir, err := os.MkdirTemp("", "folio-fault-pg-")
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("no postgres user to run the cluster as: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	c := &cluster{t: t, dir: dir, port: freePort(t)}
	if out, err := asPostgres("initdb", "-D", c.data(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	conf := fmt.Sprintf("port = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nfsync = off\n%s\n",
		c.port, dir, strings.Join(settings, "\n"))
	f, err := os.OpenFile(filepath.Join(c.data(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString(conf)
	f.Close()
	c.start()
	t.Cleanup(func() {
		_ = asPostgres("pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop").Run()
		os.RemoveAll(dir)
	})
	return c
}

func (c *cluster) data() string { return filepath.Join(c.dir, "data") }

func (c *cluster) start() {
	c.t.Helper()
	if out, err := asPostgres("pg_ctl", "-D", c.data(), "-l", filepath.Join(c.dir, "log"), "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		c.t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
}

// stop shuts the cluster down the way a restart does: sessions are ended.
func (c *cluster) stop() {
	c.t.Helper()
	if out, err := asPostgres("pg_ctl", "-D", c.data(), "-m", "fast", "-w", "stop").CombinedOutput(); err != nil {
		c.t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

// url is the database Folio uses in the cluster (Folio creates it).
func (c *cluster) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/folio?sslmode=disable", c.port)
}

// connect opens a connection of the test's own to Folio's database.
func (c *cluster) connect() *pgx.Conn {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.url())
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// redisServer is a redis-server of the test's own, keeping nothing on disk.
type redisServer struct {
	t    *testing.T
	port int
	cmd  *exec.Cmd
}

func startRedis(t *testing.T) *redisServer {
	t.Helper()
	r := &redisServer{t: t, port: freePort(t)}
	r.start()
	t.Cleanup(func() { r.kill() })
	return r
}

func (r *redisServer) start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--bind", "127.0.0.1", "--port", strconv.Itoa(r.port), "--save", "", "--appendonly", "no")
	if err := r.cmd.Start(); err != nil {
		testtool.Skip(r.t, "redis-server ("+err.Error()+")", "apt-get install redis-server")
	}
	waitFor(r.t, "redis-server to listen", 10*time.Second, func() bool {
		c, err := net.Dial("tcp", r.addr())
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}

// kill stops it as a crash would: SIGKILL.
func (r *redisServer) kill() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
		r.cmd = nil
	}
}

func (r *redisServer) addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }
func (r *redisServer) url() string  { return "redis://" + r.addr() + "/0" }

// folio is the server under test, a subprocess.
type folio struct {
	t      *testing.T
	cmd    *exec.Cmd
	base   string
	logs   *syncBuffer
	exited chan error
}

// startFolio serves over db and rdb on a random port, in development mode
// (the database is created and migrated, no demo data), with budgets no
// test runs out of; extra settings come last and win.
func startFolio(t *testing.T, db *cluster, rdb *redisServer, extra ...string) *folio {
	t.Helper()
	f := &folio{t: t, logs: &syncBuffer{}, exited: make(chan error, 1)}
	f.cmd = exec.Command(bin, "serve")
	f.cmd.Env = append(append(os.Environ(),
		"DATABASE_URL="+db.url(), "REDIS_URL="+rdb.url(), "HTTP_ADDR=127.0.0.1:0", "ENV=development",
		"SEED_IF_EMPTY=false", "MIGRATE_ON_START=true", "PLAYGROUND=false", "LOG_LEVEL=info", "RESPONSE_CACHE_TTL=0",
		"DEV_JWT_KEY_FILE=none", // a key per process: nothing written to the user's config folder
		"RATE_LIMIT_ANONYMOUS=1000000/100000", "RATE_LIMIT_USER=1000000/100000", "RATE_LIMIT_API_KEY=1000000/100000",
		// The writes under test are newsletter subscriptions, all from
		// loopback: the per-client throttle must not be what answers.
		"SIGNIN_MAX_PER_ADDRESS=1000000"), extra...)
	stderr, err := f.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = f.cmd.Process.Kill()
		if t.Failed() {
			t.Logf("folio's log:\n%s", f.logs.String())
		}
	})
	addr := make(chan string, 1)
	go func() {
		serving := regexp.MustCompile(`msg=serving addr=(\S+)`)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			f.logs.WriteLine(sc.Text())
			if m := serving.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		f.exited <- f.cmd.Wait()
	}()
	select {
	case a := <-addr:
		f.base = "http://" + a
	case err := <-f.exited:
		t.Fatalf("folio exited before serving (%v):\n%s", err, f.logs.String())
	case <-time.After(2 * time.Minute):
		t.Fatalf("folio did not serve within 2 minutes:\n%s", f.logs.String())
	}
	return f
}

// wait waits for the process to exit and returns its exit code.
func (f *folio) wait(within time.Duration) int {
	f.t.Helper()
	select {
	case err := <-f.exited:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			f.t.Fatal(err)
		}
		return 0
	case <-time.After(within):
		f.t.Fatalf("folio did not exit within %s", within)
		return -1
	}
}

func (f *folio) signal(sig syscall.Signal) {
	f.t.Helper()
	if err := f.cmd.Process.Signal(sig); err != nil {
		f.t.Fatal(err)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) WriteLine(l string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.WriteString(l + "\n")
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// reply is one response: its status, Retry-After, extensions.code of the
// first error, and data.
type reply struct {
	status     int
	retryAfter string
	code       string
	data       json.RawMessage
	raw        string
}

// client sends each request on a connection of its own, so a server
// closing idle keep-alive connections never fails a request that was not
// accepted yet.
var client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// post sends one GraphQL operation.
func post(ctx context.Context, base, query string, vars map[string]any) (reply, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/query", bytes.NewReader(body))
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return reply{}, err
	}
	var out struct {
		Data   json.RawMessage
		Errors []struct {
			Extensions struct{ Code string }
		}
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return reply{}, fmt.Errorf("status %d, not JSON: %.200s", res.StatusCode, raw)
	}
	r := reply{status: res.StatusCode, retryAfter: res.Header.Get("Retry-After"), data: out.Data, raw: string(raw)}
	if len(out.Errors) > 0 {
		r.code = out.Errors[0].Extensions.Code
	}
	return r, nil
}

const subscribe = `mutation ($e: String!) { subscribeNewsletter(input: {email: $e}) { email userErrors { code } } }`

// acknowledged reports whether r is the server saying it subscribed email.
func acknowledged(r reply, email string) bool {
	return r.status == http.StatusOK && r.code == "" && strings.Contains(string(r.data), `"email":"`+email+`"`)
}

// refused reports whether err means the request never reached the server:
// none listening, or a connection the kernel queued but the server never
// accepted, reset when its listener closed. The server answers every
// connection it accepts, and from SIGTERM on it keeps none alive for reuse
// (Connection: close), so a reset cannot be a request it read and dropped.
func refused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET)
}

// burst sends subscriptions from workers goroutines until ctx ends, each
// to a new address, and records the addresses the server acknowledged and
// every other outcome.
type burst struct {
	mu    sync.Mutex
	acked []string
	other []string // outcomes that are neither an acknowledgement nor a refused connection
	sent  int
	done  sync.WaitGroup
}

func startBurst(ctx context.Context, base, tag string, workers int, ok func(reply) bool) *burst {
	b := &burst{}
	for w := range workers {
		b.done.Add(1)
		go func() {
			defer b.done.Done()
			for i := 0; ctx.Err() == nil; i++ {
				email := fmt.Sprintf("%s-%d-%d@example.com", tag, w, i)
				r, err := post(ctx, base, subscribe, map[string]any{"e": email})
				b.mu.Lock()
				b.sent++
				switch {
				case err == nil && acknowledged(r, email):
					b.acked = append(b.acked, email)
				case err == nil && ok != nil && ok(r):
				case err != nil && (refused(err) || ctx.Err() != nil):
				case err != nil:
					b.other = append(b.other, err.Error())
				default:
					b.other = append(b.other, fmt.Sprintf("%d %s", r.status, r.raw))
				}
				b.mu.Unlock()
				if err != nil && refused(err) {
					return // the server is gone
				}
			}
		}()
	}
	return b
}

func (b *burst) ackCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.acked)
}

// checkWrites asserts every acknowledged address is subscribed, and that no
// subscription is half written: each has its confirmation mail queued, in
// the same transaction.
func checkWrites(t *testing.T, db *cluster, acked []string) {
	t.Helper()
	conn := db.connect()
	ctx := context.Background()
	rows, err := conn.Query(ctx, `SELECT s.email::text, (SELECT count(*) FROM email_outbox o WHERE o.recipient = s.email) FROM newsletter_subscriptions s`)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for rows.Next() {
		var email string
		var mails int
		if err := rows.Scan(&email, &mails); err != nil {
			t.Fatal(err)
		}
		have[email] = true
		if mails != 1 {
			t.Errorf("%s is subscribed with %d confirmation mails queued, want 1: half written", email, mails)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	lost := 0
	for _, e := range acked {
		if !have[e] {
			lost++
			if lost <= 5 {
				t.Errorf("%s was acknowledged but is not in the database", e)
			}
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d acknowledged writes lost", lost, len(acked))
	}
	t.Logf("%d acknowledged writes checked; %d subscriptions in the database", len(acked), len(have))
}
