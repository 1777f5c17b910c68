package ratelimit

import (
	"bytes"

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
// with no allocation unless more than two fields share a response key.
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
		start := s.i
		var one [2]*ast.Field // on the stack: the fields of a key are nearly always one
		fs := fieldsFor(sel, key, one[:0])
		if len(fs) == 0 {
			s.skip()
		} else {
			cost = satAdd(cost, c.value(fs, s))
		}
		if s.i == start {
			return cost // not JSON the executor writes: stop rather than spin
		}
	}
}

// value charges the fields fs, which share one response key, for the JSON
// value at s and everything under it. The executor merged them into one
// value: what it holds is selected by any of them, and it costs what the
// dearest of them costs (fragments on several types may give one key to
// different fields).
func (c *Calculator) value(fs []*ast.Field, s *scanner) int {
	f, info := fs[0], c.fields[fs[0].Definition]
	for _, g := range fs[1:] {
		if gi := c.fields[g.Definition]; gi != nil && (info == nil || gi.weight > info.weight) {
			f, info = g, gi
		}
	}
	if info == nil {
		s.skip() // introspection, __typename: free
		return 0
	}
	sel := f.SelectionSet
	if len(fs) > 1 {
		sel = nil
		for _, g := range fs {
			sel = append(sel, g.SelectionSet...)
		}
	}
	produced, under := 0, 0
	switch {
	case s.peek('n'):
		s.skip()
	case s.peek('{'):
		produced = 1
		under = c.object(sel, s)
	case s.peek('['):
		s.i++
		for s.i < len(s.b) {
			s.ws()
			if s.peek(']') {
				s.i++
				break
			}
			start := s.i
			switch {
			case s.peek(','):
				s.i++
			case s.peek('n'):
				s.skip()
			case s.peek('{'):
				produced++
				under = satAdd(under, c.object(sel, s))
			default:
				produced++
				s.skip()
			}
			if s.i == start {
				break // not JSON the executor writes: stop rather than spin
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

// fieldsFor appends to out every field of sel whose response key is key,
// through inline fragments and fragment spreads.
func fieldsFor(sel ast.SelectionSet, key []byte, out []*ast.Field) []*ast.Field {
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			name := s.Alias
			if name == "" {
				name = s.Name
			}
			if name == string(key) {
				out = append(out, s)
			}
		case *ast.InlineFragment:
			out = fieldsFor(s.SelectionSet, key, out)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				out = fieldsFor(s.Definition.SelectionSet, key, out)
			}
		}
	}
	return out
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
		return nil, false // an unterminated key
	}
	return s.b[start : s.i-1], true
}

// str skips a string, escapes and all; false if it does not end. It
// jumps from quote to quote (bytes.IndexByte): a quote is the string's end
// unless an odd run of backslashes escapes it.
func (s *scanner) str() bool {
	s.i++ // opening quote
	start := s.i
	for {
		j := bytes.IndexByte(s.b[s.i:], '"')
		if j < 0 {
			s.i = len(s.b)
			return false
		}
		s.i += j
		escapes := 0
		for k := s.i - 1; k >= start && s.b[k] == '\\'; k-- {
			escapes++
		}
		s.i++
		if escapes%2 == 0 {
			return true
		}
	}
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
