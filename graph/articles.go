package graph

import (
	"context"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/folio/folio/graph/model"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/loader"
	"github.com/folio/folio/internal/markdown"
)

// Article lists' arguments in the domain's terms, and articles' bodies.

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

// articleBySlug looks up the article of the current field by slug. What
// its selection shows below it, the store reads with it in one round trip
// (folio.ArticleWith): the article's author, category and tags, the first
// page of its comments and the page of its author's articles. They come
// back in with, or primed in the memo under the keys the planner and the
// resolvers will ask for. A selection that shows none of them has the
// request's loader read the article alone.
func articleBySlug(ctx context.Context, s folio.Store, slug string) (a *folio.Article, with folio.List[*folio.Article], err error) {
	l := loader.For(ctx)
	var w folio.ArticleWith
	if fc := graphql.GetFieldContext(ctx); fc != nil && graphql.HasOperationContext(ctx) {
		w = articleWith(graphql.GetOperationContext(ctx), fc.Field, l.Viewer())
	}
	if w.Related == (folio.Related{}) && w.Comments == nil && w.ByAuthor == nil {
		a, err = l.ArticleBySlug.Load(ctx, slug)
		return a, with, err
	}
	page, err := s.ArticleBySlugWith(ctx, slug, w)
	if err != nil && (w.Comments != nil || w.ByAuthor != nil) && ctx.Err() == nil {
		// One failed statement fails its batch: read the article alone,
		// so that a page below that fails again fails only its field.
		w.Comments, w.ByAuthor = nil, nil
		page, err = s.ArticleBySlugWith(ctx, slug, w)
	}
	if err != nil || len(page.Items) == 0 {
		return nil, page.List, err
	}
	a = page.Items[0]
	l.ArticleBySlug.Prime(ctx, slug, a)
	if page.Comments != nil {
		l.CommentsByArticle.Prime(ctx, loader.PageKey{ID: a.ID, Page: *w.Comments}, *page.Comments)
	}
	if page.ByAuthor != nil {
		l.ArticlesByAuthor.Prime(ctx, loader.PageKey{ID: a.AuthorID, Page: *w.ByAuthor}, *page.ByAuthor)
	}
	return a, page.List, nil
}

// articleWith is what the selection of f, an article, shows below it, as
// folio.ArticleWith asks for it: the pages exactly as the planner will ask
// the loaders for them (the first comments and author's articles fields,
// when their arguments are good).
func articleWith(oc *graphql.OperationContext, f graphql.CollectedField, v folio.Viewer) folio.ArticleWith {
	w := folio.ArticleWith{Related: articleRelated(oc, f), Viewer: v}
	if cf, ok := fieldAt(oc, f.Selections, "Article", nil, []string{"comments"}); ok {
		if pg, ok := fieldPage(oc, cf, orderThread); ok {
			pg = trimPage(oc, cf, pg)
			w.Comments = &pg
		}
	}
	if af, ok := fieldAt(oc, f.Selections, "Article", []string{"author"}, []string{"articles"}); ok {
		if pg, ok := fieldPage(oc, af, orderPublished); ok {
			pg = trimPage(oc, af, pg)
			w.ByAuthor = &pg
		}
	}
	return w
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
		id, err := parseIDOf("filter.authorId", *in.AuthorID, folio.KindUser)
		if err != nil {
			return f, o, order, err
		}
		f.AuthorID = &id
	}
	f.AuthorHandle, f.CategorySlug, f.TagSlugs = in.AuthorHandle, in.Category, in.Tags
	f.PublishedAfter, f.PublishedBefore = in.PublishedAfter, in.PublishedBefore
	return f, o, order, f.Validate()
}

// bodyHTML renders an article's Markdown to sanitised HTML.
func bodyHTML(a *folio.Article) (string, error) {
	if a.BodyOmitted { // a list row read without its body: a bug, never an empty page
		return "", fmt.Errorf("render article %d: row read without its body", a.ID)
	}
	html, err := markdown.HTML(a.Body)
	if err != nil {
		return "", fmt.Errorf("render article %d: %w", a.ID, err)
	}
	return html, nil
}
