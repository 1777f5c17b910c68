package ratelimit_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/folio/folio/internal/ratelimit"
	"github.com/folio/folio/internal/redistest"
	"github.com/folio/folio/internal/testtool"
)

var testTier = ratelimit.Tier{Name: "test", Capacity: 100, RestoreRate: 10}

func testClient(key string) ratelimit.Client { return ratelimit.Client{Key: key, Tier: testTier} }

// between checks that got lies in [lo, lo + rate × elapsed]: the bucket
// refills while the test runs, by no more than the time that passed.
func between(t *testing.T, what string, got, lo float64, since time.Time) {
	t.Helper()
	hi := lo + testTier.RestoreRate*time.Since(since).Seconds() + 1e-6
	if got < lo-1e-6 || got > hi {
		t.Errorf("%s: got %.3f, want between %.3f and %.3f", what, got, lo, hi)
	}
}

func TestBudgets_Take(t *testing.T) {
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t, rdb)
	b := ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Prefix: prefix})
	ctx := context.Background()

	t.Run("WithinCapacity", func(t *testing.T) {
		start := time.Now()
		s := b.Take(ctx, testClient("a"), 60)
		if !s.Allowed || s.Local || s.Capacity != 100 || s.RestoreRate != 10 {
			t.Fatalf("got %+v, want allowed from Redis", s)
		}
		between(t, "available", s.Available, 40, start)
	})
	t.Run("ShortRefusedAndUnchanged", func(t *testing.T) {
		s := b.Take(ctx, testClient("b"), 70)
		start := time.Now()
		s = b.Take(ctx, testClient("b"), 70)
		if s.Allowed {
			t.Fatalf("got %+v, want refused", s)
		}
		wantWait := time.Duration(math.Ceil((70-s.Available)/10*1000)) * time.Millisecond
		if s.Wait != wantWait || s.Wait < 3900*time.Millisecond {
			t.Errorf("wait: got %s, want %s (about 4s)", s.Wait, wantWait)
		}
		between(t, "available after refusal", b.Look(ctx, testClient("b")).Available, s.Available, start)
	})
	t.Run("ClientsApart", func(t *testing.T) {
		b.Take(ctx, testClient("c"), 100)
		if s := b.Look(ctx, testClient("d")); s.Available != 100 {
			t.Errorf("another client's bucket: got %.3f, want 100", s.Available)
		}
	})
	t.Run("ZeroCostAlwaysAllowed", func(t *testing.T) {
		b.Adjust(ctx, testClient("e"), 500)
		if s := b.Take(ctx, testClient("e"), 0); !s.Allowed {
			t.Errorf("got %+v, want a free operation allowed even in debt", s)
		}
	})
}

// TestBudgets_QueueTake checks a take sent in the caller's own pipeline:
// it is taken once, and refused, changing nothing, when it does not fit.
func TestBudgets_QueueTake(t *testing.T) {
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t, rdb)
	b := ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Prefix: prefix})
	ctx := context.Background()
	c := ratelimit.Client{Key: "queued", Tier: ratelimit.Tier{Capacity: 100, RestoreRate: 0.001}}
	b.Look(ctx, c) // loads the script, which a pipeline's EVALSHA needs

	queued := func(points int) ratelimit.Status {
		p := rdb.Pipeline()
		q := b.QueueTake(ctx, p, c, points)
		if _, err := p.Exec(ctx); err != nil {
			t.Fatalf("pipeline: %v", err)
		}
		return q.Status(ctx)
	}
	if s := queued(60); !s.Allowed || s.Local || s.Available < 40 || s.Available > 40.01 {
		t.Fatalf("take of 60 from 100: got %+v, want allowed from Redis with 40 left", s)
	}
	if s := queued(50); s.Allowed || s.Available < 40 || s.Available > 40.01 {
		t.Fatalf("take of 50 from 40: got %+v, want refused with 40 left", s)
	}
	if got := b.Look(ctx, c).Available; got < 40 || got > 40.01 {
		t.Errorf("available: %.3f, want 40 (60 taken once)", got)
	}
	if st := b.Stats(); st.Taken != 1 || st.Throttled != 1 || st.Fallbacks != 0 {
		t.Errorf("stats: got %+v, want 1 taken and 1 throttled, from Redis", st)
	}
}

func TestBudgets_Refill(t *testing.T) {
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t, rdb)
	b := ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Prefix: prefix})
	ctx := context.Background()
	// An empty bucket last touched 3 seconds ago by Redis's clock holds 30
	// points now.
	start := time.Now() // before Redis reads its clock
	now, err := rdb.Time(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	rdb.HSet(ctx, prefix+"r", "a", "0", "t", strconv.FormatInt(now.Add(-3*time.Second).UnixMicro(), 10))
	s := b.Look(ctx, testClient("r"))
	between(t, "after 3s", s.Available, 30, start)
	if got, want := s.ResetIn(), time.Duration((100-s.Available)/10*float64(time.Second)); got != want {
		t.Errorf("reset in: got %s, want %s", got, want)
	}
	// Never above capacity, however long ago.
	rdb.HSet(ctx, prefix+"r", "a", "0", "t", strconv.FormatInt(now.Add(-time.Hour).UnixMicro(), 10))
	if s := b.Look(ctx, testClient("r")); s.Available != 100 {
		t.Errorf("after an hour: got %.3f, want 100", s.Available)
	}
}

func TestBudgets_Adjust(t *testing.T) {
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t, rdb)
	b := ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Prefix: prefix})
	ctx := context.Background()
	t.Run("RefundCredited", func(t *testing.T) {
		start := time.Now()
		b.Take(ctx, testClient("a"), 50)
		between(t, "after refund", b.Adjust(ctx, testClient("a"), -30).Available, 80, start)
	})
	t.Run("RefundCappedAtCapacity", func(t *testing.T) {
		b.Take(ctx, testClient("b"), 10)
		if s := b.Adjust(ctx, testClient("b"), -1000); s.Available != 100 {
			t.Errorf("got %.3f, want 100", s.Available)
		}
		if n := rdb.Exists(ctx, prefix+"b").Val(); n != 0 {
			t.Errorf("a full bucket is still stored")
		}
	})
	t.Run("ChargeIntoDebt", func(t *testing.T) {
		start := time.Now()
		s := b.Adjust(ctx, testClient("c"), 150)
		between(t, "after the charge", s.Available, -50, start)
		if s := b.Take(ctx, testClient("c"), 1); s.Allowed || s.Wait < 5*time.Second {
			t.Errorf("got %+v, want refused for about 5.1s", s)
		}
	})
	t.Run("SettleInTheBackground", func(t *testing.T) {
		start := time.Now()
		s := b.Take(ctx, testClient("s"), 50)
		s = b.Settle(ctx, testClient("s"), -30, s)
		between(t, "as the request tells it", s.Available, 80, start)
		b.Wait()
		between(t, "in Redis", b.Look(ctx, testClient("s")).Available, 80, start)
		if s := b.Settle(ctx, testClient("s"), -1000, s); s.Available != 100 {
			t.Errorf("a refund past capacity: got %.3f, want 100", s.Available)
		}
		b.Wait()
	})
	t.Run("SettlementsOfAClientGoTogether", func(t *testing.T) {
		// Redis sees one adjustment for a burst of a client's requests.
		counted := redistest.Client(t)
		var evals atomic.Int64
		counted.AddHook(countEvals{&evals})
		cb := ratelimit.NewBudgets(counted, ratelimit.BudgetOptions{Prefix: prefix})
		start := time.Now()
		var taken []ratelimit.Status
		for range 10 {
			taken = append(taken, cb.Take(ctx, testClient("burst"), 5))
		}
		before := evals.Load()
		for _, s := range taken {
			cb.Settle(ctx, testClient("burst"), -3, s)
		}
		cb.Wait()
		sent := evals.Load() - before
		between(t, "in Redis", cb.Look(ctx, testClient("burst")).Available, 100-10*5+10*3, start)
		// One adjustment per window of 10ms: ten settled at once go as one
		// (or two, should a window close between them), never as ten.
		if sent < 1 || sent >= 10 {
			t.Errorf("adjustments sent: %d, want the ten gathered", sent)
		}
	})
	t.Run("KeyExpiresWhenFull", func(t *testing.T) {
		b.Take(ctx, testClient("d"), 20)
		ttl := rdb.PTTL(ctx, prefix+"d").Val()
		if ttl <= 2*time.Second || ttl > 3*time.Second {
			t.Errorf("ttl: got %s, want about 2s to refill and 1s spare", ttl)
		}
	})
}

// TestBudgets_Concurrent takes from one bucket from many goroutines: the
// script is atomic, so exactly capacity / cost takes succeed (the refill
// during the test adds at most a few).
func TestBudgets_Concurrent(t *testing.T) {
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t, rdb)
	b := ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Prefix: prefix})
	slow := ratelimit.Client{Key: "x", Tier: ratelimit.Tier{Capacity: 100, RestoreRate: 0.001}}
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for range 50 {
		wg.Go(func() {
			if b.Take(context.Background(), slow, 10).Allowed {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if allowed != 10 {
		t.Errorf("allowed %d takes of 10 from 100, want 10", allowed)
	}
	if st := b.Stats(); st.Taken != 10 || st.Throttled != 40 || st.Fallbacks != 0 {
		t.Errorf("stats: got %+v", st)
	}
}

// TestBudgets_RedisDown points the budgets at an address where nothing
// listens: every call is answered by the instance's own bucket, which
// still limits, and the outage is logged once and counted.
func TestBudgets_RedisDown(t *testing.T) {
	var logs bytes.Buffer
	dead := redistest.Dead(t)
	b := ratelimit.NewBudgets(dead, ratelimit.BudgetOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	ctx := context.Background()
	if s := b.Take(ctx, testClient("a"), 60); !s.Allowed || !s.Local || s.Available != 40 {
		t.Fatalf("first take: got %+v, want allowed by the local bucket with 40 left", s)
	}
	if s := b.Take(ctx, testClient("a"), 60); s.Allowed || !s.Local {
		t.Fatalf("second take: got %+v, want refused by the local bucket", s)
	}
	if s := b.Take(ctx, testClient("b"), 60); !s.Allowed {
		t.Fatalf("another client: got %+v, want allowed", s)
	}
	if st := b.Stats(); st.Fallbacks != 3 {
		t.Errorf("fallbacks: got %d, want 3", st.Fallbacks)
	}
	if n := strings.Count(logs.String(), "Redis is unreachable"); n != 1 {
		t.Errorf("logged the outage %d times, want once:\n%s", n, logs.String())
	}
}

// TestBudgets_RedisBack runs a Redis of its own, stops it and starts it
// again: the budgets fall back to memory, then return to Redis once the
// retry interval has passed.
func TestBudgets_RedisBack(t *testing.T) {
	port := freePort(t)
	stop := startRedis(t, port)
	rdb := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", port), MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	var logs bytes.Buffer
	clock := time.Now()
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	b := ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Now: now, RetryAfter: time.Minute})
	ctx := context.Background()
	if s := b.Take(ctx, testClient("a"), 1); s.Local {
		t.Fatalf("with Redis up: got %+v, want Redis to answer", s)
	}
	stop()
	if s := b.Take(ctx, testClient("a"), 1); !s.Local || !s.Allowed {
		t.Fatalf("with Redis down: got %+v, want the local bucket", s)
	}
	startRedis(t, port)
	if s := b.Take(ctx, testClient("a"), 1); !s.Local {
		t.Fatalf("within the retry interval: got %+v, want the local bucket still", s)
	}
	mu.Lock()
	clock = clock.Add(time.Minute)
	mu.Unlock()
	if s := b.Take(ctx, testClient("a"), 1); s.Local {
		t.Fatalf("after the retry interval: got %+v, want Redis again", s)
	}
	if !strings.Contains(logs.String(), "Redis answers again") {
		t.Errorf("the recovery was not logged:\n%s", logs.String())
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startRedis runs a throwaway redis-server on port until the test ends or
// the returned function stops it.
func startRedis(t *testing.T, port int) (stop func()) {
	t.Helper()
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		testtool.Skip(t, "redis-server ("+err.Error()+")", "apt-get install redis-server")
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cmd.Process.Kill()
			cmd.Wait()
		})
	}
	t.Cleanup(stop)
	c := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", port)})
	defer c.Close()
	for range 100 {
		if c.Ping(context.Background()).Err() == nil {
			return stop
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("redis-server on port %d did not answer", port)
	return stop
}

// TestBudgets_RedisHangs points the budgets at a server that accepts
// connections and never answers: past the timeout the local bucket
// answers, and later calls do not wait on Redis again until the retry.
func TestBudgets_RedisHangs(t *testing.T) {
	b := ratelimit.NewBudgets(redistest.Silent(t), ratelimit.BudgetOptions{Timeout: 50 * time.Millisecond, RetryAfter: time.Hour})
	for i := range 3 {
		if s := b.Take(context.Background(), testClient("a"), 10); !s.Allowed || !s.Local {
			t.Fatalf("take %d: got %+v, want allowed by the local bucket", i, s)
		}
	}
	if st := b.Stats(); st.Fallbacks != 3 {
		t.Errorf("fallbacks: got %d, want 3", st.Fallbacks)
	}
}

// countEvals counts the scripts a client runs.
type countEvals struct{ n *atomic.Int64 }

func (countEvals) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h countEvals) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if name := cmd.Name(); name == "evalsha" || name == "eval" {
			h.n.Add(1)
		}
		return next(ctx, cmd)
	}
}
func (countEvals) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
