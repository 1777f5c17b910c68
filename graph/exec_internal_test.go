package graph

import (
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
)

// TestMarshalData_SizedFromLastResponse: a query's data is written as
// gqlgen writes it, and the next response of the same document starts in
// a buffer big enough to hold it, so it is written once.
func TestMarshalData_SizedFromLastResponse(t *testing.T) {
	oc := &graphql.OperationContext{RawQuery: "{ TestMarshalData_SizedFromLastResponse }", OperationName: "Q"}
	data := graphql.MarshalString(strings.Repeat("é<x>", 1000))
	var want strings.Builder
	data.MarshalGQL(&want)

	first := marshalData(oc, data)
	if string(first) != want.String() {
		t.Fatalf("marshalData wrote %d bytes unlike gqlgen's %d", len(first), want.Len())
	}
	second := marshalData(oc, data)
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
