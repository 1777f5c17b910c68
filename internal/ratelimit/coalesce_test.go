package ratelimit_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/folio/folio/internal/ratelimit"
	"github.com/folio/folio/internal/redistest"
)

// scriptGate counts the bucket script's runs and holds the first until
// released, so that the takes behind it queue. held closes when the first
// run is held.
type scriptGate struct {
	runs    atomic.Int64
	first   sync.Once
	held    chan struct{}
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
			g.first.Do(func() {
				close(g.held)
				<-g.release
			})
		}
		return next(ctx, cmd)
	}
}

// takeBehindOne sends n takes of points for one client at once: whichever
// reaches Redis first is held there until the other n-1 wait behind it.
// It returns how many were allowed and how many times the script ran.
func takeBehindOne(t *testing.T, b *ratelimit.Budgets, g *scriptGate, c ratelimit.Client, n, points int) (allowed int, runs int64) {
	t.Helper()
	joined := make(chan struct{}, n)
	ratelimit.OnJoin(b, func() { joined <- struct{}{} })
	var ok atomic.Int64
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if b.Take(context.Background(), c, points).Allowed {
				ok.Add(1)
			}
		})
	}
	for i := range n - 1 {
		select {
		case <-joined:
		case <-time.After(10 * time.Second):
			close(g.release)
			wg.Wait()
			t.Fatalf("%d of %d takes queued behind the first", i, n-1)
		}
	}
	close(g.release)
	wg.Wait()
	return int(ok.Load()), g.runs.Load()
}

// gatedBudgets returns budgets whose Redis client holds the first script
// run after the script is loaded (so that a run is one command), with a
// timeout no loaded machine reaches.
func gatedBudgets(t *testing.T) (*ratelimit.Budgets, *scriptGate) {
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t, rdb)
	b := ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Prefix: prefix, Timeout: time.Minute})
	b.Look(context.Background(), testClient("load the script"))
	g := &scriptGate{held: make(chan struct{}), release: make(chan struct{})}
	rdb.AddHook(g)
	return b, g
}

// TestBudgets_TakesCoalesce checks that a client's takes arriving while
// one of its takes is with Redis go together, as one script run, and that
// every point is taken.
func TestBudgets_TakesCoalesce(t *testing.T) {
	b, g := gatedBudgets(t)
	c := ratelimit.Client{Key: "many", Tier: ratelimit.Tier{Capacity: 1000, RestoreRate: 0.001}}

	allowed, runs := takeBehindOne(t, b, g, c, 20, 7)
	if allowed != 20 || runs != 2 {
		t.Fatalf("allowed %d of 20 takes in %d script runs, want 20 in 2 (the first, then the rest together)", allowed, runs)
	}
	if got := b.Look(context.Background(), c).Available; got < 1000-140 || got > 1000-140+0.01 {
		t.Errorf("available after 20 takes of 7: %.3f, want 860", got)
	}
	if st := b.Stats(); st.Taken != 20 || st.Throttled != 0 || st.Fallbacks != 0 {
		t.Errorf("stats: got %+v, want 20 taken from Redis", st)
	}
}

// TestBudgets_CoalescedTakesShort checks that a group the bucket cannot
// pay for whole gets, in the same run, exactly the takes it holds.
func TestBudgets_CoalescedTakesShort(t *testing.T) {
	b, g := gatedBudgets(t)
	c := ratelimit.Client{Key: "short", Tier: ratelimit.Tier{Capacity: 10, RestoreRate: 0.001}}

	// The first takes 3 of 10; of the four behind it, two fit in 7.
	allowed, runs := takeBehindOne(t, b, g, c, 5, 3)
	if allowed != 3 || runs != 2 {
		t.Fatalf("allowed %d of 5 takes of 3 from 10 in %d script runs, want 3 in 2", allowed, runs)
	}
	if st := b.Stats(); st.Taken != 3 || st.Throttled != 2 || st.Fallbacks != 0 {
		t.Errorf("stats: got %+v, want 3 taken and 2 throttled, from Redis", st)
	}
	if got := b.Look(context.Background(), c).Available; got < 1 || got > 1.01 {
		t.Errorf("available: %.3f, want 1", got)
	}
}

// TestBudgets_CoalescedTakesJudgedAlone checks that each take of a group
// gets what it would have got alone, in the order they came: a take the
// bucket cannot pay for is refused without refusing the cheaper ones
// behind it.
func TestBudgets_CoalescedTakesJudgedAlone(t *testing.T) {
	b, g := gatedBudgets(t)
	c := ratelimit.Client{Key: "judged", Tier: ratelimit.Tier{Capacity: 1000, RestoreRate: 0.001}}
	joined := make(chan struct{}, 2)
	ratelimit.OnJoin(b, func() { joined <- struct{}{} })

	// 600 of 1000 is held at Redis; 500 (which 400 cannot pay) and then
	// 5 queue behind it, as one group.
	allowed := make([]bool, 3)
	var wg sync.WaitGroup
	take := func(i, points int) {
		wg.Go(func() { allowed[i] = b.Take(context.Background(), c, points).Allowed })
	}
	take(0, 600)
	<-g.held
	take(1, 500)
	<-joined
	take(2, 5)
	<-joined
	close(g.release)
	wg.Wait()

	if want := []bool{true, false, true}; !slices.Equal(allowed, want) {
		t.Fatalf("takes of 600, 500 and 5 from 1000: allowed %v, want %v", allowed, want)
	}
	if runs := g.runs.Load(); runs != 2 {
		t.Errorf("%d script runs, want 2 (the first, then the group)", runs)
	}
	if got := b.Look(context.Background(), c).Available; got < 395 || got > 395.01 {
		t.Errorf("available: %.3f, want 395", got)
	}
	if st := b.Stats(); st.Taken != 2 || st.Throttled != 1 || st.Fallbacks != 0 {
		t.Errorf("stats: got %+v, want 2 taken and 1 throttled, from Redis", st)
	}
}
