package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	goast "go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestResolveField_AsGqlgen: resolveField answers as graphql.ResolveField
// does, value and errors alike, for every way a field can end: a value, an
// error, a null where none is allowed, a panic, a value of the wrong type.
// It does so for a field context made in resolveField's frame, as
// tools/gqlgen has the executor make them, with the field's path and its
// parent as gqlgen gives them, and for one made apart; with its frame
// from an operation's slab, as the executor has it, and without.
func TestResolveField_AsGqlgen(t *testing.T) {
	for _, slab := range []*opSlab{new(opSlab), nil} {
		t.Run(map[bool]string{true: "Slab", false: "NoSlab"}[slab != nil], func(t *testing.T) {
			testResolveFieldsAsGqlgen(t, slab)
		})
	}
}

func testResolveFieldsAsGqlgen(t *testing.T, slab *opSlab) {
	field := graphql.CollectedField{Field: &ast.Field{Alias: "f", Name: "f"}}
	t.Run("Framed", func(t *testing.T) {
		testResolveFieldAsGqlgen(t, slab, field, func(ctx context.Context, f graphql.CollectedField) (*graphql.FieldContext, error) {
			fc := fieldContextIn(ctx, graphql.FieldContext{Object: "T", Field: f, IsResolver: true})
			ctx = withFieldContext(ctx, fc)
			if got := graphql.GetFieldContext(ctx); got != fc {
				return nil, fmt.Errorf("the field's context has field context %p, want %p", got, fc)
			}
			return fc, nil
		})
	})
	t.Run("Apart", func(t *testing.T) {
		testResolveFieldAsGqlgen(t, slab, field, func(_ context.Context, f graphql.CollectedField) (*graphql.FieldContext, error) {
			return &graphql.FieldContext{Object: "T", Field: f, IsResolver: true}, nil
		})
	})
}

func testResolveFieldAsGqlgen(t *testing.T, slab *opSlab, field graphql.CollectedField, fieldContext func(context.Context, graphql.CollectedField) (*graphql.FieldContext, error)) {
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
			marshal := func(ctx context.Context, _ ast.SelectionSet, v string) graphql.Marshaler {
				fc := graphql.GetFieldContext(ctx)
				return graphql.MarshalString(fmt.Sprintf("%s at %s under %s, result %v", v, fc.Path(), fc.Parent.Field.Alias, fc.Result))
			}
			got, gotErrs := run(func(ctx context.Context, oc *graphql.OperationContext) graphql.Marshaler {
				return resolveField(ctx, oc, slab, field, fieldContext, tc.resolve, nil, marshal, true, tc.nonNull)
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

// TestResolveField_OneAllocation: a field whose field context is made in
// resolveField's frame (fieldContextIn) costs one allocation, the frame,
// where gqlgen's way made the field context and its context apart; and a
// frame that is already filled is not filled again.
func TestResolveField_OneAllocation(t *testing.T) {
	oc := &graphql.OperationContext{RecoverFunc: graphql.DefaultRecover}
	ctx := graphql.WithOperationContext(context.Background(), oc)
	field := graphql.CollectedField{Field: &ast.Field{Alias: "f", Name: "f"}}
	v := new(int)
	var inner *graphql.FieldContext
	fieldContext := func(ctx context.Context, f graphql.CollectedField) (*graphql.FieldContext, error) {
		fc := fieldContextIn(ctx, graphql.FieldContext{Object: "T", Field: f, IsMethod: true})
		ctx = withFieldContext(ctx, fc)
		inner = fieldContextIn(ctx, graphql.FieldContext{Object: "U", Field: f}) // the frame is taken
		return fc, nil
	}
	resolve := func(context.Context) (any, error) { return v, nil }
	marshal := func(context.Context, ast.SelectionSet, *int) graphql.Marshaler { return graphql.Null }
	allocs := testing.AllocsPerRun(100, func() {
		resolveField(ctx, oc, nil, field, fieldContext, resolve, nil, marshal, false, false)
	})
	if inner.Object != "U" || inner.Parent != nil {
		t.Errorf("a second field context in a filled frame is %+v, want one of its own, with no parent set", inner)
	}
	if allocs != 2 { // the frame, and the second field context
		t.Errorf("%v allocations a field, want 2", allocs)
	}
	// From an operation's slab, the frames of slabChunk fields are one
	// allocation, each field's second field context one more.
	var slab opSlab
	allocs = testing.AllocsPerRun(20, func() {
		slab.frames = nil // a new chunk
		for range slabChunk {
			resolveField(ctx, oc, &slab, field, fieldContext, resolve, nil, marshal, false, false)
		}
	})
	if allocs != 1+slabChunk {
		t.Errorf("%v allocations for %d fields from a slab, want %d", allocs, slabChunk, 1+slabChunk)
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

// TestResolveField_NotForMutationFields checks that every root field of
// Mutation is resolved through the operation's field middleware, where
// afterWrites forgets the rows read before the write and plans the
// payload: tools/gqlgen leaves them graphql.ResolveField, directive or not.
func TestResolveField_NotForMutationFields(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "generated.go", nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	viaMiddleware := 0
	for _, d := range f.Decls {
		fn, ok := d.(*goast.FuncDecl)
		if !ok || !strings.HasPrefix(fn.Name.Name, "_Mutation_") {
			continue
		}
		goast.Inspect(fn, func(n goast.Node) bool {
			call, ok := n.(*goast.CallExpr)
			if !ok {
				return true
			}
			switch fun := call.Fun.(type) {
			case *goast.Ident:
				if fun.Name == "resolveField" {
					t.Errorf("%s calls resolveField, which skips the mutation's field middleware", fn.Name.Name)
				}
			case *goast.SelectorExpr:
				// A field with no directive: its middleware chain is nil.
				if fun.Sel.Name == "ResolveField" && len(call.Args) > 5 {
					if chain, ok := call.Args[5].(*goast.Ident); ok && chain.Name == "nil" {
						viaMiddleware++
					}
				}
			}
			return true
		})
	}
	// signIn, signUp, refreshSession, the newsletter's, …: without a
	// directive, yet through the middleware.
	if viaMiddleware == 0 {
		t.Error("no Mutation field without a directive found: has the generator or the schema changed?")
	}
}
