// Package model holds the GraphQL-only types: gqlgen's generated inputs and
// enums (models_gen.go) and the hand-written connection types below, which
// carry what their lazy fields need.
package model

import (
	"context"

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
// client asks for totalCount.
type Counter func(ctx context.Context) (int, error)

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

// Edges pairs each row with its cursor.
func Edges[T, E any](p *Page[T], edge func(cursor string, node T) E) []E {
	out := make([]E, len(p.Nodes))
	for i, n := range p.Nodes {
		out[i] = edge(p.Cursor(n), n)
	}
	return out
}

// ArticleEdge is an article with its cursor.
type ArticleEdge struct {
	Cursor string
	Node   *folio.Article
}

// ArticleConnection is a page of articles.
type ArticleConnection struct{ Page[*folio.Article] }

// CategoryEdge is a category with its cursor.
type CategoryEdge struct {
	Cursor string
	Node   *folio.Category
}

// CategoryConnection is a page of categories.
type CategoryConnection struct{ Page[*folio.Category] }

// TagEdge is a tag with its cursor.
type TagEdge struct {
	Cursor string
	Node   *folio.Tag
}

// TagConnection is a page of tags.
type TagConnection struct{ Page[*folio.Tag] }

// CommentEdge is a comment with its cursor.
type CommentEdge struct {
	Cursor string
	Node   *folio.Comment
}

// CommentConnection is a page of comments.
type CommentConnection struct{ Page[*folio.Comment] }

// SearchResultEdge is a search hit with its cursor.
type SearchResultEdge struct {
	Cursor  string
	Node    *folio.Article
	Rank    float64
	Snippet string
}

// SearchResultConnection is a page of search hits.
type SearchResultConnection struct{ Page[*folio.SearchHit] }

// Node is any object with a global ID: *folio.User, *folio.Article,
// *folio.Category, *folio.Tag or *folio.Comment. The domain types know
// nothing of GraphQL, so the interface asks for no methods; the executor
// tells the types apart by their Go type.
type Node any

// ArticleRevisionEdge is a revision with its cursor.
type ArticleRevisionEdge struct {
	Cursor string
	Node   *folio.Revision
}

// ArticleRevisionConnection is a page of an article's revisions.
type ArticleRevisionConnection struct{ Page[*folio.Revision] }
