package graph

import (
	"github.com/folio/folio/graph/model"
	"github.com/folio/folio/internal/folio"
)

// MaxComplexity is the most an operation may cost before it runs: every
// field counts 1, and a list counts its children once per row it may return.
// A home feed of 20 costs about 600, an article page with 20 comments of 5
// replies about 1,000; three nested lists of 100 cost over a million and are
// refused before any SQL runs. The cost-based rate limit will refine this.
const MaxComplexity = 10_000

// pageSize is how many rows a connection may return for these arguments.
// Out-of-range values are clamped here and refused with a message when the
// field runs, so a typo costs a clear error, not a complexity refusal.
func pageSize(first, last *int) int {
	n := folio.DefaultPageSize
	switch {
	case first != nil:
		n = *first
	case last != nil:
		n = *last
	}
	return max(0, min(n, folio.MaxPageSize))
}

// perPage prices a connection field: its children once per possible row.
func perPage(child int, first *int, last *int) int { return 1 + child*max(pageSize(first, last), 1) }

// setComplexity prices every list field of the schema.
func setComplexity(c *ComplexityRoot) {
	page := func(child int, first *int, _ *string, last *int, _ *string) int { return perPage(child, first, last) }
	c.Query.Articles = func(child int, first *int, after *string, last *int, before *string, _ *model.ArticleFilter, _ *model.ArticleOrder) int {
		return page(child, first, after, last, before)
	}
	c.Query.Search = func(child int, _ string, first *int, after *string, last *int, before *string) int {
		return page(child, first, after, last, before)
	}
	c.Query.Tags = page
	c.Query.Categories = page
	c.Query.Nodes = func(child int, ids []string) int { return 1 + child*max(len(ids), 1) }
	c.User.Articles = page
	c.Category.Articles = page
	c.Tag.Articles = page
	c.Article.Comments = page
	c.Comment.Replies = page
}
