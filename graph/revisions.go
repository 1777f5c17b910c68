package graph

import (
	"context"
	"strconv"

	"github.com/aymanbagabas/go-udiff"

	"github.com/folio/folio/graph/model"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/loader"
)

// orderRevision is the order of an article's revisions: newest first.
const orderRevision = "rev"

func revisionCursor(r *folio.Revision) string {
	return encodeCursor(orderRevision, timeCursor(r.ReplacedAt, r.ID))
}

func revisionConnection(l folio.List[*folio.Revision], count model.Counter) *model.ArticleRevisionConnection {
	return &model.ArticleRevisionConnection{Page: model.NewPage(l, revisionCursor, count)}
}

// revisions is Article.revisions: null for whoever may not see them.
func revisions(ctx context.Context, a *folio.Article, first *int, after *string, last *int, before *string) (*model.ArticleRevisionConnection, error) {
	if !folio.ViewerFrom(ctx).CanSeeRevisions(a) {
		return nil, nil
	}
	p, err := pageOf(orderRevision, first, after, last, before)
	if err != nil {
		return nil, err
	}
	l := loader.For(ctx)
	list, err := l.RevisionsByArticle.Load(ctx, loader.PageKey{ID: a.ID, Page: p})
	if err != nil {
		return nil, err
	}
	return revisionConnection(list, countOf(l.RevisionCountByArticle, a.ID)), nil
}

// articleText is an article's title, excerpt and body at one version.
type articleText struct{ title, excerpt, body string }

// revisionDiff is Article.revisionDiff: each side is a revision's version
// or the article's current one; null for whoever may not see revisions.
func revisionDiff(ctx context.Context, store folio.RevisionStore, a *folio.Article, from, to int) (*model.ArticleDiff, error) {
	if !folio.ViewerFrom(ctx).CanSeeRevisions(a) {
		return nil, nil
	}
	texts := map[int]articleText{}
	if from == a.Version || to == a.Version {
		cur := a
		if a.BodyOmitted { // read for a list: the body is not the article's
			var err error
			if cur, err = mustLoad(ctx, loader.For(ctx).ArticleByID, a.ID, "article"); err != nil {
				return nil, err
			}
		}
		texts[a.Version] = articleText{cur.Title, cur.Excerpt, cur.Body}
	}
	var want []int
	for _, v := range []int{from, to} {
		if _, ok := texts[v]; !ok {
			want = append(want, v)
		}
	}
	if len(want) > 0 {
		rs, err := store.RevisionsAt(ctx, a.ID, want)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			texts[r.Version] = articleText{r.Title, r.Excerpt, r.Body}
		}
	}
	for _, v := range []int{from, to} {
		if _, ok := texts[v]; !ok {
			return nil, folio.Errorf(folio.ENotFound, "The article keeps no text at version %d: pass a revision's version or the article's current one.", v)
		}
	}
	x, y := texts[from], texts[to]
	label := func(v int, field string) string { return "v" + strconv.Itoa(v) + "/" + field }
	d := &model.ArticleDiff{From: from, To: to,
		Title:   udiff.Unified(label(from, "title"), label(to, "title"), line(x.title), line(y.title)),
		Excerpt: udiff.Unified(label(from, "excerpt"), label(to, "excerpt"), line(x.excerpt), line(y.excerpt)),
		Body:    udiff.Unified(label(from, "body"), label(to, "body"), line(x.body), line(y.body)),
	}
	d.Changed = d.Title != "" || d.Excerpt != "" || d.Body != ""
	return d, nil
}

// line ends s with a newline, so that a one-line field diffs as a line
// rather than with "\ No newline at end of file".
func line(s string) string {
	if s == "" || s[len(s)-1] == '\n' {
		return s
	}
	return s + "\n"
}
