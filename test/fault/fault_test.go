package fault

import (
	"context"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/folio/folio/internal/postgres"
)

const typename = `{ __typename }`

// TestFault_Kill9DuringWriteBurst kills the server with SIGKILL in the
// middle of a burst of writes: after a restart, every write it had
// acknowledged is in the database, and none is half written.
func TestFault_Kill9DuringWriteBurst(t *testing.T) {
	db, rdb := startCluster(t), startRedis(t)
	f := startFolio(t, db, rdb)
	ctx, cancel := context.WithCancel(context.Background())
	b := startBurst(ctx, f.base, "kill9", 8, nil)
	waitFor(t, "40 acknowledged writes", time.Minute, func() bool { return b.ackCount() >= 40 })
	f.signal(syscall.SIGKILL)
	f.wait(10 * time.Second)
	cancel()
	b.done.Wait()

	f = startFolio(t, db, rdb)
	if r, err := post(context.Background(), f.base, typename, nil); err != nil || r.status != http.StatusOK {
		t.Fatalf("after the restart: got %+v, %v", r, err)
	}
	checkWrites(t, db, b.acked)
	t.Logf("%d requests sent; %d outcomes other than an acknowledgement or a refused connection (a request cut by the kill)", b.sent, len(b.other))
}

// TestFault_SIGTERMUnderLoad stops the server with SIGTERM during a burst
// of writes: every request it accepted is answered (acknowledged, or a
// retryable refusal), it exits 0, and every acknowledged write is in the
// database.
func TestFault_SIGTERMUnderLoad(t *testing.T) {
	db, rdb := startCluster(t), startRedis(t)
	f := startFolio(t, db, rdb, "SHUTDOWN_TIMEOUT=20s")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := startBurst(ctx, f.base, "sigterm", 8, func(r reply) bool { return r.code == "SERVICE_UNAVAILABLE" })
	waitFor(t, "40 acknowledged writes", time.Minute, func() bool { return b.ackCount() >= 40 })
	f.signal(syscall.SIGTERM)
	if code := f.wait(30 * time.Second); code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0", code)
	}
	b.done.Wait() // every worker has met a closed listener
	for i, o := range b.other {
		if i < 5 {
			t.Errorf("a request accepted and not answered, or answered with an error that is not retryable: %.300s", o)
		}
	}
	checkWrites(t, db, b.acked)
}

// TestFault_PostgresRestart stops Postgres under load: requests during the
// outage fail fast with SERVICE_UNAVAILABLE and Retry-After; once it is
// back, the same process serves again, and no acknowledged write is lost.
func TestFault_PostgresRestart(t *testing.T) {
	db, rdb := startCluster(t), startRedis(t)
	f := startFolio(t, db, rdb)
	ctx, cancel := context.WithCancel(context.Background())
	b := startBurst(ctx, f.base, "pgrestart", 4, func(r reply) bool { return r.code == "SERVICE_UNAVAILABLE" && r.retryAfter != "" })
	waitFor(t, "20 acknowledged writes", time.Minute, func() bool { return b.ackCount() >= 20 })

	db.stop()
	for i := range 5 {
		start := time.Now()
		email := "outage-" + string(rune('a'+i)) + "@example.com"
		r, err := post(context.Background(), f.base, subscribe, map[string]any{"e": email})
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("a write during the outage took %s, want under 2s", took)
		}
		if err != nil || r.code != "SERVICE_UNAVAILABLE" || r.retryAfter == "" {
			t.Errorf("a write during the outage: got %+v, %v; want SERVICE_UNAVAILABLE with Retry-After", r, err)
		}
		if strings.Contains(r.raw, "dial") || strings.Contains(r.raw, "127.0.0.1") || strings.Contains(r.raw, "SQLSTATE") {
			t.Errorf("the refusal leaks internals: %s", r.raw)
		}
	}

	db.start()
	waitFor(t, "writes to succeed again, without restarting Folio", 30*time.Second, func() bool {
		r, err := post(context.Background(), f.base, subscribe, map[string]any{"e": "after@example.com"})
		return err == nil && acknowledged(r, "after@example.com")
	})
	cancel()
	b.done.Wait()
	for i, o := range b.other {
		if i < 5 {
			t.Errorf("during the restart, neither acknowledged nor SERVICE_UNAVAILABLE with Retry-After: %.300s", o)
		}
	}
	checkWrites(t, db, append(b.acked, "after@example.com"))
}

// TestFault_RedisKilledAndRestarted kills Redis: reads and writes go on
// (the cache and the budgets fall back to Postgres and to each instance's
// memory, as the README says); once Redis is back, Folio uses it again.
func TestFault_RedisKilledAndRestarted(t *testing.T) {
	db, rdb := startCluster(t), startRedis(t)
	f := startFolio(t, db, rdb)
	ctx := context.Background()
	check := func(when string, i int) {
		t.Helper()
		email := when + "-" + string(rune('a'+i)) + "@example.com"
		start := time.Now()
		w, err := post(ctx, f.base, subscribe, map[string]any{"e": email})
		if err != nil || !acknowledged(w, email) {
			t.Errorf("%s: a write got %+v, %v", when, w, err)
		}
		r, err := post(ctx, f.base, `{ articles(first: 1) { totalCount } }`, nil)
		if err != nil || r.status != http.StatusOK || r.code != "" {
			t.Errorf("%s: a read got %+v, %v", when, r, err)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("%s: a write and a read took %s", when, took)
		}
	}
	check("before", 0)
	rdb.kill()
	for i := range 5 {
		check("redis-down", i)
	}
	rdb.start()
	rc := redis.NewClient(&redis.Options{Addr: rdb.addr()})
	defer rc.Close()
	waitFor(t, "Folio to write to Redis again", 30*time.Second, func() bool {
		check("redis-back", 0)
		n, err := rc.DBSize(ctx).Result()
		return err == nil && n > 0
	})
}

// TestFault_PostgresOutOfConnections fills every connection slot of
// Postgres after Folio's own connections were ended: requests get a clear,
// retryable SERVICE_UNAVAILABLE at once, and succeed again once slots are
// free, without restarting Folio.
func TestFault_PostgresOutOfConnections(t *testing.T) {
	db, rdb := startCluster(t, "max_connections = 12", "superuser_reserved_connections = 0"), startRedis(t)
	f := startFolio(t, db, rdb)
	ctx := context.Background()
	if r, err := post(ctx, f.base, subscribe, map[string]any{"e": "first@example.com"}); err != nil || !acknowledged(r, "first@example.com") {
		t.Fatalf("before: got %+v, %v", r, err)
	}
	// End Folio's connections, then take every slot.
	admin := db.connect()
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'`); err != nil {
		t.Fatal(err)
	}
	var hogs []*pgx.Conn
	defer func() {
		for _, c := range hogs {
			c.Close(ctx)
		}
	}()
	for range 20 {
		c, err := pgx.Connect(ctx, db.url())
		if err != nil {
			if !postgres.Unavailable(err) {
				t.Fatalf("filling the slots: %v", err)
			}
			break
		}
		hogs = append(hogs, c)
	}
	for i := range 3 {
		start := time.Now()
		email := "full-" + string(rune('a'+i)) + "@example.com"
		r, err := post(ctx, f.base, subscribe, map[string]any{"e": email})
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("a write with Postgres full took %s, want under 2s", took)
		}
		if err != nil || r.code != "SERVICE_UNAVAILABLE" || r.retryAfter == "" {
			t.Errorf("a write with Postgres full: got %+v, %v; want SERVICE_UNAVAILABLE with Retry-After", r, err)
		}
	}
	for _, c := range hogs {
		c.Close(ctx)
	}
	hogs = nil
	waitFor(t, "writes to succeed once slots are free", 30*time.Second, func() bool {
		r, err := post(ctx, f.base, subscribe, map[string]any{"e": "after@example.com"})
		return err == nil && acknowledged(r, "after@example.com")
	})
	checkWrites(t, db, []string{"first@example.com", "after@example.com"})
}
