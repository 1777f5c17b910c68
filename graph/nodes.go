package graph

import (
	"context"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/folio/folio/graph/model"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/loader"
)

// node and nodes: objects looked up by global ID, one batch per kind.

// maxNodes bounds nodes(ids:) like every other list.
const maxNodes = folio.MaxPageSize

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
		p        = newPlanner(ctx)
	)
	load := func(ids []int64, f func([]int64)) {
		if len(ids) > 0 {
			p.async(func() { f(ids) })
		}
	}
	load(byKind[folio.KindUser], func(ids []int64) { users, _ = l.UserByID.LoadMany(ctx, ids) })
	load(byKind[folio.KindCategory], func(ids []int64) { cats, _ = l.CategoryByID.LoadMany(ctx, ids) })
	load(byKind[folio.KindTag], func(ids []int64) { tags, _ = l.TagByID.LoadMany(ctx, ids) })
	load(byKind[folio.KindArticle], func(ids []int64) { l.ArticleByID.LoadMany(ctx, ids) })
	load(byKind[folio.KindComment], func(ids []int64) {
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
	p.wait()

	v := folio.ViewerFrom(ctx)
	visibleArticle := func(id int64) (*folio.Article, error) {
		a, err := l.ArticleByID.Load(ctx, id)
		if err != nil || a == nil || !v.CanReadArticle(a) {
			return nil, err
		}
		return a, nil
	}
	out := make([]model.Node, len(refs))
	errs := make([]error, len(refs))
	var seenArts []*folio.Article
	var seenComments []*folio.Comment
	for i, r := range refs {
		switch r.kind {
		case folio.KindUser:
			out[i], errs[i] = nilIfMissing(l.UserByID.Load(ctx, r.id))
		case folio.KindCategory:
			out[i], errs[i] = nilIfMissing(l.CategoryByID.Load(ctx, r.id))
		case folio.KindTag:
			out[i], errs[i] = nilIfMissing(l.TagByID.Load(ctx, r.id))
		case folio.KindArticle:
			a, err := visibleArticle(r.id)
			if a == nil {
				errs[i] = err
				continue
			}
			out[i] = a
			seenArts = append(seenArts, a)
		case folio.KindComment:
			c, err := l.CommentByID.Load(ctx, r.id)
			if err == nil && c != nil {
				// A comment is seen only where its article is.
				var a *folio.Article
				if a, err = visibleArticle(c.ArticleID); a == nil {
					c = nil
				}
			}
			if c == nil {
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
