package graph_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/lru"

	"github.com/folio/folio/graph"
	"github.com/folio/folio/graph/graphtest"
	"github.com/folio/folio/internal/clientaddr"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/httpapi"
	"github.com/folio/folio/internal/metrics"
	"github.com/folio/folio/internal/ratelimit"
	"github.com/folio/folio/internal/redistest"
)

// costResponse is a response with its cost report decoded.
type costResponse struct {
	graphtest.Response
	Cost costReport
}

// costReport is extensions.cost.
type costReport struct {
	DryRun             bool                   `json:"dryRun"`
	RequestedQueryCost int                    `json:"requestedQueryCost"`
	ActualQueryCost    *int                   `json:"actualQueryCost"`
	MaximumQueryCost   int                    `json:"maximumQueryCost"`
	Fields             []ratelimit.FieldPrice `json:"fields"`
	ThrottleStatus     *struct {
		MaximumAvailable   int     `json:"maximumAvailable"`
		CurrentlyAvailable int     `json:"currentlyAvailable"`
		RestoreRate        float64 `json:"restoreRate"`
	} `json:"throttleStatus"`
}

// costSender is a test server: the shared one or a limited one.
type costSender interface {
	Send(tb testing.TB, header http.Header, body map[string]any) graphtest.Response
}

// send posts an operation with extra headers and request extensions, and
// decodes its cost report.
func send(t *testing.T, s costSender, query string, vars map[string]any, header http.Header, ext map[string]any) costResponse {
	t.Helper()
	body := map[string]any{"query": query, "variables": vars}
	if ext != nil {
		body["extensions"] = ext
	}
	out := costResponse{Response: s.Send(t, header, body)}
	out.Cost = decodeCost(t, out.Raw)
	return out
}

func decodeCost(t *testing.T, raw string) (c costReport) {
	t.Helper()
	var exts struct {
		Extensions struct {
			Cost json.RawMessage `json:"cost"`
		} `json:"extensions"`
	}
	if err := json.Unmarshal([]byte(raw), &exts); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	if exts.Extensions.Cost != nil {
		if err := json.Unmarshal(exts.Extensions.Cost, &c); err != nil {
			t.Fatalf("decode extensions.cost %s: %v", exts.Extensions.Cost, err)
		}
	}
	return c
}

// asViewer stands in for the authentication middleware: Test-User and
// Test-API-Key name the viewer.
func asViewer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var v folio.Viewer
		v.UserID, _ = strconv.ParseInt(r.Header.Get("Test-User"), 10, 64)
		v.APIKeyID, _ = strconv.ParseInt(r.Header.Get("Test-API-Key"), 10, 64)
		next.ServeHTTP(w, r.WithContext(folio.WithViewer(r.Context(), v)))
	})
}

// limitedServer serves the test database with a limiter, the viewer taken
// from the test headers, counting each request's statements.
type limitedServer = graphtest.Server

func newLimitedServer(t *testing.T, lim *ratelimit.Limiter, adjust ...func(*httpapi.Options)) *limitedServer {
	t.Helper()
	return graphtest.Serve(t, asViewer(graph.NewHandler(graph.Options{Store: testDB, Limiter: lim})), adjust...)
}

// slowTier barely refills during a test, so that balances are exact.
func slowTier(capacity float64) ratelimit.Tier {
	return ratelimit.Tier{Name: "anonymous", Capacity: capacity, RestoreRate: 0.001}
}

func dryRun() http.Header { return http.Header{httpapi.DryRunHeader: {"true"}} }

// The README's worked examples; their prices are quoted there.
var workedExamples = []struct {
	name  string
	query string
	vars  map[string]any
	cost  int
	// dryOnly examples are priced, not run (a mutation needs a signed-in
	// caller).
	dryOnly bool
}{
	{"Lookup", `{ article(slug: "keyset-pagination") { title author { handle } } }`, nil, 2, false},
	{"Page", `{ articles(first: 10) { nodes { title } } }`, nil, 11, false},
	{"CountOnly", `{ articles { totalCount } }`, nil, 1, false},
	{"AssumedPage", `{ articles { nodes { title } } }`, nil, 21, false},
	{"HomeFeed", HomeFeedQuery, map[string]any{"first": 20}, 181, false},
	{"ArticlePage", ArticlePageQuery, map[string]any{"slug": "keyset-pagination", "comments": 20, "replies": 5}, 272, false},
	{"Search", `{ search(query: "postgres", first: 10) { totalCount edges { rank snippet node { slug title } } } }`, nil, 11, false},
	{"NestedLists", `{ tags(first: 10) { nodes { articles(first: 4) { totalCount nodes { author { handle } } } } } }`, nil, 101, false},
	{"Nodes", `{ nodes(ids: ["QXJ0aWNsZTox", "QXJ0aWNsZToy"]) { id ... on Article { author { handle } } } }`, nil, 4, false},
	{"RateLimitCostsTheMinimum", `{ rateLimit { currentlyAvailable } }`, nil, ratelimit.MinPrice, false},
	{"Mutation", `mutation { addComment(input: {articleId: "QXJ0aWNsZTox", body: "Nice"}) { comment { id author { handle } } userErrors { field message } } }`, nil, 12, true},
}

func TestCost_WorkedExamples(t *testing.T) {
	getWorld(t)
	s := srv(t)
	for _, ex := range workedExamples {
		t.Run(ex.name, func(t *testing.T) {
			dry := send(t, s, ex.query, ex.vars, dryRun(), nil)
			if !dry.Cost.DryRun || dry.Cost.RequestedQueryCost != ex.cost || len(dry.Errors) > 0 {
				t.Fatalf("dry run: got %+v, errors %+v; want %d", dry.Cost, dry.Errors, ex.cost)
			}
			if dry.Statements != 0 || string(dry.Data) != "null" {
				t.Errorf("dry run ran: %d statements, data %s", dry.Statements, dry.Data)
			}
			if ex.dryOnly {
				return
			}
			run := send(t, s, ex.query, ex.vars, nil, nil)
			if len(run.Errors) > 0 {
				t.Fatalf("run: %+v", run.Errors)
			}
			if run.Cost.RequestedQueryCost != ex.cost {
				t.Errorf("run: requested %d, want %d as priced by the dry run", run.Cost.RequestedQueryCost, ex.cost)
			}
			if run.Cost.ActualQueryCost == nil || *run.Cost.ActualQueryCost > ex.cost {
				t.Errorf("run: actual %v, want at most %d", run.Cost.ActualQueryCost, ex.cost)
			}
		})
	}
}

// TestCost_Actual checks the actual cost counts what the response holds.
func TestCost_Actual(t *testing.T) {
	w := getWorld(t)
	s := srv(t)
	t.Run("FullPagesCostThePrice", func(t *testing.T) {
		r := send(t, s, `{ articles(first: 5) { nodes { author { handle } category { slug } } } }`, nil, nil, nil)
		if r.Cost.RequestedQueryCost != 16 || r.Cost.ActualQueryCost == nil || *r.Cost.ActualQueryCost != 16 {
			t.Errorf("got requested %d, actual %v; want 16 and 16", r.Cost.RequestedQueryCost, r.Cost.ActualQueryCost)
		}
	})
	t.Run("HomeFeedCountsTagsReturned", func(t *testing.T) {
		r := send(t, s, HomeFeedQuery, map[string]any{"first": 20}, nil, nil)
		var out struct {
			Articles struct {
				Edges []struct {
					Node struct {
						Category *struct{ Slug string }
						Tags     []struct{ Slug string }
					}
				}
			}
		}
		if err := json.Unmarshal(r.Data, &out); err != nil {
			t.Fatal(err)
		}
		want := 1 // the connection
		for _, e := range out.Articles.Edges {
			want += 3 + len(e.Node.Tags) // article, author, reaction counts, tags
			if e.Node.Category != nil {
				want++
			}
		}
		if r.Cost.ActualQueryCost == nil || *r.Cost.ActualQueryCost != want || want >= 181 {
			t.Errorf("actual: got %v, want %d (under the price of 181)", r.Cost.ActualQueryCost, want)
		}
	})
	t.Run("ShortPage", func(t *testing.T) {
		// The keyset article has 3 top-level comments; asking for 20 prices 20.
		r := send(t, s, `query($slug: String!) { article(slug: $slug) { comments(first: 20) { nodes { id } } } }`, map[string]any{"slug": w.keyset.Slug}, nil, nil)
		if r.Cost.RequestedQueryCost != 22 || r.Cost.ActualQueryCost == nil || *r.Cost.ActualQueryCost != 5 {
			t.Errorf("got requested %d, actual %v; want 22 and 5", r.Cost.RequestedQueryCost, r.Cost.ActualQueryCost)
		}
	})
	t.Run("RefusedMutationCostsItsWeight", func(t *testing.T) {
		r := send(t, s, `mutation { addComment(input: {articleId: "QXJ0aWNsZTox", body: "Nice"}) { comment { id author { handle } } } }`, nil, nil, nil)
		if r.Code() != "UNAUTHENTICATED" || r.Cost.RequestedQueryCost != 12 || r.Cost.ActualQueryCost == nil || *r.Cost.ActualQueryCost != 10 {
			t.Errorf("got %s, requested %d, actual %v; want UNAUTHENTICATED, 12 and 10", r.Code(), r.Cost.RequestedQueryCost, r.Cost.ActualQueryCost)
		}
	})
	t.Run("QueryWithErrorsPaysItsPrice", func(t *testing.T) {
		// The bad cursor nulls all the data, though the tags were read.
		r := send(t, s, `{ tags(first: 5) { nodes { slug articles(first: 5) { nodes { slug } } } } boom: articles(after: "nope") { totalCount } }`, nil, nil, nil)
		if r.Code() != "BAD_USER_INPUT" || string(r.Data) != "null" || r.Cost.ActualQueryCost == nil || *r.Cost.ActualQueryCost != r.Cost.RequestedQueryCost {
			t.Errorf("got %s, data %s, requested %d, actual %v; want the whole price", r.Code(), r.Data, r.Cost.RequestedQueryCost, r.Cost.ActualQueryCost)
		}
	})
	t.Run("MissingCostsTheMinimum", func(t *testing.T) {
		r := send(t, s, `{ article(slug: "no-such-article") { author { handle } } }`, nil, nil, nil)
		if r.Cost.ActualQueryCost == nil || *r.Cost.ActualQueryCost != ratelimit.MinPrice {
			t.Errorf("actual: got %v, want %d", r.Cost.ActualQueryCost, ratelimit.MinPrice)
		}
	})
}

func TestCost_DryRun(t *testing.T) {
	getWorld(t)
	s := srv(t)
	t.Run("Breakdown", func(t *testing.T) {
		r := send(t, s, `{ articles(first: 3) { pageInfo { hasNextPage } nodes { title author { handle } tags { slug } } } }`, nil, nil, map[string]any{"dryRun": true})
		want := []ratelimit.FieldPrice{
			{Path: "articles", Count: 1, Weight: 1, Cost: 22},
			{Path: "articles.nodes", Count: 3, Weight: 1, Cost: 21},
			{Path: "articles.nodes.author", Count: 3, Weight: 1, Cost: 3},
			{Path: "articles.nodes.tags", Count: 15, Weight: 1, Cost: 15},
		}
		if r.Cost.RequestedQueryCost != 22 || fmt.Sprint(r.Cost.Fields) != fmt.Sprint(want) || r.Statements != 0 {
			t.Errorf("got %d %+v (%d statements), want 22 %+v", r.Cost.RequestedQueryCost, r.Cost.Fields, r.Statements, want)
		}
	})
	t.Run("OverTheCeilingPricedNotRefused", func(t *testing.T) {
		r := send(t, s, `{ articles(first: 100) { nodes { comments(first: 100) { nodes { id } } } } }`, nil, dryRun(), nil)
		if len(r.Errors) > 0 || r.Cost.RequestedQueryCost != 10201 || r.Cost.MaximumQueryCost != 1000 {
			t.Errorf("got %+v, errors %+v; want 10201 of at most 1000", r.Cost, r.Errors)
		}
	})
	t.Run("UnclearAskRefused", func(t *testing.T) {
		mutation := `mutation { addComment(input: {articleId: "QXJ0aWNsZTox", body: "Nice"}) { comment { id } } }`
		if r := send(t, s, mutation, nil, http.Header{httpapi.DryRunHeader: {"yes"}}, nil); r.Status != http.StatusBadRequest || r.Code() != "BAD_USER_INPUT" {
			t.Errorf("header: got status %d, %+v", r.Status, r.Errors)
		}
		if r := send(t, s, mutation, nil, nil, map[string]any{"dryRun": "yes"}); r.Code() != "BAD_USER_INPUT" || r.Statements != 0 {
			t.Errorf("extension: got %+v, %d statements", r.Errors, r.Statements)
		}
	})
	t.Run("HeaderOnGET", func(t *testing.T) {
		r := s.Get(t, http.Header{httpapi.DryRunHeader: {"1"}}, url.Values{"query": {`{ articles(first: 4) { nodes { id } } }`}})
		c := decodeCost(t, r.Raw)
		if !c.DryRun || c.RequestedQueryCost != 5 || string(r.Data) != "null" || r.Statements != 0 {
			t.Errorf("got %+v, data %s, %d statements", c, r.Data, r.Statements)
		}
	})
}

func TestCost_Ceilings(t *testing.T) {
	getWorld(t)
	s := srv(t)
	repeat := func(n int, f string) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, f, i)
		}
		return b.String()
	}
	for _, tc := range []struct {
		name, query, code, figure string
		value, limit              int
	}{
		{"Cost", `{ articles(first: 100) { nodes { author { articles(first: 100) { nodes { author { articles(first: 100) { nodes { id title } } } } } } } } }`,
			"COST_LIMIT_EXCEEDED", "cost", 1030301, 1000},
		{"Depth", `{ article(slug: "a") { comments(first: 1) { nodes {` + strings.Repeat(" parent {", 12) + " id" + strings.Repeat(" }", 12) + ` } } } }`,
			"DEPTH_LIMIT_EXCEEDED", "depth", 16, 15},
		{"Aliases", "{" + repeat(31, " a%d: article(slug: \"x\") { id }") + " }", "ALIAS_LIMIT_EXCEEDED", "aliases", 31, 30},
		{"Tokens", "{ articles(first: 1) { nodes {" + strings.Repeat(" id", 5000) + " } } }", "TOKEN_LIMIT_EXCEEDED", "tokens", 5001, 5000},
		{"Directives", `{ articles(first: 1) @include(if: true) @include(if: true) @include(if: true) @include(if: true) @include(if: true) @include(if: true) { totalCount } }`,
			"DIRECTIVE_LIMIT_EXCEEDED", "directives", 6, 5},
		{"DocumentSize", "{ articles(first: 1) { totalCount } }" + strings.Repeat(" ", 32<<10), "DOCUMENT_SIZE_LIMIT_EXCEEDED", "bytes", 37 + 32<<10, 32 << 10},
		{"Operations", repeat(11, "query Q%d { articles(first: 1) { totalCount } }\n"), "OPERATION_LIMIT_EXCEEDED", "operations", 11, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := send(t, s, tc.query, nil, nil, nil)
			if r.Code() != tc.code || r.Status != http.StatusOK {
				t.Fatalf("got status %d, errors %+v; want %s", r.Status, r.Errors, tc.code)
			}
			ext := r.Errors[0].Extensions
			if ext[tc.figure] != float64(tc.value) || ext["limit"] != float64(tc.limit) {
				t.Errorf("extensions: got %v, want %s %d and limit %d", ext, tc.figure, tc.value, tc.limit)
			}
			if !strings.Contains(r.Errors[0].Message, strconv.Itoa(tc.limit)) {
				t.Errorf("message %q does not name the limit", r.Errors[0].Message)
			}
			if r.Statements != 0 {
				t.Errorf("statements: got %d, want 0", r.Statements)
			}
		})
	}
	t.Run("ArticlePageFits", func(t *testing.T) {
		r := s.post(t, ArticlePageQuery, map[string]any{"slug": "keyset-pagination", "comments": 20, "replies": 5})
		if len(r.Errors) > 0 {
			t.Errorf("got %+v", r.Errors)
		}
	})
	t.Run("HundredArticleFeedFits", func(t *testing.T) {
		r := send(t, s, HomeFeedQuery, map[string]any{"first": 100}, nil, nil)
		if len(r.Errors) > 0 || r.Cost.RequestedQueryCost != 901 {
			t.Errorf("got %d, %+v; want 901 and no errors", r.Cost.RequestedQueryCost, r.Errors)
		}
	})
}

// TestCost_DirectivesInIntrospection checks clients can find the cost
// directives by introspection.
func TestCost_DirectivesInIntrospection(t *testing.T) {
	var out struct {
		Schema struct {
			Directives []struct {
				Name string
				Args []struct{ Name string }
			}
		} `json:"__schema"`
	}
	srv(t).query(t, `{ __schema { directives { name args { name } } } }`, nil, &out)
	found := map[string]string{}
	for _, d := range out.Schema.Directives {
		var args []string
		for _, a := range d.Args {
			args = append(args, a.Name)
		}
		found[d.Name] = strings.Join(args, ",")
	}
	if found["cost"] != "weight" || found["listSize"] != "assumedSize,slicingArguments,sizedFields,requireOneSlicingArgument" {
		t.Errorf("got %v", found)
	}
}

func TestRateLimit_Budget(t *testing.T) {
	getWorld(t)
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t, rdb)
	lim := &ratelimit.Limiter{
		Budgets: ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Prefix: prefix}),
		Tiers:   ratelimit.Tiers{Anonymous: slowTier(400), User: ratelimit.Tier{Name: "user", Capacity: 400, RestoreRate: 0.001}, APIKey: ratelimit.Tier{Name: "apiKey", Capacity: 5000, RestoreRate: 100}},
	}
	s := newLimitedServer(t, lim)
	feed := map[string]any{"first": 20}

	t.Run("RefundCredited", func(t *testing.T) {
		user := http.Header{"Test-User": {"1"}}
		r := send(t, s, HomeFeedQuery, feed, user, nil)
		if len(r.Errors) > 0 || r.Cost.ThrottleStatus == nil || r.Cost.ActualQueryCost == nil {
			t.Fatalf("got %+v, errors %+v", r.Cost, r.Errors)
		}
		actual := *r.Cost.ActualQueryCost
		if actual >= 181 {
			t.Fatalf("actual %d: the test needs articles with fewer than 5 tags", actual)
		}
		// The price was taken, the unused part given back.
		if got := r.Cost.ThrottleStatus.CurrentlyAvailable; got != 400-actual {
			t.Errorf("available after the refund: got %d, want 400 - %d", got, actual)
		}
		if got := r.Header.Get("RateLimit-Remaining"); got != strconv.Itoa(400-actual) {
			t.Errorf("RateLimit-Remaining: got %q, want %d", got, 400-actual)
		}
		if r.Header.Get("RateLimit-Limit") != "400" || r.Header.Get("RateLimit-Reset") == "" {
			t.Errorf("headers: %v", r.Header)
		}
		// The refund reached the bucket in Redis (asking costs the minimum).
		lim.Budgets.Wait()
		r = send(t, s, `{ rateLimit { currentlyAvailable } }`, nil, user, nil)
		if got := r.Cost.ThrottleStatus.CurrentlyAvailable; got != 400-actual-ratelimit.MinPrice {
			t.Errorf("available in Redis after the refund: got %d, want 400 - %d - %d", got, actual, ratelimit.MinPrice)
		}
	})
	t.Run("RateLimitFieldSpendsTheMinimum", func(t *testing.T) {
		q := `{ rateLimit { tier maximumAvailable currentlyAvailable restoreRate resetAt requestedQueryCost maximumQueryCost } }`
		key := http.Header{"Test-API-Key": {"9"}, "Test-User": {"1"}}
		var first int
		for i := range 3 {
			r := send(t, s, q, nil, key, nil)
			var out struct {
				RateLimit struct {
					Tier                                                     string
					MaximumAvailable, CurrentlyAvailable, RequestedQueryCost int
					MaximumQueryCost                                         int
					RestoreRate                                              float64
					ResetAt                                                  time.Time
				}
			}
			if err := json.Unmarshal(r.Data, &out); err != nil || len(r.Errors) > 0 {
				t.Fatalf("%s: %v %+v", r.Data, err, r.Errors)
			}
			rl := out.RateLimit
			if rl.Tier != "apiKey" || rl.MaximumAvailable != 5000 || rl.RestoreRate != 100 || rl.RequestedQueryCost != ratelimit.MinPrice || rl.MaximumQueryCost != 1000 {
				t.Errorf("got %+v", rl)
			}
			if i == 0 {
				first = rl.CurrentlyAvailable
			} else if rl.CurrentlyAvailable < first-i*ratelimit.MinPrice {
				t.Errorf("asking spent more than the minimum: %d, then %d after %d more", first, rl.CurrentlyAvailable, i)
			}
		}
		if first != 5000-ratelimit.MinPrice {
			t.Errorf("an API key's untouched bucket, after asking: got %d, want 5000 - %d", first, ratelimit.MinPrice)
		}
	})
	t.Run("ThrottledWith429", func(t *testing.T) {
		caller := http.Header{"Test-User": {"2"}}
		for range 2 { // 2 × 181 of 400
			if r := send(t, s, HomeFeedQuery, feed, caller, nil); len(r.Errors) > 0 {
				t.Fatalf("got %+v", r.Errors)
			}
		}
		// Spend what the refunds gave back, leaving under 181.
		for i := 0; send(t, s, `{ articles(first: 20) { nodes { id } } }`, nil, caller, nil).Status == http.StatusOK; i++ {
			if i == 20 {
				t.Fatal("never throttled")
			}
		}
		r := send(t, s, HomeFeedQuery, feed, caller, nil)
		if r.Status != http.StatusTooManyRequests || r.Code() != "RATE_LIMITED" {
			t.Fatalf("got status %d, errors %+v; want 429 RATE_LIMITED", r.Status, r.Errors)
		}
		// The wait is what the missing points take to restore; the
		// reported balance is rounded down, so within a point's time.
		avail := float64(r.Cost.ThrottleStatus.CurrentlyAvailable)
		lo, hi := (181-avail-1)/0.001*1000, (181-avail)/0.001*1000+1
		if ms, _ := r.Errors[0].Extensions["retryAfterMs"].(float64); ms < lo || ms > hi {
			t.Errorf("retryAfterMs: got %.0f, want %.0f to %.0f", ms, lo, hi)
		}
		if ra, _ := strconv.Atoi(r.Header.Get("Retry-After")); ra < 1 {
			t.Errorf("Retry-After: got %q", r.Header.Get("Retry-After"))
		}
		if r.Statements != 0 || string(r.Data) != "null" {
			t.Errorf("a throttled operation ran: %d statements, data %s", r.Statements, r.Data)
		}
		// Another client is untouched.
		other := send(t, s, HomeFeedQuery, feed, http.Header{"Test-User": {"3"}}, nil)
		if other.Status != http.StatusOK || len(other.Errors) > 0 {
			t.Errorf("another client: status %d, errors %+v", other.Status, other.Errors)
		}
		// And the throttled one may still look at its budget.
		if r := send(t, s, `{ rateLimit { currentlyAvailable } }`, nil, caller, nil); r.Status != http.StatusOK || len(r.Errors) > 0 {
			t.Errorf("rateLimit while throttled: status %d, errors %+v", r.Status, r.Errors)
		}
	})
	t.Run("Refills", func(t *testing.T) {
		// Drain user 4 by hand, as of 2 seconds ago by Redis's clock, at a
		// tier that restores 100 points a second: it holds 200 now.
		start := time.Now() // before Redis reads its clock
		now, err := rdb.Time(context.Background()).Result()
		if err != nil {
			t.Fatal(err)
		}
		rdb.HSet(context.Background(), prefix+"key:4", "a", "0", "t", strconv.FormatInt(now.Add(-2*time.Second).UnixMicro(), 10))
		r := send(t, s, `{ rateLimit { currentlyAvailable } }`, nil, http.Header{"Test-API-Key": {"4"}}, nil)
		got := r.Cost.ThrottleStatus.CurrentlyAvailable
		// Asking costs the minimum.
		if lo, hi := 200-ratelimit.MinPrice, 200-ratelimit.MinPrice+int(100*time.Since(start).Seconds()); got < lo || got > hi {
			t.Errorf("after 2s at 100/s: got %d, want %d to %d", got, lo, hi)
		}
	})
	t.Run("DryRunSpendsNothing", func(t *testing.T) {
		caller := http.Header{"Test-User": {"5"}, httpapi.DryRunHeader: {"true"}}
		for range 5 {
			r := send(t, s, HomeFeedQuery, feed, caller, nil)
			if r.Cost.RequestedQueryCost != 181 || r.Cost.ThrottleStatus.CurrentlyAvailable != 400 {
				t.Fatalf("got %+v", r.Cost)
			}
		}
	})
}

// TestRateLimit_SharedAcrossInstances sends one client's burst to two
// servers sharing one Redis: together they admit no more than the bucket's
// capacity plus what it restored while the burst lasted.
func TestRateLimit_SharedAcrossInstances(t *testing.T) {
	getWorld(t)
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t, rdb)
	tiers := ratelimit.Tiers{Anonymous: ratelimit.Tier{Name: "anonymous", Capacity: 60, RestoreRate: 2}}
	tiers.User, tiers.APIKey = tiers.Anonymous, tiers.Anonymous
	var servers []*limitedServer
	for range 2 {
		servers = append(servers, newLimitedServer(t, &ratelimit.Limiter{
			Budgets: ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Prefix: prefix}), Tiers: tiers,
		}))
	}
	const q = `{ articles(first: 5) { nodes { title } } }` // 6 points, all used
	start := time.Now()
	admitted, throttled := 0, 0
	for i := range 40 {
		r := send(t, servers[i%2], q, nil, nil, nil)
		switch r.Status {
		case http.StatusOK:
			if *r.Cost.ActualQueryCost != 6 {
				t.Fatalf("actual %d, want 6", *r.Cost.ActualQueryCost)
			}
			admitted += 6
		case http.StatusTooManyRequests:
			throttled++
		default:
			t.Fatalf("status %d: %+v", r.Status, r.Errors)
		}
	}
	limit := 60 + 2*time.Since(start).Seconds()
	if float64(admitted) > limit || admitted < 60 || throttled == 0 {
		t.Errorf("admitted %d points (%d throttled), want between 60 and %.1f", admitted, throttled, limit)
	}
}

func TestRateLimit_ClientAddress(t *testing.T) {
	getWorld(t)
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t, rdb)
	tiers := ratelimit.Tiers{Anonymous: slowTier(1000)}
	tiers.User, tiers.APIKey = tiers.Anonymous, tiers.Anonymous
	untrusted := newLimitedServer(t, &ratelimit.Limiter{Budgets: ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Prefix: prefix + "u:"}), Tiers: tiers})
	proxies, _ := clientaddr.ParseProxies("127.0.0.1/32")
	behindProxy := newLimitedServer(t, &ratelimit.Limiter{Budgets: ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Prefix: prefix + "p:"}), Tiers: tiers},
		func(o *httpapi.Options) { o.Proxies = proxies })
	const q = `{ articles(first: 9) { nodes { title } } }` // 10 points

	t.Run("ForgedXFFIgnored", func(t *testing.T) {
		var last costResponse
		for i := range 3 {
			last = send(t, untrusted, q, nil, http.Header{"X-Forwarded-For": {fmt.Sprintf("198.51.100.%d", i)}}, nil)
		}
		if got := last.Cost.ThrottleStatus.CurrentlyAvailable; got != 970 {
			t.Errorf("after 3 operations with 3 forged addresses: got %d, want 970 (one bucket)", got)
		}
		if n := rdb.Exists(context.Background(), prefix+"u:ip:127.0.0.1").Val(); n != 1 {
			t.Errorf("the socket address's bucket does not exist")
		}
	})
	t.Run("TrustedProxyXFFHonoured", func(t *testing.T) {
		for i := range 3 {
			r := send(t, behindProxy, q, nil, http.Header{"X-Forwarded-For": {fmt.Sprintf("198.51.100.%d", i)}}, nil)
			if got := r.Cost.ThrottleStatus.CurrentlyAvailable; got != 990 {
				t.Errorf("client %d: got %d, want 990 (a bucket each)", i, got)
			}
		}
	})
}

// TestRateLimit_RedisDown serves with Redis at an address where nothing
// listens: queries still succeed, and each instance still limits.
func TestRateLimit_RedisDown(t *testing.T) {
	getWorld(t)
	dead := redistest.Dead(t)
	logs := &graphtest.SyncBuffer{}
	budgets := ratelimit.NewBudgets(dead, ratelimit.BudgetOptions{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	tiers := ratelimit.Tiers{Anonymous: slowTier(400)}
	tiers.User, tiers.APIKey = tiers.Anonymous, tiers.Anonymous
	s := newLimitedServer(t, &ratelimit.Limiter{Budgets: budgets, Tiers: tiers})
	feed := map[string]any{"first": 20}
	r := send(t, s, HomeFeedQuery, feed, nil, nil)
	if r.Status != http.StatusOK || len(r.Errors) > 0 || r.Cost.ThrottleStatus == nil {
		t.Fatalf("got status %d, errors %+v, cost %+v", r.Status, r.Errors, r.Cost)
	}
	if got, want := r.Cost.ThrottleStatus.CurrentlyAvailable, 400-*r.Cost.ActualQueryCost; got != want {
		t.Errorf("the local bucket: got %d, want %d", got, want)
	}
	throttled := false
	for range 10 {
		if send(t, s, HomeFeedQuery, feed, nil, nil).Status == http.StatusTooManyRequests {
			throttled = true
			break
		}
	}
	if !throttled {
		t.Error("never throttled: the local bucket does not limit")
	}
	if budgets.Stats().Fallbacks == 0 {
		t.Error("fallbacks not counted")
	}
	if !strings.Contains(logs.String(), "Redis is unreachable") {
		t.Errorf("the outage was not logged: %s", logs.String())
	}
}

// TestRateLimit_Observe checks the hook metrics hang on hears of every
// decision.
func TestRateLimit_Observe(t *testing.T) {
	getWorld(t)
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t, rdb)
	var mu sync.Mutex
	var seen []ratelimit.Observation
	tiers := ratelimit.Tiers{Anonymous: slowTier(1000)}
	tiers.User, tiers.APIKey = tiers.Anonymous, tiers.Anonymous
	s := newLimitedServer(t, &ratelimit.Limiter{
		Budgets: ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Prefix: prefix}), Tiers: tiers,
		Observe: func(_ context.Context, o ratelimit.Observation) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, o)
		},
	})
	send(t, s, `{ articles(first: 2) { nodes { title } } }`, nil, nil, nil)
	send(t, s, `{ articles(first: 2) { nodes { title } } }`, nil, dryRun(), nil)
	send(t, s, `{ articles(first: 100) { nodes { comments(first: 100) { nodes { id } } } } }`, nil, nil, nil)
	send(t, s, "{"+strings.Repeat(" a: article(slug: \"x\") { id }", 31)+" }", nil, nil, nil)
	for range 10 { // 901 each: the second is throttled
		send(t, s, HomeFeedQuery, map[string]any{"first": 100}, nil, nil)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []ratelimit.Observation{
		{Operation: "query", Tier: "anonymous", Requested: 3, Actual: 3, Outcome: "ok", Available: seen[0].Available},
		{Operation: "query", Tier: "anonymous", Requested: 3, Outcome: "dryRun"},
		{Operation: "query", Tier: "anonymous", Requested: 10201, Outcome: string(folio.ECostLimit)},
		{Outcome: string(folio.EAliasLimit)},
	}
	if len(seen) < 6 || fmt.Sprint(seen[:4]) != fmt.Sprint(want) {
		t.Fatalf("got %+v\nwant %+v, then the feeds", seen, want)
	}
	if a := seen[0].Available; a < 997 || a > 997.01 {
		t.Errorf("available after the first: got %.3f, want 997", a)
	}
	if seen[4].Outcome != "ok" || seen[5].Outcome != "throttled" || seen[5].Requested != 901 || seen[5].Available >= 901 {
		t.Errorf("the feeds: got %+v", seen[4:])
	}
}

// introspectionQuery is GraphiQL's, with type references nine levels deep.
var introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations isRepeatable args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description specifiedByURL
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name` + strings.Repeat(" ofType { kind name", 9) + strings.Repeat(" }", 9) + `
}`

func TestCost_IntrospectionFits(t *testing.T) {
	r := send(t, srv(t), introspectionQuery, nil, nil, nil)
	if r.Status != http.StatusOK || len(r.Errors) > 0 || r.Cost.RequestedQueryCost != ratelimit.MinPrice {
		t.Errorf("got status %d, errors %+v, cost %d; want the schema for the minimum price", r.Status, r.Errors, r.Cost.RequestedQueryCost)
	}
}

// TestCost_PersistedQueries checks an operation sent by its APQ hash alone
// is measured and priced like its text.
func TestCost_PersistedQueries(t *testing.T) {
	getWorld(t)
	s := newServer(t, testDB, func(o *graph.Options) { o.PersistedQueries = lru.New[string](100) })
	q := `{ articles(first: 7) { nodes { title } } }`
	sum := sha256.Sum256([]byte(q))
	pq := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
	if r := send(t, s, q, nil, nil, pq); len(r.Errors) > 0 || r.Cost.RequestedQueryCost != 8 {
		t.Fatalf("registering: got %+v, cost %d", r.Errors, r.Cost.RequestedQueryCost)
	}
	if r := send(t, s, "", nil, nil, pq); len(r.Errors) > 0 || r.Cost.RequestedQueryCost != 8 {
		t.Errorf("by hash: got %+v, cost %d; want 8", r.Errors, r.Cost.RequestedQueryCost)
	}
	deep := `{ article(slug: "a") { comments(first: 1) { nodes {` + strings.Repeat(" parent {", 13) + " id" + strings.Repeat(" }", 13) + ` } } } }`
	sum = sha256.Sum256([]byte(deep))
	pq = map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
	if r := send(t, s, deep, nil, nil, pq); r.Code() != "DEPTH_LIMIT_EXCEEDED" || r.Statements != 0 {
		t.Errorf("a deep document: got %s with %d statements, want %s and none", r.Code(), r.Statements, "DEPTH_LIMIT_EXCEEDED")
	}
}

// TestRateLimit_RefusalsObserved checks that operations refused by cost
// control reach the access log and metrics like any other answer.
func TestRateLimit_RefusalsObserved(t *testing.T) {
	getWorld(t)
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t, rdb)
	m := metrics.New(metrics.Options{})
	tiers := ratelimit.Tiers{Anonymous: slowTier(1000)}
	tiers.User, tiers.APIKey = tiers.Anonymous, tiers.Anonymous
	s := newObserved(t, m, func(o *graph.Options) {
		o.Limiter = &ratelimit.Limiter{Budgets: ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Prefix: prefix}), Tiers: tiers}
	})
	for _, body := range []string{
		`{"query":"query Big { articles(first: 100) { nodes { comments(first: 100) { nodes { id } } } } }"}`,
	} {
		s.send(t, "application/json", body)
	}
	// 181 points each, all used: the sixth finds 95 left.
	for range 6 {
		s.send(t, "application/json", `{"query":"query Feed { articles(first: 60) { nodes { author { handle } category { slug } } } }"}`)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{
		`folio_graphql_errors_total{code="COST_LIMIT_EXCEEDED"} 1`,
		`folio_graphql_errors_total{code="RATE_LIMITED"} 1`,
		`folio_graphql_operation_duration_seconds_count{operation="Feed",outcome="error",type="query"} 1`,
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if !strings.Contains(s.logs.String(), "RATE_LIMITED") {
		t.Errorf("the access log does not name the refusal:\n%s", s.logs.String())
	}
}

// TestRateLimit_RefusedDocumentsCharged checks a document refused before it
// became an operation (it does not validate, or is over a shape ceiling)
// costs its client a point: a client sending nothing else runs out of
// budget like any other.
func TestRateLimit_RefusedDocumentsCharged(t *testing.T) {
	getWorld(t)
	rdb := redistest.Client(t)
	tiers := ratelimit.Tiers{Anonymous: slowTier(3)}
	tiers.User, tiers.APIKey = tiers.Anonymous, tiers.Anonymous
	s := newLimitedServer(t, &ratelimit.Limiter{Budgets: ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Prefix: redistest.Prefix(t, rdb)}), Tiers: tiers})
	for i, q := range []string{`{ nope }`, `{`, "{ " + strings.Repeat("__typename ", 2900) + "}"} {
		r := send(t, s, q, nil, nil, nil)
		if r.Status != http.StatusOK || r.Code() == "" || r.Cost.ActualQueryCost == nil || *r.Cost.ActualQueryCost != ratelimit.RefusedPrice ||
			r.Cost.ThrottleStatus == nil || r.Cost.ThrottleStatus.CurrentlyAvailable != 2-i || r.Header.Get("RateLimit-Remaining") != strconv.Itoa(2-i) {
			t.Fatalf("refusal %d: got %d %s, want it charged %d point, %d left: %s", i, r.Status, r.Code(), ratelimit.RefusedPrice, 2-i, r.Raw)
		}
	}
	if r := send(t, s, `{ __typename }`, nil, nil, nil); r.Status != http.StatusTooManyRequests || r.Code() != "RATE_LIMITED" {
		t.Errorf("after three refusals: got %d %s, want 429 RATE_LIMITED", r.Status, r.Code())
	}
}

// TestCost_EditorialLists checks that the editorial lists are priced as
// the lists beside them: an article's revisions as its comments, per row
// asked for, their authors included.
func TestCost_EditorialLists(t *testing.T) {
	getWorld(t)
	s := srv(t)
	price := func(q string) int {
		t.Helper()
		r := send(t, s, q, nil, dryRun(), nil)
		if len(r.Errors) > 0 || !r.Cost.DryRun {
			t.Fatalf("dry run of %s: %+v %+v", q, r.Cost, r.Errors)
		}
		return r.Cost.RequestedQueryCost
	}
	for _, n := range []string{"10", "100"} {
		revisions := price(`{ article(slug: "keyset-pagination") { revisions(first: ` + n + `) { totalCount nodes { version replacedBy { handle } } } } }`)
		comments := price(`{ article(slug: "keyset-pagination") { comments(first: ` + n + `) { totalCount nodes { body author { handle } } } } }`)
		if revisions != comments || revisions < 2 {
			t.Errorf("first: %s: revisions cost %d, comments %d; want the same", n, revisions, comments)
		}
	}
	assumed := price(`{ article(slug: "keyset-pagination") { revisions { nodes { version } } } }`)
	if want := price(`{ article(slug: "keyset-pagination") { comments { nodes { id } } } }`); assumed != want {
		t.Errorf("without first: revisions cost %d, comments %d; want the same", assumed, want)
	}
}
