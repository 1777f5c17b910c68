package cache

import (
	"context"
	"time"
)

// queryTTL keeps a persisted query for a day after it was last registered;
// clients re-register an unknown hash on their own.
const queryTTL = 24 * time.Hour

// Queries is the shared store of Automatic Persisted Queries: the document
// behind each hash, in Redis, so a hash registered through one instance is
// known to all. It implements gqlgen's graphql.Cache[string].
type Queries struct{ c *Store }

// Queries returns the persisted-query store that shares this cache's Redis,
// deadline and breaker. When Redis is out, hashes are unknown and clients
// fall back to sending the document.
func (c *Store) Queries() Queries { return Queries{c} }

func (q Queries) key(hash string) string { return q.c.o.Prefix + "apq:" + hash }

// Get returns the document registered under hash.
func (q Queries) Get(ctx context.Context, hash string) (string, bool) {
	vals, ok := q.c.mget(ctx, []string{q.key(hash)})
	if !ok || !usable(vals[0]) {
		return "", false
	}
	return *vals[0], true
}

// Add registers a document under its hash (gqlgen checks that they match).
func (q Queries) Add(ctx context.Context, hash, query string) {
	q.c.do(ctx, "apq add", func(ctx context.Context) error {
		return q.c.o.Redis.Set(ctx, q.key(hash), query, queryTTL).Err()
	})
}
