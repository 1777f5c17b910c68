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
// follows them.
func fetchOnly(ctx context.Context, p folio.Page) folio.Page {
	p.SkipBody = !asks(ctx, []string{"nodes"}, "body", "bodyHtml") &&
		!asks(ctx, []string{"edges", "node"}, "body", "bodyHtml")
	p.SkipSnippet = !asks(ctx, []string{"edges"}, "snippet")
	return p
}

// asks reports whether the selection of the field being resolved reaches
// one of names at the end of path (e.g. edges → node → body). Without a
// field context it answers true: fetching too much is only slower.
func asks(ctx context.Context, path []string, names ...string) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil || fc.Field.Definition == nil || !graphql.HasOperationContext(ctx) {
		return true
	}
	return reaches(graphql.GetOperationContext(ctx), fc.Field.Selections, fc.Field.Definition.Type.Name(), path, names)
}

func reaches(oc *graphql.OperationContext, sel ast.SelectionSet, typ string, path, names []string) bool {
	for _, f := range graphql.CollectFields(oc, sel, implementors(typ)) {
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
	out := []string{typ}
	if def := parsedSchema.Types[typ]; def != nil {
		out = append(out, def.Interfaces...)
	}
	return out
}
