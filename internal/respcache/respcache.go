// Package respcache answers anonymous GraphQL queries from Redis without
// running them: the whole response, keyed by document, operation,
// variables and media type, and tagged with every entity and list it was
// made of, so that a write deletes exactly the responses it makes stale,
// on every instance, right after it commits.
//
// A hit costs one Redis round trip (the response's GET, pipelined with the
// charge of HitCost to the client's budget), one SHA-256 and a write of
// the stored bytes: no parsing, no validation, no JSON encoding of data.
//
// Redis is a cache, never a dependency: when it fails, requests run as if
// the cache were not there.
package respcache

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/singleflight"

	"github.com/folio/folio/internal/ratelimit"
)

// HitCost is what a response served from the cache draws from its
// client's budget, in rate-limit points, whatever running it would cost.
const HitCost = 1

// Options configure the response cache.
type Options struct {
	Redis redis.UniversalClient
	// Prefix starts every key ("folio:v1:"); the cache writes under
	// Prefix+"resp:", "resp:tag:" and "resp:inv:".
	Prefix string
	// TTL is how long a response lives unless a write deletes it first
	// (default 5m).
	TTL time.Duration
	// MaxAge is the Cache-Control max-age of cacheable GET responses,
	// for browsers and CDNs (default 60s).
	MaxAge time.Duration
	// Timeout bounds each Redis round trip (default 50ms).
	Timeout time.Duration
	// Limiter charges hits to budgets (its Budgets, Tiers and Proxies);
	// nil or without Budgets, hits are free.
	Limiter *ratelimit.Limiter
	// Documents finds a persisted or trusted document by its hash, for a
	// request that sends only the hash; nil leaves such requests uncached
	// until one sends the text.
	Documents func(ctx context.Context, hash string) (doc string, ok bool)
	// Variant names the server settings that change response bytes
	// (introspection, suggestions), so servers set up differently sharing
	// one Redis do not answer for each other.
	Variant string
	Logger  *slog.Logger
	// Staleness is how old the data a request reads may be (Postgres
	// replicas: postgres.DB.Staleness): a response is stored only if no
	// write it contains was invalidated since its request began, less
	// this, so a lagging replica cannot store what a write replaced.
	Staleness time.Duration
	// Metrics, if set, counts lookups of kind "response" by result
	// ("hit", "miss", "bypass", "error").
	Metrics interface {
		CacheAdd(kind, result string, n int)
	}
}

// Stats counts what the cache did since it started.
type Stats struct {
	Hits, Misses  uint64 // cacheable requests answered from Redis, or not
	Bypasses      uint64 // requests the cache may not answer (signed in, mutations, …)
	Stores        uint64 // responses written to Redis
	Executions    uint64 // cacheable requests run by the handler (a stampede runs once)
	Shared        uint64 // misses answered by another request's run of the same response
	Invalidations uint64 // tags invalidated by writes
	Errors        uint64 // Redis calls that failed
}

// Cache is the response cache: a middleware for the GraphQL endpoint, a
// store decorator that tags what responses contain, and a writer decorator
// that invalidates them.
type Cache struct {
	o       Options
	tiers   ratelimit.Tiers
	flights singleflight.Group
	// kinds remembers whether recent documents are cacheable, so that a
	// miss of a document seen before does not parse it again (the
	// executor keeps its own parsed copy).
	kinds *lru.LRU[bool]
	// inFlight, if set, is called by a flight's leader once its answer
	// is decided, before the flight ends (tests).
	inFlight func()

	hits, misses, bypasses, stores, executions, shared, invalidations, errs atomic.Uint64
}

// New returns a response cache.
func New(o Options) *Cache {
	if o.TTL <= 0 {
		o.TTL = 5 * time.Minute
	}
	if o.MaxAge <= 0 {
		o.MaxAge = time.Minute
	}
	if o.Timeout <= 0 {
		o.Timeout = 50 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Cache{o: o, kinds: lru.New[bool](1000)}
	if o.Limiter != nil {
		c.tiers = o.Limiter.WithDefaults().Tiers
	}
	return c
}

// Stats returns the counters.
func (c *Cache) Stats() Stats {
	return Stats{Hits: c.hits.Load(), Misses: c.misses.Load(), Bypasses: c.bypasses.Load(), Stores: c.stores.Load(),
		Executions: c.executions.Load(), Shared: c.shared.Load(), Invalidations: c.invalidations.Load(), Errors: c.errs.Load()}
}

func (c *Cache) count(n *atomic.Uint64, result string) {
	n.Add(1)
	if c.o.Metrics != nil {
		c.o.Metrics.CacheAdd("response", result, 1)
	}
}

func (c *Cache) respKey() string          { return c.o.Prefix + "resp:" }
func (c *Cache) tagKey(tag string) string { return c.o.Prefix + "resp:tag:" + tag }
func (c *Cache) invKey(tag string) string { return c.o.Prefix + "resp:inv:" + tag }
func (c *Cache) cacheControl() string {
	s := strconv.Itoa(int(c.o.MaxAge.Seconds()))
	return "public, max-age=" + s + ", stale-while-revalidate=" + s
}

// redisFailed counts and logs a failed Redis call; the request goes on
// without the cache.
func (c *Cache) redisFailed(ctx context.Context, what string, err error) {
	if err == nil || errors.Is(err, redis.Nil) || ctx.Err() != nil {
		return
	}
	c.count(&c.errs, "error")
	c.o.Logger.WarnContext(ctx, "response cache: redis unavailable, running the request", "op", what, "error", err.Error())
}
