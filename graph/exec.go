package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// marshalSlice marshals a list of objects element by element, on the
// goroutine that reached the list: tools/gqlgen puts it in the executor in
// place of gqlgen's graphql.MarshalSliceConcurrently, whose goroutine per
// element buys nothing here (the planner has loaded every row before the
// list is reached). Each element gets its own field context, with its
// index, as gqlgen gives it; a panic in one is that element's error.
func marshalSlice(ctx context.Context, n int, _ int64, omitPanicHandler bool, marshal func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	ret := make(graphql.Array, n)
	for i := range n {
		fc := &graphql.FieldContext{Index: &i}
		elem := graphql.WithFieldContext(ctx, fc)
		if omitPanicHandler {
			ret[i] = marshal(elem, i)
			continue
		}
		ret[i] = marshalRecovering(elem, i, marshal)
	}
	return ret
}

func marshalRecovering(ctx context.Context, i int, marshal func(ctx context.Context, i int) graphql.Marshaler) (m graphql.Marshaler) {
	defer func() {
		if r := recover(); r != nil {
			graphql.AddError(ctx, graphql.Recover(ctx, r))
			m = graphql.Null
		}
	}()
	return marshal(ctx, i)
}

// marshalPtr marshals a nullable scalar held by pointer, for the fields
// tools/gqlgen marshals straight from their object: nil is null.
func marshalPtr[T any](v *T, marshal func(T) graphql.Marshaler) graphql.Marshaler {
	if v == nil {
		return graphql.Null
	}
	return marshal(*v)
}
