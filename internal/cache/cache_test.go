package cache_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/folio/folio/internal/cache"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/metrics"
	"github.com/folio/folio/internal/postgres"
	"github.com/folio/folio/internal/postgres/postgrestest"
	"github.com/folio/folio/internal/redistest"
)

var testDB *postgres.DB

func TestMain(m *testing.M) { postgrestest.Main(m, "cache", &testDB) }

type world struct {
	author *folio.User
	a, b   *folio.Article
	tag    *folio.Tag
}

var (
	worldOnce sync.Once
	w         world
)

func getWorld(t *testing.T) world {
	worldOnce.Do(func() {
		f := postgrestest.Fixture{TB: t, DB: testDB}
		w.author = f.User("cached_author", folio.RoleAuthor)
		w.tag = f.Tag("cached", "Cached")
		w.a = f.Article(postgrestest.Article{Author: w.author, Slug: "cached-a", Title: "A", Tags: []*folio.Tag{w.tag}})
		w.b = f.Article(postgrestest.Article{Author: w.author, Slug: "cached-b", Title: "B"})
	})
	return w
}

func newCache(t *testing.T, rdb *redis.Client, prefix string, s folio.Store) *cache.Store {
	return cache.New(s, testDB, cache.Options{Redis: rdb, Prefix: prefix, Timeout: 100 * time.Millisecond})
}

// counted runs f and returns how many SQL statements it sent.
func counted(t *testing.T, f func(ctx context.Context)) int64 {
	t.Helper()
	var n atomic.Int64
	f(postgres.WithStatementCounter(context.Background(), &n))
	return n.Load()
}

func TestStore_ReadThrough(t *testing.T) {
	w := getWorld(t)
	rdb := redistest.Client(t)
	c := newCache(t, rdb, redistest.Prefix(t, rdb), testDB)
	lookup := func(ctx context.Context) {
		as, err := c.ArticlesBySlugs(ctx, []string{"cached-a", "cached-b", "cached-a"})
		if err != nil || len(as) != 2 {
			t.Fatalf("by slug: %d rows, %v", len(as), err)
		}
		us, err := c.UsersByHandles(ctx, []string{"CACHED_AUTHOR"})
		if err != nil || len(us) != 1 || us[0].ID != w.author.ID {
			t.Fatalf("by handle: %v, %v", us, err)
		}
		tags, err := c.TagsOfArticles(ctx, []int64{w.a.ID, w.b.ID})
		if err != nil || len(tags[w.a.ID]) != 1 || tags[w.a.ID][0].Slug != "cached" || len(tags[w.b.ID]) != 0 {
			t.Fatalf("tags of articles: %v, %v", tags, err)
		}
	}
	if n := counted(t, lookup); n != 3 {
		t.Fatalf("cold: %d statements, want 3 (one per batch)", n)
	}
	if n := counted(t, lookup); n != 0 {
		t.Fatalf("warm: %d statements, want 0", n)
	}
	// Another instance sharing Redis is warm too.
	other := newCache(t, rdb, c.Prefix(), testDB)
	if n := counted(t, func(ctx context.Context) {
		as, err := other.ArticlesByIDs(ctx, []int64{w.a.ID, w.b.ID})
		if err != nil || len(as) != 2 || as[0].Title == "" {
			t.Fatalf("by id: %v %v", as, err)
		}
	}); n != 0 {
		t.Fatalf("second instance: %d statements, want 0", n)
	}
	st := c.Stats()
	if st.Hits == 0 || st.Misses == 0 || st.Errors != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestStore_NegativeCache(t *testing.T) {
	getWorld(t)
	rdb := redistest.Client(t)
	c := newCache(t, rdb, redistest.Prefix(t, rdb), testDB)
	miss := func(ctx context.Context) {
		as, err := c.ArticlesBySlugs(ctx, []string{"no-such-article"})
		if err != nil || len(as) != 0 {
			t.Fatalf("got %v, %v", as, err)
		}
	}
	if n := counted(t, miss); n != 1 {
		t.Fatalf("first miss: %d statements", n)
	}
	for range 5 {
		if n := counted(t, miss); n != 0 {
			t.Fatalf("repeated miss: %d statements, want 0 (cached as missing)", n)
		}
	}
}

// slowStore delays the article lookups of the real store, so concurrent
// callers surely overlap.
type slowStore struct{ folio.Store }

func (s slowStore) ArticlesByIDs(ctx context.Context, ids []int64) ([]*folio.Article, error) {
	time.Sleep(50 * time.Millisecond)
	return s.Store.ArticlesByIDs(ctx, ids)
}

func TestStore_Singleflight(t *testing.T) {
	w := getWorld(t)
	rdb := redistest.Client(t)
	c := newCache(t, rdb, redistest.Prefix(t, rdb), slowStore{testDB})
	before := testDB.Statements()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			as, err := c.ArticlesByIDs(context.Background(), []int64{w.a.ID})
			if err != nil || len(as) != 1 || as[0].ID != w.a.ID {
				t.Errorf("got %v, %v", as, err)
			}
		})
	}
	wg.Wait()
	if n := testDB.Statements() - before; n != 1 {
		t.Fatalf("20 concurrent misses sent %d statements, want 1", n)
	}
}

func TestStore_Invalidation(t *testing.T) {
	getWorld(t)
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t, rdb)
	c, other := newCache(t, rdb, prefix, testDB), newCache(t, rdb, prefix, testDB)
	f := postgrestest.Fixture{TB: t, DB: testDB}
	editor := f.User("cache_editor", folio.RoleEditor)
	a := f.Article(postgrestest.Article{Author: editor, Slug: "before-rename", Title: "Before", Status: folio.StatusDraft})
	v := folio.Viewer{UserID: editor.ID, Role: folio.RoleEditor}
	ctx := context.Background()
	// Warm both names, and "after-rename" as missing.
	for _, s := range []string{"before-rename", "after-rename"} {
		if _, err := other.ArticlesBySlugs(ctx, []string{s}); err != nil {
			t.Fatal(err)
		}
	}
	title, slug := "After", "after-rename"
	if _, err := c.UpdateArticle(ctx, v, folio.ArticlePatch{ID: a.ID, ExpectedVersion: 1, Title: &title, Slug: &slug}); err != nil {
		t.Fatal(err)
	}
	got, err := other.ArticlesBySlugs(ctx, []string{"after-rename", "before-rename"})
	if err != nil || len(got) != 1 || got[0].Title != "After" || got[0].Slug != "after-rename" {
		t.Fatalf("after the write, the other instance read %+v, %v", got, err)
	}
	// A reader that raced the write cannot put the old row back.
	if err := rdb.SetNX(ctx, prefix+"article:id:"+itoa(a.ID), `{"ID":1,"Title":"stale"}`, time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	byID, _ := other.ArticlesByIDs(ctx, []int64{a.ID})
	if len(byID) != 1 || byID[0].Title != "After" {
		t.Fatalf("read %+v after a racing refill", byID)
	}
}

func TestStore_RedisDown(t *testing.T) {
	w := getWorld(t)
	for name, rdb := range map[string]*redis.Client{"Refusing": redistest.Dead(t), "Silent": redistest.Silent(t)} {
		t.Run(name, func(t *testing.T) {
			c := cache.New(testDB, testDB, cache.Options{Redis: rdb, Prefix: "folio:test:down:", Timeout: 20 * time.Millisecond, Cooldown: time.Hour})
			// The request's own deadline is far longer than the cache's:
			// if Redis held the request, this would fail with it.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			for range 10 {
				as, err := c.ArticlesBySlugs(ctx, []string{"cached-a"})
				if err != nil || len(as) != 1 || as[0].ID != w.a.ID {
					t.Fatalf("got %v, %v", as, err)
				}
				us, err := c.UsersByIDs(ctx, []int64{w.author.ID})
				if err != nil || len(us) != 1 {
					t.Fatalf("got %v, %v", us, err)
				}
			}
			st := c.Stats()
			if st.Errors == 0 || st.Bypasses == 0 {
				t.Fatalf("stats %+v: want errors until the breaker opened, then bypasses", st)
			}
			if st.Errors > 3 {
				t.Fatalf("stats %+v: the breaker kept calling a dead Redis", st)
			}
		})
	}
}

func TestStore_Metrics(t *testing.T) {
	w := getWorld(t)
	rdb := redistest.Client(t)
	m := metrics.New(metrics.Options{})
	c := cache.New(testDB, testDB, cache.Options{Redis: rdb, Prefix: redistest.Prefix(t, rdb), Metrics: m})
	for range 2 {
		if _, err := c.ArticlesByIDs(context.Background(), []int64{w.a.ID, w.b.ID}); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]float64{}
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "folio_cache_requests_total" {
			continue
		}
		for _, s := range mf.GetMetric() {
			var kind, result string
			for _, l := range s.GetLabel() {
				switch l.GetName() {
				case "kind":
					kind = l.GetValue()
				case "result":
					result = l.GetValue()
				}
			}
			got[kind+"/"+result] = s.GetCounter().GetValue()
		}
	}
	if got["article/miss"] != 2 || got["article/hit"] != 2 {
		t.Fatalf("cache metrics %v, want 2 article misses then 2 hits", got)
	}
}

// endingHook holds each command of a request marked by endRequest until
// that request's own context has ended (cancelling it first if the mark
// carries a cancel func), then lets the command go to Redis: a round trip
// its caller cut short while it was in flight.
type endingHook struct{}

type endKey struct{}

// endRequest marks ctx so its Redis commands outlive it; cancel, if set,
// ends it as soon as a command is sent.
func endRequest(ctx context.Context, cancel context.CancelFunc) context.Context {
	return context.WithValue(ctx, endKey{}, &cancel)
}

func (endingHook) wait(ctx context.Context) {
	if cancel, ok := ctx.Value(endKey{}).(*context.CancelFunc); ok {
		if *cancel != nil {
			(*cancel)()
		}
		<-ctx.Done()
	}
}

func (endingHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h endingHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.wait(ctx)
		return next(ctx, cmd)
	}
}

func (h endingHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.wait(ctx)
		return next(ctx, cmds)
	}
}

func TestStore_Breaker(t *testing.T) {
	w := getWorld(t)

	// Requests that end while their Redis round trip is in flight, by a
	// client going away or by the request's own deadline, are not Redis
	// failing: the breaker stays closed and Redis keeps serving.
	ended := map[string]func() (context.Context, context.CancelFunc){
		"Canceled": func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			return endRequest(ctx, cancel), cancel
		},
		"RequestDeadline": func() (context.Context, context.CancelFunc) {
			// Far shorter than the cache's Timeout, so only the
			// request's own deadline can end the round trip.
			ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
			return endRequest(ctx, nil), cancel
		},
	}
	for name, request := range ended {
		t.Run(name, func(t *testing.T) {
			rdb := redistest.Client(t)
			rdb.AddHook(endingHook{})
			c := cache.New(testDB, testDB, cache.Options{Redis: rdb, Prefix: redistest.Prefix(t, rdb), Timeout: time.Hour, Cooldown: time.Hour})
			if _, err := c.ArticlesByIDs(context.Background(), []int64{w.a.ID}); err != nil {
				t.Fatal(err)
			}
			for range 10 { // three in a row would open it
				ctx, cancel := request()
				c.ArticlesByIDs(ctx, []int64{w.a.ID})        // a hit cut short
				c.ArticlesBySlugs(ctx, []string{"cached-b"}) // a miss cut short
				cancel()
			}
			if st := c.Stats(); st.Trips != 0 || st.Errors != 0 || st.Bypasses != 0 {
				t.Fatalf("stats %+v: want no trips, errors or bypasses after ended requests", st)
			}
			if n := counted(t, func(ctx context.Context) {
				as, err := c.ArticlesByIDs(ctx, []int64{w.a.ID})
				if err != nil || len(as) != 1 || as[0].Body != w.a.Body {
					t.Fatalf("got %v, %v", as, err)
				}
			}); n != 0 {
				t.Fatalf("after ended requests a warm lookup sent %d statements, want 0 (served by Redis)", n)
			}
		})
	}

	// Redis's own failures, refused connections or no answer within the
	// cache's Timeout under a request with time to spare, still open it.
	for name, rdb := range map[string]*redis.Client{"Refusing": redistest.Dead(t), "Silent": redistest.Silent(t)} {
		t.Run(name, func(t *testing.T) {
			c := cache.New(testDB, testDB, cache.Options{Redis: rdb, Prefix: "folio:test:down:", Timeout: 20 * time.Millisecond, Cooldown: time.Hour})
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			for range 3 {
				if _, err := c.ArticlesByIDs(ctx, []int64{w.a.ID}); err != nil {
					t.Fatal(err)
				}
			}
			if st := c.Stats(); st.Trips != 1 || st.Errors != 3 {
				t.Fatalf("stats %+v: want 3 errors and the breaker open", st)
			}
			if _, err := c.ArticlesByIDs(ctx, []int64{w.a.ID}); err != nil {
				t.Fatal(err)
			}
			if st := c.Stats(); st.Bypasses != 1 {
				t.Fatalf("stats %+v: want Redis skipped while the breaker is open", st)
			}
		})
	}
}

// partialStore answers article lookups with rows read for a list, without
// their bodies, as a buggy store might.
type partialStore struct{ folio.Store }

func (s partialStore) ArticlesByIDs(ctx context.Context, ids []int64) ([]*folio.Article, error) {
	return partial(s.Store.ArticlesByIDs(ctx, ids))
}

func (s partialStore) ArticlesBySlugs(ctx context.Context, slugs []string) ([]*folio.Article, error) {
	return partial(s.Store.ArticlesBySlugs(ctx, slugs))
}

func partial(as []*folio.Article, err error) ([]*folio.Article, error) {
	for _, a := range as {
		a.Body, a.BodyOmitted = "", true
	}
	return as, err
}

func TestStore_NeverCachesPartialArticles(t *testing.T) {
	w := getWorld(t)
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t, rdb)
	ctx := context.Background()

	t.Run("NotWritten", func(t *testing.T) {
		c := newCache(t, rdb, prefix, partialStore{testDB})
		if _, err := c.ArticlesByIDs(ctx, []int64{w.a.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.ArticlesBySlugs(ctx, []string{w.b.Slug}); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{prefix + "article:id:" + itoa(w.a.ID), prefix + "article:id:" + itoa(w.b.ID), prefix + "article:slug:" + w.b.Slug} {
			if n := rdb.Exists(ctx, key).Val(); n != 0 {
				t.Errorf("%s was written from a row without its body", key)
			}
		}
	})
	t.Run("ReadAsMiss", func(t *testing.T) {
		// A body-less row in Redis (written by some older, buggier instance)
		// is a miss: the store answers with the whole row.
		key := prefix + "article:id:" + itoa(w.a.ID)
		if err := rdb.Set(ctx, key, `{"ID":`+itoa(w.a.ID)+`,"Title":"A","BodyOmitted":true}`, time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
		c := newCache(t, rdb, prefix, testDB)
		as, err := c.ArticlesByIDs(ctx, []int64{w.a.ID})
		if err != nil || len(as) != 1 || as[0].BodyOmitted || as[0].Body != w.a.Body {
			t.Fatalf("got %+v, %v: want the whole row from the store", as, err)
		}
	})
}
