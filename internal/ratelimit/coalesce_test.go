package ratelimit_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/folio/folio/internal/ratelimit"
	"github.com/folio/folio/internal/redistest"
)

// scriptGate counts the bucket script's runs and holds the first until
// released, so that the takes behind it queue.
type scriptGate struct {
	runs    atomic.Int64
	first   sync.Once
	release chan struct{}
}

func (g *scriptGate) DialHook(next redis.DialHook) redis.DialHook { return next }
func (g *scriptGate) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (g *scriptGate) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if name := strings.ToLower(cmd.Name()); name == "evalsha" || name == "eval" {
			g.runs.Add(1)
			g.first.Do(func() { <-g.release })
		}
		return next(ctx, cmd)
	}
}

// takeBehindOne sends n takes of points for one client at once: whichever
// reaches Redis first is held there until the other n-1 wait behind it. It returns
// how many were allowed and how many times the script ran.
func takeBehindOne(t *testing.T, b *ratelimit.Budgets, g *scriptGate, c ratelimit.Client, n, points int) (allowed int, runs int64) {
	t.Helper()
	joined := make(chan struct{}, n)
	ratelimit.OnJoin(b, func() { joined <- struct{}{} })
	var ok atomic.Int64
	var wg sync.WaitGroup
	take := func() {
		if b.Take(context.Background(), c, points).Allowed {
			ok.Add(1)
		}
	}
	for range n {
		wg.Go(take)
	}
	for range n - 1 {
		<-joined
	}
	close(g.release)
	wg.Wait()
	return int(ok.Load()), g.runs.Load()
}

// TestBudgets_TakesCoalesce checks that a client's takes arriving while
// one of its takes is with Redis go together, as one script run, and that
// every point is taken.
func TestBudgets_TakesCoalesce(t *testing.T) {
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t, rdb)
	g := &scriptGate{release: make(chan struct{})}
	rdb.AddHook(g)
	b := ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Prefix: prefix})
	c := ratelimit.Client{Key: "many", Tier: ratelimit.Tier{Capacity: 1000, RestoreRate: 0.001}}

	allowed, runs := takeBehindOne(t, b, g, c, 20, 7)
	if allowed != 20 || runs != 2 {
		t.Fatalf("allowed %d of 20 takes in %d script runs, want 20 in 2 (the first, then the rest together)", allowed, runs)
	}
	if got := b.Look(context.Background(), c).Available; got < 1000-140 || got > 1000-140+0.01 {
		t.Errorf("available after 20 takes of 7: %.3f, want 860", got)
	}
	if st := b.Stats(); st.Taken != 20 || st.Throttled != 0 {
		t.Errorf("stats: got %+v, want 20 taken", st)
	}
}

// TestBudgets_CoalescedTakesShortGoOneByOne checks that a group whose sum
// the bucket cannot pay takes nothing, and that its members then get
// exactly what the bucket holds, one by one.
func TestBudgets_CoalescedTakesShortGoOneByOne(t *testing.T) {
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t, rdb)
	g := &scriptGate{release: make(chan struct{})}
	rdb.AddHook(g)
	b := ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Prefix: prefix})
	c := ratelimit.Client{Key: "short", Tier: ratelimit.Tier{Capacity: 10, RestoreRate: 0.001}}

	// The first takes 3 of 10; the four behind it ask 12 together, which
	// 7 cannot pay; alone, two of them fit.
	allowed, runs := takeBehindOne(t, b, g, c, 5, 3)
	if allowed != 3 || runs != 2+4 {
		t.Fatalf("allowed %d of 5 takes of 3 from 10 in %d script runs, want 3 in 6 (first, group, four alone)", allowed, runs)
	}
	if st := b.Stats(); st.Taken != 3 || st.Throttled != 2 {
		t.Errorf("stats: got %+v, want 3 taken and 2 throttled", st)
	}
	if got := b.Look(context.Background(), c).Available; got < 1 || got > 1.01 {
		t.Errorf("available: %.3f, want 1", got)
	}
}
