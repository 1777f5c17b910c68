package graph

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/folio/folio/graph/model"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/loader"
)

// maxNodes bounds nodes(ids:) like every other list.
const maxNodes = folio.MaxPageSize

// mustLoad loads a row that integrity guarantees (a foreign key): its absence
// is our bug, reported as an internal error.
func mustLoad[K comparable, V any](ctx context.Context, l *loader.Loader[K, *V], key K, what string) (*V, error) {
	v, err := l.Load(ctx, key)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, fmt.Errorf("load %s %v: row missing", what, key)
	}
	return v, nil
}

// countOf defers a count to its loader, so counts of many parents batch too.
func countOf(l *loader.Loader[int64, int], id int64) model.Counter {
	return func(ctx context.Context) (int, error) { return l.Load(ctx, id) }
}

// nestedArticles pages through the articles under one parent (an author, a
// category or a tag), batched with its siblings.
func nestedArticles(ctx context.Context, pages *loader.Loader[loader.PageKey, folio.List[*folio.Article]], counts *loader.Loader[int64, int], id int64, first *int, after *string, last *int, before *string) (*model.ArticleConnection, error) {
	p, err := pageOf(orderPublished, first, after, last, before)
	if err != nil {
		return nil, err
	}
	list, err := pages.Load(ctx, loader.PageKey{ID: id, Page: fetchOnly(ctx, p)})
	if err != nil {
		return nil, err
	}
	return articleConnection(list, orderPublished, countOf(counts, id)), nil
}

// articleQuery turns the GraphQL filter and order into the domain's, and
// names the cursor order of the list. The filter's rules are the domain's
// (folio.ArticleFilter.Validate); only decoding the author's ID is ours.
func articleQuery(in *model.ArticleFilter, by *model.ArticleOrder) (folio.ArticleFilter, folio.ArticleOrder, string, error) {
	var f folio.ArticleFilter
	o := folio.ArticleOrder{Field: folio.OrderPublishedAt, Desc: true}
	order := orderPublished
	if by != nil {
		o.Desc = by.Direction == model.OrderDirectionDesc
		if by.Field == model.ArticleOrderFieldCreatedAt {
			o.Field, order = folio.OrderCreatedAt, orderCreated
		}
	}
	if in == nil {
		return f, o, order, nil
	}
	for _, s := range in.Status {
		f.Statuses = append(f.Statuses, folio.ArticleStatus(strings.ToLower(string(s))))
	}
	if in.AuthorID != nil {
		id, err := parseIDOf("filter.authorId", *in.AuthorID, kindUser)
		if err != nil {
			return f, o, order, err
		}
		f.AuthorID = &id
	}
	f.AuthorHandle, f.CategorySlug, f.TagSlugs = in.AuthorHandle, in.Category, in.Tags
	f.PublishedAfter, f.PublishedBefore = in.PublishedAfter, in.PublishedBefore
	return f, o, order, f.Validate()
}

// node fetches any object by global ID; null when it does not exist or the
// viewer may not see it.
func (r *Resolver) node(ctx context.Context, field, id string) (model.Node, error) {
	kind, n, err := parseGlobalID(field, id)
	if err != nil {
		return nil, err
	}
	out, errs := nodesOf(ctx, []globalRef{{kind, n}})
	return out[0], errs[0]
}

// nodes fetches up to maxNodes objects, each kind in one batch.
func (r *Resolver) nodes(ctx context.Context, ids []string) ([]model.Node, error) {
	if len(ids) > maxNodes {
		return nil, folio.InvalidField("ids", "Ask for at most %d IDs at once, not %d.", maxNodes, len(ids))
	}
	refs := make([]globalRef, len(ids))
	parseErrs := make([]error, len(ids))
	for i, id := range ids {
		refs[i].kind, refs[i].id, parseErrs[i] = parseGlobalID(fmt.Sprintf("ids[%d]", i), id)
	}
	out, errs := nodesOf(ctx, refs)
	// One bad ID nulls its own entry, not the whole list: each error is
	// reported at its index.
	for i := range ids {
		err := parseErrs[i]
		if err == nil {
			err = errs[i]
		}
		if err == nil {
			continue
		}
		var fe *folio.Error
		if !errors.As(err, &fe) {
			err = resolverError{err}
		}
		graphql.AddError(ctx, &gqlerror.Error{Err: err, Message: err.Error(), Path: append(graphql.GetPath(ctx), ast.PathIndex(i))})
	}
	return out, nil
}

// globalRef is a decoded global ID; kind is empty for one that did not
// decode.
type globalRef struct {
	kind string
	id   int64
}

// nodesOf loads the objects refs name, one batch per kind, and plans the
// current field's selection under them. What does not exist or may not be
// seen is nil.
func nodesOf(ctx context.Context, refs []globalRef) ([]model.Node, []error) {
	l := loader.For(ctx)
	byKind := map[string][]int64{}
	for _, r := range refs {
		if r.kind != "" {
			byKind[r.kind] = append(byKind[r.kind], r.id)
		}
	}
	var (
		users    []*folio.User
		cats     []*folio.Category
		tags     []*folio.Tag
		comments []*folio.Comment
		wg       sync.WaitGroup
	)
	load := func(ids []int64, f func([]int64)) {
		if len(ids) > 0 {
			wg.Go(func() { f(ids) })
		}
	}
	load(byKind[kindUser], func(ids []int64) { users, _ = l.UserByID.LoadMany(ctx, ids) })
	load(byKind[kindCategory], func(ids []int64) { cats, _ = l.CategoryByID.LoadMany(ctx, ids) })
	load(byKind[kindTag], func(ids []int64) { tags, _ = l.TagByID.LoadMany(ctx, ids) })
	load(byKind[kindArticle], func(ids []int64) { l.ArticleByID.LoadMany(ctx, ids) })
	load(byKind[kindComment], func(ids []int64) {
		comments, _ = l.CommentByID.LoadMany(ctx, ids)
		// A comment is seen only where its article is.
		var parents []int64
		for _, c := range comments {
			if c != nil {
				parents = append(parents, c.ArticleID)
			}
		}
		l.ArticleByID.LoadMany(ctx, parents)
	})
	wg.Wait()

	v := folio.ViewerFrom(ctx)
	out := make([]model.Node, len(refs))
	errs := make([]error, len(refs))
	var seenArts []*folio.Article
	var seenComments []*folio.Comment
	for i, r := range refs {
		switch r.kind {
		case kindUser:
			out[i], errs[i] = nilIfMissing(l.UserByID.Load(ctx, r.id))
		case kindCategory:
			out[i], errs[i] = nilIfMissing(l.CategoryByID.Load(ctx, r.id))
		case kindTag:
			out[i], errs[i] = nilIfMissing(l.TagByID.Load(ctx, r.id))
		case kindArticle:
			a, err := l.ArticleByID.Load(ctx, r.id)
			if err != nil || a == nil || !v.CanSeeArticle(a) {
				errs[i] = err
				continue
			}
			out[i] = a
			seenArts = append(seenArts, a)
		case kindComment:
			c, err := l.CommentByID.Load(ctx, r.id)
			if err != nil || c == nil {
				errs[i] = err
				continue
			}
			a, err := l.ArticleByID.Load(ctx, c.ArticleID)
			if err != nil || a == nil || !v.CanSeeArticle(a) {
				errs[i] = err
				continue
			}
			out[i] = c
			seenComments = append(seenComments, c)
		}
	}
	plan(ctx, func(p *planner, sel ast.SelectionSet) {
		p.users(present(users), sel)
		p.categories(present(cats), sel)
		p.tags(present(tags), sel)
		p.articles(seenArts, sel)
		p.commentRows(seenComments, sel)
	})
	return out, errs
}

// nilIfMissing keeps a typed nil pointer from becoming a non-nil interface.
func nilIfMissing[T any](v *T, err error) (model.Node, error) {
	if err != nil || v == nil {
		return nil, err
	}
	return v, nil
}
