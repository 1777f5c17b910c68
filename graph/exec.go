package graph

import (
	"context"
	"io"

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

// objectJSON writes an object's fields, in order, under their response
// names: tools/gqlgen returns it from each object's function in place of
// gqlgen's field set, whose MarshalGQL makes a map and copies every field
// to write it. gqlgen's CollectFields has merged the fields of one response
// name into one, so no name repeats, and a response name is a GraphQL name
// ([_A-Za-z][_0-9A-Za-z]*), which needs no escaping.
type objectJSON struct {
	fields []graphql.CollectedField
	values []graphql.Marshaler
}

func (o objectJSON) MarshalGQL(w io.Writer) {
	buf := [1]byte{'{'}
	for i := range o.fields {
		_, _ = w.Write(buf[:])
		buf[0] = ','
		_, _ = io.WriteString(w, `"`)
		_, _ = io.WriteString(w, o.fields[i].Alias)
		_, _ = io.WriteString(w, `":`)
		o.values[i].MarshalGQL(w)
	}
	if len(o.fields) == 0 {
		_, _ = w.Write(buf[:])
	}
	_, _ = io.WriteString(w, "}")
}
