// Package loader holds the lookups of one GraphQL request: a memo of every
// row the request has loaded, and batch functions that turn many keys into
// one statement. Loaders live for one request, so their memo never outlives
// what the request may see.
//
// Nothing here waits on a clock. The executor (graph's planner) hands a
// loader all the keys of one level of the query at once, with LoadMany, and
// the batch runs at once: batching is exact and the statements a request
// runs are a function of its query and its data, not of the scheduler.
// Load, for a key the planner did not foresee, runs a batch of one.
package loader

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/folio/folio/internal/folio"
)

// PageKey asks for one page of the list under a parent.
type PageKey struct {
	ID   int64
	Page folio.Page
}

// Loader is one kind of lookup of one request: dataloader's memo (its
// cache of thunks, primed and cleared through the dataloader API) in front
// of a batch function.
type Loader[K comparable, V any] struct {
	// A request makes all two dozen loaders and uses a few (an article
	// page, six). So a loader is set up with static functions only, and
	// what it needs of its request is made when it is first used: build
	// makes the batch function from the request's loaders (owner), and
	// sees, if set, the function that sees every row loaded, to prime
	// other loaders.
	owner *Loaders
	build func(*Loaders) dataloader.BatchFunc[K, V]
	sees  func(*Loaders) func(context.Context, K, V)

	made  sync.Once
	used  atomic.Bool // made is done
	batch dataloader.BatchFunc[K, V]
	found func(context.Context, K, V)
	memo  *dataloader.Loader[K, V]
	cache dataloader.Cache[K, V]
	// byPage keeps the memo in a pageMemo (K is PageKey) rather than
	// dataloader's map of keys.
	byPage bool

	// claim makes finding a key missing and putting its pending result in
	// the memo one step, so that two levels asking for one key at once
	// share one batch.
	claim sync.Mutex
	// running counts the batches in flight (under claim).
	running int
}

// lazy sets l up to be made at first use for owner, with the batch
// function build makes and the function sees makes (if set) to see each
// row loaded. It returns l.
func (l *Loader[K, V]) lazy(owner *Loaders, build func(*Loaders) dataloader.BatchFunc[K, V], sees func(*Loaders) func(context.Context, K, V)) *Loader[K, V] {
	l.owner, l.build, l.sees = owner, build, sees
	return l
}

// ready makes the batch function and the memo, once, before any use.
func (l *Loader[K, V]) ready() {
	l.made.Do(func() {
		l.batch = l.build(l.owner)
		if l.sees != nil {
			l.found = l.sees(l.owner)
		}
		if l.byPage {
			l.cache = any(newPageMemo[V]()).(dataloader.Cache[K, V])
		} else {
			l.cache = dataloader.NewCache[K, V]()
		}
		// The memo never batches by itself: every miss goes through
		// LoadMany, which calls batch directly.
		l.memo = dataloader.NewBatchedLoader(l.batch, dataloader.WithCache[K, V](l.cache))
		l.used.Store(true)
	})
}

// LoadMany makes sure every key is in the memo, loading those that are not
// in one batch, now. Keys another batch is loading already wait for it. It
// returns the values in key order; a key that failed gets the batch's error
// in errs (nil when all succeeded).
func (l *Loader[K, V]) LoadMany(ctx context.Context, keys []K) ([]V, []error) {
	thunks, missing, p := l.claimMissing(ctx, keys)
	if len(missing) > 0 {
		l.run(ctx, missing, p)
	}
	out := make([]V, len(keys))
	var errs []error
	for i, th := range thunks {
		v, err := th()
		if err != nil {
			if errs == nil {
				errs = make([]error, len(keys))
			}
			errs[i] = err
		}
		out[i] = v
	}
	return out, errs
}

// pending is the result of one batch while it runs.
type pending[V any] struct {
	done chan struct{}
	res  []*dataloader.Result[V]
}

// claimMissing finds the keys not in the memo and puts in their place the
// result of the batch the caller is to run (missing, once each, and p). It
// returns every key's entry in the memo, in key order: each key is looked
// up once, since hashing a page's key is not free.
func (l *Loader[K, V]) claimMissing(ctx context.Context, keys []K) ([]dataloader.Thunk[V], []K, *pending[V]) {
	l.ready()
	l.claim.Lock()
	defer l.claim.Unlock()
	thunks := make([]dataloader.Thunk[V], len(keys))
	var missing []K
	var p *pending[V]
	for i, k := range keys {
		if th, ok := l.cache.Get(ctx, k); ok { // a key asked twice finds its pending entry
			thunks[i] = th
			continue
		}
		if p == nil {
			p = &pending[V]{done: make(chan struct{})}
			l.running++
		}
		j := len(missing)
		missing = append(missing, k)
		th := func() (V, error) {
			<-p.done
			return p.res[j].Data, p.res[j].Error
		}
		l.cache.Set(ctx, k, th)
		thunks[i] = th
	}
	return thunks, missing, p
}

// run runs the batch of the missing keys and hands its results to whoever
// waits for them. If the batch panics, they get an error, and the panic
// goes on up the caller's goroutine.
func (l *Loader[K, V]) run(ctx context.Context, missing []K, p *pending[V]) {
	defer func() {
		if r := recover(); r != nil {
			p.res = failAll[V](len(missing), fmt.Errorf("load batch panicked: %v", r))
			close(p.done)
			l.finished()
			panic(r)
		}
	}()
	p.res = l.batch(ctx, missing)
	close(p.done)
	l.finished()
	if l.found != nil {
		for i, k := range missing {
			if p.res[i].Error == nil {
				l.found(ctx, k, p.res[i].Data)
			}
		}
	}
}

func (l *Loader[K, V]) finished() {
	l.claim.Lock()
	l.running--
	l.claim.Unlock()
}

// Held reports whether the memo holds the value of every key, loaded or
// primed, so that LoadMany returns them without loading or waiting: no
// key is missing, and no batch of this loader is in flight (one might
// hold a key). The planner resolves what is held on its own goroutine.
func (l *Loader[K, V]) Held(ctx context.Context, keys []K) bool {
	l.ready()
	l.claim.Lock()
	defer l.claim.Unlock()
	if l.running > 0 {
		return false
	}
	for _, k := range keys {
		if _, ok := l.cache.Get(ctx, k); !ok {
			return false
		}
	}
	return true
}

// Load returns the value of key from the memo, loading it alone if no batch
// brought it yet.
func (l *Loader[K, V]) Load(ctx context.Context, key K) (V, error) {
	l.ready()
	if thunk, ok := l.cache.Get(ctx, key); ok {
		return thunk()
	}
	vs, errs := l.LoadMany(ctx, []K{key})
	if errs != nil {
		return vs[0], errs[0]
	}
	return vs[0], nil
}

// Prime puts a value known from elsewhere in the memo, unless the key is
// there already, and primes what a batch that loaded it would have (a
// page's total, a row under its id).
func (l *Loader[K, V]) Prime(ctx context.Context, key K, v V) {
	l.ready()
	l.memo.Prime(ctx, key, v)
	if l.found != nil {
		l.found(ctx, key, v)
	}
}

// forget clears the memo, if the loader was ever used: one never used
// holds nothing, and is left unmade.
func (l *Loader[K, V]) forget() {
	if !l.used.Load() {
		return
	}
	l.memo.ClearAll()
}

// Loaders are the lookups of one request.
type Loaders struct {
	UserByID     *Loader[int64, *folio.User]
	UserByHandle *Loader[string, *folio.User] // keys lower-cased

	ArticleByID   *Loader[int64, *folio.Article]
	ArticleBySlug *Loader[string, *folio.Article]

	CategoryByID   *Loader[int64, *folio.Category]
	CategoryBySlug *Loader[string, *folio.Category]
	TagByID        *Loader[int64, *folio.Tag]
	TagBySlug      *Loader[string, *folio.Tag]
	TagsOfArticle  *Loader[int64, []*folio.Tag]

	CommentByID *Loader[int64, *folio.Comment]

	ArticleStats *Loader[int64, folio.ArticleStats]

	ArticlesByAuthor   *Loader[PageKey, folio.List[*folio.Article]]
	ArticlesByCategory *Loader[PageKey, folio.List[*folio.Article]]
	ArticlesByTag      *Loader[PageKey, folio.List[*folio.Article]]
	CommentsByArticle  *Loader[PageKey, folio.List[*folio.Comment]]
	RepliesByComment   *Loader[PageKey, folio.List[*folio.Comment]]
	RevisionsByArticle *Loader[PageKey, folio.List[*folio.Revision]]

	ArticleCountByAuthor   *Loader[int64, int]
	ArticleCountByCategory *Loader[int64, int]
	ArticleCountByTag      *Loader[int64, int]
	CommentCountByArticle  *Loader[int64, int]
	ReplyCountByComment    *Loader[int64, int]
	RevisionCountByArticle *Loader[int64, int]

	mu     sync.Mutex // serialises Forget against itself
	store  folio.Store
	viewer folio.Viewer
	all    allLoaders // the loaders above point into it: one allocation
}

// allLoaders are the Loaders' loaders themselves.
type allLoaders struct {
	userByID     Loader[int64, *folio.User]
	userByHandle Loader[string, *folio.User]

	articleByID   Loader[int64, *folio.Article]
	articleBySlug Loader[string, *folio.Article]

	categoryByID   Loader[int64, *folio.Category]
	categoryBySlug Loader[string, *folio.Category]
	tagByID        Loader[int64, *folio.Tag]
	tagBySlug      Loader[string, *folio.Tag]
	tagsOfArticle  Loader[int64, []*folio.Tag]

	commentByID Loader[int64, *folio.Comment]

	articleStats Loader[int64, folio.ArticleStats]

	articlesByAuthor   Loader[PageKey, folio.List[*folio.Article]]
	articlesByCategory Loader[PageKey, folio.List[*folio.Article]]
	articlesByTag      Loader[PageKey, folio.List[*folio.Article]]
	commentsByArticle  Loader[PageKey, folio.List[*folio.Comment]]
	repliesByComment   Loader[PageKey, folio.List[*folio.Comment]]
	revisionsByArticle Loader[PageKey, folio.List[*folio.Revision]]

	articleCountByAuthor   Loader[int64, int]
	articleCountByCategory Loader[int64, int]
	articleCountByTag      Loader[int64, int]
	commentCountByArticle  Loader[int64, int]
	replyCountByComment    Loader[int64, int]
	revisionCountByArticle Loader[int64, int]
}

// Viewer is whose view of lists the loaders read.
func (l *Loaders) Viewer() folio.Viewer { return l.viewer }

// New returns the loaders of one request made by viewer v. It allocates
// them and nothing else: each is made when it is first used.
func New(s folio.Store, v folio.Viewer) *Loaders {
	l := &Loaders{store: s, viewer: v}
	a := &l.all
	l.UserByID = a.userByID.lazy(l, func(l *Loaders) dataloader.BatchFunc[int64, *folio.User] {
		return byKey(l.store.UsersByIDs, userID)
	}, nil)
	l.UserByHandle = a.userByHandle.lazy(l, func(l *Loaders) dataloader.BatchFunc[string, *folio.User] {
		return byKey(l.store.UsersByHandles, func(u *folio.User) string { return strings.ToLower(u.Handle) })
	}, func(l *Loaders) func(context.Context, string, *folio.User) {
		return primeByID[string](l.UserByID, userID)
	})

	l.ArticleByID = a.articleByID.lazy(l, func(l *Loaders) dataloader.BatchFunc[int64, *folio.Article] {
		return byKey(l.store.ArticlesByIDs, articleID)
	}, nil)
	l.ArticleBySlug = a.articleBySlug.lazy(l, func(l *Loaders) dataloader.BatchFunc[string, *folio.Article] {
		return byKey(l.store.ArticlesBySlugs, func(a *folio.Article) string { return a.Slug })
	}, func(l *Loaders) func(context.Context, string, *folio.Article) {
		return primeByID[string](l.ArticleByID, articleID)
	})

	l.CategoryByID = a.categoryByID.lazy(l, func(l *Loaders) dataloader.BatchFunc[int64, *folio.Category] {
		return byKey(l.store.CategoriesByIDs, categoryID)
	}, nil)
	l.CategoryBySlug = a.categoryBySlug.lazy(l, func(l *Loaders) dataloader.BatchFunc[string, *folio.Category] {
		return byKey(l.store.CategoriesBySlugs, func(c *folio.Category) string { return c.Slug })
	}, func(l *Loaders) func(context.Context, string, *folio.Category) {
		return primeByID[string](l.CategoryByID, categoryID)
	})
	l.TagByID = a.tagByID.lazy(l, func(l *Loaders) dataloader.BatchFunc[int64, *folio.Tag] {
		return byKey(l.store.TagsByIDs, tagID)
	}, nil)
	l.TagBySlug = a.tagBySlug.lazy(l, func(l *Loaders) dataloader.BatchFunc[string, *folio.Tag] {
		return byKey(l.store.TagsBySlugs, func(t *folio.Tag) string { return t.Slug })
	}, func(l *Loaders) func(context.Context, string, *folio.Tag) {
		return primeByID[string](l.TagByID, tagID)
	})
	l.TagsOfArticle = a.tagsOfArticle.lazy(l, func(l *Loaders) dataloader.BatchFunc[int64, []*folio.Tag] {
		return grouped(l.store.TagsOfArticles)
	}, nil)

	l.CommentByID = a.commentByID.lazy(l, func(l *Loaders) dataloader.BatchFunc[int64, *folio.Comment] {
		return byKey(l.store.CommentsByIDs, commentID)
	}, nil)

	l.ArticleStats = a.articleStats.lazy(l, func(l *Loaders) dataloader.BatchFunc[int64, folio.ArticleStats] {
		return grouped(l.store.ArticleStats)
	}, nil)

	l.ArticlesByAuthor = paged(&a.articlesByAuthor, l, func(l *Loaders) dataloader.BatchFunc[PageKey, folio.List[*folio.Article]] {
		return pageBatches(withViewer(l.viewer, l.store.ArticlesByAuthors))
	}, nil)
	l.ArticlesByCategory = paged(&a.articlesByCategory, l, func(l *Loaders) dataloader.BatchFunc[PageKey, folio.List[*folio.Article]] {
		return pageBatches(withViewer(l.viewer, l.store.ArticlesByCategories))
	}, nil)
	l.ArticlesByTag = paged(&a.articlesByTag, l, func(l *Loaders) dataloader.BatchFunc[PageKey, folio.List[*folio.Article]] {
		return pageBatches(withViewer(l.viewer, l.store.ArticlesByTags))
	}, nil)
	// A page read with its total (folio.Page.WithTotal) primes the loader
	// of its list's count, so totalCount runs no statement.
	l.CommentsByArticle = paged(&a.commentsByArticle, l, func(l *Loaders) dataloader.BatchFunc[PageKey, folio.List[*folio.Comment]] {
		return pageBatches(l.store.CommentsByArticles)
	}, func(l *Loaders) func(context.Context, PageKey, folio.List[*folio.Comment]) {
		return primeTotal[*folio.Comment](l.CommentCountByArticle)
	})
	l.RepliesByComment = paged(&a.repliesByComment, l, func(l *Loaders) dataloader.BatchFunc[PageKey, folio.List[*folio.Comment]] {
		return pageBatches(l.store.RepliesByComments)
	}, func(l *Loaders) func(context.Context, PageKey, folio.List[*folio.Comment]) {
		return primeTotal[*folio.Comment](l.ReplyCountByComment)
	})
	l.RevisionsByArticle = paged(&a.revisionsByArticle, l, func(l *Loaders) dataloader.BatchFunc[PageKey, folio.List[*folio.Revision]] {
		return pageBatches(l.store.RevisionsByArticles)
	}, func(l *Loaders) func(context.Context, PageKey, folio.List[*folio.Revision]) {
		return primeTotal[*folio.Revision](l.RevisionCountByArticle)
	})

	l.ArticleCountByAuthor = a.articleCountByAuthor.lazy(l, func(l *Loaders) dataloader.BatchFunc[int64, int] {
		return grouped(countWithViewer(l.viewer, l.store.CountArticlesByAuthors))
	}, nil)
	l.ArticleCountByCategory = a.articleCountByCategory.lazy(l, func(l *Loaders) dataloader.BatchFunc[int64, int] {
		return grouped(countWithViewer(l.viewer, l.store.CountArticlesByCategories))
	}, nil)
	l.ArticleCountByTag = a.articleCountByTag.lazy(l, func(l *Loaders) dataloader.BatchFunc[int64, int] {
		return grouped(countWithViewer(l.viewer, l.store.CountArticlesByTags))
	}, nil)
	l.CommentCountByArticle = a.commentCountByArticle.lazy(l, func(l *Loaders) dataloader.BatchFunc[int64, int] {
		return grouped(l.store.CountCommentsByArticles)
	}, nil)
	l.ReplyCountByComment = a.replyCountByComment.lazy(l, func(l *Loaders) dataloader.BatchFunc[int64, int] {
		return grouped(l.store.CountRepliesByComments)
	}, nil)
	l.RevisionCountByArticle = a.revisionCountByArticle.lazy(l, func(l *Loaders) dataloader.BatchFunc[int64, int] {
		return grouped(l.store.CountRevisionsByArticles)
	}, nil)
	return l
}

// The ids of rows, for byKey and primeByID.
func userID(u *folio.User) int64         { return u.ID }
func articleID(a *folio.Article) int64   { return a.ID }
func categoryID(c *folio.Category) int64 { return c.ID }
func tagID(t *folio.Tag) int64           { return t.ID }
func commentID(c *folio.Comment) int64   { return c.ID }

// primeTotal puts the total a page was read with (folio.Page.WithTotal)
// into the loader of its list's count, so totalCount runs no statement.
func primeTotal[V any](counts *Loader[int64, int]) func(context.Context, PageKey, folio.List[V]) {
	return func(ctx context.Context, k PageKey, l folio.List[V]) {
		if l.Total != nil {
			counts.Prime(ctx, k.ID, *l.Total)
		}
	}
}

// primeByID puts each row found by another key (a handle, a slug) into the
// loader by ID; a key that found no row primes nothing.
func primeByID[K comparable, V any](byID *Loader[int64, *V], id func(*V) int64) func(context.Context, K, *V) {
	return func(ctx context.Context, _ K, v *V) {
		if v != nil {
			byID.Prime(ctx, id(v), v)
		}
	}
}

// Forget drops everything loaded so far, so what follows a write reads the
// written state. Mutations call it after each change.
func (l *Loaders) Forget() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.UserByID.forget()
	l.UserByHandle.forget()
	l.ArticleByID.forget()
	l.ArticleBySlug.forget()
	l.CategoryByID.forget()
	l.CategoryBySlug.forget()
	l.TagByID.forget()
	l.TagBySlug.forget()
	l.TagsOfArticle.forget()
	l.CommentByID.forget()
	l.ArticleStats.forget()
	l.ArticlesByAuthor.forget()
	l.ArticlesByCategory.forget()
	l.ArticlesByTag.forget()
	l.CommentsByArticle.forget()
	l.RepliesByComment.forget()
	l.ArticleCountByAuthor.forget()
	l.ArticleCountByCategory.forget()
	l.ArticleCountByTag.forget()
	l.CommentCountByArticle.forget()
	l.ReplyCountByComment.forget()
	l.RevisionsByArticle.forget()
	l.RevisionCountByArticle.forget()
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

// byKey makes the batch function of single rows. A key with no row gets
// a nil value and no error: the caller decides what "not found" means.
func byKey[K comparable, V any](fetch func(context.Context, []K) ([]*V, error), keyOf func(*V) K) dataloader.BatchFunc[K, *V] {
	return func(ctx context.Context, keys []K) []*dataloader.Result[*V] {
		rows, err := fetch(ctx, keys)
		if err != nil {
			return failAll[*V](len(keys), err)
		}
		byKey := make(map[K]*V, len(rows))
		for _, r := range rows {
			byKey[keyOf(r)] = r
		}
		out := make([]*dataloader.Result[*V], len(keys))
		for i, k := range keys {
			out[i] = &dataloader.Result[*V]{Data: byKey[k]}
		}
		return out
	}
}

// grouped makes the batch function of per-key aggregates; a key the store
// left out gets the zero value (no tags, a count of 0).
func grouped[V any](fetch func(context.Context, []int64) (map[int64]V, error)) dataloader.BatchFunc[int64, V] {
	return func(ctx context.Context, keys []int64) []*dataloader.Result[V] {
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
}

// paged sets up l as lazy does, as a loader of per-parent pages: build
// makes its batch function with pageBatches.
func paged[V any](l *Loader[PageKey, folio.List[V]], owner *Loaders, build func(*Loaders) dataloader.BatchFunc[PageKey, folio.List[V]], sees func(*Loaders) func(context.Context, PageKey, folio.List[V])) *Loader[PageKey, folio.List[V]] {
	l.byPage = true
	return l.lazy(owner, build, sees)
}

// pageBatches makes the batch function of a paged loader. Keys asking for
// the same page (the usual case: one field of a query, many parents)
// share one statement.
func pageBatches[V any](fetch pageFetch[V]) dataloader.BatchFunc[PageKey, folio.List[V]] {
	return func(ctx context.Context, keys []PageKey) []*dataloader.Result[folio.List[V]] {
		// The keys' pages, each once, with their parents; as in the memo,
		// a page is compared with the few there are rather than hashed.
		var pages []pageBatch[V]
		of := make([]int, len(keys)) // each key's page
		for i, k := range keys {
			j := slices.IndexFunc(pages, func(b pageBatch[V]) bool { return b.page == k.Page })
			if j < 0 {
				j = len(pages)
				pages = append(pages, pageBatch[V]{page: k.Page})
			}
			pages[j].ids = append(pages[j].ids, k.ID)
			of[i] = j
		}
		for j := range pages {
			pages[j].lists, pages[j].err = fetch(ctx, pages[j].ids, pages[j].page)
		}
		out := make([]*dataloader.Result[folio.List[V]], len(keys))
		for i, k := range keys {
			b := &pages[of[i]]
			out[i] = &dataloader.Result[folio.List[V]]{Data: b.lists[k.ID], Error: b.err}
		}
		return out
	}
}

// pageBatch is one page of a paged loader's batch: the parents that ask
// for it, and what they got.
type pageBatch[V any] struct {
	page  folio.Page
	ids   []int64
	lists map[int64]folio.List[V]
	err   error
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
func Middleware(s folio.Store, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		next.ServeHTTP(w, r.WithContext(With(ctx, New(s, folio.ViewerFrom(ctx)))))
	})
}
