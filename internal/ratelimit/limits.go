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
// directives) are checked before the document is validated, whose work
// they bound; the cost limit after, on the validated operation.
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
}

// DefaultLimits fit every page Folio's frontends ask for with room to
// spare: the article page costs 272 points, nests 8 deep and takes about
// 100 tokens; a home feed of 100 articles costs 901.
var DefaultLimits = Limits{
	MaxCost:               1000,
	MaxDepth:              15,
	MaxAliases:            30,
	MaxTokens:             5000,
	MaxDirectivesPerField: 5,
	MaxDocumentBytes:      32 << 10,
	MaxOperations:         10,
}

// WithDefaults returns l with each unset (zero) limit taken from
// DefaultLimits.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits
	pick := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	pick(&l.MaxCost, d.MaxCost)
	pick(&l.MaxDepth, d.MaxDepth)
	pick(&l.MaxAliases, d.MaxAliases)
	pick(&l.MaxTokens, d.MaxTokens)
	pick(&l.MaxDirectivesPerField, d.MaxDirectivesPerField)
	pick(&l.MaxDocumentBytes, d.MaxDocumentBytes)
	pick(&l.MaxOperations, d.MaxOperations)
	return l
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

func (r *Refusal) Error() string {
	switch r.Code {
	case folio.ECostLimit:
		return fmt.Sprintf("The operation costs %d points and at most %d are allowed. Ask for smaller pages (first/last) or fewer nested lists; send it as a dry run to see what each field costs.", r.Figure, r.Limit)
	case folio.EDepthLimit:
		return fmt.Sprintf("The operation nests %d fields deep and at most %d are allowed.", r.Figure, r.Limit)
	case folio.EAliasLimit:
		return fmt.Sprintf("The document has %d aliased fields and at most %d are allowed.", r.Figure, r.Limit)
	case folio.ETokenLimit:
		return fmt.Sprintf("The document has over %d tokens and at most %d are allowed.", r.Figure-1, r.Limit)
	case folio.EDirectiveLimit:
		return fmt.Sprintf("A field carries %d directives and at most %d are allowed.", r.Figure, r.Limit)
	case folio.EDocumentSize:
		return fmt.Sprintf("The document is %d bytes long and at most %d are allowed.", r.Figure, r.Limit)
	case folio.EOperationLimit:
		return fmt.Sprintf("The document defines %d operations and at most %d are allowed.", r.Figure, r.Limit)
	}
	return fmt.Sprintf("The operation's %s is %d, over the limit of %d.", r.What, r.Figure, r.Limit)
}

// Shape is what the shape limits measure in a document.
type Shape struct {
	Bytes, Tokens, Operations, Depth, Aliases, DirectivesPerField int
}

// MeasureShape measures query, a document not yet validated, and returns
// the first shape limit it exceeds as a *Refusal, or nil. The document is
// measured in order of cost to measure, so a huge one is refused before it
// is lexed whole or parsed. A document that does not parse is not refused
// here: the executor reports its syntax error.
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
	m := measurer{doc: doc, depths: map[string]int{}}
	for _, op := range doc.Operations {
		m.directives(op.Directives)
		s.Depth = max(s.Depth, m.depth(op.SelectionSet))
	}
	for _, f := range doc.Fragments {
		m.directives(f.Directives)
		m.depth(f.SelectionSet)
	}
	s.Aliases, s.DirectivesPerField = m.aliases, m.maxDirectives
	switch {
	case s.Operations > l.MaxOperations:
		return s, &Refusal{Code: folio.EOperationLimit, What: "operations", Figure: s.Operations, Limit: l.MaxOperations}
	case s.Depth > l.MaxDepth:
		return s, &Refusal{Code: folio.EDepthLimit, What: "depth", Figure: s.Depth, Limit: l.MaxDepth}
	case s.Aliases > l.MaxAliases:
		return s, &Refusal{Code: folio.EAliasLimit, What: "aliases", Figure: s.Aliases, Limit: l.MaxAliases}
	case s.DirectivesPerField > l.MaxDirectivesPerField:
		return s, &Refusal{Code: folio.EDirectiveLimit, What: "directives", Figure: s.DirectivesPerField, Limit: l.MaxDirectivesPerField}
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

// measurer walks a parsed document. Each named fragment's depth is measured
// once, so fragments spread many times cost nothing more to measure, and a
// cycle (which validation refuses later) ends the walk.
type measurer struct {
	doc                    *ast.QueryDocument
	depths                 map[string]int // fragment name → depth; -1 while being measured
	aliases, maxDirectives int
}

func (m *measurer) directives(ds ast.DirectiveList) {
	m.maxDirectives = max(m.maxDirectives, len(ds))
}

// depth is how deep set's fields nest; it also counts aliases and
// directives on the way, once per place in the document.
func (m *measurer) depth(set ast.SelectionSet) int {
	d := 0
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			m.directives(s.Directives)
			if s.Alias != "" && s.Alias != s.Name {
				m.aliases++
			}
			if s.Name == "__schema" || s.Name == "__type" {
				// Introspection nests type references deep (GraphiQL's
				// query 15 levels); validation bounds its recursion.
				d = max(d, 1)
				continue
			}
			d = max(d, 1+m.depth(s.SelectionSet))
		case *ast.InlineFragment:
			m.directives(s.Directives)
			d = max(d, m.depth(s.SelectionSet))
		case *ast.FragmentSpread:
			m.directives(s.Directives)
			d = max(d, m.fragmentDepth(s.Name))
		}
	}
	return d
}

func (m *measurer) fragmentDepth(name string) int {
	if d, ok := m.depths[name]; ok {
		return max(d, 0)
	}
	f := m.doc.Fragments.ForName(name)
	if f == nil {
		return 0
	}
	m.depths[name] = -1
	// Aliases and directives inside fragments are counted when the
	// fragment definitions themselves are walked, not per spread.
	saved := *m
	d := m.depth(f.SelectionSet)
	m.aliases, m.maxDirectives = saved.aliases, max(saved.maxDirectives, m.maxDirectives)
	m.depths[name] = d
	return d
}
