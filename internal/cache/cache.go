// Package cache puts Redis in front of Folio's stores: a decorator that
// answers the hot lookups (articles, users, tags and categories by id and
// by slug or handle) from Redis with one MGET per batch, loads the misses
// from the store in one call and writes them back in one pipeline, and
// invalidates what a write changed once it has committed.
//
// Redis is a cache, never a dependency: every Redis call has a short
// deadline, a circuit breaker skips Redis while it fails, and the store
// answers whatever Redis does not.
package cache

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"

	"github.com/folio/folio/internal/folio"
)

// DefaultTimeout bounds a Redis round trip of the cache. It is sized for a
// saturated machine, not an idle one: on the 2-core bench box with both
// cores busy (four CPU-bound loops besides the load), 32 concurrent MGETs of
// 20 article-sized values took p50 8-12 ms, p99 65 ms, p99.9 160-200 ms and
// at most 280 ms, so the old 50 ms failed 2% of healthy round trips, and
// three in a row opened the breaker. 300 ms clears every round trip
// measured; a Redis that hangs still costs a request at most that, and
// three such round trips open the breaker.
const DefaultTimeout = 300 * time.Millisecond

// Options configure the cache.
type Options struct {
	Redis redis.UniversalClient
	// Prefix starts every key, with the format version: "folio:v1:". A new
	// encoding gets a new version, so no instance reads another's bytes.
	Prefix string
	// TTL is how long a cached row lives (default 10m), give or take 10%
	// so keys written together do not expire together.
	TTL time.Duration
	// NegativeTTL is how long "no such slug" is remembered (default 30s).
	NegativeTTL time.Duration
	// Timeout bounds each Redis round trip (default DefaultTimeout).
	Timeout time.Duration
	// Cooldown is how long the breaker skips Redis after it trips (default 5s).
	Cooldown time.Duration
	// Tombstone is how long an invalidated key refuses refills (default 1s):
	// longer than a read that began before the write can take to write back
	// what it read, so that read cannot put the old state back. Reads in the
	// meantime go to the store.
	Tombstone time.Duration
	Logger    *slog.Logger
	// Metrics, if set, counts lookups by kind ("article", "user", …) and
	// result ("hit", "miss", "error", "bypass"); errors and bypasses are of
	// kind "redis".
	Metrics interface {
		CacheAdd(kind, result string, n int)
	}
}

// Stats counts what the cache did since it started.
type Stats struct {
	Hits          uint64 // keys answered from Redis (negative answers included)
	Misses        uint64 // keys loaded from the store
	Errors        uint64 // Redis calls that failed or timed out
	Bypasses      uint64 // Redis calls skipped while the breaker was open
	Invalidations uint64 // keys invalidated after writes
	Trips         uint64 // times the breaker opened
}

// Store is a folio.Store and folio.Writer whose lookups go through Redis.
// Everything it does not cache passes straight to the wrapped store.
type Store struct {
	folio.Store
	folio.Writer

	o       Options
	breaker *gobreaker.CircuitBreaker[any]
	flights group

	hits, misses, errs, bypasses, invalidations, trips atomic.Uint64
}

// New wraps s and w (normally the same Postgres store).
func New(s folio.Store, w folio.Writer, o Options) *Store {
	if o.TTL <= 0 {
		o.TTL = 10 * time.Minute
	}
	if o.NegativeTTL <= 0 {
		o.NegativeTTL = 30 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Cooldown <= 0 {
		o.Cooldown = 5 * time.Second
	}
	if o.Tombstone <= 0 {
		o.Tombstone = time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Store{Store: s, Writer: w, o: o, flights: group{m: map[string]*call{}}}
	c.breaker = gobreaker.NewCircuitBreaker[any](gobreaker.Settings{
		Name:        "redis-cache",
		MaxRequests: 1,
		Timeout:     o.Cooldown,
		ReadyToTrip: func(n gobreaker.Counts) bool { return n.ConsecutiveFailures >= 3 },
		// A round trip its own request cut short says nothing about Redis.
		IsExcluded: func(err error) bool { var e requestEnded; return errors.As(err, &e) },
		OnStateChange: func(_ string, from, to gobreaker.State) {
			lvl := slog.LevelInfo
			if to == gobreaker.StateOpen {
				lvl = slog.LevelWarn
				c.trips.Add(1)
			}
			o.Logger.Log(context.Background(), lvl, "redis cache breaker", "from", from.String(), "to", to.String())
		},
	})
	return c
}

// count records n hits or misses of a kind.
func (c *Store) count(kind string, hits, misses int) {
	c.hits.Add(uint64(hits))
	c.misses.Add(uint64(misses))
	c.observe(kind, "hit", hits)
	c.observe(kind, "miss", misses)
}

func (c *Store) observe(kind, result string, n int) {
	if c.o.Metrics != nil && n > 0 {
		c.o.Metrics.CacheAdd(kind, result, n)
	}
}

// Stats returns the counters.
func (c *Store) Stats() Stats {
	return Stats{Hits: c.hits.Load(), Misses: c.misses.Load(), Errors: c.errs.Load(), Bypasses: c.bypasses.Load(),
		Invalidations: c.invalidations.Load(), Trips: c.trips.Load()}
}

// Values that are not JSON rows: a key known to name nothing, and a key
// invalidated a moment ago that a racing reader must not refill.
const (
	negative  = "\x00none"
	tombstone = "\x00tomb"
)

// requestEnded is the error of a round trip cut short by its caller's own
// context: a client that went away, or a request deadline that came before
// the cache's. It is not Redis's failure, so the breaker leaves it out;
// only Redis's own errors and the cache's own Timeout count.
type requestEnded struct{ error }

func (e requestEnded) Unwrap() error { return e.error }

// do runs one Redis round trip under the breaker and the deadline. ok is
// false when Redis was skipped or failed; the caller then serves from the
// store.
func (c *Store) do(ctx context.Context, what string, f func(ctx context.Context) error) bool {
	if ctx.Err() != nil {
		return false // the request has ended: nothing to ask Redis for
	}
	_, err := c.breaker.Execute(func() (any, error) {
		rctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
		defer cancel()
		err := f(rctx)
		switch {
		case err == nil || errors.Is(err, redis.Nil):
			return nil, nil
		case ctx.Err() != nil:
			// Whatever Redis answered, the request's own context ended
			// first: its cancellation or its deadline, not c.o.Timeout.
			return nil, requestEnded{err}
		}
		return nil, err
	})
	switch {
	case err == nil:
		return true
	case errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests):
		c.bypasses.Add(1)
		c.observe("redis", "bypass", 1)
	case ctx.Err() != nil:
		// The request itself ended; Redis is not to blame.
	default:
		c.errs.Add(1)
		c.observe("redis", "error", 1)
		c.o.Logger.WarnContext(ctx, "redis cache unavailable, serving from Postgres", "op", what, "error", err.Error())
	}
	return false
}

// mget reads keys in one round trip; nil entries are absent.
func (c *Store) mget(ctx context.Context, keys []string) ([]*string, bool) {
	var vals []any
	ok := c.do(ctx, "mget", func(ctx context.Context) error {
		var err error
		vals, err = mget(ctx, c.o.Redis, keys)
		return err
	})
	if !ok {
		return nil, false
	}
	out := make([]*string, len(keys))
	for i, v := range vals {
		if s, isStr := v.(string); isStr {
			out[i] = &s
		}
	}
	return out, true
}

// mget is MGET on one server or Sentinel's master. A Cluster refuses an
// MGET whose keys live in different slots (CROSSSLOT), and rows' keys are
// spread over every slot on purpose, so there the keys go as GETs in one
// pipeline, which go-redis sends as one round trip per node.
func mget(ctx context.Context, rdb redis.UniversalClient, keys []string) ([]any, error) {
	if _, cluster := rdb.(*redis.ClusterClient); !cluster {
		return rdb.MGet(ctx, keys...).Result()
	}
	cmds := make([]*redis.StringCmd, len(keys))
	_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			cmds[i] = p.Get(ctx, k)
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	vals := make([]any, len(keys))
	for i, cmd := range cmds {
		if v, err := cmd.Result(); err == nil {
			vals[i] = v
		}
	}
	return vals, nil
}

type entry struct {
	key, val string
	ttl      time.Duration
}

// fill writes entries in one pipeline, each only if its key is empty: a
// tombstone left by a write is not overwritten by a read that raced it.
func (c *Store) fill(ctx context.Context, es []entry) {
	if len(es) == 0 {
		return
	}
	c.do(ctx, "fill", func(ctx context.Context) error {
		_, err := c.o.Redis.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, e := range es {
				p.SetNX(ctx, e.key, e.val, e.ttl)
			}
			return nil
		})
		return err
	})
}

// jittered returns the TTL ±10%.
func (c *Store) jittered() time.Duration {
	return c.o.TTL - c.o.TTL/10 + time.Duration(rand.Int64N(int64(c.o.TTL/5)+1))
}

// invalidate replaces keys with short-lived tombstones after a write.
func (c *Store) invalidate(ctx context.Context, keys ...string) {
	if len(keys) == 0 {
		return
	}
	c.invalidations.Add(uint64(len(keys)))
	// The write has committed; its caller's deadline should not stop the
	// cache from forgetting the old state.
	ctx = context.WithoutCancel(ctx)
	c.do(ctx, "invalidate", func(ctx context.Context) error {
		_, err := c.o.Redis.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, k := range keys {
				p.Set(ctx, k, tombstone, c.o.Tombstone)
			}
			return nil
		})
		return err
	})
}

func (c *Store) idKey(kind string, id int64) string {
	return c.o.Prefix + kind + ":id:" + strconv.FormatInt(id, 10)
}

func (c *Store) nameKey(kind, field, name string) string {
	return c.o.Prefix + kind + ":" + field + ":" + name
}

func encode(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // domain types always encode
	}
	return string(b)
}

func usable(v *string) bool { return v != nil && *v != tombstone }

// Prefix is the key prefix the cache writes under.
func (c *Store) Prefix() string { return c.o.Prefix }
