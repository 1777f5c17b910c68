package ratelimit_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/ratelimit"
)

func TestLimits_MeasureShape(t *testing.T) {
	l := ratelimit.Limits{MaxCost: 100, MaxDepth: 3, MaxAliases: 2, MaxTokens: 40, MaxDirectivesPerField: 2, MaxDocumentBytes: 300, MaxOperations: 2,
		MaxFields: 12, MaxSelectionFields: 5, MaxRepeatedFields: 3, MaxFragmentSpreads: 4, MaxVariables: 2, MaxIntrospectionDepth: 6}
	for _, tc := range []struct {
		name   string
		query  string
		code   folio.Code
		figure int
	}{
		{"Fits", `{ a { b { c } } x: a { id } y: a { id } }`, "", 0},
		{"Depth", `{ a { b { c { d } } } }`, folio.EDepthLimit, 4},
		{"DepthThroughFragments", `{ a { ...F } } fragment F on A { b { ...G } } fragment G on B { c { d } }`, folio.EDepthLimit, 4},
		{"InlineFragmentsAddNoDepth", `{ a { ... on A { b { ... { c } } } } }`, "", 0},
		{"Aliases", `{ x: a { id } y: a { id } z: a { id } }`, folio.EAliasLimit, 3},
		{"AliasSameAsNameIsNoAlias", `{ a: a { id } b: b { id } c: c { id } }`, "", 0},
		{"AliasesInFragments", `{ ...F } fragment F on Q { x: a y: a z: a }`, folio.EAliasLimit, 3},
		{"Directives", `{ a @skip(if: false) @include(if: true) @skip(if: false) }`, folio.EDirectiveLimit, 3},
		{"DirectivesOnSpread", `{ ...F @a @b @c } fragment F on Q { a }`, folio.EDirectiveLimit, 3},
		{"Operations", `query A { a } query B { a } query C { a }`, folio.EOperationLimit, 3},
		{"Tokens", "{ " + strings.Repeat("a ", 40) + "}", folio.ETokenLimit, 41},
		{"DocumentSize", "{ a }" + strings.Repeat(" ", 300), folio.EDocumentSize, 305},
		{"SyntaxErrorLeftToParser", `{ a { `, "", 0},
		{"IntrospectionNotCountedAsDepth", `{ __schema { types { fields { type { ofType { name } } } } } }`, "", 0},
		{"IntrospectionDepth", `{ __schema { types { fields { type { ofType { ofType { name } } } } } } }`, folio.EDepthLimit, 7},
		{"IntrospectionDepthThroughFragments", `{ __type(name: "A") { ...T } } fragment T on __Type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } }`, folio.EDepthLimit, 8},
		{"AliasesInsideIntrospection", `{ __schema { a: types { name } b: types { name } c: types { name } } }`, folio.EAliasLimit, 3},
		{"Variables", `query ($a: Int, $b: Int, $c: Int) { a }`, folio.EVariableLimit, 3},
		{"RepeatedField", `{ a a a a }`, folio.ERepeatLimit, 4},
		{"RepeatedFieldThroughFragments", `{ a ...F ... { a } } fragment F on Q { a a }`, folio.ERepeatLimit, 4},
		{"SelectionFields", `{ a b c d e f }`, folio.ESelectionLimit, 6},
		{"SelectionFieldsThroughFragments", `{ a b ...F } fragment F on Q { c d ... { e f } }`, folio.ESelectionLimit, 6},
		{"FieldsUnfolded", `{ a { ...F } b { ...F } c { ...F } d { ...F } } fragment F on A { x y z }`, folio.EFieldLimit, 4 + 4*3},
		{"FragmentSpreads", `{ a { ...F } b { ...F } c { ...F } d { ...F } e { ...F } } fragment F on A { x }`, folio.ESpreadLimit, 5},
		{"NestedFragmentFanOut", `{ ...F } fragment F on Q { ...G ...G } fragment G on Q { a { ...H } b { ...H } } fragment H on A { x }`, folio.ESpreadLimit, 7},
		{"FragmentCycleEnds", `{ ...F } fragment F on Q { a { ...G } } fragment G on A { b { ...F } }`, "", 0}, // validation refuses the cycle
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := l.MeasureShape(tc.query)
			var r *ratelimit.Refusal
			switch {
			case tc.code == "" && err != nil:
				t.Fatalf("got %v, want no refusal", err)
			case tc.code == "":
				return
			case !errors.As(err, &r):
				t.Fatalf("got %v, want %s", err, tc.code)
			}
			if r.Code != tc.code || r.Figure != tc.figure {
				t.Errorf("got %s %d (limit %d), want %s %d", r.Code, r.Figure, r.Limit, tc.code, tc.figure)
			}
			if !strings.Contains(r.Error(), fmt.Sprint(r.Limit)) {
				t.Errorf("message %q does not name the limit %d", r.Error(), r.Limit)
			}
		})
	}
}

// TestLimits_MeasureShapeFragmentBomb checks that a document whose
// fragments spread each other twice per level (2^30 paths) is measured by
// visiting each fragment once.
func TestLimits_MeasureShapeFragmentBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("{ ...F0 }\n")
	for i := range 30 {
		fmt.Fprintf(&b, "fragment F%d on Q { a { ...F%d } b { ...F%d } }\n", i, i+1, i+1)
	}
	b.WriteString("fragment F30 on Q { leaf }\n")
	l := ratelimit.DefaultLimits
	l.MaxTokens = 10_000
	_, err := l.MeasureShape(b.String())
	var r *ratelimit.Refusal
	if !errors.As(err, &r) || r.Code != folio.EDepthLimit || r.Figure != 31 {
		t.Errorf("got %v, want depth 31 refused", err)
	}
}

func TestLimits_CheckCost(t *testing.T) {
	l := ratelimit.DefaultLimits
	if err := l.CheckCost(ratelimit.Price{Total: 1000}); err != nil {
		t.Errorf("1000: got %v, want allowed", err)
	}
	var r *ratelimit.Refusal
	if err := l.CheckCost(ratelimit.Price{Total: 1001}); !errors.As(err, &r) || r.Code != folio.ECostLimit || r.Figure != 1001 || r.Limit != 1000 {
		t.Errorf("1001: got %v, want COST_LIMIT_EXCEEDED 1001 > 1000", err)
	}
}

func TestLimits_WithDefaults(t *testing.T) {
	got := ratelimit.Limits{MaxCost: 50}.WithDefaults()
	want := ratelimit.DefaultLimits
	want.MaxCost = 50
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
