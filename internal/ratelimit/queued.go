package ratelimit

import (
	"context"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// QueuedTake is a take of points queued in a pipeline the caller sends
// itself, so that a caller with a Redis command of its own (the response
// cache's GET) pays one round trip for both.
type QueuedTake struct {
	b      *Budgets
	c      Client
	points int
	cmd    *redis.Cmd // nil: Redis is failing, the take runs on Status
}

// QueueTake queues a take of points from c's bucket in p, which must be a
// pipeline of the client the budgets were made with. Read the outcome with
// Status once p has been executed.
func (b *Budgets) QueueTake(ctx context.Context, p redis.Pipeliner, c Client, points int) *QueuedTake {
	q := &QueuedTake{b: b, c: c, points: points}
	if b.downUntil.Load() != 0 {
		return q // Redis failed lately: Status takes through the fallback
	}
	q.cmd = bucketScript.EvalSha(ctx, p, []string{b.prefix + c.Key},
		formatFloat(c.Tier.Capacity), formatFloat(c.Tier.RestoreRate), "0", strconv.Itoa(points))
	return q
}

// Status returns the bucket after the take. When the queued script did
// not answer (not loaded in Redis yet, or Redis failing) it takes the
// points the ordinary way, which loads the script or falls back to the
// instance's own bucket, so the take is never lost.
func (q *QueuedTake) Status(ctx context.Context) Status {
	if q.cmd == nil || q.cmd.Err() != nil {
		return q.b.Take(ctx, q.c, q.points)
	}
	res, err := q.cmd.Slice()
	if err != nil || len(res) != 2 {
		return q.b.Take(ctx, q.c, q.points)
	}
	str, _ := res[0].(string)
	outcome, _ := res[1].(string)
	avail, err := strconv.ParseFloat(str, 64)
	if err != nil || len(outcome) != 1 {
		return q.b.Take(ctx, q.c, q.points)
	}
	t := q.c.Tier
	s := Status{Allowed: outcome == "1", Capacity: t.Capacity, RestoreRate: t.RestoreRate, Available: avail}
	s.Wait = wait(float64(q.points), avail, t.RestoreRate, s.Allowed)
	if s.Allowed {
		q.b.taken.Add(1)
	} else {
		q.b.throttled.Add(1)
	}
	return s
}
