package ratelimit_test

import (
	"context"
	"sync"
	"testing"

	"github.com/folio/folio/internal/ratelimit"
	"github.com/folio/folio/internal/redistest"
)

// TestBudgets_Cluster runs two instances' budgets on one real Redis
// Cluster: the bucket script's one key lives in one slot, so both take
// from the same budget atomically, exactly as on a single server.
func TestBudgets_Cluster(t *testing.T) {
	rdb := redistest.Cluster(t)
	opts := ratelimit.BudgetOptions{Prefix: "folio:cluster:"}
	a, b := ratelimit.NewBudgets(rdb, opts), ratelimit.NewBudgets(rdb, opts)
	slow := ratelimit.Client{Key: "shared", Tier: ratelimit.Tier{Capacity: 100, RestoreRate: 0.001}}
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for i := range 50 {
		inst := a
		if i%2 == 1 {
			inst = b
		}
		wg.Go(func() {
			if inst.Take(context.Background(), slow, 10).Allowed {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if allowed != 10 {
		t.Errorf("two instances allowed %d takes of 10 from one budget of 100, want 10", allowed)
	}
	sa, sb := a.Stats(), b.Stats()
	if sa.Fallbacks != 0 || sb.Fallbacks != 0 {
		t.Errorf("fallbacks to the local bucket: %d and %d, want none (Redis Cluster answered)", sa.Fallbacks, sb.Fallbacks)
	}
	if sa.Taken+sb.Taken != 10 || sa.Throttled+sb.Throttled != 40 {
		t.Errorf("stats: got %+v and %+v, want 10 taken and 40 throttled between them", sa, sb)
	}
	// Settling a refund on one instance is seen by the other.
	a.Adjust(context.Background(), slow, -30)
	if s := b.Look(context.Background(), slow); s.Available < 29.9 || s.Available > 31 {
		t.Errorf("after a refund of 30 on one instance the other sees %.3f available, want about 30", s.Available)
	}
}
