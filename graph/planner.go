package graph

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"

	"reflect"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/loader"
)

// The planner drives the request's loaders from the query itself. A root
// field that returns rows hands them, with its selection, to the planner,
// which walks the selection level by level: for each relation a level asks
// for (an article's author, a comment's replies, …) it loads the keys of
// every row of that level in one batch, then goes on with the rows that
// batch returned. The resolvers below then find every row in the memo.
//
// So a level's batch runs as soon as the level above has been loaded, with
// no timer, and its keys are exactly the level's: a request runs one
// statement per relation per level (fewer when the memo already holds
// every key), however many rows each level has and however busy the
// machine is. Relations of one level load concurrently.
//
// A field the planner does not foresee still resolves, through the same
// loaders, as a batch of one. A failed batch is remembered in the memo, so
// the fields under it report the error instead of retrying it.
type planner struct {
	ctx context.Context
	oc  *graphql.OperationContext
	l   *loader.Loaders
	wg  sync.WaitGroup

	mu       sync.Mutex
	panicked any // the first panic of a goroutine of the planner
}

// newPlanner returns a planner for the request of ctx, which must be
// inside an operation.
func newPlanner(ctx context.Context) *planner {
	return &planner{ctx: ctx, oc: graphql.GetOperationContext(ctx), l: loader.For(ctx)}
}

// plan loads what the selection of the current field asks below the rows
// that walk hands it, and returns when everything is in the memo.
func plan(ctx context.Context, walk func(p *planner, sel ast.SelectionSet)) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return
	}
	p := newPlanner(ctx)
	// Deferred, so that a panic in what walk runs on this goroutine still
	// waits for the goroutines it started.
	defer p.wait()
	walk(p, fc.Field.Selections)
}

// async runs f beside the other relations of its level. A panic there is
// off the executor's goroutine, where nothing would recover it: it is kept,
// with its stack, and raised again by wait, on the executor's goroutine,
// where it is recovered, logged and answered like any other.
func (p *planner) async(f func()) {
	p.wg.Go(func() {
		defer func() {
			if r := recover(); r != nil {
				p.mu.Lock()
				if p.panicked == nil {
					p.panicked = fmt.Sprintf("%v\n%s", r, debug.Stack())
				}
				p.mu.Unlock()
			}
		}()
		f()
	})
}

// now runs f on this goroutine when held (everything f loads is in the
// memo already: there is no I/O to overlap), and beside the other
// relations of its level otherwise. Only a relation that loads runs on a
// goroutine of its own.
func (p *planner) now(held bool, f func()) {
	if held {
		f()
		return
	}
	p.async(f)
}

// wait returns when every goroutine of the planner has; a panic in one of
// them panics here.
func (p *planner) wait() {
	p.wg.Wait()
	if p.panicked != nil {
		panic(p.panicked)
	}
}

// fields collects the fields of sel that apply to an object of type typ,
// through fragments and @skip/@include.
func (p *planner) fields(sel ast.SelectionSet, typ string) []graphql.CollectedField {
	if len(sel) == 0 {
		return nil
	}
	return collectFields(p.oc, sel, implementors(typ))
}

// page reads a connection field's Relay arguments as its resolver will;
// false when they are wrong (the resolver reports that).
func (p *planner) page(f graphql.CollectedField, order string) (folio.Page, bool) {
	return fieldPage(p.oc, f, order)
}

// articles plans the selection sel on each of rows.
func (p *planner) articles(rows []*folio.Article, sel ast.SelectionSet) {
	if len(rows) == 0 {
		return
	}
	stats := false
	for _, f := range p.fields(sel, "Article") {
		switch f.Name {
		case "author":
			follow(p, p.l.UserByID, keys(rows, func(a *folio.Article) (int64, bool) { return a.AuthorID, true }), f.Selections, p.users)
		case "category":
			follow(p, p.l.CategoryByID, keys(rows, func(a *folio.Article) (int64, bool) {
				if a.CategoryID == nil {
					return 0, false
				}
				return *a.CategoryID, true
			}), f.Selections, p.categories)
		case "tags":
			ids := articleIDs(rows)
			p.now(p.l.TagsOfArticle.Held(p.ctx, ids), func() {
				lists, _ := p.l.TagsOfArticle.LoadMany(p.ctx, ids)
				var tags []*folio.Tag
				for _, l := range lists {
					tags = append(tags, l...)
				}
				p.tags(tags, f.Selections)
			})
		case "comments":
			if pg, ok := p.page(f, orderThread); ok {
				pg = trimPage(p.oc, f, pg)
				ids := articleIDs(rows)
				p.now(p.l.CommentsByArticle.Held(p.ctx, pageKeys(ids, pg)), func() {
					lists := pagesOf(p.ctx, p.l.CommentsByArticle, ids, pg)
					if pg.Replies.Set { // read with the comments: find their page's key
						if rp, ok := foldedReplies(p.oc, f); ok {
							primeReplies(p, lists, rp)
						}
					}
					p.comments(lists, f.Selections, p.l.CommentCountByArticle, ids)
				})
			}
		case "commentCount", "reactionCounts":
			if !stats { // one statement for both
				stats = true
				ids := articleIDs(rows)
				p.now(p.l.ArticleStats.Held(p.ctx, ids), func() { p.l.ArticleStats.LoadMany(p.ctx, ids) })
			}
		}
	}
}

// comments plans a connection of comments (the comments or the replies of
// each parent): its nodes and edges, and its counts when asked.
func (p *planner) comments(lists []folio.List[*folio.Comment], sel ast.SelectionSet, counts *loader.Loader[int64, int], parents []int64) {
	// A page read with its total has primed its count: count the others.
	uncounted := parents[:0:0]
	for i, l := range lists {
		if l.Total == nil {
			uncounted = append(uncounted, parents[i])
		}
	}
	if len(uncounted) == 0 {
		counts = nil
	}
	parents = uncounted
	primeRelated(p, lists)
	p.connection(sel, "CommentConnection", "CommentEdge", counts, parents, func(sel ast.SelectionSet) { p.commentRows(flatten(lists), sel) })
}

// articleLists plans a connection of articles under each parent.
func (p *planner) articleLists(lists []folio.List[*folio.Article], sel ast.SelectionSet, counts *loader.Loader[int64, int], parents []int64) {
	primeRelated(p, lists)
	p.connection(sel, "ArticleConnection", "ArticleEdge", counts, parents, func(sel ast.SelectionSet) { p.articles(flatten(lists), sel) })
}

// connection plans a connection's nodes (through nodes or edges.node) with
// rows, and its totalCount through counts when the count is a loader's.
func (p *planner) connection(sel ast.SelectionSet, conn, edge string, counts *loader.Loader[int64, int], parents []int64, rows func(ast.SelectionSet)) {
	for _, f := range p.fields(sel, conn) {
		switch f.Name {
		case "nodes":
			rows(f.Selections)
		case "edges":
			for _, ef := range p.fields(f.Selections, edge) {
				if ef.Name == "node" {
					rows(ef.Selections)
				}
			}
		case "totalCount":
			if counts != nil {
				p.now(counts.Held(p.ctx, parents), func() { counts.LoadMany(p.ctx, parents) })
			}
		}
	}
}

func (p *planner) commentRows(rows []*folio.Comment, sel ast.SelectionSet) {
	if len(rows) == 0 {
		return
	}
	for _, f := range p.fields(sel, "Comment") {
		switch f.Name {
		case "author":
			follow(p, p.l.UserByID, keys(rows, func(c *folio.Comment) (int64, bool) { return c.AuthorID, !c.Deleted() }), f.Selections, p.users)
		case "article":
			follow(p, p.l.ArticleByID, keys(rows, func(c *folio.Comment) (int64, bool) { return c.ArticleID, true }), f.Selections, p.articles)
		case "parent":
			follow(p, p.l.CommentByID, keys(rows, func(c *folio.Comment) (int64, bool) {
				if c.ParentID == nil {
					return 0, false
				}
				return *c.ParentID, true
			}), f.Selections, p.commentRows)
		case "replies":
			if pg, ok := p.page(f, orderThread); ok {
				pg = trimPage(p.oc, f, pg)
				ids := commentIDs(rows)
				p.now(p.l.RepliesByComment.Held(p.ctx, pageKeys(ids, pg)), func() {
					p.comments(pagesOf(p.ctx, p.l.RepliesByComment, ids, pg), f.Selections, p.l.ReplyCountByComment, ids)
				})
			}
		}
	}
}

func (p *planner) users(rows []*folio.User, sel ast.SelectionSet) {
	for _, f := range p.fields(sel, "User") {
		if f.Name == "articles" && len(rows) > 0 {
			p.nestedArticles(f, userIDs(rows), p.l.ArticlesByAuthor, p.l.ArticleCountByAuthor)
		}
	}
}

func (p *planner) tags(rows []*folio.Tag, sel ast.SelectionSet) {
	for _, f := range p.fields(sel, "Tag") {
		if f.Name == "articles" && len(rows) > 0 {
			p.nestedArticles(f, keys(rows, func(t *folio.Tag) (int64, bool) { return t.ID, true }), p.l.ArticlesByTag, p.l.ArticleCountByTag)
		}
	}
}

func (p *planner) categories(rows []*folio.Category, sel ast.SelectionSet) {
	for _, f := range p.fields(sel, "Category") {
		if f.Name == "articles" && len(rows) > 0 {
			p.nestedArticles(f, keys(rows, func(c *folio.Category) (int64, bool) { return c.ID, true }), p.l.ArticlesByCategory, p.l.ArticleCountByCategory)
		}
	}
}

// nestedArticles plans the articles field of authors, tags or categories.
func (p *planner) nestedArticles(f graphql.CollectedField, parents []int64, pages *loader.Loader[loader.PageKey, folio.List[*folio.Article]], counts *loader.Loader[int64, int]) {
	pg, ok := p.page(f, orderPublished)
	if !ok {
		return
	}
	// As the field's resolver asks: no bodies unless shown.
	pg = trimPage(p.oc, f, pg)
	p.now(pages.Held(p.ctx, pageKeys(parents, pg)), func() {
		p.articleLists(pagesOf(p.ctx, pages, parents, pg), f.Selections, counts, parents)
	})
}

// payload plans what a mutation's payload v (a pointer to the payload's
// struct) shows of the rows it holds: its article, comment or user. The
// payload's fields are found as gqlgen binds them, by name.
func (p *planner) payload(v any, typ string, sel ast.SelectionSet) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return
	}
	rv = rv.Elem()
	for _, f := range p.fields(sel, typ) {
		field := rv.FieldByNameFunc(func(name string) bool { return strings.EqualFold(name, f.Name) })
		if !field.IsValid() {
			continue
		}
		switch row := field.Interface().(type) {
		case *folio.Article:
			if row != nil {
				p.articles([]*folio.Article{row}, f.Selections)
			}
		case *folio.Comment:
			if row != nil {
				p.commentRows([]*folio.Comment{row}, f.Selections)
			}
		case *folio.User:
			if row != nil {
				p.users([]*folio.User{row}, f.Selections)
			}
		}
	}
}

// searchHits plans a search result connection: the articles of its edges.
func (p *planner) searchHits(hits folio.List[*folio.SearchHit], sel ast.SelectionSet) {
	primeRelated(p, []folio.List[*folio.SearchHit]{hits})
	rows := make([]*folio.Article, len(hits.Items))
	for i, h := range hits.Items {
		rows[i] = h.Article
	}
	for _, f := range p.fields(sel, "SearchResultConnection") {
		if f.Name != "edges" {
			continue
		}
		for _, ef := range p.fields(f.Selections, "SearchResultEdge") {
			if ef.Name == "node" {
				p.articles(rows, ef.Selections)
			}
		}
	}
}

// follow loads the rows ids name in one batch, beside the other relations
// of the level, and plans sel under them with next.
func follow[V any](p *planner, l *loader.Loader[int64, *V], ids []int64, sel ast.SelectionSet, next func([]*V, ast.SelectionSet)) {
	p.now(l.Held(p.ctx, ids), func() {
		rows, _ := l.LoadMany(p.ctx, ids)
		next(present(rows), sel)
	})
}

// keys collects the key of each row that has one.
func keys[R any](rows []R, key func(R) (int64, bool)) []int64 {
	out := make([]int64, 0, len(rows))
	for _, r := range rows {
		if k, ok := key(r); ok {
			out = append(out, k)
		}
	}
	return out
}

// pagesOf loads one page under each parent, in one batch.
func pagesOf[V any](ctx context.Context, l *loader.Loader[loader.PageKey, folio.List[V]], parents []int64, pg folio.Page) []folio.List[V] {
	lists, _ := l.LoadMany(ctx, pageKeys(parents, pg))
	return lists
}

// pageKeys are the keys of the page pg under each of parents.
func pageKeys(parents []int64, pg folio.Page) []loader.PageKey {
	keys := make([]loader.PageKey, len(parents))
	for i, id := range parents {
		keys[i] = loader.PageKey{ID: id, Page: pg}
	}
	return keys
}

// primeRelated puts the authors, categories and tags read with lists
// (folio.Related) in the memo, where the level below finds them.
func primeRelated[V any](p *planner, lists []folio.List[V]) {
	for i := range lists {
		primeListRelated(p, &lists[i])
	}
}

// primeListRelated does it for one list.
func primeListRelated[V any](p *planner, l *folio.List[V]) {
	for _, u := range l.Authors {
		p.l.UserByID.Prime(p.ctx, u.ID, u)
	}
	for _, c := range l.Categories {
		p.l.CategoryByID.Prime(p.ctx, c.ID, c)
	}
	for id, ts := range l.Tags {
		p.l.TagsOfArticle.Prime(p.ctx, id, ts)
	}
	for id, s := range l.Stats {
		p.l.ArticleStats.Prime(p.ctx, id, s)
	}
}

// primeReplies puts the replies read with pages of comments
// (folio.Page.Replies) in the memo under the page rp of Comment.replies,
// with their counts and authors.
func primeReplies(p *planner, lists []folio.List[*folio.Comment], rp folio.Page) {
	for _, l := range lists {
		for id, r := range l.Replies {
			p.l.RepliesByComment.Prime(p.ctx, loader.PageKey{ID: id, Page: rp}, r)
			if r.Total != nil {
				p.l.ReplyCountByComment.Prime(p.ctx, id, *r.Total)
			}
			primeListRelated(p, &r)
		}
	}
}

func flatten[V any](lists []folio.List[V]) []V {
	var out []V
	for _, l := range lists {
		out = append(out, l.Items...)
	}
	return out
}

// present drops the keys that found no row.
func present[V any](rows []*V) []*V {
	out := rows[:0:0]
	for _, r := range rows {
		if r != nil {
			out = append(out, r)
		}
	}
	return out
}

func articleIDs(rows []*folio.Article) []int64 {
	return keys(rows, func(a *folio.Article) (int64, bool) { return a.ID, true })
}

func commentIDs(rows []*folio.Comment) []int64 {
	return keys(rows, func(c *folio.Comment) (int64, bool) { return c.ID, true })
}

func userIDs(rows []*folio.User) []int64 {
	return keys(rows, func(u *folio.User) (int64, bool) { return u.ID, true })
}
