package ratelimit

import (
	"github.com/vektah/gqlparser/v2/ast"
)

// Actual is what an operation really cost, read from the data of its
// response: each field's weight for every value it produced (null values
// cost nothing; a mutation's root field costs its weight even when it
// failed), plus the weights of the weighted arguments given, and at least
// MinPrice. Price bounds it from above.
//
// Reading the response, rather than watching each field resolve, keeps the
// executor free of a per-field hook: the walk is one pass over the bytes,
// with no allocation.
func (c *Calculator) Actual(op *ast.OperationDefinition, data []byte) int {
	s := scanner{b: data}
	s.ws()
	if !s.peek('{') {
		return MinPrice
	}
	return max(c.object(op.SelectionSet, &s), MinPrice)
}

// object charges the fields of the JSON object at s, selected by sel.
func (c *Calculator) object(sel ast.SelectionSet, s *scanner) int {
	cost := 0
	s.i++ // {
	for {
		s.ws()
		if s.peek('}') {
			s.i++
			return cost
		}
		if s.peek(',') {
			s.i++
			continue
		}
		key, ok := s.key()
		if !ok {
			return cost
		}
		s.ws()
		if !s.peek(':') {
			return cost
		}
		s.i++
		s.ws()
		f := fieldFor(sel, key)
		if f == nil {
			s.skip()
			continue
		}
		cost = satAdd(cost, c.value(f, s))
	}
}

// value charges field f for the JSON value at s and everything under it.
func (c *Calculator) value(f *ast.Field, s *scanner) int {
	info := c.fields[f.Definition]
	if info == nil {
		s.skip() // introspection, __typename: free
		return 0
	}
	produced, under := 0, 0
	switch {
	case s.peek('n'):
		s.skip()
	case s.peek('{'):
		produced = 1
		under = c.object(f.SelectionSet, s)
	case s.peek('['):
		s.i++
		for {
			s.ws()
			if s.peek(']') {
				s.i++
				break
			}
			switch {
			case s.peek(','):
				s.i++
			case s.peek('n'):
				s.skip()
			case s.peek('{'):
				produced++
				under = satAdd(under, c.object(f.SelectionSet, s))
			default:
				produced++
				s.skip()
			}
			if s.i >= len(s.b) {
				break
			}
		}
	default:
		produced = 1
		s.skip()
	}
	cost := 0
	switch {
	case info.write:
		// A write costs its work whether it succeeded or not, lest failed
		// writes be free to repeat.
		cost = info.weight
	case info.weight != 0:
		cost = satMul(info.weight, produced)
	}
	for name, w := range info.argWeights {
		if f.Arguments.ForName(name) != nil {
			cost = satAdd(cost, w)
		}
	}
	return satAdd(cost, under)
}

// fieldFor finds the field of sel whose response key is key, through
// inline fragments and fragment spreads. Fields sharing a response key
// are, by validation, the same field.
func fieldFor(sel ast.SelectionSet, key []byte) *ast.Field {
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			name := s.Alias
			if name == "" {
				name = s.Name
			}
			if name == string(key) {
				return s
			}
		case *ast.InlineFragment:
			if f := fieldFor(s.SelectionSet, key); f != nil {
				return f
			}
		case *ast.FragmentSpread:
			if s.Definition != nil {
				if f := fieldFor(s.Definition.SelectionSet, key); f != nil {
					return f
				}
			}
		}
	}
	return nil
}

// scanner reads the JSON the executor wrote, which is valid: it only
// needs to find its way, not to check. On bytes that are not JSON it still
// moves forward at every step and ends, with some count.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) peek(c byte) bool { return s.i < len(s.b) && s.b[s.i] == c }

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// key reads an object key. Response keys are GraphQL names, which need no
// escapes.
func (s *scanner) key() ([]byte, bool) {
	if !s.peek('"') {
		return nil, false
	}
	start := s.i + 1
	if !s.str() {
		return nil, false
	}
	return s.b[start : s.i-1], true
}

// str skips a string, escapes and all, and reports whether it was closed.
func (s *scanner) str() bool {
	s.i++ // opening quote
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			s.i += 2
		case '"':
			s.i++
			return true
		default:
			s.i++
		}
	}
	return false
}

// skip skips one value.
func (s *scanner) skip() {
	if s.i >= len(s.b) {
		return
	}
	switch s.b[s.i] {
	case '"':
		s.str()
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				s.str()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return
				}
			}
			s.i++
		}
	default: // number, true, false, null
		start := s.i
	scan:
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				break scan
			}
			s.i++
		}
		if s.i == start { // a stray delimiter where a value belongs
			s.i++
		}
	}
}
