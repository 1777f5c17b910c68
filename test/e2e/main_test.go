// Package e2e tests Folio end to end, the way integrators use it: the real
// binary, started against a throwaway database with the demo data, called
// over HTTP through the genqlient client in e2e/client (and, in
// browser_test.go and reader_example_test.go, through the playground and the
// reader app in headless Chromium).
package e2e

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"

	"github.com/folio/folio/internal/postgres/postgrestest"
)

// baseURL is where the server under test listens, e.g. http://127.0.0.1:41234.
var baseURL string

// server is how TestMain ran it, for tests that need another instance.
var server serverEnv

// serverEnv is a built folio binary with the database and Redis it serves.
type serverEnv struct {
	bin, databaseURL, redisURL string
}

// env is the environment of a folio command, with extra settings last.
func (e serverEnv) env(extra ...string) []string {
	return append(append(os.Environ(),
		"DATABASE_URL="+e.databaseURL, "REDIS_URL="+e.redisURL, "HTTP_ADDR=127.0.0.1:0", "ENV=development",
		"SEED_IF_EMPTY=true", "MIGRATE_ON_START=true", "PLAYGROUND=true", "LOG_LEVEL=info",
		// Development's key file lives in the user's config folder by
		// default; the suite's servers share one in the temporary folder.
		"DEV_JWT_KEY_FILE="+filepath.Join(os.TempDir(), "folio-e2e-dev-jwt.key"),
		// Every test is one anonymous client at 127.0.0.1: budgets large
		// enough that the suite never waits on the rate limit it does not test.
		"RATE_LIMIT_ANONYMOUS=1000000/100000", "RATE_LIMIT_USER=1000000/100000", "RATE_LIMIT_API_KEY=1000000/100000"), extra...)
}

// start serves on a random port until stop is called and returns its URL.
// The first instance on a fresh database creates, migrates and seeds it.
func (e serverEnv) start(extra ...string) (url string, stop func(), err error) {
	srv := exec.Command(e.bin, "serve")
	srv.Env = e.env(extra...)
	logs, err := srv.StderrPipe()
	if err != nil {
		return "", nil, err
	}
	if err := srv.Start(); err != nil {
		return "", nil, fmt.Errorf("start the server: %w", err)
	}
	stop = func() {
		_ = srv.Process.Signal(syscall.SIGTERM)
		_ = srv.Wait()
	}
	addr := make(chan string, 1)
	early := make(chan string, 1) // the log up to an exit before serving
	go func() {
		serving := regexp.MustCompile(`msg=serving addr=(\S+)`)
		var log strings.Builder
		sc := bufio.NewScanner(logs)
		for sc.Scan() {
			if m := serving.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
				_, _ = io.Copy(io.Discard, logs) // keep the pipe drained
				return
			}
			log.WriteString(sc.Text() + "\n")
		}
		early <- log.String()
	}()
	select {
	case a := <-addr:
		return "http://" + a, stop, nil
	case log := <-early:
		stop()
		return "", nil, fmt.Errorf("the server stopped before serving; its log:\n%s", log)
	case <-time.After(2 * time.Minute):
		stop()
		return "", nil, errors.New("the server did not start within 2 minutes")
	}
}

func TestMain(m *testing.M) {
	code, err := runWithServer(m)
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		os.Exit(1)
	}
	os.Exit(code)
}

// runWithServer builds the folio command, serves it on a random port over a
// fresh database (created, migrated and seeded by the server itself, as in
// development) and a Redis of its own, runs the tests, then stops the server
// and Redis and drops the database.
func runWithServer(m *testing.M) (int, error) {
	dir, err := os.MkdirTemp("", "folio-e2e-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "folio")
	build := exec.Command("go", "build", "-o", bin, "github.com/folio/folio")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return 0, fmt.Errorf("build the server: %w", err)
	}

	name := postgrestest.Name("e2e")
	dbURL, err := postgrestest.URL(name)
	if err != nil {
		return 0, err
	}
	defer postgrestest.Drop(name)

	// A Redis of its own: sign-in throttles and rate-limit buckets are keyed
	// by client address, and every test here comes from 127.0.0.1.
	redisURL, stopRedis, err := startRedis()
	if err != nil {
		return 0, err
	}
	defer stopRedis()

	server = serverEnv{bin: bin, databaseURL: dbURL, redisURL: redisURL}
	url, stop, err := server.start()
	if err != nil {
		return 0, err
	}
	defer stop()
	baseURL = url
	return m.Run(), nil
}

// startRedis runs a throwaway redis-server on a free port, keeping nothing
// on disk, and returns its URL and a function that stops it.
func startRedis() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	cmd := exec.Command("redis-server", "--bind", "127.0.0.1", "--port", port, "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start redis-server (is Redis installed?): %w", err)
	}
	stop := func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
			c.Close()
			return "redis://127.0.0.1:" + port + "/0", stop, nil
		}
	}
	stop()
	return "", nil, fmt.Errorf("redis-server on port %s did not accept connections within 10s", port)
}

// headerTransport adds fixed headers to every request, as an integrator's
// client adds its token or API key.
type headerTransport struct {
	header http.Header
	next   http.RoundTripper
}

func (t headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range t.header {
		r.Header[k] = v
	}
	return t.next.RoundTrip(r)
}

// newClient returns a generated-client connection to the server under test
// that sends header with every request.
func newClient(header http.Header) graphql.Client {
	hc := &http.Client{Timeout: 30 * time.Second, Transport: headerTransport{header: header, next: http.DefaultTransport}}
	return graphql.NewClient(baseURL+"/query", hc)
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
