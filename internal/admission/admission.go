// Package admission bounds how many operations execute at once. The rest
// wait for their turn, first come first served, until their deadline.
//
// Without a bound, every request that arrives starts at once, and they all
// share the CPU, the memory and the database pool. A bound trades
// throughput for a shorter tail at moderate load, and for memory under
// overload (README, "Concurrent operations", has the measurements).
package admission

import (
	"context"
	"sync/atomic"

	"golang.org/x/sync/semaphore"
)

// Gate admits at most its limit of operations at once. A nil Gate admits
// everything.
type Gate struct {
	limit   int64
	sem     *semaphore.Weighted // FIFO: a waiter is never overtaken
	running atomic.Int64
	waiting atomic.Int64
}

// New returns a gate of limit; limit ≤ 0 returns nil, no bound.
func New(limit int) *Gate {
	if limit <= 0 {
		return nil
	}
	return &Gate{limit: int64(limit), sem: semaphore.NewWeighted(int64(limit))}
}

// Enter waits for a turn, in the order of arrival, until ctx ends. It
// returns ctx's error if ctx ended first; otherwise the caller must Leave.
func (g *Gate) Enter(ctx context.Context) error {
	if g == nil {
		return nil
	}
	if !g.sem.TryAcquire(1) {
		g.waiting.Add(1)
		err := g.sem.Acquire(ctx, 1)
		g.waiting.Add(-1)
		if err != nil {
			return err
		}
	}
	g.running.Add(1)
	return nil
}

// Leave gives the turn to the next in line.
func (g *Gate) Leave() {
	if g == nil {
		return
	}
	g.running.Add(-1)
	g.sem.Release(1)
}

// Stats are a gate's bound and how many operations run and wait now.
type Stats struct {
	Limit, Running, Waiting int64
}

// Stats tells the gate's state; a nil Gate has no limit (0).
func (g *Gate) Stats() Stats {
	if g == nil {
		return Stats{}
	}
	return Stats{Limit: g.limit, Running: g.running.Load(), Waiting: g.waiting.Load()}
}
