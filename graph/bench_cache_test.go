package graph_test

import (
	"os"
	"testing"

	"github.com/folio/folio/internal/cache"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/postgres"
	"github.com/folio/folio/internal/redistest"
)

// benchStore is what the benchmarks serve: the database, or with
// FOLIO_BENCH_CACHE=on the Redis cache in front of it, under a key prefix
// of its own.
func benchStore(b *testing.B, db *postgres.DB) folio.Store {
	switch os.Getenv("FOLIO_BENCH_CACHE") {
	case "", "off":
		return db
	case "on":
		rdb := redistest.Client(b)
		return cache.New(db, db, cache.Options{Redis: rdb, Prefix: redistest.Prefix(b, rdb)})
	}
	b.Fatalf("FOLIO_BENCH_CACHE must be on or off")
	return nil
}
