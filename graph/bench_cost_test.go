package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"

	"github.com/folio/folio/graph"
	"github.com/folio/folio/internal/ratelimit"
	"github.com/folio/folio/internal/ratelimit/ratelimittest"
)

// BenchmarkHomeFeedRateLimit measures what cost control adds to a request:
// it sends the home feed, one request at a time, alternately to a server
// with no cost control at all and to one that prices, checks the ceilings,
// takes the price from a Redis budget and refunds the difference. Both
// serve the same database, so the pair differs only by the limiter:
//
//	go test -run '^$' -bench HomeFeedRateLimit -benchtime 2000x ./graph/
//
// It reports each server's p50 latency and the median of the paired
// differences (overhead-p50-ms), which cancels most of the drift of a busy
// machine.
func BenchmarkHomeFeedRateLimit(b *testing.B) {
	db := openBenchDB(b)
	rdb, prefix := ratelimittest.MustRedis(b)
	huge := ratelimit.Tier{Name: "anonymous", Capacity: 1e12, RestoreRate: 1e9}
	off := httptest.NewServer(graph.NewHandler(graph.Options{Store: db, Limiter: &ratelimit.Limiter{Disabled: true}}))
	defer off.Close()
	on := httptest.NewServer(graph.NewHandler(graph.Options{Store: db, Limiter: &ratelimit.Limiter{
		Budgets: ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Prefix: prefix}),
		Tiers:   ratelimit.Tiers{Anonymous: huge, User: huge, APIKey: huge},
	}}))
	defer on.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	payload, err := json.Marshal(map[string]any{"query": HomeFeedQuery, "variables": map[string]any{"first": 20}})
	if err != nil {
		b.Fatal(err)
	}
	send := func(url string, wantCost bool) time.Duration {
		t0 := time.Now()
		res, err := client.Post(url, "application/json", bytes.NewReader(payload))
		if err != nil {
			b.Fatal(err)
		}
		raw, err := io.ReadAll(res.Body)
		res.Body.Close()
		d := time.Since(t0)
		if err != nil || res.StatusCode != http.StatusOK || bytes.Contains(raw, []byte(`"errors"`)) {
			b.Fatalf("status %d: %.300s", res.StatusCode, raw)
		}
		if hasCost := bytes.Contains(raw, []byte(`"throttleStatus"`)); hasCost != wantCost {
			b.Fatalf("cost reported: %v, want %v", hasCost, wantCost)
		}
		return d
	}
	for range 20 { // warm both
		send(off.URL, false)
		send(on.URL, true)
	}
	offs := make([]time.Duration, 0, b.N)
	ons := make([]time.Duration, 0, b.N)
	diffs := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		var a, c time.Duration
		if i%2 == 0 { // alternate which goes first
			a = send(off.URL, false)
			c = send(on.URL, true)
		} else {
			c = send(on.URL, true)
			a = send(off.URL, false)
		}
		offs, ons, diffs = append(offs, a), append(ons, c), append(diffs, c-a)
	}
	b.StopTimer()
	ms := func(ds []time.Duration) float64 {
		slices.Sort(ds)
		return float64(ds[len(ds)/2].Microseconds()) / 1000
	}
	b.ReportMetric(ms(offs), "off-p50-ms")
	b.ReportMetric(ms(ons), "on-p50-ms")
	b.ReportMetric(ms(diffs), "overhead-p50-ms")
}

// BenchmarkCostControl_HomeFeed measures the limiter's own work per request
// without HTTP or SQL: pricing the home feed, taking the price from a Redis
// budget and refunding the difference (two round trips to Redis).
func BenchmarkCostControl_HomeFeed(b *testing.B) {
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}}).Schema()
	doc, errs := gqlparser.LoadQuery(schema, HomeFeedQuery)
	if errs != nil {
		b.Fatal(errs)
	}
	calc, err := ratelimit.NewCalculator(schema, ratelimit.CalculatorOptions{MaxListSize: 100})
	if err != nil {
		b.Fatal(err)
	}
	rdb, prefix := ratelimittest.MustRedis(b)
	budgets := ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Prefix: prefix})
	huge := ratelimit.Tier{Name: "anonymous", Capacity: 1e12, RestoreRate: 1e9}
	vars := map[string]any{"first": json.Number("20")}
	ctx := context.Background()
	b.Run("Price", func(b *testing.B) {
		for b.Loop() {
			if p := calc.Price(doc.Operations[0], vars, false); p.Total != 181 {
				b.Fatalf("price %d", p.Total)
			}
		}
	})
	b.Run("PriceTakeRefund", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			c := ratelimit.Client{Key: fmt.Sprintf("ip:10.0.%d.%d", i/256%256, i%256), Tier: huge}
			p := calc.Price(doc.Operations[0], vars, false)
			if !budgets.Take(ctx, c, p.Total).Allowed {
				b.Fatal("throttled")
			}
			budgets.Adjust(ctx, c, -40)
		}
	})
}
