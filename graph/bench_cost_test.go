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
	"github.com/folio/folio/internal/redistest"
)

// BenchmarkHomeFeedRateLimit measures what cost control adds to a request.
// It sends the home feed, one request at a time, in turn to three servers
// over the same database: one with no cost control at all ("off"), one that
// prices and checks the ceilings ("priced"), and one that also takes the
// price from a Redis budget and refunds the difference ("charged"):
//
//	go test -run '^$' -bench HomeFeedRateLimit -benchtime 2000x ./graph/
//
// It reports each server's p50 latency and, for the two with cost control,
// the median of the differences from the "off" request of the same round
// (overhead-…-p50-ms), which cancels most of the drift of a busy machine.
func BenchmarkHomeFeedRateLimit(b *testing.B) {
	db := openBenchDB(b)
	rdb := redistest.Client(b)
	prefix := redistest.Prefix(b, rdb)
	huge := ratelimit.Tier{Name: "anonymous", Capacity: 1e12, RestoreRate: 1e9}
	servers := []struct {
		name string
		lim  *ratelimit.Limiter
		url  string
	}{
		{name: "off", lim: &ratelimit.Limiter{Disabled: true}},
		{name: "priced", lim: &ratelimit.Limiter{}},
		{name: "charged", lim: &ratelimit.Limiter{
			Budgets: ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Prefix: prefix}),
			Tiers:   ratelimit.Tiers{Anonymous: huge, User: huge, APIKey: huge},
		}},
	}
	for i := range servers {
		srv := httptest.NewServer(graph.NewHandler(graph.Options{Store: db, Limiter: servers[i].lim}))
		defer srv.Close()
		servers[i].url = srv.URL
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	payload, err := json.Marshal(map[string]any{"query": HomeFeedQuery, "variables": map[string]any{"first": 20}})
	if err != nil {
		b.Fatal(err)
	}
	send := func(i int) time.Duration {
		t0 := time.Now()
		res, err := client.Post(servers[i].url, "application/json", bytes.NewReader(payload))
		if err != nil {
			b.Fatal(err)
		}
		raw, err := io.ReadAll(res.Body)
		res.Body.Close()
		d := time.Since(t0)
		if err != nil || res.StatusCode != http.StatusOK || bytes.Contains(raw, []byte(`"errors"`)) {
			b.Fatalf("status %d: %.300s", res.StatusCode, raw)
		}
		if got, want := bytes.Contains(raw, []byte(`"requestedQueryCost"`)), i > 0; got != want {
			b.Fatalf("%s: cost reported %v, want %v", servers[i].name, got, want)
		}
		return d
	}
	for range 20 { // warm all three
		for i := range servers {
			send(i)
		}
	}
	lat := make([][]time.Duration, len(servers))
	over := make([][]time.Duration, len(servers))
	b.ResetTimer()
	for n := range b.N {
		round := make([]time.Duration, len(servers))
		for k := range servers { // rotate who goes first
			i := (n + k) % len(servers)
			round[i] = send(i)
		}
		for i := range servers {
			lat[i] = append(lat[i], round[i])
			over[i] = append(over[i], round[i]-round[0])
		}
	}
	b.StopTimer()
	ms := func(ds []time.Duration) float64 {
		slices.Sort(ds)
		return float64(ds[len(ds)/2].Microseconds()) / 1000
	}
	for i, s := range servers {
		b.ReportMetric(ms(lat[i]), s.name+"-p50-ms")
		if i > 0 {
			b.ReportMetric(ms(over[i]), "overhead-"+s.name+"-p50-ms")
		}
	}
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
	rdb := redistest.Client(b)
	prefix := redistest.Prefix(b, rdb)
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
