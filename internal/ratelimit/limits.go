package ratelimit

import (
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/folio/folio/internal/folio"
)

// Limits are the ceilings an operation must fit under before it runs. The
// shape limits (document size, tokens, operations, depth, aliases,
// directives, fields, fragment spreads, variables) are checked before the
// document is validated, whose work they bound; the cost limit after, on
// the validated operation.
type Limits struct {
	// MaxCost is the most one operation may cost.
	MaxCost int
	// MaxDepth is the deepest fields may nest, fragments unfolded.
	MaxDepth int
	// MaxAliases is how many aliased fields a document may hold.
	MaxAliases int
	// MaxTokens is how many lexical tokens a document may hold.
	MaxTokens int
	// MaxDirectivesPerField is how many directives one field, fragment
	// spread or inline fragment may carry.
	MaxDirectivesPerField int
	// MaxDocumentBytes is how long the document text may be.
	MaxDocumentBytes int
	// MaxOperations is how many operations a document may define.
	MaxOperations int
	// MaxFields is how many fields a document may select, each fragment
	// unfolded where it is spread: what validation and execution walk.
	MaxFields int
	// MaxSelectionFields is how many fields one selection set may hold,
	// the fragments spread into it unfolded.
	MaxSelectionFields int
	// MaxRepeatedFields is how many times one response key may be
	// selected in one selection set, fragments unfolded: validation
	// compares every pair of them (overlapping fields), so their work
	// grows with the square of this.
	MaxRepeatedFields int
	// MaxFragmentSpreads is how many fragment spreads a document may
	// make, nested fragments unfolded.
	MaxFragmentSpreads int
	// MaxVariables is how many variables one operation may declare.
	MaxVariables int
	// MaxIntrospectionDepth is how deep fields may nest under __schema or
	// __type, counted from that field. Introspection does not count toward
	// MaxDepth: its type references nest deep (GraphiQL's query 15 levels).
	MaxIntrospectionDepth int
}

// DefaultLimits fit every page Folio's frontends ask for with room to
// spare: the article page costs 272 points, nests 8 deep and takes about
// 100 tokens; a home feed of 100 articles costs 901. GraphiQL's
// introspection query, the largest document we know of, selects about 220
// fields with its fragments unfolded, through 10 spreads, and nests 15 deep.
var DefaultLimits = Limits{
	MaxCost:               1000,
	MaxDepth:              15,
	MaxAliases:            30,
	MaxTokens:             5000,
	MaxDirectivesPerField: 5,
	MaxDocumentBytes:      32 << 10,
	MaxOperations:         10,
	MaxFields:             1000,
	MaxSelectionFields:    100,
	MaxRepeatedFields:     20,
	MaxFragmentSpreads:    200,
	MaxVariables:          50,
	MaxIntrospectionDepth: 25,
}

// WithDefaults returns l with each unset (zero) limit taken from
// DefaultLimits.
func (l Limits) WithDefaults() Limits {
	defaults := DefaultLimits.each()
	for i, v := range l.each() {
		if *v <= 0 {
			*v = *defaults[i]
		}
	}
	return l
}

// each is every limit of l, in a fixed order.
func (l *Limits) each() []*int {
	return []*int{&l.MaxCost, &l.MaxDepth, &l.MaxAliases, &l.MaxTokens, &l.MaxDirectivesPerField, &l.MaxDocumentBytes, &l.MaxOperations,
		&l.MaxFields, &l.MaxSelectionFields, &l.MaxRepeatedFields, &l.MaxFragmentSpreads, &l.MaxVariables, &l.MaxIntrospectionDepth}
}

// Refusal says which ceiling an operation went over: the figure measured
// and the limit. Figure may be a lower bound when counting stopped at the
// limit (tokens).
type Refusal struct {
	// Code is the ceiling: folio.ECostLimit, EDepthLimit, ….
	Code folio.Code
	// What names the figure in the response's extensions: "cost",
	// "depth", "aliases", "tokens", "directives", "bytes", "operations".
	What   string
	Figure int
	Limit  int
}

// refusalMessages says, for each ceiling, what went over it: the figure,
// then the limit.
var refusalMessages = map[folio.Code]string{
	folio.ECostLimit:      "The operation costs %d points and at most %d are allowed. Ask for smaller pages (first/last) or fewer nested lists; send it as a dry run to see what each field costs.",
	folio.EDepthLimit:     "The operation nests %d fields deep and at most %d are allowed.",
	folio.EAliasLimit:     "The document has %d aliased fields and at most %d are allowed.",
	folio.ETokenLimit:     "The document has over %d tokens and at most %d are allowed.",
	folio.EDirectiveLimit: "A field carries %d directives and at most %d are allowed.",
	folio.EDocumentSize:   "The document is %d bytes long and at most %d are allowed.",
	folio.EOperationLimit: "The document defines %d operations and at most %d are allowed.",
	folio.EFieldLimit:     "The document selects %d fields, its fragments unfolded, and at most %d are allowed.",
	folio.ESelectionLimit: "A selection set holds %d fields, its fragments unfolded, and at most %d are allowed.",
	folio.ERepeatLimit:    "A selection set selects one field (response key) %d times and at most %d are allowed.",
	folio.ESpreadLimit:    "The document makes %d fragment spreads, nested fragments unfolded, and at most %d are allowed.",
	folio.EVariableLimit:  "An operation declares %d variables and at most %d are allowed.",
}

func (r *Refusal) Error() string {
	figure, format := r.Figure, refusalMessages[r.Code]
	switch {
	case r.What == "introspectionDepth":
		format = "The introspection nests %d fields deep and at most %d are allowed."
	case r.Code == folio.ETokenLimit:
		figure-- // counting stopped one past the limit
	case format == "":
		return fmt.Sprintf("The operation's %s is %d, over the limit of %d.", r.What, r.Figure, r.Limit)
	}
	return fmt.Sprintf(format, figure, r.Limit)
}

// Shape is what the shape limits measure in a document. Fields and
// FragmentSpreads count fragments unfolded where they are spread, and stop
// growing at math.MaxInt32; SelectionFields and RepeatedFields are the
// largest of any one selection set.
type Shape struct {
	Bytes, Tokens, Operations, Depth, Aliases, DirectivesPerField int
	Fields, SelectionFields, RepeatedFields, FragmentSpreads      int
	Variables, IntrospectionDepth                                 int
}

// MeasureShape measures query, a document not yet validated, and returns
// the first shape limit it exceeds as a *Refusal, or nil. The document is
// measured in order of cost to measure, so a huge one is refused before it
// is lexed whole or parsed; once parsed, it is walked once, each named
// fragment once however often it is spread. A document that does not parse
// is not refused here: the executor reports its syntax error.
func (l Limits) MeasureShape(query string) (Shape, error) {
	s := Shape{Bytes: len(query)}
	if s.Bytes > l.MaxDocumentBytes {
		return s, &Refusal{Code: folio.EDocumentSize, What: "bytes", Figure: s.Bytes, Limit: l.MaxDocumentBytes}
	}
	lex := lexer.New(&ast.Source{Input: query})
	for {
		tok, err := lex.ReadToken()
		if err != nil {
			return s, nil
		}
		if tok.Kind == lexer.EOF {
			break
		}
		s.Tokens++
		if s.Tokens > l.MaxTokens {
			return s, &Refusal{Code: folio.ETokenLimit, What: "tokens", Figure: s.Tokens, Limit: l.MaxTokens}
		}
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return s, nil
	}
	s.Operations = len(doc.Operations)
	m := measurer{doc: doc, widthLimit: l.MaxSelectionFields, fragments: map[string]*summary{}}
	for _, op := range doc.Operations {
		m.directives(op.Directives)
		sum := m.set(op.SelectionSet)
		s.Depth = max(s.Depth, sum.depth)
		s.Fields = satAdd(s.Fields, sum.fields)
		s.FragmentSpreads = satAdd(s.FragmentSpreads, sum.spreads)
		s.Variables = max(s.Variables, len(op.VariableDefinitions))
	}
	for _, f := range doc.Fragments {
		m.directives(f.Directives)
		m.fragment(f.Name)
	}
	s.Aliases, s.DirectivesPerField = m.aliases, m.maxDirectives
	s.SelectionFields, s.RepeatedFields, s.IntrospectionDepth = m.widest, m.maxRepeats, m.introspectionDepth
	for _, c := range []struct {
		code          folio.Code
		what          string
		figure, limit int
	}{
		{folio.EOperationLimit, "operations", s.Operations, l.MaxOperations},
		{folio.EDepthLimit, "depth", s.Depth, l.MaxDepth},
		{folio.EDepthLimit, "introspectionDepth", s.IntrospectionDepth, l.MaxIntrospectionDepth},
		{folio.EAliasLimit, "aliases", s.Aliases, l.MaxAliases},
		{folio.EDirectiveLimit, "directives", s.DirectivesPerField, l.MaxDirectivesPerField},
		{folio.EVariableLimit, "variables", s.Variables, l.MaxVariables},
		{folio.ERepeatLimit, "repeats", s.RepeatedFields, l.MaxRepeatedFields},
		{folio.ESelectionLimit, "selectionFields", s.SelectionFields, l.MaxSelectionFields},
		{folio.ESpreadLimit, "spreads", s.FragmentSpreads, l.MaxFragmentSpreads},
		{folio.EFieldLimit, "fields", s.Fields, l.MaxFields},
	} {
		if c.figure > c.limit {
			return s, &Refusal{Code: c.code, What: c.what, Figure: c.figure, Limit: c.limit}
		}
	}
	return s, nil
}

// CheckCost refuses a price over the cost ceiling.
func (l Limits) CheckCost(p Price) error {
	if p.Total > l.MaxCost {
		return &Refusal{Code: folio.ECostLimit, What: "cost", Figure: p.Total, Limit: l.MaxCost}
	}
	return nil
}

// measurer walks a parsed document once. Each named fragment is summarized
// once, so fragments spread many times, or nested to fan out, cost nothing
// more to measure; a cycle (which validation refuses later) ends the walk.
type measurer struct {
	doc       *ast.QueryDocument
	fragments map[string]*summary // nil while being measured
	// maxWidth is the selection-field limit: past it a set's response keys
	// are no longer tallied, which bounds the walk's work.
	widthLimit int

	aliases, maxDirectives int
	widest, maxRepeats     int
	introspectionDepth     int
}

// summary is what one selection set holds, fragments unfolded.
type summary struct {
	// depth counts an introspection field as 1; fullDepth counts all.
	depth, fullDepth int
	fields, spreads  int
	// width is how many fields the set itself selects; keys tallies them
	// by response key (nil past the limit of distinct keys).
	width int
	keys  map[string]int
}

var empty = &summary{}

func (m *measurer) directives(ds ast.DirectiveList) {
	m.maxDirectives = max(m.maxDirectives, len(ds))
}

// set summarizes a selection set and records its width and repeats. Aliases
// and directives are counted once per place in the document.
func (m *measurer) set(set ast.SelectionSet) *summary {
	sum := &summary{keys: map[string]int{}}
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			m.directives(s.Directives)
			key := s.Name
			if s.Alias != "" && s.Alias != s.Name {
				m.aliases++
				key = s.Alias
			}
			child := empty
			if len(s.SelectionSet) > 0 {
				child = m.set(s.SelectionSet)
			}
			if s.Name == "__schema" || s.Name == "__type" {
				m.introspectionDepth = max(m.introspectionDepth, 1+child.fullDepth)
				sum.depth = max(sum.depth, 1)
			} else {
				sum.depth = max(sum.depth, 1+child.depth)
			}
			sum.fullDepth = max(sum.fullDepth, 1+child.fullDepth)
			sum.fields = satAdd(sum.fields, satAdd(1, child.fields))
			sum.spreads = satAdd(sum.spreads, child.spreads)
			m.merge(sum, &summary{width: 1, keys: map[string]int{key: 1}})
		case *ast.InlineFragment:
			m.directives(s.Directives)
			m.unfold(sum, m.set(s.SelectionSet), 0)
		case *ast.FragmentSpread:
			m.directives(s.Directives)
			m.unfold(sum, m.fragment(s.Name), 1)
		}
	}
	m.widest = max(m.widest, sum.width)
	for _, n := range sum.keys {
		m.maxRepeats = max(m.maxRepeats, n)
	}
	return sum
}

// unfold adds what a fragment holds to the set it is spread into.
func (m *measurer) unfold(dst, src *summary, spreads int) {
	dst.depth = max(dst.depth, src.depth)
	dst.fullDepth = max(dst.fullDepth, src.fullDepth)
	dst.fields = satAdd(dst.fields, src.fields)
	dst.spreads = satAdd(dst.spreads, satAdd(spreads, src.spreads))
	m.merge(dst, src)
}

// merge adds src's fields to dst's level. Once a level holds more distinct
// response keys than a selection set may hold fields, they are no longer
// tallied: the set is refused for its width anyway, and the tally, which
// each spread of a fragment merges again, stays small.
func (m *measurer) merge(dst, src *summary) {
	if src.width == 0 {
		return
	}
	dst.width = satAdd(dst.width, src.width)
	if dst.keys == nil || src.keys == nil {
		dst.keys = nil
		return
	}
	for k, n := range src.keys {
		dst.keys[k] = satAdd(dst.keys[k], n)
	}
	if len(dst.keys) > m.widthLimit {
		dst.keys = nil
	}
}

// fragment summarizes the named fragment, once.
func (m *measurer) fragment(name string) *summary {
	if sum, ok := m.fragments[name]; ok {
		if sum == nil {
			return empty // a cycle
		}
		return sum
	}
	f := m.doc.Fragments.ForName(name)
	if f == nil {
		return empty
	}
	m.fragments[name] = nil
	sum := m.set(f.SelectionSet)
	m.fragments[name] = sum
	return sum
}
