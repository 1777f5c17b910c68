// Package e2e tests Folio end to end, the way integrators use it: the real
// binary, started against a throwaway database with the demo data, called
// over HTTP through the genqlient client in e2e/client (and, in
// browser_test.go, through the playground in headless Chromium).
package e2e

import (
	"bufio"
	"context"
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

	srv := exec.Command(bin, "serve")
	srv.Env = append(os.Environ(),
		"DATABASE_URL="+dbURL, "REDIS_URL="+redisURL, "HTTP_ADDR=127.0.0.1:0", "ENV=development",
		"SEED_IF_EMPTY=true", "MIGRATE_ON_START=true", "PLAYGROUND=true", "LOG_LEVEL=info")
	logs, err := srv.StderrPipe()
	if err != nil {
		return 0, err
	}
	if err := srv.Start(); err != nil {
		return 0, fmt.Errorf("start the server: %w", err)
	}
	defer func() {
		_ = srv.Process.Signal(syscall.SIGTERM)
		_ = srv.Wait()
	}()

	addr := make(chan string, 1)
	var logTail strings.Builder
	go func() {
		serving := regexp.MustCompile(`msg=serving addr=(\S+)`)
		sc := bufio.NewScanner(logs)
		for sc.Scan() {
			if m := serving.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
				break
			}
			logTail.WriteString(sc.Text() + "\n")
		}
		_, _ = io.Copy(io.Discard, logs) // keep the pipe drained
	}()
	select {
	case a := <-addr:
		baseURL = "http://" + a
	case <-time.After(2 * time.Minute):
		return 0, fmt.Errorf("the server did not start within 2 minutes; its log:\n%s", logTail.String())
	}
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
