package ratelimit_test

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/folio/folio/internal/ratelimit"
)

// FuzzMeasureShape checks that no document makes the shape check panic,
// that it refuses exactly what is over a limit, naming the figure, and that
// a document it accepts is accepted under larger limits too.
func FuzzMeasureShape(f *testing.F) {
	l := ratelimit.Limits{MaxCost: 100, MaxDepth: 4, MaxAliases: 3, MaxTokens: 200, MaxDirectivesPerField: 2, MaxDocumentBytes: 1000, MaxOperations: 2,
		MaxFields: 30, MaxSelectionFields: 6, MaxRepeatedFields: 3, MaxFragmentSpreads: 8, MaxVariables: 3, MaxIntrospectionDepth: 6}
	twice := l
	for _, p := range []*int{&twice.MaxDepth, &twice.MaxAliases, &twice.MaxTokens, &twice.MaxDirectivesPerField, &twice.MaxDocumentBytes, &twice.MaxOperations,
		&twice.MaxFields, &twice.MaxSelectionFields, &twice.MaxRepeatedFields, &twice.MaxFragmentSpreads, &twice.MaxVariables, &twice.MaxIntrospectionDepth} {
		*p *= 2
	}
	for _, seed := range []string{
		`{ a { b } x: a { c } }`,
		`query ($a: Int) { a(x: $a) @skip(if: false) }`,
		`{ ...F } fragment F on Q { a { ...G } b { ...G } } fragment G on A { c }`,
		`{ ...F } fragment F on Q { a { ...F } }`,
		`{ __schema { types { ofType { ofType { name } } } } }`,
		`{ a a a a ... { a } }`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, query string) {
		s, err := l.MeasureShape(query)
		if err != nil {
			var r *ratelimit.Refusal
			if !errors.As(err, &r) {
				t.Fatalf("got %v, want a *Refusal", err)
			}
			if r.Figure <= r.Limit || !strings.Contains(r.Error(), strconv.Itoa(r.Limit)) {
				t.Errorf("refused %s %d under its limit %d: %q", r.What, r.Figure, r.Limit, r.Error())
			}
			return
		}
		for _, c := range []struct{ figure, limit int }{
			{s.Depth, l.MaxDepth}, {s.Aliases, l.MaxAliases}, {s.Tokens, l.MaxTokens}, {s.DirectivesPerField, l.MaxDirectivesPerField},
			{s.Operations, l.MaxOperations}, {s.Fields, l.MaxFields}, {s.SelectionFields, l.MaxSelectionFields}, {s.RepeatedFields, l.MaxRepeatedFields},
			{s.FragmentSpreads, l.MaxFragmentSpreads}, {s.Variables, l.MaxVariables}, {s.IntrospectionDepth, l.MaxIntrospectionDepth},
		} {
			if c.figure > c.limit {
				t.Errorf("accepted %+v over a limit", s)
			}
		}
		if _, err := twice.MeasureShape(query); err != nil {
			t.Errorf("accepted under %+v but refused under twice those: %v", l, err)
		}
	})
}

// FuzzCalculator checks that pricing any operation the shape check and
// validation let through, and reading any response data for it, neither
// panics nor leaves the bounds: at least MinPrice, at most the cap every
// sum stops at.
func FuzzCalculator(f *testing.F) {
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "test.graphqls", Input: testSDL})
	if err != nil {
		f.Fatal(err)
	}
	c, err := ratelimit.NewCalculator(s, ratelimit.CalculatorOptions{MaxListSize: 100})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(`{ books(first: 3) { id author { name books { title } } } }`, []byte(`{"books":[{"id":"1","author":{"name":"A","books":[]}}]}`))
	f.Add(`{ book(id: "1") { reviews(last: 5) { edges { node { by { name } } } } } }`, []byte(`{"book":{"reviews":{"edges":[{"node":{"by":null}}]}}}`))
	f.Add(`{ search(q: "x", first: 100) { ... on Book { id } ... on Person { friends { id } } } }`, []byte(`{"search":[{"id":"1"},{"friends":[]}]}`))
	f.Add(`{ nodes(ids: ["a", "b"]) { id ...on Book { expensive } } }`, []byte(`{"nodes":[null,{"id":"b","expensive":"x"}]}`))
	f.Add(`mutation { addBook(title: "x") { id } rate(stars: 5) }`, []byte(`{"addBook":null,"rate":4}`))
	f.Add(`{ __typename }`, []byte(`{"__typename":"Query"}`))
	f.Fuzz(func(t *testing.T, query string, data []byte) {
		if _, err := ratelimit.DefaultLimits.MeasureShape(query); err != nil {
			return // refused before validation, as the server does
		}
		doc, errs := gqlparser.LoadQuery(s, query)
		if errs != nil {
			return
		}
		for _, op := range doc.Operations {
			p := c.Price(op, nil, true)
			if p.Total < ratelimit.MinPrice || p.Total > math.MaxInt32 {
				t.Errorf("price %d out of bounds", p.Total)
			}
			if a := c.Actual(op, data); a < ratelimit.MinPrice || a > math.MaxInt32 {
				t.Errorf("actual %d out of bounds", a)
			}
		}
	})
}
