package graph

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/folio/folio/internal/folio"
)

// fetchOnly trims p to what the connection being resolved shows, so a list
// reads no article body and computes no search snippet that no field asks
// for. Fragments, aliases and @skip/@include are followed as the executor
// follows them. Without a field context it trims nothing: fetching too much
// is only slower.
func fetchOnly(ctx context.Context, p folio.Page) folio.Page {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return p
	}
	return trimPage(graphql.GetOperationContext(ctx), fc.Field, p)
}

// trimPage is fetchOnly for the connection field f.
func trimPage(oc *graphql.OperationContext, f graphql.CollectedField, p folio.Page) folio.Page {
	if f.Field == nil || f.Definition == nil {
		return p
	}
	asks := func(path []string, names ...string) bool {
		return reaches(oc, f.Selections, f.Definition.Type.Name(), path, names)
	}
	// rowsShow: the connection's rows, through nodes or edges, show one of names.
	rowsShow := func(names ...string) bool {
		return asks([]string{"nodes"}, names...) || asks([]string{"edges", "node"}, names...)
	}
	p.SkipBody = !rowsShow("body", "bodyHtml")
	p.SkipSnippet = !asks([]string{"edges"}, "snippet")
	// A comment list's count has the page's own filter, so the statement
	// that reads the page counts it too. (An article list's count applies
	// the viewer's visibility in a statement of its own.)
	p.WithTotal = f.Definition.Type.Name() == "CommentConnection" && !p.HasAfter && !p.HasBefore && asks(nil, "totalCount")
	// The rows' authors, categories and tags are read with them when shown.
	p.WithAuthors = rowsShow("author")
	p.WithCategories = rowsShow("category")
	p.WithTags = rowsShow("tags")
	return p
}

// articleRelated is what the selection of f, a field of type Article,
// shows of the article's relations, which a lookup reads with it.
func articleRelated(oc *graphql.OperationContext, f graphql.CollectedField) folio.Related {
	var r folio.Related
	for _, sf := range collectFields(oc, f.Selections, implementors("Article")) {
		switch sf.Name {
		case "author":
			r.WithAuthors = true
		case "category":
			r.WithCategories = true
		case "tags":
			r.WithTags = true
		}
	}
	return r
}

func reaches(oc *graphql.OperationContext, sel ast.SelectionSet, typ string, path, names []string) bool {
	for _, f := range collectFields(oc, sel, implementors(typ)) {
		switch {
		case len(path) == 0:
			if slices.Contains(names, f.Name) {
				return true
			}
		case f.Name == path[0] && f.Definition != nil:
			if reaches(oc, f.Selections, f.Definition.Type.Name(), path[1:], names) {
				return true
			}
		}
	}
	return false
}

// implementors is what a fragment's type condition may name to apply to an
// object of type typ: the type itself and its interfaces.
func implementors(typ string) []string {
	if s, ok := implementorsOf[typ]; ok {
		return s
	}
	return []string{typ}
}

// implementorsOf is implementors of every type of the schema, made once:
// the planner asks for it at every level of every query.
var implementorsOf = func() map[string][]string {
	m := make(map[string][]string, len(parsedSchema.Types))
	for name, def := range parsedSchema.Types {
		m[name] = append([]string{name}, def.Interfaces...)
	}
	return m
}()
