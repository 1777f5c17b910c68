package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/postgres"
	"github.com/folio/folio/internal/postgres/postgrestest"
)

// The tests that run the real binary share one build of it per test run.
var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// TestMain removes the shared binary once every test has run.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// folioBinary is the folio binary built from this checkout, once per test
// process, in a folder TestMain removes.
func folioBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "folio-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "folio")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// binaryDatabase is a fresh database for a binary under test, dropped when
// the test ends.
func binaryDatabase(t *testing.T, name string) *postgres.DB {
	t.Helper()
	db, drop, err := postgrestest.Create(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	t.Cleanup(db.Close)
	return db
}

// TestMain_SIGTERM runs the real binary and sends it SIGTERM while a
// request is in flight: the request completes and the process exits 0.
func TestMain_SIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin, db := folioBinary(t), binaryDatabase(t, "main")

	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "ENV=production", "DATABASE_URL="+db.Pool.Config().ConnString(), "HTTP_ADDR=127.0.0.1:0",
		"SHUTDOWN_TIMEOUT=30s", "REDIS_URL=redis://127.0.0.1:6379/0", "JWT_KEYS="+auth.GenerateKey())
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	// The log's "serving" line says where; the rest of the log is drained.
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var m struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &m) == nil && m.Msg == "serving" {
				addrc <- m.Addr
			}
		}
		exited <- cmd.Wait()
	}()
	var base string
	select {
	case addr := <-addrc:
		base = "http://" + addr
	case err := <-exited:
		t.Fatalf("the server exited before serving: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("the server did not start within a minute")
	}

	release := lockArticles(t, db)
	slow := postAsync(base+"/query", `{"query":"{ articles(first: 1) { totalCount } }"}`)
	waitFor(t, "the request to block on the lock", func() bool { return waitingOnLock(t, db) > 0 })
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the listener to close", func() bool {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
		}
		return err != nil
	})
	release()
	if r := <-slow; r.err != nil || r.status != http.StatusOK {
		t.Errorf("in-flight request: got %+v, want 200", r)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("the server exited with %v, want status 0", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the server did not exit within a minute of SIGTERM")
	}
}
