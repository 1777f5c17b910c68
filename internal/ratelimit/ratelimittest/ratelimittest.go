// Package ratelimittest gives tests a Redis of their own: a random key prefix
// on the shared test server, cleaned up after.
package ratelimittest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

// MustRedis connects to the test Redis (FOLIO_TEST_REDIS_URL, else
// 127.0.0.1:6379) and returns a client with a random key prefix of its own;
// the prefix's keys are deleted when the test ends. Other users of the
// shared Redis are never touched.
func MustRedis(tb testing.TB) (redis.UniversalClient, string) {
	tb.Helper()
	url := os.Getenv("FOLIO_TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		tb.Fatalf("FOLIO_TEST_REDIS_URL: %v", err)
	}
	rdb := redis.NewClient(opts)
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		tb.Fatalf("test Redis at %s: %v", opts.Addr, err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	prefix := "folio-test:" + hex.EncodeToString(b) + ":"
	tb.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
		rdb.Close()
	})
	return rdb, prefix
}
