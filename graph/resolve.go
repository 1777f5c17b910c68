package graph

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/folio/folio/graph/model"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/loader"
)

// maxNodes bounds nodes(ids:) like every other list.
const maxNodes = folio.MaxPageSize

// maxFilterTags bounds the tags an article filter may require.
const maxFilterTags = 10

// loaders returns the request's loaders for the depth of the field being
// resolved, so that each level of the query batches apart from the others.
func loaders(ctx context.Context) *loader.Level {
	depth := 0
	for fc := graphql.GetFieldContext(ctx); fc != nil; fc = fc.Parent {
		depth++
	}
	return loader.For(ctx).At(depth)
}

// mustLoad loads a row that integrity guarantees (a foreign key): its absence
// is our bug, reported as an internal error.
func mustLoad[K comparable, V any](ctx context.Context, l *dataloader.Loader[K, *V], key K, what string) (*V, error) {
	v, err := l.Load(ctx, key)()
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, fmt.Errorf("load %s %v: row missing", what, key)
	}
	return v, nil
}

// countOf defers a count to its loader, so counts of many parents batch too.
func countOf(l *dataloader.Loader[int64, int], id int64) model.Counter {
	return func(ctx context.Context) (int, error) { return l.Load(ctx, id)() }
}

// nestedArticles pages through the articles under one parent (an author, a
// category or a tag), batched with its siblings.
func nestedArticles(ctx context.Context, pages *dataloader.Loader[loader.PageKey, folio.List[*folio.Article]], counts *dataloader.Loader[int64, int], id int64, first *int, after *string, last *int, before *string) (*model.ArticleConnection, error) {
	p, err := pageOf(orderPublished, first, after, last, before)
	if err != nil {
		return nil, err
	}
	list, err := pages.Load(ctx, loader.PageKey{ID: id, Page: fetchOnly(ctx, p)})()
	if err != nil {
		return nil, err
	}
	return articleConnection(list, orderPublished, countOf(counts, id)), nil
}

// articleQuery turns the GraphQL filter and order into the domain's, and
// names the cursor order of the list.
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
	if in.AuthorHandle != nil && !folio.ValidHandle(*in.AuthorHandle) {
		return f, o, order, folio.InvalidField("filter.authorHandle", "%q is not a handle: handles are 2 to 32 letters, digits or underscores.", truncate(*in.AuthorHandle, 64))
	}
	if in.Category != nil && !folio.ValidSlug(*in.Category) {
		return f, o, order, folio.InvalidField("filter.category", "%q is not a category slug: slugs are lower-case letters and digits joined by single hyphens.", truncate(*in.Category, 64))
	}
	if len(in.Tags) > maxFilterTags {
		return f, o, order, folio.InvalidField("filter.tags", "Filter by at most %d tags, not %d.", maxFilterTags, len(in.Tags))
	}
	for _, t := range in.Tags {
		if !folio.ValidSlug(t) {
			return f, o, order, folio.InvalidField("filter.tags", "%q is not a tag slug: slugs are lower-case letters and digits joined by single hyphens.", truncate(t, 64))
		}
	}
	f.AuthorHandle, f.CategorySlug, f.TagSlugs = in.AuthorHandle, in.Category, in.Tags
	f.PublishedAfter, f.PublishedBefore = in.PublishedAfter, in.PublishedBefore
	if f.PublishedAfter != nil && f.PublishedBefore != nil && !f.PublishedAfter.Before(*f.PublishedBefore) {
		return f, o, order, folio.InvalidField("filter.publishedBefore", "publishedBefore must be later than publishedAfter.")
	}
	return f, o, order, nil
}

// node fetches any object by global ID; null when it does not exist or the
// viewer may not see it.
func (r *Resolver) node(ctx context.Context, field, id string) (model.Node, error) {
	kind, n, err := parseGlobalID(field, id)
	if err != nil {
		return nil, err
	}
	l := loaders(ctx)
	switch kind {
	case kindUser:
		return nilIfMissing(l.UserByID.Load(ctx, n)())
	case kindCategory:
		return nilIfMissing(l.CategoryByID.Load(ctx, n)())
	case kindTag:
		return nilIfMissing(l.TagByID.Load(ctx, n)())
	case kindArticle:
		a, err := l.ArticleByID.Load(ctx, n)()
		if err != nil || a == nil || !folio.ViewerFrom(ctx).CanSeeArticle(a) {
			return nil, err
		}
		return a, nil
	case kindComment:
		c, err := l.CommentByID.Load(ctx, n)()
		if err != nil || c == nil {
			return nil, err
		}
		// A comment is seen only where its article is.
		a, err := l.ArticleByID.Load(ctx, c.ArticleID)()
		if err != nil || a == nil || !folio.ViewerFrom(ctx).CanSeeArticle(a) {
			return nil, err
		}
		return c, nil
	case kindAPIKey:
		return nil, nil // an ID, but not of a Node: keys are read through apiKeys only
	}
	return nil, fmt.Errorf("node kind %q has no loader", kind)
}

// nilIfMissing keeps a typed nil pointer from becoming a non-nil interface.
func nilIfMissing[T any](v *T, err error) (model.Node, error) {
	if err != nil || v == nil {
		return nil, err
	}
	return v, nil
}

// nodes fetches up to maxNodes objects concurrently, so their lookups batch.
func (r *Resolver) nodes(ctx context.Context, ids []string) ([]model.Node, error) {
	if len(ids) > maxNodes {
		return nil, folio.InvalidField("ids", "Ask for at most %d IDs at once, not %d.", maxNodes, len(ids))
	}
	out := make([]model.Node, len(ids))
	errs := make([]error, len(ids))
	done := make(chan struct{})
	for i, id := range ids {
		go func() {
			defer func() {
				// A panic here is off the executor's goroutine: recover it
				// like the executor would, or it takes the process down.
				if p := recover(); p != nil {
					errs[i] = fmt.Errorf("panic resolving node: %v\n%s", p, debug.Stack())
				}
				done <- struct{}{}
			}()
			out[i], errs[i] = r.node(ctx, fmt.Sprintf("ids[%d]", i), id)
		}()
	}
	for range ids {
		<-done
	}
	// One bad ID nulls its own entry, not the whole list: each error is
	// reported at its index.
	for i, err := range errs {
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
