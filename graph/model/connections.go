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

// ArticleEdge is an article with its cursor.
type ArticleEdge struct {
	Cursor string
	Node   *folio.Article
}

// ArticleConnection is a page of articles.
type ArticleConnection struct {
	Edges    []*ArticleEdge
	Nodes    []*folio.Article
	PageInfo *PageInfo
	Count    Counter
}

// CategoryEdge is a category with its cursor.
type CategoryEdge struct {
	Cursor string
	Node   *folio.Category
}

// CategoryConnection is a page of categories.
type CategoryConnection struct {
	Edges    []*CategoryEdge
	Nodes    []*folio.Category
	PageInfo *PageInfo
	Count    Counter
}

// TagEdge is a tag with its cursor.
type TagEdge struct {
	Cursor string
	Node   *folio.Tag
}

// TagConnection is a page of tags.
type TagConnection struct {
	Edges    []*TagEdge
	Nodes    []*folio.Tag
	PageInfo *PageInfo
	Count    Counter
}

// CommentEdge is a comment with its cursor.
type CommentEdge struct {
	Cursor string
	Node   *folio.Comment
}

// CommentConnection is a page of comments.
type CommentConnection struct {
	Edges    []*CommentEdge
	Nodes    []*folio.Comment
	PageInfo *PageInfo
	Count    Counter
}

// SearchResultEdge is a search hit with its cursor.
type SearchResultEdge struct {
	Cursor  string
	Node    *folio.Article
	Rank    float64
	Snippet string
}

// SearchResultConnection is a page of search hits.
type SearchResultConnection struct {
	Edges    []*SearchResultEdge
	PageInfo *PageInfo
	Count    Counter
}

// Node is any object with a global ID: *folio.User, *folio.Article,
// *folio.Category, *folio.Tag or *folio.Comment. The domain types know
// nothing of GraphQL, so the interface asks for no methods; the executor
// tells the types apart by their Go type.
type Node any
