package graph

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// TestMarshalData_SizedFromLastResponse: a query's data is written as
// gqlgen writes it, and the next response of the same document starts in
// a buffer big enough to hold it, so it is written once.
func TestMarshalData_SizedFromLastResponse(t *testing.T) {
	oc := &graphql.OperationContext{RawQuery: "{ TestMarshalData_SizedFromLastResponse }", OperationName: "Q"}
	data := graphql.MarshalString(strings.Repeat("é<x>", 1000))
	var want strings.Builder
	data.MarshalGQL(&want)

	first := marshalData(context.Background(), oc, data)
	if string(first) != want.String() {
		t.Fatalf("marshalData wrote %d bytes unlike gqlgen's %d", len(first), want.Len())
	}
	second := marshalData(context.Background(), oc, data)
	if string(second) != want.String() {
		t.Fatal("the second response differs from the first")
	}
	if got, hint := cap(second), int(sizeHint(len(first))); got != hint {
		t.Errorf("the second response's buffer holds %d bytes, want the hint %d: it grew, or started elsewhere", got, hint)
	}
	if hint := sizeHint(10 << 20); hint != maxDataHint {
		t.Errorf("a 10 MB response hints %d, want the bound %d", hint, maxDataHint)
	}
}

// TestMarshalData_ResponseFinishedInPlace: over HTTP, the data is written
// after the response's opening, and the response is finished in the same
// buffer, byte for byte what copying it writes.
func TestMarshalData_ResponseFinishedInPlace(t *testing.T) {
	oc := &graphql.OperationContext{RawQuery: "{ TestMarshalData_ResponseFinishedInPlace }"}
	value := graphql.MarshalString(strings.Repeat("<b>&</b>", 300))
	ext := map[string]any{"cost": ranCost{RequestedQueryCost: 3, ActualQueryCost: 2}}
	ctx, op := withOneOperation(context.Background())

	data := marshalData(ctx, oc, value)
	resp := &graphql.Response{Data: data, Extensions: ext}
	want := responseBody(&graphql.Response{Data: append([]byte(nil), data...), Extensions: ext}, true, nil)
	got := responseBody(resp, true, op)
	if string(got) != string(want) {
		t.Fatalf("finished in place:\n%s\nwant, as copied:\n%s", got, want)
	}
	if &got[len(dataOpening)] != &data[0] {
		t.Error("the response was copied, not finished in the data's buffer")
	}

	// Data the executor did not leave in op's buffer is copied.
	other := &graphql.Response{Data: []byte(`{"a":1}`), Extensions: ext}
	if got := responseBody(other, true, op); string(got) != `{"data":{"a":1},"extensions":{"cost":{"actualQueryCost":2,"requestedQueryCost":3}}}` {
		t.Errorf("other data: %s", got)
	}
	// A response with errors opens with them: copied too.
	data = marshalData(ctx, oc, value)
	withErrors := &graphql.Response{Data: data, Errors: gqlerror.List{{Message: "no"}}}
	if got := responseBody(withErrors, true, op); !strings.HasPrefix(string(got), `{"errors":[{"message":"no"}],"data":"`) {
		t.Errorf("with errors: %.80s", got)
	}
}

// TestMarshalSlice_EachElementItsPath: every element of a list has its own
// index in its path, though their field contexts are made together, and a
// panic is its element's error.
func TestMarshalSlice_EachElementItsPath(t *testing.T) {
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, graphql.DefaultRecover)
	ctx = graphql.WithOperationContext(ctx, &graphql.OperationContext{RecoverFunc: graphql.DefaultRecover})
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "list"}}})
	var elems []context.Context
	out := marshalSlice(ctx, 3, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
		elems = append(elems, ctx)
		if i == 1 {
			panic("boom")
		}
		return graphql.MarshalInt(i)
	})
	for i, ec := range elems {
		if got, want := graphql.GetPath(ec).String(), fmt.Sprintf("list[%d]", i); got != want {
			t.Errorf("element %d's path is %s, want %s", i, got, want)
		}
	}
	var b strings.Builder
	out.MarshalGQL(&b)
	if b.String() != "[0,null,2]" {
		t.Errorf("list %s, want [0,null,2]", b.String())
	}
	if errs := graphql.GetErrors(ctx); len(errs) != 1 || errs[0].Path.String() != "list[1]" {
		t.Errorf("errors %v, want one at list[1]", errs)
	}
}

// TestFieldCtx_AsGqlgen checks that gqlgen finds a fieldCtx's field
// context where graphql.WithFieldContext would have put it, and every
// other value in the context under it: marshalSlice relies on the key
// fieldContextKey learnt from gqlgen.
func TestFieldCtx_AsGqlgen(t *testing.T) {
	if fieldContextKey == nil {
		t.Fatal("graphql.GetFieldContext asked its context for no key: fieldCtx cannot stand in for WithFieldContext")
	}
	type otherKey struct{}
	outer := &graphql.FieldContext{Object: "outer"}
	parent := graphql.WithFieldContext(context.WithValue(context.Background(), otherKey{}, "kept"), outer)
	fc := &graphql.FieldContext{Object: "inner", Parent: outer}
	ctx := &fieldCtx{Context: parent, fc: fc}
	if got := graphql.GetFieldContext(ctx); got != fc {
		t.Errorf("GetFieldContext = %+v, want the fieldCtx's own", got)
	}
	if got := ctx.Value(otherKey{}); got != "kept" {
		t.Errorf("another value = %v, want the parent's", got)
	}
	// A context made under it finds the inner field context, as gqlgen's
	// own contexts do.
	under, cancel := context.WithCancel(ctx)
	defer cancel()
	if got := graphql.GetFieldContext(under); got != fc {
		t.Errorf("GetFieldContext under it = %+v, want the fieldCtx's", got)
	}
}

// TestMarshalSlice_OneAllocationPerList checks that a list's elements cost
// no allocation each beyond their values: the array and the elements'
// contexts are made once for the list.
func TestMarshalSlice_OneAllocationPerList(t *testing.T) {
	ctx := graphql.WithFieldContext(context.Background(), &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "list"}}})
	for _, n := range []int{1, 20} {
		allocs := testing.AllocsPerRun(20, func() {
			marshalSlice(ctx, n, 0, true, func(context.Context, int) graphql.Marshaler { return graphql.Null })
		})
		if allocs != 2 {
			t.Errorf("a list of %d made %v allocations, want 2", n, allocs)
		}
	}
}

// TestNewObjectJSON_OneAllocation checks that an object of up to 16
// fields is one allocation with its values, and that it writes its fields
// in order under their response names whatever its size.
func TestNewObjectJSON_OneAllocation(t *testing.T) {
	for _, n := range []int{0, 1, 4, 5, 8, 9, 16, 17} {
		fields := make([]graphql.CollectedField, n)
		want := "{"
		for i := range fields {
			fields[i] = graphql.CollectedField{Field: &ast.Field{Alias: fmt.Sprintf("f%d", i)}}
			if i > 0 {
				want += ","
			}
			want += fmt.Sprintf(`"f%d":%d`, i, i)
		}
		want += "}"
		o := newObjectJSON(fields)
		if len(o.Values) != n {
			t.Fatalf("%d fields: %d values", n, len(o.Values))
		}
		for i := range o.Values {
			o.Values[i] = graphql.MarshalInt(i)
		}
		var b strings.Builder
		graphql.Marshaler(o).MarshalGQL(&b)
		if b.String() != want {
			t.Errorf("%d fields: wrote %s, want %s", n, b.String(), want)
		}
		allocs := testing.AllocsPerRun(20, func() { _ = graphql.Marshaler(newObjectJSON(fields)) })
		if wantAllocs := map[bool]float64{true: 1, false: 2}[n <= 16]; allocs != wantAllocs {
			t.Errorf("%d fields: %v allocations, want %v", n, allocs, wantAllocs)
		}
	}
}

// TestOpSlab_Objects checks that the objects and frames an operation's
// slab makes, from several goroutines at once as fields resolve, are each
// their own (objects with as many values as fields), and that a chunk of
// objects of one size is one allocation.
func TestOpSlab_Objects(t *testing.T) {
	var slab opSlab
	sizes := []int{0, 1, 4, 5, 8, 9, 16, 17}
	const perSize = 3 * slabChunk // a few chunks of each size
	made := make([][]*objectJSON, len(sizes))
	frames := make([][]*fieldFrame, len(sizes))
	var wg sync.WaitGroup
	for i, n := range sizes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fields := make([]graphql.CollectedField, n)
			for range perSize {
				made[i] = append(made[i], slab.object(fields))
				frames[i] = append(frames[i], slab.frame(context.Background()))
			}
		}()
	}
	wg.Wait()
	framesSeen := make(map[*fieldFrame]bool)
	for _, fs := range frames {
		for _, f := range fs {
			if framesSeen[f] || f.fc != nil || f.Context == nil {
				t.Fatalf("frame %p given twice, or not empty over its context", f)
			}
			framesSeen[f] = true
		}
	}
	seen := make(map[*graphql.Marshaler]bool)
	for i, n := range sizes {
		for _, o := range made[i] {
			if len(o.Values) != n || len(o.fields) != n {
				t.Fatalf("%d fields: %d values, %d fields", n, len(o.Values), len(o.fields))
			}
			if n == 0 {
				continue
			}
			if v := &o.Values[:1][0]; seen[v] {
				t.Fatalf("%d fields: values shared with another object", n)
			} else {
				seen[v] = true
			}
		}
	}
	fields := make([]graphql.CollectedField, 6)
	var s opSlab
	allocs := testing.AllocsPerRun(10, func() {
		s.of8 = nil // a new chunk
		for range slabChunk {
			s.object(fields)
		}
	})
	if allocs != 1 {
		t.Errorf("%d objects of 6 fields: %v allocations, want 1", slabChunk, allocs)
	}
}

// TestCollectFields_Remembered checks collectFields against gqlgen's
// CollectFields: a selection set is remembered under its array with its
// length and the type it is collected for (a shorter slice of an array is
// another set, whose answer differs; a node's { id } is one array for an
// article and for a user), each answer is remembered, and a lookup of one
// remembered takes no allocation.
func TestCollectFields_Remembered(t *testing.T) {
	doc, errs := gqlparser.LoadQuery(parsedSchema, `{ node(id: "x") { id } article(slug: "a") { id title slug } }`)
	if errs != nil {
		t.Fatal(errs)
	}
	oc := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0], Variables: map[string]any{}}
	root := doc.Operations[0].SelectionSet
	nodeSel := root[0].(*ast.Field).SelectionSet
	articleSel := root[1].(*ast.Field).SelectionSet
	cases := []struct {
		name string
		sel  ast.SelectionSet
		typ  string
	}{
		{"node as article", nodeSel, "Article"},
		{"node as user", nodeSel, "User"},
		{"article", articleSel, "Article"},
		{"article's first two", articleSel[:2], "Article"},
	}
	names := func(fs []graphql.CollectedField) (out []string) {
		for _, f := range fs {
			out = append(out, f.Alias+":"+f.ObjectDefinition.Name)
		}
		return out
	}
	first := make([][]graphql.CollectedField, len(cases))
	for round := range 2 {
		for i, c := range cases {
			got := collectFields(oc, c.sel, implementors(c.typ))
			want := graphql.CollectFields(oc, c.sel, implementors(c.typ))
			if fmt.Sprint(names(got)) != fmt.Sprint(names(want)) {
				t.Errorf("round %d, %s: collected %v, want %v", round, c.name, names(got), names(want))
			}
			if round == 0 {
				first[i] = got
			} else if &got[0] != &first[i][0] {
				t.Errorf("%s: collected again, not remembered", c.name)
			}
		}
	}
	sats := implementors("Article")
	if n := testing.AllocsPerRun(100, func() { collectFields(oc, articleSel, sats) }); n != 0 {
		t.Errorf("%v allocations for a remembered selection set, want none", n)
	}
}

// BenchmarkCollectFields_Remembered looks up a remembered selection set
// from every core at once, as the objects of concurrent requests do.
func BenchmarkCollectFields_Remembered(b *testing.B) {
	doc, errs := gqlparser.LoadQuery(parsedSchema, `{ article(slug: "a") { id title slug } }`)
	if errs != nil {
		b.Fatal(errs)
	}
	oc := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0], Variables: map[string]any{}}
	sel := doc.Operations[0].SelectionSet[0].(*ast.Field).SelectionSet
	sats := implementors("Article")
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			collectFields(oc, sel, sats)
		}
	})
}
