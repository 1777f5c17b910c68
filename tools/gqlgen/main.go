// Command gqlgen runs gqlgen's generator (`go generate ./...` calls it) with
// Folio's one change to the executor it writes: the fields and list
// elements under the root run on the goroutine that reached them.
//
// gqlgen starts a goroutine for every resolver field of every object and
// for every element of every list of objects, so that resolvers that block
// on I/O overlap. In Folio none below the root does: a root field hands its
// selection to graph's planner, which loads every level of the query in
// batches before the root field returns, and the resolvers below only read
// the request's memo. Their goroutines, the deferred groups made for them
// and the stacks they grow were half the executor's cost per request (see
// issue 12's profile). A field the planner does not foresee still works,
// running its load in line.
//
// And a field that only reads a scalar from its object (a struct field or
// a method with no context and no error, no arguments, no directive) is
// marshalled straight from the object: gqlgen's way makes a field context,
// a context, three closures and a boxed value for each, for a field no
// middleware may see (Folio's only field middleware hooks mutation root
// fields) and that cannot fail. Strings, ints, times and node IDs the row
// holds are written from where they lie, into the response's buffer
// (graph's stringAt, intAt, timeAt, nodeIDJSON), and bools as constants.
// Should the scalar's marshaller refuse the value of a non-null field (a
// zero time), the field falls back to gqlgen's way, which reports the
// error with its path; a nullable field's null is its answer.
//
// The steps fail loudly if gqlgen's output changes shape, so the change can
// never lapse silently:
//   - a plugin marks every non-root object as not concurrent, gqlgen's own
//     switch (it sets it for the mutation type), and lists the plain
//     scalar fields;
//   - the written executor is rewritten: lists of objects are marshalled by
//     graph.marshalSlice, in line; objects collect their fields through
//     graph.collectFields, which remembers plain selection sets across
//     requests; an object whose fields never defer gets
//     a zero deferred group instead of one made (and its path computed) for
//     every object, and is written by graph.objectJSON, without the map and
//     the copies gqlgen's field set makes to write itself, its values kept
//     in it (graph.newObjectJSON, from the operation's graph.opSlab, made
//     a chunk at a time) rather than in a field set; each plain scalar
//     field gets a fast path in front of gqlgen's function, which is kept as
//     its fallback; a field below the root reads its arguments through
//     graph.argsOf, once an operation rather than once a row; a query's
//     data is written by graph.marshalData; a field's context gets no
//     Child closure (it serves field middleware, which Folio has none of);
//     a field without a directive is resolved by graph.resolveField,
//     which calls its resolver without field middleware, so the closures
//     made for it stay on the stack; and each field's fieldContext_
//     function makes its field context in the frame resolveField hands it
//     (graph.fieldContextIn), one allocation with the context that carries
//     it.
package main

import (
	"bytes"
	"fmt"
	goast "go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"regexp"
	"strings"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
	"github.com/vektah/gqlparser/v2/ast"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gqlgen:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.LoadConfigFromDefaultLocations()
	if err != nil {
		return err
	}
	in := &inline{plain: map[string]plainField{}, below: map[string]bool{}}
	if err := api.Generate(cfg, api.AddPlugin(in)); err != nil {
		return err
	}
	return rewrite(cfg.Exec.Filename, in.plain, in.below)
}

// inline marks every object below the root as not concurrent, and finds
// the plain scalar fields.
type inline struct {
	// plain maps the executor's function of each plain scalar field
	// ("_Article_title") to how it is marshalled from obj.
	plain map[string]plainField
	// below holds the objects below the root (not introspection's).
	below map[string]bool
}

func (*inline) Name() string { return "folio-inline" }

func (in *inline) GenerateCode(data *codegen.Data) error {
	n := 0
	for _, o := range data.Objects {
		if o.Root {
			continue
		}
		o.DisableConcurrency = true
		n++
		if o.IsReserved() { // introspection's: not worth it
			continue
		}
		in.below[o.Name] = true
		for _, f := range o.Fields {
			if m, ok := plainScalar(f); ok {
				in.plain["_"+o.Name+"_"+f.Name] = plainField{expr: m, nullable: !f.TypeReference.GQL.NonNull}
			}
		}
	}
	if n == 0 || len(in.plain) == 0 {
		return fmt.Errorf("no objects to mark or plain fields to find: has gqlgen's codegen.Data changed?")
	}
	return nil
}

const gqlgenGraphQL = "github.com/99designs/gqlgen/graphql"

// plainScalar returns the expression that marshals f from obj, when f only
// reads a scalar that one of gqlgen's marshallers takes as it is.
func plainScalar(f *codegen.Field) (string, bool) {
	if f.IsResolver || f.MethodHasContext || f.VOkFunc || f.HasHaser || f.Stream || f.Batch ||
		len(f.Args) > 0 || len(f.Directives) > 0 || f.GoFieldName == "" {
		return "", false
	}
	var read string
	switch {
	case f.GoFieldType == codegen.GoFieldVariable:
		read = "obj." + f.GoFieldName
	case f.GoFieldType == codegen.GoFieldMethod && f.NoErr:
		read = "obj." + f.GoFieldName + "()"
	default:
		return "", false
	}
	ref := f.TypeReference
	if ref == nil || ref.Definition == nil || ref.Definition.Kind != ast.Scalar || ref.CastType != nil ||
		ref.IsContext || ref.Marshaler == nil || ref.Marshaler.Pkg() == nil || ref.Marshaler.Pkg().Path() != gqlgenGraphQL {
		return "", false
	}
	sig, ok := ref.Marshaler.Type().(*types.Signature)
	if !ok || sig.Params().Len() != 1 {
		return "", false
	}
	takes := sig.Params().At(0).Type()
	marshal := "graphql." + ref.Marshaler.Name()
	if same(ref.GO, takes) {
		// A string the object holds is written from where it lies
		// (graph.stringAt), without the closure MarshalString makes.
		held := f.GoFieldType == codegen.GoFieldVariable
		switch goType := types.TypeString(ref.GO, nil); {
		case marshal == "graphql.MarshalString" && held && goType == "string":
			return "graphql.Marshaler((*stringAt)(&" + read + "))", true
		case marshal == "graphql.MarshalInt" && held && goType == "int":
			return "graphql.Marshaler((*intAt)(&" + read + "))", true // graph.intAt
		case marshal == "graphql.MarshalInt" && goType == "int":
			return "graphql.Marshaler(intJSON(" + read + "))", true // graph.intJSON
		case marshal == "graphql.MarshalTime" && held && goType == "time.Time":
			return "timeJSON(&" + read + ")", true // graph.timeAt
		case marshal == "graphql.MarshalBoolean" && goType == "bool":
			return "boolJSON(" + read + ")", true
		case marshal == "graphql.MarshalID" && read == "obj.NodeID()":
			return "nodeIDJSON(obj)", true // graph.nodeIDJSON
		}
		return marshal + "(" + read + ")", true
	}
	// A nullable scalar held or returned by pointer: nil is null (which
	// the fast path leaves to gqlgen's way, so a method returning nil runs
	// twice; such methods only read their object).
	if p, ok := ref.GO.(*types.Pointer); ok && !ref.GQL.NonNull && same(p.Elem(), takes) {
		switch elem := types.TypeString(p.Elem(), nil); {
		case marshal == "graphql.MarshalString" && elem == "string":
			return "stringPtr(" + read + ")", true // graph.stringAt's way, for a *string
		case marshal == "graphql.MarshalTime" && elem == "time.Time":
			return "timePtr(" + read + ")", true // graph.timeAt's way, for a *time.Time
		}
		return "marshalPtr(" + read + ", " + marshal + ")", true
	}
	return "", false
}

// scalarMarshals are the type marshallers' calls of gqlgen's scalar
// marshallers that are replaced, with their replacements.
var scalarMarshals = []struct{ gqlgen, folio []byte }{
	{[]byte("res := graphql.MarshalInt(v)\n"), []byte("res := graphql.Marshaler(intJSON(v))\n")},
	{[]byte("res := graphql.MarshalInt(*v)\n"), []byte("res := graphql.Marshaler(intJSON(*v))\n")},
	{[]byte("res := graphql.MarshalBoolean(v)\n"), []byte("res := boolJSON(v)\n")},
	{[]byte("res := graphql.MarshalBoolean(*v)\n"), []byte("res := boolJSON(*v)\n")},
}

var (
	sliceCall   = []byte("graphql.MarshalSliceConcurrently(")
	collectCall = []byte("graphql.CollectFields(ec.OperationContext, sel, ")
	// A query's data is written into a buffer so (graph.marshalData).
	queryData    = []byte("\t\t\tvar buf bytes.Buffer\n\t\t\tdata.MarshalGQL(&buf)\n\t\t\tresponse.Data = buf.Bytes()\n")
	deferredMake = "\tdeferred := graphql.NewDeferredGroup(ctx)\n"
	// A field context's Child, as gqlgen writes it for an object field.
	childFunc = regexp.MustCompile(`\t\tChild: func\(ctx context\.Context, field graphql\.CollectedField\) \(\*graphql\.FieldContext, error\) \{\n\t\t\treturn ec\.childFields_[A-Za-z0-9_]+\(ctx, field\)\n\t\t\},\n`)
	// The function a Child closure called, left with no caller.
	childFieldsFunc = "func (ec *executionContext) childFields_"
	funcStart       = regexp.MustCompile(`(?m)^func `)
	// An object's function makes its field set so, and returns it last.
	// A field's context reads its arguments so.
	argsCall       = regexp.MustCompile(`ec\.(field_([A-Za-z0-9]+)_[A-Za-z0-9]+_args)\(ctx, field\.ArgumentMap\(ec\.Variables\)\)`)
	fieldSetMake   = "\tout := graphql.NewFieldSet(fields)\n"
	fieldSetReturn = "\n\treturn out\n}\n"
	// Its non-concurrent fields set their values in line; Dispatch then
	// runs nothing.
	fieldSetDispatch = "\tout.Dispatch(ctx)\n"
	objectJSONMake   = "\tout := ec.slab.object(fields)\n"
	// The executor's state, to which the operation's opSlab is added.
	execContextType = "type executionContext struct {\n\t*graphql.ExecutionContextState[ResolverRoot, DirectiveRoot, ComplexityRoot]\n}\n"
	// The executor's function for a field: its name and its object's type.
	fieldFunc = regexp.MustCompile(`^func \(ec \*executionContext\) (_[A-Za-z0-9]+_[A-Za-z0-9_]+)\(ctx context\.Context, field graphql\.CollectedField, obj (\*?[A-Za-z0-9_.]+)\) \(ret graphql\.Marshaler\) \{`)
)

// A field's fieldContext_ function: its first line, and the two ways
// gqlgen makes the field context in it.
const (
	fieldContextFunc  = "func (ec *executionContext) fieldContext_"
	fieldContextLit   = "\tfc = &graphql.FieldContext{\n"
	fieldContextEnd   = "\n\t}\n"
	scalarContextCall = "return graphql.NewScalarFieldContext("
	fieldContextWith  = "ctx = graphql.WithFieldContext(ctx, fc)"
)

// inFrame has the fieldContext_ function fn make its field context in the
// frame graph.resolveField hands it as its context (graph.fieldContextIn,
// graph.scalarFieldContextIn) and carry it through graph.withFieldContext;
// it fails on a function made any other way.
func inFrame(fn string) (string, error) {
	head, _, _ := strings.Cut(fn, "\n")
	fn = strings.Replace(fn, head, strings.Replace(head, "(_ context.Context, ", "(ctx context.Context, ", 1), 1)
	switch at := strings.Index(fn, fieldContextLit); {
	case at >= 0:
		end := strings.Index(fn[at:], fieldContextEnd)
		if end < 0 {
			return "", fmt.Errorf("no end to the field context of %s", head)
		}
		end += at
		fn = fn[:at] + "\tfc = fieldContextIn(ctx, graphql.FieldContext{\n" + fn[at+len(fieldContextLit):end] + "\n\t})\n" + fn[end+len(fieldContextEnd):]
	case strings.Contains(fn, scalarContextCall):
		fn = strings.Replace(fn, scalarContextCall, "return scalarFieldContextIn(ctx, ", 1)
	default:
		return "", fmt.Errorf("%s makes its field context neither as %q nor as %q", head, fieldContextLit, scalarContextCall)
	}
	return strings.ReplaceAll(fn, fieldContextWith, "ctx = withFieldContext(ctx, fc)"), nil
}

// fieldSetUse is any use of an object function's field set.
var fieldSetUse = regexp.MustCompile(`\bout\.([A-Za-z]+)`)

// onlyValues reports whether the object function fn uses its field set
// for nothing but its values, its count of invalid ones and Dispatch.
func onlyValues(fn string) bool {
	for _, m := range fieldSetUse.FindAllStringSubmatch(fn, -1) {
		switch m[1] {
		case "Values", "Invalids", "Dispatch":
		default:
			return false
		}
	}
	return true
}

// same reports whether a and b are one type. gqlgen loads the packages of
// the models and of its marshallers apart, so a named type (time.Time)
// comes from two loads: compare the names.
func same(a, b types.Type) bool {
	return types.TypeString(a, nil) == types.TypeString(b, nil)
}

// plainField is how a plain field is marshalled: expr, from obj; and
// whether the field is nullable, when a null expr is its answer.
type plainField struct {
	expr     string
	nullable bool
}

// nullableFastPath is the function of a plain nullable field: it marshals
// expr, null included, which is what gqlgen's way would answer too (it
// makes a field context to find that out).
func nullableFastPath(name, objType, expr string) string {
	return fmt.Sprintf(`// %[1]s marshals the nullable field straight from obj (tools/gqlgen).
func (ec *executionContext) %[1]s(ctx context.Context, field graphql.CollectedField, obj %[2]s) graphql.Marshaler {
	return %[3]s
}

`, name, objType, expr)
}

// fastPath is the function of a plain field: it marshals expr, or leaves
// the value its marshaller refuses to gqlgen's way (name+"Full").
func fastPath(name, objType, expr string) string {
	return fmt.Sprintf(`// %[1]s marshals the field straight from obj (tools/gqlgen).
func (ec *executionContext) %[1]s(ctx context.Context, field graphql.CollectedField, obj %[2]s) graphql.Marshaler {
	if m := %[3]s; m != graphql.Null {
		return m
	}
	return ec.%[1]sFull(ctx, field, obj)
}

`, name, objType, expr)
}

// rewrite patches the executor gqlgen wrote to file; plain and below are
// inline's.
func rewrite(file string, plain map[string]plainField, below map[string]bool) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if !bytes.Contains(src, sliceCall) {
		return fmt.Errorf("%s: no %s left to replace: has gqlgen's executor changed?", file, sliceCall)
	}
	src = bytes.ReplaceAll(src, sliceCall, []byte("marshalSlice("))
	if !bytes.Contains(src, collectCall) {
		return fmt.Errorf("%s: no %s left to replace: has gqlgen's executor changed?", file, collectCall)
	}
	src = bytes.ReplaceAll(src, collectCall, []byte("collectFields(ec.OperationContext, sel, "))
	if bytes.Count(src, queryData) != 1 {
		return fmt.Errorf("%s: not one query writing its data as %q: has gqlgen's executor changed?", file, queryData)
	}
	src = bytes.Replace(src, queryData, []byte("\t\t\tresponse.Data = marshalData(ctx, opCtx, data)\n"), 1)
	if bytes.Count(src, []byte(execContextType)) != 1 {
		return fmt.Errorf("%s: no executionContext of the form %q: has gqlgen's executor changed?", file, execContextType)
	}
	src = bytes.Replace(src, []byte(execContextType), []byte(strings.Replace(execContextType, "\n}",
		"\n\tslab opSlab // graph.opSlab: the operation's objects and frames, a chunk at a time\n}", 1)), 1)
	// An Int or Boolean a resolver returns is written without the closure
	// gqlgen's marshaller makes for each value (graph.intJSON, graph.boolJSON).
	for _, r := range scalarMarshals {
		if !bytes.Contains(src, r.gqlgen) {
			return fmt.Errorf("%s: no %s left to replace: has gqlgen's executor changed?", file, r.gqlgen)
		}
		src = bytes.ReplaceAll(src, r.gqlgen, r.folio)
	}
	// A field's context gets no Child: it serves field middleware
	// (AroundFields), which Folio has none of, and the closure was an
	// allocation for every object field resolved.
	if !childFunc.Match(src) {
		return fmt.Errorf("%s: no field context with a Child of the form %s: has gqlgen's executor changed?", file, childFunc)
	}
	src = childFunc.ReplaceAll(src, nil)
	// The arguments of a field below the root are read once an operation.
	remembered := 0
	src = argsCall.ReplaceAllFunc(src, func(call []byte) []byte {
		m := argsCall.FindSubmatch(call)
		if !below[string(m[2])] {
			return call
		}
		remembered++
		return []byte("argsOf(ctx, ec.OperationContext, field, ec." + string(m[1]) + ")")
	})
	if remembered == 0 {
		return fmt.Errorf("%s: no field below the root reads its arguments as %s: has gqlgen's executor changed?", file, argsCall)
	}

	// Function by function: a deferred group is made only where a field is
	// resolved through it.
	var out strings.Builder
	text := string(src)
	starts := funcStart.FindAllStringIndex(text, -1)
	zeroed, objects, framed := 0, 0, 0
	prev := 0
	for i, s := range starts {
		end := len(text)
		if i+1 < len(starts) {
			end = starts[i+1][0]
		}
		out.WriteString(text[prev:s[0]])
		fn := text[s[0]:end]
		if end := strings.Index(fn, "\n}\n"); strings.HasPrefix(fn, childFieldsFunc) && end >= 0 {
			fn = fn[end+len("\n}\n"):] // only the Child closures called it
		}
		if strings.Contains(fn, deferredMake) && !strings.Contains(fn, "&deferred") {
			fn = strings.Replace(fn, deferredMake, "\tvar deferred graphql.DeferredGroup // no field of it defers\n", 1)
			zeroed++
			if end := strings.Index(fn, fieldSetReturn); strings.Contains(fn, fieldSetMake) && end >= 0 {
				// Nothing is dispatched: the values need no field set around
				// them, and the objectJSON holds them (graph.newObjectJSON,
				// from the operation's graph.opSlab).
				// It returns out, the objectJSON, as the field set was.
				if strings.Contains(fn, fieldSetDispatch) && onlyValues(fn) {
					fn = strings.Replace(fn, fieldSetMake, objectJSONMake, 1)
					fn = strings.Replace(fn, fieldSetDispatch, "", 1)
				} else {
					fn = fn[:end] + "\n\treturn &objectJSON{fields: fields, Values: out.Values}\n}\n" + fn[end+len(fieldSetReturn):]
				}
				objects++
			}
		}
		if strings.HasPrefix(fn, fieldContextFunc) {
			if fn, err = inFrame(fn); err != nil {
				return fmt.Errorf("%s: %w: has gqlgen's executor changed?", file, err)
			}
			framed++
		}
		if m := fieldFunc.FindStringSubmatch(fn); m != nil {
			if pf, ok := plain[m[1]]; ok {
				if pf.nullable {
					out.WriteString(nullableFastPath(m[1], m[2], pf.expr))
					fn = "" // gqlgen's way is not needed
				} else {
					out.WriteString(fastPath(m[1], m[2], pf.expr))
					fn = strings.Replace(fn, m[0], strings.Replace(m[0], m[1]+"(", m[1]+"Full(", 1), 1)
				}
				delete(plain, m[1])
			}
		}
		out.WriteString(fn)
		prev = end
	}
	out.WriteString(text[prev:])
	if len(plain) > 0 {
		return fmt.Errorf("%s: no function for %d plain fields (%v): has gqlgen's executor changed?", file, len(plain), plain)
	}
	if framed == 0 {
		return fmt.Errorf("%s: no field context function of the form %q: has gqlgen's executor changed?", file, fieldContextFunc)
	}
	if zeroed == 0 || objects == 0 {
		return fmt.Errorf("%s: no deferred group to drop or field set to replace: has gqlgen's executor changed?", file)
	}
	// A field without a directive is resolved by graph.resolveField.
	rewritten, plainResolves, err := resolveWithoutMiddleware([]byte(out.String()))
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if plainResolves == 0 {
		return fmt.Errorf("%s: no graphql.ResolveField call without a directive: has gqlgen's executor changed?", file)
	}
	formatted, err := format.Source(rewritten)
	if err != nil {
		return fmt.Errorf("%s: formatting the rewritten executor: %w", file, err)
	}
	return os.WriteFile(file, formatted, 0o644)
}

// mutationFieldPrefix begins the name of the executor's function for a
// root field of Mutation.
const mutationFieldPrefix = "_Mutation_"

// resolveWithoutMiddleware has every call of graphql.ResolveField whose
// middleware chain (its sixth argument) is nil, a field with no directive,
// call graph.resolveField instead, with the operation's opSlab after the
// operation context, and says how many it changed.
//
// The root fields of Mutation keep graphql.ResolveField: a mutation's
// operation has field middleware (graph's afterWrites forgets the
// request's loaded rows after each write and plans its payload), which
// resolveField does not call. They run once per write, so the saving
// would be nothing anyway.
func resolveWithoutMiddleware(src []byte) ([]byte, int, error) {
	const from, to, slab = "graphql.ResolveField", "resolveField", ", &ec.slab"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
	if err != nil {
		return nil, 0, fmt.Errorf("parsing the rewritten executor: %w", err)
	}
	var at [][2]int // the call's name, and the end of its operation context
	goast.Inspect(f, func(n goast.Node) bool {
		if fn, ok := n.(*goast.FuncDecl); ok && strings.HasPrefix(fn.Name.Name, mutationFieldPrefix) {
			return false
		}
		call, ok := n.(*goast.CallExpr)
		if !ok || len(call.Args) != 9 {
			return true
		}
		sel, ok := call.Fun.(*goast.SelectorExpr)
		if !ok || sel.Sel.Name != "ResolveField" {
			return true
		}
		if pkg, ok := sel.X.(*goast.Ident); !ok || pkg.Name != "graphql" {
			return true
		}
		if chain, ok := call.Args[5].(*goast.Ident); ok && chain.Name == "nil" {
			at = append(at, [2]int{fset.Position(call.Fun.Pos()).Offset, fset.Position(call.Args[1].End()).Offset})
		}
		return true
	})
	var out bytes.Buffer
	prev := 0
	for _, o := range at {
		if !bytes.HasPrefix(src[o[0]:], []byte(from)) {
			return nil, 0, fmt.Errorf("no %s at offset %d", from, o[0])
		}
		out.Write(src[prev:o[0]])
		out.WriteString(to)
		out.Write(src[o[0]+len(from) : o[1]])
		out.WriteString(slab)
		prev = o[1]
	}
	out.Write(src[prev:])
	return out.Bytes(), len(at), nil
}
