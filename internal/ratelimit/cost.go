// Package ratelimit prices GraphQL operations from the schema and charges
// the price to each client's budget: a leaky bucket in Redis, shared by every
// instance, with a per-instance bucket in memory when Redis is unreachable.
//
// Prices come from the @cost and @listSize directives of the IBM GraphQL Cost
// Directives specification, declared in the schema itself, so that clients
// see by introspection and in the SDL what each field costs.
package ratelimit

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// The cost model's defaults, used where the schema declares nothing.
const (
	// DefaultObjectWeight is what each object, interface or union value
	// costs: roughly one row read.
	DefaultObjectWeight = 1
	// DefaultMutationWeight is what each mutation root field costs: a
	// write, its checks and the invalidations it causes.
	DefaultMutationWeight = 10
	// DefaultListSize is the size assumed for a list that declares neither
	// slicing arguments nor an assumed size.
	DefaultListSize = 10
)

// costCap bounds every sum and product: a price that large is refused
// anyway, and it must not overflow into a small one.
const costCap = math.MaxInt32

// MinPrice is the least any operation costs, whatever it selects: reading,
// parsing and validating its document is work, so no document is free,
// however many times it asks for nothing but __typename or introspection.
const MinPrice = 1

// CalculatorOptions tune how list sizes are read.
type CalculatorOptions struct {
	// MaxListSize, when positive, caps the size read from a slicing
	// argument. A field refuses a larger page itself, with a clearer error
	// than a cost refusal, so the price need not go higher.
	MaxListSize int
	// DefaultListSize is the size of a list that declares none; zero means
	// the package's DefaultListSize.
	DefaultListSize int
}

// Calculator prices operations from the @cost and @listSize declarations of
// one schema. It is safe for concurrent use.
type Calculator struct {
	schema *ast.Schema
	fields map[*ast.FieldDefinition]*fieldInfo
	opts   CalculatorOptions
}

// fieldInfo is what the declarations say about one field definition.
type fieldInfo struct {
	weight     int  // what each value the field produces costs
	leaf       bool // a scalar or enum
	write      bool // a mutation's root field: charged whatever it returns
	list       bool
	slicing    []string // arguments whose value is the list's size
	assumed    int      // the size when no slicing argument is given; -1 if undeclared
	sized      []string // child fields whose size is this field's slice (connections)
	argWeights map[string]int
}

// NewCalculator reads the cost declarations of s. A weight that is not an
// integer is an error: the schema is wrong, and pricing would be too.
func NewCalculator(s *ast.Schema, o CalculatorOptions) (*Calculator, error) {
	if o.DefaultListSize <= 0 {
		o.DefaultListSize = DefaultListSize
	}
	c := &Calculator{schema: s, fields: map[*ast.FieldDefinition]*fieldInfo{}, opts: o}
	for _, def := range s.Types {
		// Introspection is free: its types are left out.
		if (def.Kind != ast.Object && def.Kind != ast.Interface) || strings.HasPrefix(def.Name, "__") {
			continue
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			info, err := c.readField(def, f)
			if err != nil {
				return nil, fmt.Errorf("cost of %s.%s: %w", def.Name, f.Name, err)
			}
			c.fields[f] = info
		}
	}
	return c, nil
}

func (c *Calculator) readField(parent *ast.Definition, f *ast.FieldDefinition) (*fieldInfo, error) {
	named := c.schema.Types[f.Type.Name()]
	if named == nil {
		return nil, fmt.Errorf("unknown type %s", f.Type.Name())
	}
	info := &fieldInfo{
		leaf:    named.Kind == ast.Scalar || named.Kind == ast.Enum,
		list:    f.Type.Elem != nil,
		assumed: -1,
	}
	switch {
	case f.Directives.ForName("cost") != nil:
		w, err := weightOf(f.Directives)
		if err != nil {
			return nil, err
		}
		info.weight = w
		info.write = c.schema.Mutation != nil && parent.Name == c.schema.Mutation.Name
	case c.schema.Mutation != nil && parent.Name == c.schema.Mutation.Name:
		info.weight = DefaultMutationWeight
		info.write = true
	case named.Directives.ForName("cost") != nil:
		w, err := weightOf(named.Directives)
		if err != nil {
			return nil, err
		}
		info.weight = w
	case !info.leaf:
		info.weight = DefaultObjectWeight
	}
	for _, a := range f.Arguments {
		if a.Directives.ForName("cost") == nil {
			continue
		}
		w, err := weightOf(a.Directives)
		if err != nil {
			return nil, fmt.Errorf("argument %s: %w", a.Name, err)
		}
		if info.argWeights == nil {
			info.argWeights = map[string]int{}
		}
		info.argWeights[a.Name] = w
	}
	if ls := f.Directives.ForName("listSize"); ls != nil {
		if a := ls.Arguments.ForName("assumedSize"); a != nil && a.Value.Kind != ast.NullValue {
			n, err := strconv.Atoi(a.Value.Raw)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("@listSize(assumedSize: %s) is not a size", a.Value.Raw)
			}
			info.assumed = n
		}
		info.slicing = stringList(ls.Arguments.ForName("slicingArguments"))
		info.sized = stringList(ls.Arguments.ForName("sizedFields"))
		for _, name := range info.slicing {
			if f.Arguments.ForName(name) == nil {
				return nil, fmt.Errorf("@listSize slices by %q, which is not an argument", name)
			}
		}
	}
	return info, nil
}

// weightOf reads @cost(weight:) from ds. The specification types the weight
// as a String so that it can carry decimals; Folio's are whole numbers.
func weightOf(ds ast.DirectiveList) (int, error) {
	a := ds.ForName("cost").Arguments.ForName("weight")
	if a == nil {
		return 0, fmt.Errorf("@cost has no weight")
	}
	w, err := strconv.Atoi(a.Value.Raw)
	if err != nil || w < 0 {
		return 0, fmt.Errorf("@cost(weight: %q) is not a whole number of points", a.Value.Raw)
	}
	return w, nil
}

func stringList(a *ast.Argument) []string {
	if a == nil || a.Value == nil {
		return nil
	}
	var out []string
	for _, c := range a.Value.Children {
		out = append(out, c.Value.Raw)
	}
	return out
}

// Price is what an operation costs before it runs: the most it can cost,
// with every list as long as its page allows.
type Price struct {
	Total int
	// Fields is the breakdown, when asked for: every field that costs
	// something, in document order.
	Fields []FieldPrice
}

// FieldPrice is one field's share of a price.
type FieldPrice struct {
	// Path names the field by response keys (aliases), e.g.
	// "articles.edges.node.author".
	Path string `json:"path"`
	// Count is how many values the field may produce in the whole
	// response: the product of the page sizes above it and its own.
	Count int `json:"count"`
	// Weight is what each value costs.
	Weight int `json:"weight"`
	// Cost is the field's and everything under it: Count × Weight plus the
	// cost of its selections.
	Cost int `json:"cost"`
}

// Price prices op, a validated operation of doc, with its variables. With
// breakdown the price lists each field's share. The total is at least
// MinPrice.
func (c *Calculator) Price(op *ast.OperationDefinition, vars map[string]any, breakdown bool) Price {
	var root *ast.Definition
	switch op.Operation {
	case ast.Mutation:
		root = c.schema.Mutation
	case ast.Subscription:
		// A subscription is priced when it starts, like the query that each
		// of its events answers.
		root = c.schema.Subscription
	default:
		root = c.schema.Query
	}
	p := pricer{c: c, vars: vars, breakdown: breakdown}
	total := p.selection(op.SelectionSet, root, "", 1, nil, 0)
	return Price{Total: max(total, MinPrice), Fields: p.fields}
}

type pricer struct {
	c         *Calculator
	vars      map[string]any
	breakdown bool
	fields    []FieldPrice
}

// selection prices set on typ, evaluated count times. Children named in
// sized take slice as their size (the page of the connection above). On an
// abstract type with fragments for particular types, the price is that of
// the most expensive possible type.
func (p *pricer) selection(set ast.SelectionSet, typ *ast.Definition, path string, count int, sized []string, slice int) int {
	if typ == nil || (!typ.IsAbstractType() || !p.narrows(set, typ, 0)) {
		return p.collect(set, typ, path, count, sized, slice)
	}
	best, mark := -1, len(p.fields)
	var bestFields []FieldPrice
	for _, pt := range p.c.schema.GetPossibleTypes(typ) {
		cost := p.collect(set, pt, path, count, sized, slice)
		if cost > best {
			best = cost
			if p.breakdown {
				bestFields = append(bestFields[:0], p.fields[mark:]...)
			}
		}
		p.fields = p.fields[:mark]
	}
	p.fields = append(p.fields, bestFields...)
	return max(best, 0)
}

// narrows reports whether set has fragments that apply to some of typ's
// possible types only.
func (p *pricer) narrows(set ast.SelectionSet, typ *ast.Definition, depth int) bool {
	if depth > 32 {
		return false
	}
	for _, s := range set {
		switch s := s.(type) {
		case *ast.InlineFragment:
			if (s.TypeCondition != "" && s.TypeCondition != typ.Name) || p.narrows(s.SelectionSet, typ, depth+1) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && (s.Definition.TypeCondition != typ.Name || p.narrows(s.Definition.SelectionSet, typ, depth+1)) {
				return true
			}
		}
	}
	return false
}

// collect prices the selections of set that apply to obj.
func (p *pricer) collect(set ast.SelectionSet, obj *ast.Definition, path string, count int, sized []string, slice int) int {
	total := 0
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			if p.included(s.Directives) {
				total = satAdd(total, p.field(s, path, count, sized, slice))
			}
		case *ast.InlineFragment:
			if p.included(s.Directives) && p.applies(s.TypeCondition, obj) {
				total = satAdd(total, p.collect(s.SelectionSet, obj, path, count, sized, slice))
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && p.included(s.Directives) && p.applies(s.Definition.TypeCondition, obj) {
				total = satAdd(total, p.collect(s.Definition.SelectionSet, obj, path, count, sized, slice))
			}
		}
	}
	return total
}

func (p *pricer) field(f *ast.Field, path string, count int, sized []string, slice int) int {
	info := p.c.fields[f.Definition]
	if info == nil { // __typename, introspection
		return 0
	}
	size := 1
	if info.list {
		size = p.c.listSize(f, info, p.vars)
	}
	if slices.Contains(sized, f.Name) {
		size = slice
	}
	n := satMul(count, size)
	cost := satMul(info.weight, n)
	for name, w := range info.argWeights {
		if a := f.Arguments.ForName(name); a != nil {
			cost = satAdd(cost, satMul(w, count))
		}
	}
	// The path only names the rows of a breakdown: without one, building
	// it was an allocation per field priced.
	key := ""
	if p.breakdown {
		key = f.Alias
		if path != "" {
			key = path + "." + f.Alias
		}
	}
	mark := len(p.fields)
	if p.breakdown {
		p.fields = append(p.fields, FieldPrice{Path: key, Count: n, Weight: info.weight})
	}
	if !info.leaf {
		var childSized []string
		childSlice := 0
		if len(info.sized) > 0 {
			childSized, childSlice = info.sized, p.c.listSize(f, info, p.vars)
		}
		cost = satAdd(cost, p.selection(f.SelectionSet, p.c.schema.Types[f.Definition.Type.Name()], key, n, childSized, childSlice))
	}
	if p.breakdown {
		if cost == 0 {
			p.fields = slices.Delete(p.fields, mark, mark+1)
		} else {
			p.fields[mark].Cost = cost
		}
	}
	return cost
}

// listSize is the size of field f's list: the largest slicing argument
// given, else the assumed size, else the default.
func (c *Calculator) listSize(f *ast.Field, info *fieldInfo, vars map[string]any) int {
	size := -1
	for _, name := range info.slicing {
		a := f.Arguments.ForName(name)
		if a == nil {
			continue
		}
		if n, ok := sizeOf(a.Value, vars); ok {
			size = max(size, n)
		}
	}
	switch {
	case size >= 0:
		if c.opts.MaxListSize > 0 {
			size = min(size, c.opts.MaxListSize)
		}
		return size
	case info.assumed >= 0:
		return info.assumed
	default:
		return c.opts.DefaultListSize
	}
}

// sizeOf reads a slicing argument: an integer, or a list whose length is
// the size (Folio's extension to the specification, for nodes(ids:)).
// Null or absent is no size.
func sizeOf(v *ast.Value, vars map[string]any) (int, bool) {
	switch v.Kind {
	case ast.IntValue:
		n, err := strconv.Atoi(v.Raw)
		return max(n, 0), err == nil
	case ast.ListValue:
		return len(v.Children), true
	case ast.Variable:
		x, _ := v.Value(vars)
		return sizeOfValue(x)
	}
	return 0, false
}

func sizeOfValue(x any) (int, bool) {
	var n int64
	switch x := x.(type) {
	case int:
		n = int64(x)
	case int32:
		n = int64(x)
	case int64:
		n = x
	case float64:
		n = int64(x)
	case json.Number:
		i, err := x.Int64()
		if err != nil {
			return 0, false
		}
		n = i
	case []any:
		n = int64(len(x))
	default:
		return 0, false
	}
	return int(max(0, min(n, costCap))), true
}

// included evaluates @skip and @include.
func (p *pricer) included(ds ast.DirectiveList) bool {
	for _, d := range ds {
		if d.Name != "skip" && d.Name != "include" {
			continue
		}
		a := d.Arguments.ForName("if")
		if a == nil {
			continue
		}
		v, _ := a.Value.Value(p.vars)
		if b, ok := v.(bool); ok && b == (d.Name == "skip") {
			return false
		}
	}
	return true
}

// applies reports whether a fragment on cond applies to obj.
func (p *pricer) applies(cond string, obj *ast.Definition) bool {
	if cond == "" || obj == nil || cond == obj.Name {
		return true
	}
	if slices.Contains(obj.Interfaces, cond) {
		return true
	}
	if def := p.c.schema.Types[cond]; def != nil && def.Kind == ast.Union {
		return slices.Contains(def.Types, obj.Name)
	}
	return false
}

func satAdd(a, b int) int { return min(a+b, costCap) }

func satMul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a > costCap/b {
		return costCap
	}
	return min(a*b, costCap)
}
