package main

import (
	"context"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/folio/folio/graph"
	"github.com/folio/folio/internal/cache"
	"github.com/folio/folio/internal/metrics"
	"github.com/folio/folio/internal/ratelimit"
	"github.com/folio/folio/internal/respcache"
)

// responseCacheConfig configures the response cache (internal/respcache).
type responseCacheConfig struct {
	// TTL is how long an anonymous query's response lives in Redis; 0
	// turns the response cache off. It is off as well when CACHE_TTL is 0.
	TTL time.Duration
	// MaxAge is the Cache-Control max-age of cacheable GET responses.
	MaxAge time.Duration
}

// newResponseCache builds the response cache, or nil when it is off: with
// RESPONSE_CACHE_TTL=0, or with the entity cache off (CACHE_TTL=0), so
// that "cache off" runs every request. A request naming a document only
// by hash finds its text where the handler does: among trusted documents
// if only those run, else among the persisted queries.
func newResponseCache(cfg config, rdb redis.UniversalClient, c *cache.Store, trusted graph.TrustedDocuments,
	lim *ratelimit.Limiter, log *slog.Logger, m *metrics.Metrics) *respcache.Cache {
	if cfg.CacheTTL <= 0 || cfg.ResponseCache.TTL <= 0 {
		return nil
	}
	docs := func(ctx context.Context, hash string) (string, bool) { return c.Queries().Get(ctx, hash) }
	if trusted != nil {
		docs = func(ctx context.Context, hash string) (string, bool) {
			doc, ok, err := trusted.TrustedDocument(ctx, hash)
			return doc, ok && err == nil
		}
	}
	o := respcache.Options{Redis: rdb, Prefix: redisPrefix, TTL: cfg.ResponseCache.TTL, MaxAge: cfg.ResponseCache.MaxAge,
		Timeout: cfg.CacheTimeout, Limiter: lim, Documents: docs, Logger: log,
		// Introspection and field suggestions change what errors and
		// introspection answers say; and servers over different databases
		// (development, tests) may share one Redis.
		Variant: "introspection=" + strconv.FormatBool(cfg.ops.Introspection) + ";db=" + databaseName(cfg.DatabaseURL)}
	if m != nil {
		o.Metrics = m
	}
	return respcache.New(o)
}

// databaseName names the database of a URL by host and path, leaving out
// credentials and connection settings, which may differ between instances
// of one deployment.
func databaseName(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil || u.Host == "" {
		return databaseURL // a key=value string: only ever hashed
	}
	return u.Host + u.Path
}
