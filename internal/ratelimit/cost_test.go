package ratelimit_test

import (
	"reflect"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/folio/folio/internal/ratelimit"
)

// testSDL exercises every declaration the calculator reads: type and field
// weights, weighted arguments, connections with sized fields, lists with
// and without sizes, interfaces, unions, mutations and subscriptions.
const testSDL = directivesSDL + `

interface Node { id: ID! }
type Book implements Node {
  id: ID!
  title: String!
  author: Person!
  reviews(first: Int, last: Int): ReviewConnection! @listSize(slicingArguments: ["first", "last"], sizedFields: ["edges", "nodes"], assumedSize: 20, requireOneSlicingArgument: false)
  expensive: String @cost(weight: "7")
}
type Person implements Node {
  id: ID!
  name: String!
  books: [Book!]! @listSize(assumedSize: 3)
  friends: [Person!]!
  pricey: String @cost(weight: "4")
}
type Review @cost(weight: "2") { body: String! by: Person! }
type ReviewConnection { edges: [ReviewEdge!]! nodes: [Review!]! pageInfo: PageInfo! }
type ReviewEdge @cost(weight: "0") { node: Review! cursor: String! }
type PageInfo @cost(weight: "0") { hasNextPage: Boolean! }
union SearchHit = Book | Person
type Query {
  book(id: ID!): Book
  books(first: Int, last: Int): [Book!]! @listSize(slicingArguments: ["first", "last"], assumedSize: 10, requireOneSlicingArgument: false)
  node(id: ID!): Node
  nodes(ids: [ID!]!): [Node]! @listSize(slicingArguments: ["ids"], requireOneSlicingArgument: false)
  search(q: String! @cost(weight: "5"), first: Int): [SearchHit!]! @listSize(slicingArguments: ["first"], assumedSize: 10)
}
type Mutation {
  addBook(title: String!): Book
  rate(stars: Int!): Int! @cost(weight: "3")
}
type Subscription { bookAdded: Book! }
`

// directivesSDL declares the directives as the specification does.
const directivesSDL = `
directive @cost(weight: String!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
`

func mustSchema(t *testing.T, sdl string) *ast.Schema {
	t.Helper()
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "test.graphqls", Input: sdl})
	if err != nil {
		t.Fatalf("schema: %v", err)
	}
	return s
}

func mustCalculator(t *testing.T, s *ast.Schema) *ratelimit.Calculator {
	t.Helper()
	c, err := ratelimit.NewCalculator(s, ratelimit.CalculatorOptions{MaxListSize: 100})
	if err != nil {
		t.Fatalf("calculator: %v", err)
	}
	return c
}

func mustOperation(t *testing.T, s *ast.Schema, query string) *ast.OperationDefinition {
	t.Helper()
	doc, errs := gqlparser.LoadQuery(s, query)
	if errs != nil {
		t.Fatalf("query %q: %v", query, errs)
	}
	return doc.Operations[0]
}

func TestCalculator_Price(t *testing.T) {
	s := mustSchema(t, testSDL)
	c := mustCalculator(t, s)
	for _, tc := range []struct {
		name  string
		query string
		vars  map[string]any
		want  int
	}{
		{"ObjectCostsOne", `{ book(id: 1) { title } }`, nil, 1},
		{"ScalarsCostNothing", `{ book(id: 1) { id title author { name } } }`, nil, 2},
		{"ListTimesFirst", `{ books(first: 5) { title author { name } } }`, nil, 10},
		{"ListAssumedSize", `{ books { title } }`, nil, 10},
		{"LargestSlicingArgument", `{ books(first: 5, last: 8) { id } }`, nil, 8},
		{"SliceFromVariable", `query($n: Int) { books(first: $n) { id } }`, map[string]any{"n": 4}, 4},
		{"SliceVariableAbsent", `query($n: Int) { books(first: $n) { id } }`, nil, 10},
		{"SliceCappedAtMaxListSize", `{ books(first: 1000) { id } }`, nil, 100},
		{"NegativeSliceIsEmpty", `{ books(first: -5) { id author { name } } }`, nil, ratelimit.MinPrice},
		// book 1 + connection 1 + pageInfo 0 + 10 edges × (edge 0 + review 2 + person 1)
		{"ConnectionSizedFields", `{ book(id: 1) { reviews(first: 10) { pageInfo { hasNextPage } edges { cursor node { body by { name } } } } } }`, nil, 32},
		// book 1 + connection 1 + 20 nodes × 2 + 20 edges × (0 + 2)
		{"ConnectionAssumedSize", `{ book(id: 1) { reviews { nodes { body } edges { node { body } } } } }`, nil, 82},
		{"ListWithoutListSize", `{ book(id: 1) { author { friends { name } } } }`, nil, 1 + 1 + ratelimit.DefaultListSize},
		{"FieldWeight", `{ book(id: 1) { expensive } }`, nil, 8},
		{"ArgumentWeight", `{ search(q: "x", first: 2) { ... on Book { title } } }`, nil, 5 + 2},
		// Book branch: 1 + author 1; Person branch: 1 + 3 books.
		{"AbstractTakesDearestType", `{ node(id: 1) { id ... on Book { author { name } } ... on Person { books { id } } } }`, nil, 4},
		{"UnionFragments", `{ search(q: "x", first: 3) { ... on Person { friends { id } } ... on Book { id } } }`, nil, 5 + 3*(1+10)},
		{"ListArgumentLength", `{ nodes(ids: ["a", "b", "c"]) { id } }`, nil, 3},
		{"ListArgumentFromVariable", `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []any{"a", "b"}}, 2},
		// 10 books × (1 + connection 1 + 10 reviews × (2 + person 1 + 3 books))
		{"NestedLists", `{ books(first: 10) { reviews(first: 10) { nodes { by { books { id } } } } } }`, nil, 620},
		{"MutationCostsTen", `mutation { addBook(title: "x") { id author { name } } }`, nil, 11},
		{"MutationFieldWeight", `mutation { rate(stars: 5) }`, nil, 3},
		{"SubscriptionLikeQuery", `subscription { bookAdded { title author { name } } }`, nil, 2},
		{"SkipTrue", `query($s: Boolean!) { book(id: 1) { author @skip(if: $s) { name } } }`, map[string]any{"s": true}, 1},
		{"IncludeTrue", `query($s: Boolean!) { book(id: 1) { author @include(if: $s) { name } } }`, map[string]any{"s": true}, 2},
		{"FragmentSpread", `query { ...Q } fragment Q on Query { books(first: 2) { id } }`, nil, 2},
		{"AliasesEachCount", `{ a: book(id: 1) { id } b: book(id: 2) { id } }`, nil, 2},
		{"IntrospectionCostsTheMinimum", `{ __typename __schema { types { name fields { name } } } }`, nil, ratelimit.MinPrice},
	} {
		t.Run(tc.name, func(t *testing.T) {
			op := mustOperation(t, s, tc.query)
			if got := c.Price(op, tc.vars, false).Total; got != tc.want {
				t.Errorf("price: got %d, want %d", got, tc.want)
			}
			// The breakdown adds up to the same total.
			p := c.Price(op, tc.vars, true)
			if p.Total != tc.want {
				t.Errorf("price with breakdown: got %d, want %d", p.Total, tc.want)
			}
		})
	}
}

func TestCalculator_PriceBreakdown(t *testing.T) {
	s := mustSchema(t, testSDL)
	c := mustCalculator(t, s)
	op := mustOperation(t, s, `{ book(id: 1) { title reviews(first: 10) { pageInfo { hasNextPage } edges { node { body by { name } } } } } }`)
	got := c.Price(op, nil, true)
	want := []ratelimit.FieldPrice{
		{Path: "book", Count: 1, Weight: 1, Cost: 32},
		{Path: "book.reviews", Count: 1, Weight: 1, Cost: 31},
		{Path: "book.reviews.edges.node", Count: 10, Weight: 2, Cost: 30},
		{Path: "book.reviews.edges.node.by", Count: 10, Weight: 1, Cost: 10},
	}
	// edges cost only through their nodes: the edge itself weighs 0 but
	// its subtree does not, so it is listed.
	want = append(want[:2], append([]ratelimit.FieldPrice{{Path: "book.reviews.edges", Count: 10, Weight: 0, Cost: 30}}, want[2:]...)...)
	if got.Total != 32 || !reflect.DeepEqual(got.Fields, want) {
		t.Errorf("got %d %+v\nwant 32 %+v", got.Total, got.Fields, want)
	}
}

func TestNewCalculator_BadDeclarations(t *testing.T) {
	for name, sdl := range map[string]string{
		"WeightNotANumber": `type Query { a: Int @cost(weight: "lots") }`,
		"NegativeWeight":   `type Query { a: Int @cost(weight: "-1") }`,
		"UnknownSlicing":   `type Query { a(first: Int): [Int] @listSize(slicingArguments: ["size"]) }`,
	} {
		t.Run(name, func(t *testing.T) {
			s := mustSchema(t, directivesSDL+sdl)
			if _, err := ratelimit.NewCalculator(s, ratelimit.CalculatorOptions{}); err == nil {
				t.Error("got no error")
			}
		})
	}
}

// TestCalculator_ActualMalformed feeds the reader what the executor never
// writes: it must end, without a panic, on every input.
func TestCalculator_ActualMalformed(t *testing.T) {
	s := mustSchema(t, testSDL)
	c := mustCalculator(t, s)
	op := mustOperation(t, s, `{ books { id author { name } } }`)
	for _, data := range []string{`{`, `{"`, `{"books`, `{"books":[1}`, `{"books":[}`, `{"books":[{"id":"\\`, `{"books":[{"author":{"name":"x"}]]}`, `[`, `"`, `{"books":}`, `{"books":[{]}`} {
		c.Actual(op, []byte(data))
	}
}

func TestCalculator_Actual(t *testing.T) {
	s := mustSchema(t, testSDL)
	c := mustCalculator(t, s)
	const query = `query Q { books { id author { name } } search(q: "x") { ... on Book { id } } nodes(ids: ["a", "b", "c"]) { ...N } }
fragment N on Node { id }`
	const mutation = `mutation { addBook(title: "x") { id } rate(stars: 5) }`
	for _, tc := range []struct {
		name, op, data string
		want           int
	}{
		{"ListCountsItsRows", query, `{"books":[{"id":"1","author":null},{"id":"2","author":null},{"id":"3","author":null}]}`, 3},
		{"EmptyListCostsTheMinimum", query, `{"books":[]}`, ratelimit.MinPrice},
		{"ObjectsUnderRows", query, `{"books":[{"id":"1","author":{"name":"A \"q\" }"}},{"id":"2","author":{"name":"B"}}]}`, 2 + 2},
		{"NullObject", query, `{"books":[{"id":"1","author":null}]}`, 1},
		{"EscapedBackslashesEndStrings", query, `{"books":[{"id":"1\\","author":{"name":"\\\\\"}\\"}},{"id":"2","author":null}]}`, 2 + 1},
		{"NullDataCostsTheMinimum", query, `null`, ratelimit.MinPrice},
		{"ListSkipsNullsThroughFragments", query, `{"nodes":[{"id":"a"},null,{"id":"c"}]}`, 2},
		{"ArgumentWeightOnce", query, `{"search":[{"id":"b"}]}`, 5 + 1},
		{"EmptySearchStillPaysItsArgument", query, `{"search":[]}`, 5},
		{"Mutation", mutation, `{"addBook":{"id":"1"},"rate":4}`, 10 + 3},
		{"FailedMutationStillCosts", mutation, `{"addBook":null,"rate":4}`, 10 + 3},
		// Fields that share a response key are merged by the executor:
		// what the second asks for is charged too.
		{"SameKeyTwice", `{ book(id: "1") { id } book(id: "1") { author { books { id } } } }`,
			`{"book":{"id":"1","author":{"books":[{"id":"2"},{"id":"3"}]}}}`, 1 + 1 + 2},
		// One key, two fields through fragments on two types: the dearest.
		{"SameKeyOnTwoTypes", `{ node(id: "1") { ... on Book { x: expensive } ... on Person { x: pricey } } }`,
			`{"node":{"x":"a"}}`, 1 + 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.Actual(mustOperation(t, s, tc.op), []byte(tc.data)); got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}
