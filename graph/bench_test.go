package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/folio/folio/graph"
	"github.com/folio/folio/internal/postgres"
	"github.com/folio/folio/internal/postgres/postgrestest"
	"github.com/folio/folio/internal/seed"
)

// The benchmarks run the home feed, the article page and a search through the HTTP
// handler, over loopback, against the medium seed (50,000 articles). They
// use their own database, FOLIO_BENCH_DATABASE_URL or folio_bench on the
// test server, seeded on first use (about a minute) and kept for next time:
//
//	go test -run '^$' -bench . -benchtime 2000x ./graph/
//
// Each reports requests/s over all clients, p50 and p99 latency, and SQL
// statements per request. FOLIO_BENCH_CLIENTS sets how many clients send at
// once (8 by default; 1 for latency without queueing). FOLIO_BENCH_CACHE=on
// puts the Redis cache in front of Postgres, warmed before timing starts.

var (
	benchOnce sync.Once
	benchDB   *postgres.DB
	benchErr  error
)

func openBenchDB(b *testing.B) *postgres.DB {
	b.Helper()
	benchOnce.Do(func() {
		ctx := context.Background()
		url := os.Getenv("FOLIO_BENCH_DATABASE_URL")
		if url == "" {
			if url, benchErr = postgrestest.URL("folio_bench"); benchErr != nil {
				return
			}
		}
		if benchDB, benchErr = postgres.Open(ctx, url, postgres.Options{CreateMissing: true}); benchErr != nil {
			return
		}
		m, err := postgres.NewMigrator(benchDB)
		if err != nil {
			benchErr = err
			return
		}
		defer m.Close()
		if _, benchErr = m.Up(ctx); benchErr != nil {
			return
		}
		stats, err := seed.Load(ctx, benchDB.Pool, seed.ScaleMedium, seed.Options{})
		switch {
		case err == nil:
			fmt.Fprintf(os.Stderr, "seeded the benchmark database (medium) in %s\n", stats.Duration.Round(time.Millisecond))
		case err != seed.ErrNotEmpty:
			benchErr = err
		}
	})
	if benchErr != nil {
		b.Fatalf("benchmark database: %v", benchErr)
	}
	return benchDB
}

// busiestArticles are the slugs of the published articles with the most
// top-level comments: full article pages.
func busiestArticles(b *testing.B, db *postgres.DB, n int) []string {
	b.Helper()
	rows, err := db.Pool.Query(context.Background(), `SELECT a.slug FROM articles a JOIN comments c ON c.article_id = a.id AND c.parent_id IS NULL
WHERE a.status = 'published' GROUP BY a.id ORDER BY count(*) DESC, a.id LIMIT $1`, n)
	if err != nil {
		b.Fatal(err)
	}
	var slugs []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			b.Fatal(err)
		}
		slugs = append(slugs, s)
	}
	if rows.Err() != nil || len(slugs) == 0 {
		b.Fatalf("no articles with comments: %v", rows.Err())
	}
	return slugs
}

func BenchmarkHomeFeed(b *testing.B) {
	db := openBenchDB(b)
	benchmarkQuery(b, db, func(int) ([]byte, error) {
		return json.Marshal(map[string]any{"query": HomeFeedQuery, "variables": map[string]any{"first": 20}})
	})
}

func BenchmarkArticlePage(b *testing.B) {
	db := openBenchDB(b)
	slugs := busiestArticles(b, db, 200)
	benchmarkQuery(b, db, func(i int) ([]byte, error) {
		return json.Marshal(map[string]any{"query": ArticlePageQuery,
			"variables": map[string]any{"slug": slugs[i%len(slugs)], "comments": 20, "replies": 5}})
	})
}

// SearchQuery is a search box's results: ten hits with their authors, as
// the ruler (../shared/bench, q4) asks. Postgres ranks every match, so this
// one measures what Folio adds around one costly statement.
const SearchQuery = `query Search($q: String!) {
  search(query: $q, first: 10) {
    edges { node { id slug title excerpt publishedAt author { handle } } }
  }
}`

func BenchmarkSearch(b *testing.B) {
	db := openBenchDB(b)
	benchmarkQuery(b, db, func(int) ([]byte, error) {
		return json.Marshal(map[string]any{"query": SearchQuery, "variables": map[string]any{"q": "keyset pagination"}})
	})
}

// benchClients is how many clients send at once: FOLIO_BENCH_CLIENTS, 8 by
// default; 1 sends one request after another, for latency without queueing.
func benchClients(b *testing.B) int {
	v := os.Getenv("FOLIO_BENCH_CLIENTS")
	if v == "" {
		return 8
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("FOLIO_BENCH_CLIENTS must be a positive number, not %q", v)
	}
	return n
}

// benchmarkQuery sends b.N requests from benchClients clients and reports
// throughput, latency percentiles and statements per request.
func benchmarkQuery(b *testing.B, db *postgres.DB, body func(i int) ([]byte, error)) {
	srv := httptest.NewServer(benchHandler(graph.NewHandler(graph.Options{Store: benchStore(b, db)})))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

	send := func(i int) error {
		payload, err := body(i)
		if err != nil {
			return err
		}
		res, err := client.Post(srv.URL+"/query", "application/json", bytes.NewReader(payload))
		if err != nil {
			return err
		}
		defer res.Body.Close()
		raw, err := io.ReadAll(res.Body)
		if err != nil {
			return err
		}
		if res.StatusCode != http.StatusOK || bytes.Contains(raw, []byte(`"errors"`)) {
			return fmt.Errorf("status %d: %.300s", res.StatusCode, raw)
		}
		return nil
	}
	for i := range 200 { // warm the pool, the query cache, Postgres's buffers and Redis
		if err := send(i); err != nil {
			b.Fatal(err)
		}
	}

	var (
		mu        sync.Mutex
		latencies = make([]time.Duration, 0, b.N)
		next      atomic.Int64
	)
	before := db.Statements()
	goroutinesBefore := goroutinesCreated()
	cpuBefore := processCPU(b)
	clients := benchClients(b)
	b.ResetTimer()
	start := time.Now()
	if clients == 1 {
		for i := range b.N {
			t0 := time.Now()
			if err := send(i); err != nil {
				b.Fatal(err)
			}
			latencies = append(latencies, time.Since(t0))
		}
	} else {
		b.SetParallelism(max(1, clients/runtime.GOMAXPROCS(0)))
		b.RunParallel(func(pb *testing.PB) {
			local := make([]time.Duration, 0, 256)
			for pb.Next() {
				t0 := time.Now()
				if err := send(int(next.Add(1))); err != nil {
					b.Error(err)
					return
				}
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			latencies = append(latencies, local...)
			mu.Unlock()
		})
	}
	elapsed := time.Since(start)
	b.StopTimer()
	cpu := processCPU(b) - cpuBefore
	goroutines := goroutinesCreated() - goroutinesBefore

	if len(latencies) == 0 {
		return
	}
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(db.Statements()-before)/float64(len(latencies)), "sql/req")
	// Server and client share the process: these two count both, so they
	// compare changes to the server, not servers to each other.
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(latencies)), "cpu-ms/req")
	b.ReportMetric(float64(goroutines)/float64(len(latencies)), "goroutines/req")
}

// goroutinesCreated is how many goroutines the process has started.
func goroutinesCreated() uint64 {
	s := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// processCPU is the CPU time, user and system, the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
