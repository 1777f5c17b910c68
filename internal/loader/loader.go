// Package loader batches the lookups of one GraphQL request: every field that
// needs a row asks its loader, and each loader turns all the asks of one
// level of the query into one statement. Loaders live for one request, so
// their memo never outlives what the request may see.
package loader

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/folio/folio/internal/folio"
)

// DefaultWait is how long a loader collects keys before it runs its batch.
// The executor starts sibling fields within microseconds of each other, so
// a short wait catches a whole level without adding noticeable latency.
const DefaultWait = 2 * time.Millisecond

// PageKey asks for one page of the list under a parent.
type PageKey struct {
	ID   int64
	Page folio.Page
}

// Loaders are the batched lookups of one request, one Level of them for each
// depth of the query. Keeping levels apart makes a request's SQL a function
// of its query's shape alone: one statement per loader per level. Shared
// across levels, a lower level's keys would sometimes catch a batch of the
// level above that had not fired yet, and sometimes not, so the count of
// statements would depend on the scheduler.
type Loaders struct {
	store  folio.Store
	viewer folio.Viewer
	wait   time.Duration

	mu     sync.Mutex
	levels map[int]*Level
}

// At returns the loaders of one depth of the query, made on first use.
func (ls *Loaders) At(depth int) *Level {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	l, ok := ls.levels[depth]
	if !ok {
		l = newLevel(ls.store, ls.viewer, ls.wait)
		ls.levels[depth] = l
	}
	return l
}

// Forget drops everything loaded so far, so what follows a write reads the
// written state. Mutations call it after each change.
func (ls *Loaders) Forget() {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	clear(ls.levels)
}

// Level is the batched lookups of one depth of one request.
type Level struct {
	UserByID     *dataloader.Loader[int64, *folio.User]
	UserByHandle *dataloader.Loader[string, *folio.User] // keys lower-cased

	ArticleByID   *dataloader.Loader[int64, *folio.Article]
	ArticleBySlug *dataloader.Loader[string, *folio.Article]

	CategoryByID   *dataloader.Loader[int64, *folio.Category]
	CategoryBySlug *dataloader.Loader[string, *folio.Category]
	TagByID        *dataloader.Loader[int64, *folio.Tag]
	TagBySlug      *dataloader.Loader[string, *folio.Tag]
	TagsOfArticle  *dataloader.Loader[int64, []*folio.Tag]

	CommentByID *dataloader.Loader[int64, *folio.Comment]

	ReactionCounts *dataloader.Loader[int64, folio.ReactionCounts]
	CommentTotal   *dataloader.Loader[int64, int]

	ArticlesByAuthor   *dataloader.Loader[PageKey, folio.List[*folio.Article]]
	ArticlesByCategory *dataloader.Loader[PageKey, folio.List[*folio.Article]]
	ArticlesByTag      *dataloader.Loader[PageKey, folio.List[*folio.Article]]
	CommentsByArticle  *dataloader.Loader[PageKey, folio.List[*folio.Comment]]
	RepliesByComment   *dataloader.Loader[PageKey, folio.List[*folio.Comment]]

	ArticleCountByAuthor   *dataloader.Loader[int64, int]
	ArticleCountByCategory *dataloader.Loader[int64, int]
	ArticleCountByTag      *dataloader.Loader[int64, int]
	CommentCountByArticle  *dataloader.Loader[int64, int]
	ReplyCountByComment    *dataloader.Loader[int64, int]
}

// New returns the loaders of one request made by viewer v.
func New(s folio.Store, v folio.Viewer, wait time.Duration) *Loaders {
	if wait <= 0 {
		wait = DefaultWait
	}
	return &Loaders{store: s, viewer: v, wait: wait, levels: make(map[int]*Level)}
}

func newLevel(s folio.Store, v folio.Viewer, wait time.Duration) *Level {
	l := &Level{}
	l.UserByID = byKey(wait, s.UsersByIDs, func(u *folio.User) int64 { return u.ID }, nil)
	l.UserByHandle = byKey(wait, s.UsersByHandles, func(u *folio.User) string { return strings.ToLower(u.Handle) },
		func(ctx context.Context, u *folio.User) { l.UserByID.Prime(ctx, u.ID, u) })

	l.ArticleByID = byKey(wait, s.ArticlesByIDs, func(a *folio.Article) int64 { return a.ID }, nil)
	l.ArticleBySlug = byKey(wait, s.ArticlesBySlugs, func(a *folio.Article) string { return a.Slug },
		func(ctx context.Context, a *folio.Article) { l.ArticleByID.Prime(ctx, a.ID, a) })

	l.CategoryByID = byKey(wait, s.CategoriesByIDs, func(c *folio.Category) int64 { return c.ID }, nil)
	l.CategoryBySlug = byKey(wait, s.CategoriesBySlugs, func(c *folio.Category) string { return c.Slug },
		func(ctx context.Context, c *folio.Category) { l.CategoryByID.Prime(ctx, c.ID, c) })
	l.TagByID = byKey(wait, s.TagsByIDs, func(t *folio.Tag) int64 { return t.ID }, nil)
	l.TagBySlug = byKey(wait, s.TagsBySlugs, func(t *folio.Tag) string { return t.Slug },
		func(ctx context.Context, t *folio.Tag) { l.TagByID.Prime(ctx, t.ID, t) })
	l.TagsOfArticle = grouped(wait, s.TagsOfArticles)

	l.CommentByID = byKey(wait, s.CommentsByIDs, func(c *folio.Comment) int64 { return c.ID }, nil)

	l.ReactionCounts = grouped(wait, s.ReactionCounts)
	l.CommentTotal = grouped(wait, s.CommentTotals)

	l.ArticlesByAuthor = paged(wait, withViewer(v, s.ArticlesByAuthors))
	l.ArticlesByCategory = paged(wait, withViewer(v, s.ArticlesByCategories))
	l.ArticlesByTag = paged(wait, withViewer(v, s.ArticlesByTags))
	l.CommentsByArticle = paged(wait, s.CommentsByArticles)
	l.RepliesByComment = paged(wait, s.RepliesByComments)

	l.ArticleCountByAuthor = grouped(wait, countWithViewer(v, s.CountArticlesByAuthors))
	l.ArticleCountByCategory = grouped(wait, countWithViewer(v, s.CountArticlesByCategories))
	l.ArticleCountByTag = grouped(wait, countWithViewer(v, s.CountArticlesByTags))
	l.CommentCountByArticle = grouped(wait, s.CountCommentsByArticles)
	l.ReplyCountByComment = grouped(wait, s.CountRepliesByComments)
	return l
}

type pageFetch[V any] func(ctx context.Context, ids []int64, p folio.Page) (map[int64]folio.List[V], error)

func withViewer[V any](v folio.Viewer, f func(context.Context, folio.Viewer, []int64, folio.Page) (map[int64]folio.List[V], error)) pageFetch[V] {
	return func(ctx context.Context, ids []int64, p folio.Page) (map[int64]folio.List[V], error) {
		return f(ctx, v, ids, p)
	}
}

func countWithViewer(v folio.Viewer, f func(context.Context, folio.Viewer, []int64) (map[int64]int, error)) func(context.Context, []int64) (map[int64]int, error) {
	return func(ctx context.Context, ids []int64) (map[int64]int, error) { return f(ctx, v, ids) }
}

// byKey makes a loader of single rows. A key with no row gets a nil value and
// no error: the caller decides what "not found" means. found, if set, sees
// every row loaded (to prime the loaders of other keys).
func byKey[K comparable, V any](wait time.Duration, fetch func(context.Context, []K) ([]*V, error), keyOf func(*V) K, found func(context.Context, *V)) *dataloader.Loader[K, *V] {
	batch := func(ctx context.Context, keys []K) []*dataloader.Result[*V] {
		rows, err := fetch(ctx, keys)
		if err != nil {
			return failAll[*V](len(keys), err)
		}
		byKey := make(map[K]*V, len(rows))
		for _, r := range rows {
			byKey[keyOf(r)] = r
			if found != nil {
				found(ctx, r)
			}
		}
		out := make([]*dataloader.Result[*V], len(keys))
		for i, k := range keys {
			out[i] = &dataloader.Result[*V]{Data: byKey[k]}
		}
		return out
	}
	return dataloader.NewBatchedLoader(batch, dataloader.WithWait[K, *V](wait))
}

// grouped makes a loader of per-key aggregates; a key the store left out gets
// the zero value (no tags, a count of 0).
func grouped[V any](wait time.Duration, fetch func(context.Context, []int64) (map[int64]V, error)) *dataloader.Loader[int64, V] {
	batch := func(ctx context.Context, keys []int64) []*dataloader.Result[V] {
		m, err := fetch(ctx, keys)
		if err != nil {
			return failAll[V](len(keys), err)
		}
		out := make([]*dataloader.Result[V], len(keys))
		for i, k := range keys {
			out[i] = &dataloader.Result[V]{Data: m[k]}
		}
		return out
	}
	return dataloader.NewBatchedLoader(batch, dataloader.WithWait[int64, V](wait))
}

// paged makes a loader of per-parent pages. Keys asking for the same page
// (the usual case: one field of a query, many parents) share one statement.
func paged[V any](wait time.Duration, fetch pageFetch[V]) *dataloader.Loader[PageKey, folio.List[V]] {
	batch := func(ctx context.Context, keys []PageKey) []*dataloader.Result[folio.List[V]] {
		var pages []folio.Page
		ids := make(map[folio.Page][]int64)
		for _, k := range keys {
			if _, ok := ids[k.Page]; !ok {
				pages = append(pages, k.Page)
			}
			ids[k.Page] = append(ids[k.Page], k.ID)
		}
		got := make(map[PageKey]folio.List[V], len(keys))
		errs := make(map[folio.Page]error)
		for _, p := range pages {
			m, err := fetch(ctx, ids[p], p)
			if err != nil {
				errs[p] = err
				continue
			}
			for id, l := range m {
				got[PageKey{ID: id, Page: p}] = l
			}
		}
		out := make([]*dataloader.Result[folio.List[V]], len(keys))
		for i, k := range keys {
			out[i] = &dataloader.Result[folio.List[V]]{Data: got[k], Error: errs[k.Page]}
		}
		return out
	}
	return dataloader.NewBatchedLoader(batch, dataloader.WithWait[PageKey, folio.List[V]](wait))
}

func failAll[V any](n int, err error) []*dataloader.Result[V] {
	out := make([]*dataloader.Result[V], n)
	for i := range out {
		out[i] = &dataloader.Result[V]{Error: err}
	}
	return out
}

type loadersKey struct{}

// With returns a context carrying l.
func With(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, loadersKey{}, l)
}

// For returns the loaders of the request of ctx. It panics without
// Middleware in front: that is a wiring bug, not a runtime condition.
func For(ctx context.Context) *Loaders {
	l, ok := ctx.Value(loadersKey{}).(*Loaders)
	if !ok {
		panic("loader: no loaders in context; is loader.Middleware installed?")
	}
	return l
}

// Middleware gives every request its own loaders, made for the request's
// viewer (so it must run after authentication).
func Middleware(s folio.Store, wait time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		l := New(s, folio.ViewerFrom(ctx), wait)
		next.ServeHTTP(w, r.WithContext(With(ctx, l)))
	})
}
