// Package model holds the GraphQL-only types: gqlgen's generated inputs and
// enums (models_gen.go) and the hand-written connection types below, which
// carry what their lazy fields need.
package model

import (
	"context"
	"strconv"

	"github.com/folio/folio/internal/folio"
)

// PageInfo is Relay's page information.
type PageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}

// Counter counts the whole list behind a connection. It runs only when a
// client asks for totalCount: through a loader of counts by parent, so
// the counts of many parents batch (CountBy), or a function (CountWith).
// It is a value, held in its connection: a closure over the loader and
// the parent was an allocation for every row with a connection below it.
type Counter struct {
	by CountLoader
	id int64
	fn func(ctx context.Context) (int, error)
}

// CountLoader loads the count of a parent's list (a loader of counts).
type CountLoader interface {
	Load(ctx context.Context, id int64) (int, error)
}

// CountBy counts with by, a loader of counts, for the parent id.
func CountBy(by CountLoader, id int64) Counter { return Counter{by: by, id: id} }

// CountWith counts with fn.
func CountWith(fn func(ctx context.Context) (int, error)) Counter { return Counter{fn: fn} }

// Count counts the list.
func (c Counter) Count(ctx context.Context) (int, error) {
	if c.by != nil {
		return c.by.Load(ctx, c.id)
	}
	return c.fn(ctx)
}

// Page is what every connection holds: one page of rows, the cursor that
// places a row in its list, and the count of the whole list. Edges,
// cursors and page info are made only when a client asks for them.
type Page[T any] struct {
	// Nodes is the page's rows, never nil.
	Nodes  []T
	List   folio.List[T]
	Cursor func(T) string
	Count  Counter
}

// NewPage lays out one page of a list whose rows cursor places.
func NewPage[T any](l folio.List[T], cursor func(T) string, count Counter) Page[T] {
	nodes := l.Items
	if nodes == nil {
		nodes = []T{}
	}
	return Page[T]{Nodes: nodes, List: l, Cursor: cursor, Count: count}
}

// PageInfo is the page's Relay page information.
func (p *Page[T]) PageInfo() *PageInfo {
	info := &PageInfo{HasNextPage: p.List.HasNext, HasPreviousPage: p.List.HasPrevious}
	if n := len(p.Nodes); n > 0 {
		start, end := p.Cursor(p.Nodes[0]), p.Cursor(p.Nodes[n-1])
		info.StartCursor, info.EndCursor = &start, &end
	}
	return info
}

// edge is what every edge type is made with: its row, and the function
// that makes the row's cursor, called only when a client asks for the
// cursor (most ask for an edge's node alone).
type edge[T, E any] interface {
	*E
	set(node T, cursor func(T) string)
}

// edgeOf is an edge of rows of type T: the row, and the page's cursor
// function.
type edgeOf[T any] struct {
	Node   T
	cursor func(T) string
}

// Cursor is the edge's cursor.
func (e *edgeOf[T]) Cursor() string { return e.cursor(e.Node) }

func (e *edgeOf[T]) set(n T, cursor func(T) string) { e.Node, e.cursor = n, cursor }

// Edges makes the page's edges, all in one allocation.
func Edges[T, E any, PE edge[T, E]](p *Page[T]) []PE {
	all := make([]E, len(p.Nodes))
	out := make([]PE, len(p.Nodes))
	for i, n := range p.Nodes {
		e := PE(&all[i])
		e.set(n, p.Cursor)
		out[i] = e
	}
	return out
}

// ArticleEdge is an article with its cursor.
type ArticleEdge struct{ edgeOf[*folio.Article] }

// ArticleConnection is a page of articles.
type ArticleConnection struct{ Page[*folio.Article] }

// CategoryEdge is a category with its cursor.
type CategoryEdge struct{ edgeOf[*folio.Category] }

// CategoryConnection is a page of categories.
type CategoryConnection struct{ Page[*folio.Category] }

// TagEdge is a tag with its cursor.
type TagEdge struct{ edgeOf[*folio.Tag] }

// TagConnection is a page of tags.
type TagConnection struct{ Page[*folio.Tag] }

// CommentEdge is a comment with its cursor.
type CommentEdge struct{ edgeOf[*folio.Comment] }

// CommentConnection is a page of comments.
type CommentConnection struct{ Page[*folio.Comment] }

// SearchResultEdge is a search hit with its cursor.
type SearchResultEdge struct {
	Node    *folio.Article
	Snippet string
	hit     *folio.SearchHit
	cursor  func(*folio.SearchHit) string
}

// Cursor is the edge's cursor.
func (e *SearchResultEdge) Cursor() string { return e.cursor(e.hit) }

// Rank is the hit's rank, widened from float4 without the binary noise of
// a plain conversion (0.0607927 rather than 0.060792699456214905).
func (e *SearchResultEdge) Rank() float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(float64(e.hit.Rank), 'g', -1, 32), 64)
	return f
}

func (e *SearchResultEdge) set(h *folio.SearchHit, cursor func(*folio.SearchHit) string) {
	e.Node, e.Snippet, e.hit, e.cursor = h.Article, h.Snippet, h, cursor
}

// SearchResultConnection is a page of search hits.
type SearchResultConnection struct{ Page[*folio.SearchHit] }

// Node is any object with a global ID: *folio.User, *folio.Article,
// *folio.Category, *folio.Tag or *folio.Comment. The domain types know
// nothing of GraphQL, so the interface asks for no methods; the executor
// tells the types apart by their Go type.
type Node any

// ArticleRevisionEdge is a revision with its cursor.
type ArticleRevisionEdge struct{ edgeOf[*folio.Revision] }

// ArticleRevisionConnection is a page of an article's revisions.
type ArticleRevisionConnection struct{ Page[*folio.Revision] }
