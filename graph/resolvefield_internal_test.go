package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestResolveField_AsGqlgen: resolveField answers as graphql.ResolveField
// does, value and errors alike, for every way a field can end: a value, an
// error, a null where none is allowed, a panic, a value of the wrong type.
func TestResolveField_AsGqlgen(t *testing.T) {
	field := graphql.CollectedField{Field: &ast.Field{Alias: "f", Name: "f"}}
	for _, tc := range []struct {
		name    string
		resolve func(context.Context) (any, error)
		nonNull bool
	}{
		{"Value", func(context.Context) (any, error) { return "x", nil }, true},
		{"Error", func(context.Context) (any, error) { return nil, errors.New("no") }, false},
		{"NullInNonNull", func(context.Context) (any, error) { return nil, nil }, true},
		{"NullAllowed", func(context.Context) (any, error) { return nil, nil }, false},
		{"Panic", func(context.Context) (any, error) { panic("boom") }, true},
		{"WrongType", func(context.Context) (any, error) { return 7, nil }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := func(resolve func(context.Context, *graphql.OperationContext) graphql.Marshaler) (string, string) {
				oc := &graphql.OperationContext{RecoverFunc: graphql.DefaultRecover}
				ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, graphql.DefaultRecover)
				ctx = graphql.WithOperationContext(ctx, oc)
				ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "parent"}}})
				var out bytes.Buffer
				resolve(ctx, oc).MarshalGQL(&out)
				return out.String(), fmt.Sprint(graphql.GetErrors(ctx))
			}
			fieldContext := func(_ context.Context, f graphql.CollectedField) (*graphql.FieldContext, error) {
				return &graphql.FieldContext{Object: "T", Field: f, IsResolver: true}, nil
			}
			marshal := func(_ context.Context, _ ast.SelectionSet, v string) graphql.Marshaler {
				return graphql.MarshalString(v)
			}
			got, gotErrs := run(func(ctx context.Context, oc *graphql.OperationContext) graphql.Marshaler {
				return resolveField(ctx, oc, field, fieldContext, tc.resolve, nil, marshal, true, tc.nonNull)
			})
			want, wantErrs := run(func(ctx context.Context, oc *graphql.OperationContext) graphql.Marshaler {
				oc.ResolverMiddleware = func(ctx context.Context, next graphql.Resolver) (any, error) { return next(ctx) }
				return graphql.ResolveField(ctx, oc, field, fieldContext, tc.resolve, nil, marshal, true, tc.nonNull)
			})
			if got != want {
				t.Errorf("value %s, gqlgen's %s", got, want)
			}
			if gotErrs != wantErrs {
				t.Errorf("errors %s, gqlgen's %s", gotErrs, wantErrs)
			}
		})
	}
}

// TestUse_RefusesFieldInterceptors: resolveField skips field middleware, so
// the handler refuses an extension that would be one.
func TestUse_RefusesFieldInterceptors(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a field interceptor was added")
		}
	}()
	use(nil, fieldSpy{})
}

type fieldSpy struct{}

func (fieldSpy) ExtensionName() string                   { return "fieldSpy" }
func (fieldSpy) Validate(graphql.ExecutableSchema) error { return nil }
func (fieldSpy) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	return next(ctx)
}
