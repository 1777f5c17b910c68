package respcache

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"github.com/folio/folio/internal/folio"
)

// Tags name what a cached response was made of, so that a write can find
// every response it makes stale. Entity tags name one row; list tags name
// the membership of lists and counts, which a row they do not contain yet
// can change.
const (
	// listArticles is every list, count and search of articles. Anonymous
	// viewers see published articles only, so a change to a published
	// article, or to whether one is published, changes these.
	listArticles = "articles:published"
	listTags     = "tags"
	listCats     = "categories"
)

func entityTag(kind string, id int64) string { return kind + ":" + strconv.FormatInt(id, 10) }

func articleTag(id int64) string     { return entityTag("Article", id) }
func userTag(id int64) string        { return entityTag("User", id) }
func commentTag(id int64) string     { return entityTag("Comment", id) }
func articleSlugTag(s string) string { return "article:slug:" + s }
func userHandleTag(h string) string  { return "user:handle:" + strings.ToLower(h) }
func commentsTag(articleID int64) string {
	return "comments:article:" + strconv.FormatInt(articleID, 10)
}
func repliesTag(commentID int64) string {
	return "comments:replies:" + strconv.FormatInt(commentID, 10)
}
func reactionsTag(articleID int64) string {
	return "reactions:article:" + strconv.FormatInt(articleID, 10)
}

// collector gathers the tags of one request's response.
type collector struct {
	mu   sync.Mutex
	tags map[string]struct{}
}

func (c *collector) add(tags ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range tags {
		c.tags[t] = struct{}{}
	}
}

func (c *collector) list() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.tags))
	for t := range c.tags {
		out = append(out, t)
	}
	return out
}

type collectorKey struct{}

func withCollector(ctx context.Context) (context.Context, *collector) {
	c := &collector{tags: make(map[string]struct{}, 64)}
	return context.WithValue(ctx, collectorKey{}, c), c
}

func collectorFrom(ctx context.Context) *collector {
	c, _ := ctx.Value(collectorKey{}).(*collector)
	return c
}

// Store records, for a request whose response may be cached, the tags of
// everything the wrapped store returns; for any other request it only
// passes the calls through. Install it outermost, over the Redis entity
// cache if there is one, so that it sees every row whether Redis or
// Postgres answered.
type Store struct {
	folio.Store
}

func tagRows[T any](ctx context.Context, rows []T, tag func(T) []string, extra ...string) {
	c := collectorFrom(ctx)
	if c == nil {
		return
	}
	tags := extra
	for _, r := range rows {
		tags = append(tags, tag(r)...)
	}
	c.add(tags...)
}

// tagRelated tags the authors, categories and tags a list read with its
// rows (folio.Related), and the replies read with comments
// (folio.Page.Replies) as RepliesByComments would. An article's tags are
// covered by the article's own tag, as in TagsOfArticles.
func tagRelated[T any](ctx context.Context, l folio.List[T]) {
	tagRows(ctx, l.Authors, userTags)
	tagRows(ctx, l.Categories, categoryTags)
	for _, ts := range l.Tags {
		tagRows(ctx, ts, tagTags)
	}
	for id, r := range l.Replies {
		tagRows(ctx, r.Items, commentTags, repliesTag(id))
		tagRelated(ctx, r)
	}
	for id := range l.Stats { // as ArticleStats tags them
		tagRows[int](ctx, nil, nil, reactionsTag(id), commentsTag(id))
	}
}

func articleTags(a *folio.Article) []string { return []string{articleTag(a.ID)} }
func userTags(u *folio.User) []string       { return []string{userTag(u.ID)} }
func commentTags(c *folio.Comment) []string { return []string{commentTag(c.ID)} }
func categoryTags(x *folio.Category) []string {
	return []string{entityTag("Category", x.ID)}
}
func tagTags(x *folio.Tag) []string { return []string{entityTag("Tag", x.ID)} }

func ids(prefix func(int64) string, ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = prefix(id)
	}
	return out
}

func names(prefix func(string) string, ns []string) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = prefix(n)
	}
	return out
}

func pages[T any](ctx context.Context, m map[int64]folio.List[T], tag func(T) []string, extra []string) {
	if collectorFrom(ctx) == nil {
		return
	}
	var rows []T
	for _, l := range m {
		rows = append(rows, l.Items...)
		tagRelated(ctx, l)
	}
	tagRows(ctx, rows, tag, extra...)
}

// UsersByIDs implements folio.UserStore.
func (s Store) UsersByIDs(ctx context.Context, in []int64) ([]*folio.User, error) {
	r, err := s.Store.UsersByIDs(ctx, in)
	tagRows(ctx, r, userTags)
	return r, err
}

// UsersByHandles implements folio.UserStore; the handles asked for are
// tagged too, so a response that found none learns when one appears.
func (s Store) UsersByHandles(ctx context.Context, in []string) ([]*folio.User, error) {
	r, err := s.Store.UsersByHandles(ctx, in)
	tagRows(ctx, r, userTags, names(userHandleTag, in)...)
	return r, err
}

// CategoriesByIDs implements folio.TaxonomyStore.
func (s Store) CategoriesByIDs(ctx context.Context, in []int64) ([]*folio.Category, error) {
	r, err := s.Store.CategoriesByIDs(ctx, in)
	tagRows(ctx, r, categoryTags)
	return r, err
}

// CategoriesBySlugs implements folio.TaxonomyStore.
func (s Store) CategoriesBySlugs(ctx context.Context, in []string) ([]*folio.Category, error) {
	r, err := s.Store.CategoriesBySlugs(ctx, in)
	tagRows(ctx, r, categoryTags, listCats)
	return r, err
}

// ListCategories implements folio.TaxonomyStore.
func (s Store) ListCategories(ctx context.Context, p folio.Page) (folio.List[*folio.Category], error) {
	r, err := s.Store.ListCategories(ctx, p)
	tagRows(ctx, r.Items, categoryTags, listCats)
	return r, err
}

// CountCategories implements folio.TaxonomyStore.
func (s Store) CountCategories(ctx context.Context) (int, error) {
	tagRows[int](ctx, nil, nil, listCats)
	return s.Store.CountCategories(ctx)
}

// TagsByIDs implements folio.TaxonomyStore.
func (s Store) TagsByIDs(ctx context.Context, in []int64) ([]*folio.Tag, error) {
	r, err := s.Store.TagsByIDs(ctx, in)
	tagRows(ctx, r, tagTags)
	return r, err
}

// TagsBySlugs implements folio.TaxonomyStore.
func (s Store) TagsBySlugs(ctx context.Context, in []string) ([]*folio.Tag, error) {
	r, err := s.Store.TagsBySlugs(ctx, in)
	tagRows(ctx, r, tagTags, listTags)
	return r, err
}

// ListTags implements folio.TaxonomyStore.
func (s Store) ListTags(ctx context.Context, p folio.Page) (folio.List[*folio.Tag], error) {
	r, err := s.Store.ListTags(ctx, p)
	tagRows(ctx, r.Items, tagTags, listTags)
	return r, err
}

// CountTags implements folio.TaxonomyStore.
func (s Store) CountTags(ctx context.Context) (int, error) {
	tagRows[int](ctx, nil, nil, listTags)
	return s.Store.CountTags(ctx)
}

// TagsOfArticles implements folio.TaxonomyStore. An article's tags change
// only with the article, so its tag covers them.
func (s Store) TagsOfArticles(ctx context.Context, in []int64) (map[int64][]*folio.Tag, error) {
	r, err := s.Store.TagsOfArticles(ctx, in)
	if collectorFrom(ctx) != nil {
		var rows []*folio.Tag
		for _, ts := range r {
			rows = append(rows, ts...)
		}
		tagRows(ctx, rows, tagTags, ids(articleTag, in)...)
	}
	return r, err
}

// ArticlesByIDs implements folio.ArticleStore.
func (s Store) ArticlesByIDs(ctx context.Context, in []int64) ([]*folio.Article, error) {
	r, err := s.Store.ArticlesByIDs(ctx, in)
	tagRows(ctx, r, articleTags, ids(articleTag, in)...)
	return r, err
}

// ArticlesBySlugs implements folio.ArticleStore; the slugs asked for are
// tagged too, so a response that found none learns when one appears.
func (s Store) ArticlesBySlugs(ctx context.Context, in []string) ([]*folio.Article, error) {
	r, err := s.Store.ArticlesBySlugs(ctx, in)
	tagRows(ctx, r, articleTags, names(articleSlugTag, in)...)
	return r, err
}

// ArticleBySlugWith implements folio.ArticleStore; the slug is tagged as
// in ArticlesBySlugs, and the pages read with the article as
// CommentsByArticles and ArticlesByAuthors tag theirs.
func (s Store) ArticleBySlugWith(ctx context.Context, slug string, w folio.ArticleWith) (folio.ArticlePage, error) {
	l, err := s.Store.ArticleBySlugWith(ctx, slug, w)
	tagRows(ctx, l.Items, articleTags, articleSlugTag(slug))
	tagRelated(ctx, l.List)
	if len(l.Items) > 0 {
		a := l.Items[0]
		if l.Comments != nil {
			pages(ctx, map[int64]folio.List[*folio.Comment]{a.ID: *l.Comments}, commentTags, []string{commentsTag(a.ID)})
		}
		if l.ByAuthor != nil {
			pages(ctx, map[int64]folio.List[*folio.Article]{a.AuthorID: *l.ByAuthor}, articleTags, []string{listArticles})
		}
	}
	return l, err
}

// ListArticles implements folio.ArticleStore.
func (s Store) ListArticles(ctx context.Context, v folio.Viewer, f folio.ArticleFilter, o folio.ArticleOrder, p folio.Page) (folio.List[*folio.Article], error) {
	r, err := s.Store.ListArticles(ctx, v, f, o, p)
	tagRows(ctx, r.Items, articleTags, listArticles)
	tagRelated(ctx, r)
	return r, err
}

// CountArticles implements folio.ArticleStore.
func (s Store) CountArticles(ctx context.Context, v folio.Viewer, f folio.ArticleFilter, o folio.ArticleOrder) (int, error) {
	tagRows[int](ctx, nil, nil, listArticles)
	return s.Store.CountArticles(ctx, v, f, o)
}

// ArticlesByAuthors implements folio.ArticleStore.
func (s Store) ArticlesByAuthors(ctx context.Context, v folio.Viewer, in []int64, p folio.Page) (map[int64]folio.List[*folio.Article], error) {
	r, err := s.Store.ArticlesByAuthors(ctx, v, in, p)
	pages(ctx, r, articleTags, []string{listArticles})
	return r, err
}

// ArticlesByCategories implements folio.ArticleStore.
func (s Store) ArticlesByCategories(ctx context.Context, v folio.Viewer, in []int64, p folio.Page) (map[int64]folio.List[*folio.Article], error) {
	r, err := s.Store.ArticlesByCategories(ctx, v, in, p)
	pages(ctx, r, articleTags, []string{listArticles})
	return r, err
}

// ArticlesByTags implements folio.ArticleStore.
func (s Store) ArticlesByTags(ctx context.Context, v folio.Viewer, in []int64, p folio.Page) (map[int64]folio.List[*folio.Article], error) {
	r, err := s.Store.ArticlesByTags(ctx, v, in, p)
	pages(ctx, r, articleTags, []string{listArticles})
	return r, err
}

// CountArticlesByAuthors implements folio.ArticleStore.
func (s Store) CountArticlesByAuthors(ctx context.Context, v folio.Viewer, in []int64) (map[int64]int, error) {
	tagRows[int](ctx, nil, nil, listArticles)
	return s.Store.CountArticlesByAuthors(ctx, v, in)
}

// CountArticlesByCategories implements folio.ArticleStore.
func (s Store) CountArticlesByCategories(ctx context.Context, v folio.Viewer, in []int64) (map[int64]int, error) {
	tagRows[int](ctx, nil, nil, listArticles)
	return s.Store.CountArticlesByCategories(ctx, v, in)
}

// CountArticlesByTags implements folio.ArticleStore.
func (s Store) CountArticlesByTags(ctx context.Context, v folio.Viewer, in []int64) (map[int64]int, error) {
	tagRows[int](ctx, nil, nil, listArticles)
	return s.Store.CountArticlesByTags(ctx, v, in)
}

// ArticleStats implements folio.ArticleStore.
func (s Store) ArticleStats(ctx context.Context, in []int64) (map[int64]folio.ArticleStats, error) {
	tagRows[int](ctx, nil, nil, append(ids(reactionsTag, in), ids(commentsTag, in)...)...)
	return s.Store.ArticleStats(ctx, in)
}

// Search implements folio.ArticleStore.
func (s Store) Search(ctx context.Context, v folio.Viewer, q string, p folio.Page) (folio.List[*folio.SearchHit], error) {
	r, err := s.Store.Search(ctx, v, q, p)
	tagRows(ctx, r.Items, func(h *folio.SearchHit) []string { return articleTags(h.Article) }, listArticles)
	tagRelated(ctx, r)
	return r, err
}

// CountSearch implements folio.ArticleStore.
func (s Store) CountSearch(ctx context.Context, v folio.Viewer, q string) (int, error) {
	tagRows[int](ctx, nil, nil, listArticles)
	return s.Store.CountSearch(ctx, v, q)
}

// CommentsByIDs implements folio.CommentStore.
func (s Store) CommentsByIDs(ctx context.Context, in []int64) ([]*folio.Comment, error) {
	r, err := s.Store.CommentsByIDs(ctx, in)
	tagRows(ctx, r, commentTags, ids(commentTag, in)...)
	return r, err
}

// CommentsByArticles implements folio.CommentStore.
func (s Store) CommentsByArticles(ctx context.Context, in []int64, p folio.Page) (map[int64]folio.List[*folio.Comment], error) {
	r, err := s.Store.CommentsByArticles(ctx, in, p)
	pages(ctx, r, commentTags, ids(commentsTag, in))
	return r, err
}

// RepliesByComments implements folio.CommentStore.
func (s Store) RepliesByComments(ctx context.Context, in []int64, p folio.Page) (map[int64]folio.List[*folio.Comment], error) {
	r, err := s.Store.RepliesByComments(ctx, in, p)
	pages(ctx, r, commentTags, ids(repliesTag, in))
	return r, err
}

// CountCommentsByArticles implements folio.CommentStore.
func (s Store) CountCommentsByArticles(ctx context.Context, in []int64) (map[int64]int, error) {
	tagRows[int](ctx, nil, nil, ids(commentsTag, in)...)
	return s.Store.CountCommentsByArticles(ctx, in)
}

// CountRepliesByComments implements folio.CommentStore.
func (s Store) CountRepliesByComments(ctx context.Context, in []int64) (map[int64]int, error) {
	tagRows[int](ctx, nil, nil, ids(repliesTag, in)...)
	return s.Store.CountRepliesByComments(ctx, in)
}
