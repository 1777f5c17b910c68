// Package redistest gives each test its own corner of the local Redis: a
// client and a random key prefix whose keys are deleted when the test ends,
// so packages share one server without seeing each other's keys.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

// Addr is the Redis tests use: REDIS_ADDR, else the local default.
func Addr() string {
	if a := os.Getenv("REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

// Client returns a client of the test Redis, closed when the test ends.
func Client(tb testing.TB) *redis.Client {
	tb.Helper()
	c := redis.NewClient(&redis.Options{Addr: Addr(), ContextTimeoutEnabled: true})
	if err := c.Ping(context.Background()).Err(); err != nil {
		tb.Fatalf("redis at %s: %v", Addr(), err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// Prefix returns a fresh key prefix ("folio:test:<random>:"); its keys are
// deleted when the test ends.
func Prefix(tb testing.TB, c *redis.Client) string {
	tb.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	p := "folio:test:" + hex.EncodeToString(b) + ":"
	tb.Cleanup(func() { Flush(c, p) })
	return p
}

// Flush deletes every key under prefix.
func Flush(c *redis.Client, prefix string) {
	ctx := context.Background()
	iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if len(keys) > 0 {
		c.Del(ctx, keys...)
	}
}

// Dead returns a client of an address where nothing listens.
func Dead(tb testing.TB) *redis.Client {
	tb.Helper()
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true, MaxRetries: -1})
	tb.Cleanup(func() { c.Close() })
	return c
}

// Silent returns a client of a server that accepts connections and never
// answers: a Redis that hangs.
func Silent(tb testing.TB) *redis.Client {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c) // read nothing, write nothing
			select {
			case <-done:
				return
			default:
			}
		}
	}()
	c := redis.NewClient(&redis.Options{Addr: ln.Addr().String(), ContextTimeoutEnabled: true, MaxRetries: -1})
	tb.Cleanup(func() { c.Close(); close(done); ln.Close() })
	return c
}
