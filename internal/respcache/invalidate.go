package respcache

import (
	"context"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// Redis keeps, for each tag, the set of response keys that contain it,
// living as long as the responses; and, for each tag a write invalidated,
// when (Redis's clock, microseconds) it did. Every command names one key,
// so the layout works on Redis Cluster as well.
//
// The race between a write and a response being stored is closed in the
// order of the steps. A response is stored (SET, SADD) and then the tags'
// invalidation times are read: one at or after the request's start means
// the response may hold what the write replaced, and it is deleted. An
// invalidation records its time and then reads the tags' sets: whichever
// of the two comes second sees the other.

// store writes a response and indexes it under its tags. start is when
// its request began, by Redis's clock. It reports whether the response
// was kept, and if so when (Redis's clock) it was known to be current: no
// write it contains was invalidated between start and then.
func (c *Cache) store(ctx context.Context, key string, s *stored, tags []string, start int64) (current int64, kept bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*c.o.Timeout)
	defer cancel()
	ttl := c.o.TTL
	var now *redis.TimeCmd
	_, err := c.o.Redis.Pipelined(ctx, func(p redis.Pipeliner) error {
		// Read before the invalidation times are: a write invalidated
		// after it is seen by their reading, or deletes what is stored.
		now = p.Time(ctx)
		p.Set(ctx, key, s.encode(), ttl)
		for _, t := range tags {
			k := c.tagKey(t)
			p.SAdd(ctx, k, key)
			p.PExpire(ctx, k, ttl) // the set outlives each response it names
		}
		return nil
	})
	if err != nil {
		c.redisFailed(ctx, "store", err)
		c.o.Redis.Del(ctx, key)
		return 0, false
	}
	gets := make([]*redis.StringCmd, len(tags))
	_, err = c.o.Redis.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, t := range tags {
			gets[i] = p.Get(ctx, c.invKey(t))
		}
		return nil
	})
	if err != nil && err != redis.Nil {
		c.redisFailed(ctx, "store", err)
		c.o.Redis.Del(ctx, key)
		return 0, false
	}
	for _, g := range gets {
		if at, err := g.Int64(); err == nil && at >= start {
			c.o.Redis.Del(ctx, key) // a write committed while it ran
			return 0, false
		}
	}
	c.stores.Add(1)
	return now.Val().UnixMicro(), true
}

// Invalidate deletes every stored response that contains one of tags, on
// every instance. Call it after the write has committed.
func (c *Cache) Invalidate(ctx context.Context, tags ...string) {
	if c == nil || len(tags) == 0 {
		return
	}
	c.invalidations.Add(uint64(len(tags)))
	// The write has committed; its caller's deadline should not stop the
	// cache from forgetting the old state.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 4*c.o.Timeout)
	defer cancel()
	now, err := c.o.Redis.Time(ctx).Result()
	if err != nil {
		c.redisFailed(ctx, "invalidate", err)
		return
	}
	at := strconv.FormatInt(now.UnixMicro(), 10)
	// An execution that began before now may store until it ends: the
	// mark must outlive the longest request, and a response's TTL does.
	_, err = c.o.Redis.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, t := range tags {
			p.Set(ctx, c.invKey(t), at, c.o.TTL)
		}
		return nil
	})
	if err != nil {
		c.redisFailed(ctx, "invalidate", err)
		return
	}
	members := make([]*redis.StringSliceCmd, len(tags))
	_, err = c.o.Redis.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, t := range tags {
			members[i] = p.SMembers(ctx, c.tagKey(t))
		}
		return nil
	})
	if err != nil {
		c.redisFailed(ctx, "invalidate", err)
		return
	}
	_, err = c.o.Redis.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, t := range tags {
			ks := members[i].Val()
			if len(ks) == 0 {
				continue
			}
			for _, k := range ks {
				p.Unlink(ctx, k)
			}
			// Only what was read: a response stored since belongs.
			p.SRem(ctx, c.tagKey(t), ks)
		}
		return nil
	})
	c.redisFailed(ctx, "invalidate", err)
}
