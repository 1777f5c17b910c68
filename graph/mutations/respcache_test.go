package mutations_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/folio/folio/graph"
	"github.com/folio/folio/graph/graphtest"
	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/cache"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/httpapi"
	"github.com/folio/folio/internal/postgres/postgrestest"
	"github.com/folio/folio/internal/ratelimit"
	"github.com/folio/folio/internal/redistest"
	"github.com/folio/folio/internal/respcache"
)

// rcEnv is an instance with the response cache in front of its handler,
// wired as server.go wires it.
type rcEnv struct {
	*env
	rc      *respcache.Cache
	budgets *ratelimit.Budgets
}

// slowTier barely refills, so a test can read a charge off the budget.
var slowTier = ratelimit.Tier{Name: "anonymous", Capacity: 1000, RestoreRate: 0.001}

// newResponseCachedPair returns two instances sharing one database, one
// Redis prefix and one set of signing keys, as behind a load balancer.
func newResponseCachedPair(t *testing.T) (*rcEnv, *rcEnv) {
	t.Helper()
	rdb := redistest.Client(t)
	prefix, keys := redistest.Prefix(t, rdb), auth.MustGenerateKeys()
	return newResponseCached(t, rdb, prefix, keys), newResponseCached(t, rdb, prefix, keys)
}

// newResponseCachedClusterPair is newResponseCachedPair on a real
// three-node Redis Cluster of its own.
func newResponseCachedClusterPair(t *testing.T) (*rcEnv, *rcEnv) {
	t.Helper()
	rdb := redistest.Cluster(t)
	keys := auth.MustGenerateKeys()
	return newResponseCached(t, rdb, "folio:cluster:", keys), newResponseCached(t, rdb, "folio:cluster:", keys)
}

func newResponseCached(t *testing.T, rdb redis.UniversalClient, prefix string, keys *auth.KeySet) *rcEnv {
	t.Helper()
	e := &env{keys: keys, logs: &graphtest.SyncBuffer{}, limit: 3}
	// env.rdb flushes a single server's keys; a Cluster is the test's own.
	e.rdb, _ = rdb.(*redis.Client)
	logger := slog.New(slog.NewJSONHandler(e.logs, nil))
	e.cache = cache.New(testDB, testDB, cache.Options{Redis: rdb, Prefix: prefix, Logger: logger, Tombstone: tombstone})
	budgets := ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Prefix: prefix + "budget:"})
	lim := &ratelimit.Limiter{Budgets: budgets, Tiers: ratelimit.Tiers{Anonymous: slowTier, User: slowTier, APIKey: slowTier}}
	rc := respcache.New(respcache.Options{Redis: rdb, Prefix: prefix, Limiter: lim, Logger: logger})
	store, writer, accounts := rc.Store(e.cache), rc.Writer(e.cache), rc.Accounts(e.cache.Accounts(testDB))
	e.auth = &auth.Service{Store: accounts, Keys: keys, Logger: logger,
		Throttle:    &auth.Throttle{Redis: rdb, Prefix: prefix, Logger: logger, Window: time.Minute, FreeAttempts: e.limit, Delay: time.Minute, MaxPerAccount: 1000, MaxPerAddress: 1000},
		Revocations: &auth.Revocations{Redis: rdb, Prefix: prefix, Logger: logger, Live: testDB.SessionLive}}
	h := graph.NewHandler(graph.Options{Store: store, Writer: writer, Auth: e.auth, Logger: logger,
		PersistedQueries: e.cache.Queries(), Limiter: lim, Previews: testDB})
	e.Server = graphtest.Serve(t, rc.Middleware(h), func(o *httpapi.Options) { o.Auth = e.auth })
	return &rcEnv{env: e, rc: rc, budgets: budgets}
}

// publish makes a published article through the API.
func (e *rcEnv) publish(t *testing.T, author, editor person, title string) *articleData {
	t.Helper()
	a := e.mustCreate(t, author, title)
	out, r := e.setStatus(t, editor.h(), "publishArticle", a.ID)
	if out.Article == nil {
		t.Fatalf("publish %q: %s", title, r.Raw)
	}
	return out.Article
}

type costExt struct {
	Extensions struct {
		Cost struct {
			Requested      int `json:"requestedQueryCost"`
			Actual         int `json:"actualQueryCost"`
			ThrottleStatus struct {
				CurrentlyAvailable int `json:"currentlyAvailable"`
			} `json:"throttleStatus"`
		} `json:"cost"`
	} `json:"extensions"`
}

func costOf(t *testing.T, r graphtest.Response) costExt {
	t.Helper()
	var c costExt
	if err := json.Unmarshal([]byte(r.Raw), &c); err != nil {
		t.Fatalf("decode %s: %v", r.Raw, err)
	}
	return c
}

// articleQuery reads, in the statements that read the article and its
// comments, the author, the tags and the replies: a response made of them
// still records each.
const articleQuery = `query Article($s: String!) { article(slug: $s) { title status author { handle } tags { slug }
  comments(first: 5) { totalCount nodes { body replies(first: 3) { totalCount nodes { body author { displayName } } } } } } }`

func TestResponseCache_Viewers(t *testing.T) {
	a, _ := newResponseCachedPair(t)
	author, other := a.signUp(t, folio.RoleAuthor), a.signUp(t, folio.RoleAuthor)
	draft := fixture(t).Article(postgrestest.Article{Author: author.user, Slug: "rc-draft-" + graphtest.RandomHex(3), Title: "Draft for one", Status: folio.StatusDraft})
	vars := map[string]any{"s": draft.Slug}

	t.Run("SignedInNeverStored", func(t *testing.T) {
		before := a.rc.Stats()
		r := a.OK(t, author.h(), articleQuery, vars, nil)
		if !strings.Contains(r.Raw, "Draft for one") {
			t.Fatalf("author's response = %s, want the draft", r.Raw)
		}
		if got := r.Header.Get("Cache-Control"); got != "private, no-store" {
			t.Errorf("Cache-Control = %q, want private, no-store", got)
		}
		if s := a.rc.Stats(); s.Stores != before.Stores || s.Hits != before.Hits {
			t.Fatalf("a signed-in request touched the cache: %+v then %+v", before, s)
		}
	})
	t.Run("AnonymousGetsItsOwn", func(t *testing.T) {
		for i := range 2 { // a miss, then a hit
			r := a.OK(t, nil, articleQuery, vars, nil)
			if string(r.Data) != `{"article":null}` {
				t.Fatalf("anonymous response %d = %s, want no article", i, r.Data)
			}
		}
		if s := a.rc.Stats(); s.Hits != 1 || s.Stores != 1 {
			t.Fatalf("stats = %+v, want 1 store and 1 hit", s)
		}
	})
	t.Run("SignedInAfterAnonymous", func(t *testing.T) {
		if r := a.OK(t, author.h(), articleQuery, vars, nil); !strings.Contains(r.Raw, "Draft for one") {
			t.Fatalf("author after an anonymous hit = %s, want the draft", r.Raw)
		}
		if r := a.OK(t, other.h(), articleQuery, vars, nil); string(r.Data) != `{"article":null}` {
			t.Fatalf("another author = %s, want no article", r.Data)
		}
		if r := a.OK(t, other.h(), `{ viewer { handle } }`, nil, nil); !strings.Contains(r.Raw, other.user.Handle) {
			t.Fatalf("viewer of the other author = %s", r.Raw)
		}
		if r := a.OK(t, author.h(), `{ viewer { handle } }`, nil, nil); !strings.Contains(r.Raw, author.user.Handle) {
			t.Fatalf("viewer of the author = %s", r.Raw)
		}
	})
	t.Run("MutationsAndDryRunsBypass", func(t *testing.T) {
		before := a.rc.Stats()
		a.Do(t, nil, `mutation { subscribeNewsletter(input: {email: "rc@example.com"}) { userErrors { code } } }`, nil)
		a.Do(t, http.Header{"Folio-Dry-Run": {"true"}}, articleQuery, vars)
		if s := a.rc.Stats(); s.Stores != before.Stores || s.Hits != before.Hits {
			t.Fatalf("stats = %+v then %+v, want no store and no hit", before, s)
		}
	})
}

func TestResponseCache_Invalidation(t *testing.T) {
	a, b := newResponseCachedPair(t)
	invalidationAcrossInstances(t, a, b)
}

// TestResponseCache_InvalidationCluster is TestResponseCache_Invalidation
// on a real Redis Cluster: two whole instances (sign-up throttle, budgets,
// entity cache, response cache and its tag sets) behave as on one server.
func TestResponseCache_InvalidationCluster(t *testing.T) {
	a, b := newResponseCachedClusterPair(t)
	invalidationAcrossInstances(t, a, b)
	if st := a.budgets.Stats(); st.Fallbacks != 0 || st.Taken == 0 {
		t.Errorf("budgets on a: %+v, want operations taken from the Cluster and no fallbacks", st)
	}
}

// invalidationAcrossInstances: b caches the article page and the home
// feed; writes through a are seen on b at once.
func invalidationAcrossInstances(t *testing.T, a, b *rcEnv) {
	t.Helper()
	author, editor, reader := a.signUp(t, folio.RoleAuthor), a.signUp(t, folio.RoleEditor), a.signUp(t, folio.RoleReader)
	art := a.publish(t, author, editor, "Cached and discussed")
	vars := map[string]any{"s": art.Slug}
	const feed = `query Feed { articles(first: 3) { nodes { slug title commentCount } } }`

	// b caches the article page and the home feed.
	warm := func() (page, home graphtest.Response) {
		t.Helper()
		b.OK(t, nil, articleQuery, vars, nil)
		b.OK(t, nil, feed, nil, nil)
		before := b.rc.Stats().Hits
		page, home = b.OK(t, nil, articleQuery, vars, nil), b.OK(t, nil, feed, nil, nil)
		if got := b.rc.Stats().Hits - before; got != 2 {
			t.Fatalf("hits on b = %d, want 2 (the page and the feed)", got)
		}
		return page, home
	}
	page, home := warm()
	if !strings.Contains(page.Raw, `"totalCount":0`) || !strings.Contains(home.Raw, `"commentCount":0`) {
		t.Fatalf("before: page %s, feed %s", page.Raw, home.Raw)
	}

	var top string
	t.Run("NewComment", func(t *testing.T) {
		out, r := a.comment(t, &reader, "addComment", map[string]any{"articleId": art.ID, "body": "Fresh words"})
		if out.Comment == nil {
			t.Fatalf("comment: %s", r.Raw)
		}
		top = out.Comment.ID
		if r := b.OK(t, nil, articleQuery, vars, nil); !strings.Contains(r.Raw, "Fresh words") {
			t.Fatalf("page on b after the comment = %s, want it", r.Raw)
		}
		if r := b.OK(t, nil, feed, nil, nil); !strings.Contains(r.Raw, `"commentCount":1`) {
			t.Fatalf("feed on b after the comment = %s, want commentCount 1", r.Raw)
		}
	})
	// The replies are read with their comments, and their authors with
	// them: renaming a replier, who is nowhere else on the page, makes it
	// stale.
	t.Run("ReplierRenamed", func(t *testing.T) {
		if out, r := a.comment(t, &editor, "addComment", map[string]any{"articleId": art.ID, "parentId": top, "body": "A reply, read with its comment"}); out.Comment == nil {
			t.Fatalf("reply: %s", r.Raw)
		}
		if r, _ := warm(); !strings.Contains(r.Raw, "A reply, read with its comment") || !strings.Contains(r.Raw, `"replies":{"totalCount":1`) {
			t.Fatalf("page on b after the reply = %s, want it", r.Raw)
		}
		r := a.Do(t, editor.h(), `mutation($in: UpdateProfileInput!) { updateProfile(input: $in) { user { displayName } userErrors { code } } }`,
			map[string]any{"in": map[string]any{"displayName": "Renamed Replier"}})
		if !strings.Contains(r.Raw, `"displayName":"Renamed Replier"`) {
			t.Fatalf("updateProfile: %s", r.Raw)
		}
		if r := b.OK(t, nil, articleQuery, vars, nil); !strings.Contains(r.Raw, "Renamed Replier") {
			t.Fatalf("page on b after the rename = %s", r.Raw)
		}
	})
	t.Run("Edit", func(t *testing.T) {
		warm()
		var out map[string]*articlePayload
		r := a.Do(t, editor.h(), `mutation($in: UpdateArticleInput!) { updateArticle(input: $in) { article { title } userErrors { code } } }`,
			map[string]any{"in": map[string]any{"id": art.ID, "expectedVersion": art.Version, "title": "Renamed on a"}})
		r.Decode(t, &out)
		if out["updateArticle"] == nil || out["updateArticle"].Article == nil {
			t.Fatalf("update: %s", r.Raw)
		}
		if r := b.OK(t, nil, articleQuery, vars, nil); !strings.Contains(r.Raw, "Renamed on a") {
			t.Fatalf("page on b after the edit = %s", r.Raw)
		}
		if r := b.OK(t, nil, feed, nil, nil); !strings.Contains(r.Raw, "Renamed on a") {
			t.Fatalf("feed on b after the edit = %s", r.Raw)
		}
	})
	t.Run("NewlyPublished", func(t *testing.T) {
		warm()
		fresh := a.publish(t, author, editor, "Just out")
		if r := b.OK(t, nil, feed, nil, nil); !strings.Contains(r.Raw, fresh.Slug) {
			t.Fatalf("feed on b after publishing = %s, want %s", r.Raw, fresh.Slug)
		}
		if r := b.OK(t, nil, articleQuery, map[string]any{"s": fresh.Slug}, nil); !strings.Contains(r.Raw, "Just out") {
			t.Fatalf("page on b = %s", r.Raw)
		}
	})
	// A handle looked up before anyone had it is cached as missing, until
	// the sign-up that takes it.
	t.Run("SignedUp", func(t *testing.T) {
		handle := "late_" + graphtest.RandomHex(4)
		const byHandle = `query($h: String!) { user(handle: $h) { handle } }`
		vars := map[string]any{"h": handle}
		b.OK(t, nil, byHandle, vars, nil)
		before := b.rc.Stats().Hits
		if r := b.OK(t, nil, byHandle, vars, nil); b.rc.Stats().Hits != before+1 || !strings.Contains(r.Raw, `"user":null`) {
			t.Fatalf("missing handle on b: %s, want a cached null", r.Raw)
		}
		r := a.Do(t, nil, `mutation($in: SignUpInput!) { signUp(input: $in) { email userErrors { code } } }`, map[string]any{"in": map[string]any{
			"email": handle + "@example.com", "password": "a long enough password", "handle": handle, "displayName": "Late"}})
		if !strings.Contains(r.Raw, `"userErrors":[]`) {
			t.Fatalf("signUp: %s", r.Raw)
		}
		if r := b.OK(t, nil, byHandle, vars, nil); !strings.Contains(r.Raw, `"handle":"`+handle+`"`) {
			t.Fatalf("handle on b after the sign-up = %s", r.Raw)
		}
	})
	// The feed reads its authors with its articles, in one statement: the
	// response still records them, and renaming one makes it stale.
	t.Run("AuthorRenamed", func(t *testing.T) {
		const byline = `query Byline { articles(first: 3) { nodes { slug author { displayName } } } }`
		b.OK(t, nil, byline, nil, nil)
		before := b.rc.Stats().Hits
		if r := b.OK(t, nil, byline, nil, nil); b.rc.Stats().Hits != before+1 || !strings.Contains(r.Raw, `"author":{"displayName":`) {
			t.Fatalf("byline on b: %s, hits %d then %d, want a hit", r.Raw, before, b.rc.Stats().Hits)
		}
		r := a.Do(t, author.h(), `mutation($in: UpdateProfileInput!) { updateProfile(input: $in) { user { displayName } userErrors { code } } }`,
			map[string]any{"in": map[string]any{"displayName": "Renamed Byline"}})
		if !strings.Contains(r.Raw, `"displayName":"Renamed Byline"`) {
			t.Fatalf("updateProfile: %s", r.Raw)
		}
		if r := b.OK(t, nil, byline, nil, nil); !strings.Contains(r.Raw, "Renamed Byline") {
			t.Fatalf("byline on b after the rename = %s", r.Raw)
		}
	})
}

func TestResponseCache_HitCost(t *testing.T) {
	a, _ := newResponseCachedPair(t)
	author, editor := a.signUp(t, folio.RoleAuthor), a.signUp(t, folio.RoleEditor)
	art := a.publish(t, author, editor, "Priced")
	vars := map[string]any{"s": art.Slug}

	a.budgets.Wait() // the refunds of the sign-ups have reached the bucket
	miss := a.OK(t, nil, articleQuery, vars, nil)
	a.budgets.Wait() // and those of the miss
	hit := a.OK(t, nil, articleQuery, vars, nil)
	if a.rc.Stats().Hits != 1 {
		t.Fatalf("stats = %+v, want one hit", a.rc.Stats())
	}
	m, h := costOf(t, miss), costOf(t, hit)
	if h.Extensions.Cost.Requested != respcache.HitCost || h.Extensions.Cost.Actual != respcache.HitCost {
		t.Fatalf("hit cost = %+v, want requested and actual %d", h.Extensions.Cost, respcache.HitCost)
	}
	if m.Extensions.Cost.Requested <= respcache.HitCost {
		t.Fatalf("miss cost = %+v, want more than a hit", m.Extensions.Cost)
	}
	if got, want := h.Extensions.Cost.ThrottleStatus.CurrentlyAvailable, m.Extensions.Cost.ThrottleStatus.CurrentlyAvailable-respcache.HitCost; got != want {
		t.Fatalf("budget after the hit = %d, want %d (after the miss) - %d", got, want+respcache.HitCost, respcache.HitCost)
	}
	if got, want := hit.Header.Get("RateLimit-Remaining"), strconv.Itoa(h.Extensions.Cost.ThrottleStatus.CurrentlyAvailable); got != want {
		t.Fatalf("RateLimit-Remaining = %q, want %s", got, want)
	}
}

func TestResponseCache_NotModified(t *testing.T) {
	a, _ := newResponseCachedPair(t)
	author, editor := a.signUp(t, folio.RoleAuthor), a.signUp(t, folio.RoleEditor)
	art := a.publish(t, author, editor, "Validated")
	vars, _ := json.Marshal(map[string]any{"s": art.Slug})
	u := a.URL + "?" + url.Values{"query": {articleQuery}, "variables": {string(vars)}}.Encode()

	get := func(h http.Header) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		for k, v := range h {
			req.Header[k] = v
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	first := get(nil)
	etag := first.Header.Get("ETag")
	if first.StatusCode != http.StatusOK || etag == "" || !strings.HasPrefix(first.Header.Get("Cache-Control"), "public, max-age=") {
		t.Fatalf("first GET: %d, ETag %q, Cache-Control %q", first.StatusCode, etag, first.Header.Get("Cache-Control"))
	}
	for _, tc := range []struct {
		name string
		h    http.Header
	}{{"FromExecution", nil}, {"FromCache", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			res := get(http.Header{"If-None-Match": {etag}})
			if res.StatusCode != http.StatusNotModified || res.Header.Get("ETag") != etag {
				t.Fatalf("conditional GET: %d, ETag %q, want 304 and %q", res.StatusCode, res.Header.Get("ETag"), etag)
			}
			// A 304 updates the headers of the copy it validates (RFC 9111,
			// 4.3.4): it carries the 200's caching headers, and no length.
			if cc, want := res.Header.Get("Cache-Control"), first.Header.Get("Cache-Control"); cc != want {
				t.Errorf("304 Cache-Control %q, want the 200's %q", cc, want)
			}
			if cl := res.Header.Get("Content-Length"); cl != "" {
				t.Errorf("304 Content-Length %q, want none", cl)
			}
		})
	}
	if res := get(http.Header{"If-None-Match": {`W/"other"`}}); res.StatusCode != http.StatusOK {
		t.Fatalf("GET with a stale ETag: %d, want 200", res.StatusCode)
	}
}

func TestResponseCache_Stampede(t *testing.T) {
	a, _ := newResponseCachedPair(t)
	author, editor := a.signUp(t, folio.RoleAuthor), a.signUp(t, folio.RoleEditor)
	art := a.publish(t, author, editor, "Stampeded")
	vars := map[string]any{"s": art.Slug}

	const n = 8
	start := make(chan struct{})
	var wg sync.WaitGroup
	got := make([]string, n)
	for i := range n {
		wg.Go(func() {
			<-start
			r := a.Do(t, nil, articleQuery, vars)
			got[i] = string(r.Data)
		})
	}
	close(start)
	wg.Wait()
	// One ran; each of the others took its answer, from the flight or,
	// arriving after it ended, from Redis.
	if s := a.rc.Stats(); s.Executions != 1 || s.Shared+s.Hits != n-1 {
		t.Fatalf("stats %+v: want 1 execution, and %d shared or hits", s, n-1)
	}
	for i, d := range got {
		if d != got[0] || !strings.Contains(d, "Stampeded") {
			t.Fatalf("response %d = %s, want %s", i, d, got[0])
		}
	}
}

// TestResponseCache_PerCallerAnswersNotPublic checks that an anonymous GET
// whose answer is the caller's own (its budget) is kept by no HTTP cache,
// while an ordinary one is public for the cache's max-age.
func TestResponseCache_PerCallerAnswersNotPublic(t *testing.T) {
	a, _ := newResponseCachedPair(t)
	get := func(query string) *http.Response {
		t.Helper()
		res, err := http.Get(a.URL + "?" + url.Values{"query": {query}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || strings.Contains(string(body), `"errors"`) {
			t.Fatalf("GET %s: %d %s", query, res.StatusCode, body)
		}
		return res
	}
	if cc := get(`{ rateLimit { tier maximumAvailable } }`).Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the caller's budget: Cache-Control %q, want no-store", cc)
	}
	if cc := get(`{ tags(first: 3) { nodes { slug } } }`).Header.Get("Cache-Control"); !strings.HasPrefix(cc, "public, max-age=") {
		t.Errorf("a public read: Cache-Control %q, want public", cc)
	}
}
