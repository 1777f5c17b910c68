package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// typeExists answers `__type(name: …) { name }` with introspection off: it
// tells only whether a type of that name exists, which validation tells
// anyone already ("Unknown type …" for a fragment on it), and the
// GraphQL-over-HTTP audit asks it to check that variables reach the
// operation. Anything more (__schema, a type's fields, kinds, descriptions,
// fragments inside __type) stays refused.
type typeExists struct{}

var _ interface {
	graphql.OperationContextMutator
	graphql.HandlerExtension
} = typeExists{}

func (typeExists) ExtensionName() string                   { return "TypeExists" }
func (typeExists) Validate(graphql.ExecutableSchema) error { return nil }

func (typeExists) MutateOperationContext(_ context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	if rc.Operation == nil || !rc.DisableIntrospection {
		return nil
	}
	asked, ok := onlyTypeNames(rc.Doc, rc.Operation.SelectionSet, map[string]bool{})
	if asked && ok {
		rc.DisableIntrospection = false
	}
	return nil
}

// onlyTypeNames walks set, fragments unfolded once each, and reports
// whether it asks for __type at all, and whether every introspection field
// in it is a __type selecting only name and __typename.
func onlyTypeNames(doc *ast.QueryDocument, set ast.SelectionSet, seen map[string]bool) (asked, ok bool) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			switch s.Name {
			case "__schema":
				return asked, false
			case "__type":
				asked = true
				for _, inner := range s.SelectionSet {
					f, isField := inner.(*ast.Field)
					if !isField || (f.Name != "name" && f.Name != "__typename") {
						return asked, false
					}
				}
				continue
			}
			a, good := onlyTypeNames(doc, s.SelectionSet, seen)
			asked = asked || a
			if !good {
				return asked, false
			}
		case *ast.InlineFragment:
			a, good := onlyTypeNames(doc, s.SelectionSet, seen)
			asked = asked || a
			if !good {
				return asked, false
			}
		case *ast.FragmentSpread:
			if seen[s.Name] {
				continue
			}
			seen[s.Name] = true
			def := doc.Fragments.ForName(s.Name)
			if def == nil {
				continue
			}
			a, good := onlyTypeNames(doc, def.SelectionSet, seen)
			asked = asked || a
			if !good {
				return asked, false
			}
		}
	}
	return asked, true
}
