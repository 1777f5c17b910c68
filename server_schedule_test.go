package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/folio/folio/internal/auth"
)

// ownRedis starts a redis-server of the test's own on a spare port, so
// that the caches of the servers it starts hold nothing of other tests.
func ownRedis(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command("redis-server", "--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Skipf("no redis-server to start: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := "127.0.0.1:" + strconv.Itoa(port)
	waitFor(t, "the test's redis-server to listen", func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return addr
}

// TestMain_WorkerPublishesOnSchedule: a server without workers schedules an
// article; `folio worker`, a process of its own, publishes it when the time
// comes, through the same caches: the server's cached anonymous answers
// show the publication at once.
func TestMain_WorkerPublishesOnSchedule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a server and a worker")
	}
	bin, db := folioBinary(t), binaryDatabase(t, "worker")
	env := []string{"ENV=production", "DATABASE_URL=" + db.Pool.Config().ConnString(), "HTTP_ADDR=127.0.0.1:0",
		"REDIS_URL=redis://" + ownRedis(t) + "/0", "JWT_KEYS=" + auth.GenerateKey(), "MIGRATE_ON_START=true", "RATE_LIMIT=false"}
	srv := startFolio(t, bin, append(env, "JOBS_WORKERS=0")...)
	token := signIn(t, db, srv.base)

	var created struct {
		Data struct {
			CreateArticle struct {
				Article struct{ ID, Slug string } `json:"article"`
			} `json:"createArticle"`
		} `json:"data"`
	}
	gql(t, srv.base, token, `mutation { createArticle(input: {title: "Due at dawn", body: "Written the night before."}) { article { id slug } } }`, &created)
	a := created.Data.CreateArticle.Article
	var scheduled map[string]any
	gql(t, srv.base, token, fmt.Sprintf(`mutation { scheduleArticle(input: {id: %q, publishAt: %q}) { article { publishAt } } }`,
		a.ID, time.Now().Add(time.Hour).UTC().Format(time.RFC3339)), &scheduled)

	// Anonymous answers, now in the response cache: nothing published.
	feed := `{ articles(first: 5) { nodes { title } } }`
	read := func() string {
		var out map[string]any
		gql(t, srv.base, "", feed, &out)
		return fmt.Sprint(out)
	}
	if got := read(); strings.Contains(got, "Due at dawn") {
		t.Fatalf("the feed shows the scheduled draft: %s", got)
	}
	if got := read(); strings.Contains(got, "Due at dawn") {
		t.Fatalf("the feed shows the scheduled draft: %s", got)
	}

	// The time comes (no waiting for it), and a worker takes the job.
	if _, err := db.Pool.Exec(t.Context(), `UPDATE river_job SET scheduled_at = now() WHERE kind = 'publish_article'`); err != nil {
		t.Fatal(err)
	}
	worker := exec.Command(bin, "worker")
	worker.Env = append(append(os.Environ(), env...), "JOBS_WORKERS=1")
	if err := worker.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- worker.Wait() }()
	t.Cleanup(func() { _ = worker.Process.Kill() })

	// The job is done once the publication has committed and the caches
	// have forgotten what it changed (the commit alone comes first).
	waitFor(t, "the worker to finish the publication job", func() bool {
		var state string
		err := db.Pool.QueryRow(t.Context(), `SELECT state::text FROM river_job WHERE kind = 'publish_article'`).Scan(&state)
		return err == nil && state == "completed"
	})
	var status string
	if err := db.Pool.QueryRow(t.Context(), `SELECT status FROM articles WHERE slug = $1`, a.Slug).Scan(&status); err != nil || status != "published" {
		t.Fatalf("after the job the article is %q (%v), want published", status, err)
	}
	if got := read(); !strings.Contains(got, "Due at dawn") {
		t.Fatalf("after the worker published, the server's feed is still the cached one: %s", got)
	}
	_ = worker.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("the worker exited with %v, want status 0", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the worker did not exit within a minute of SIGTERM")
	}
}
