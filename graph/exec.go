package graph

import (
	"bytes"
	"context"
	"hash/maphash"
	"io"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// marshalSlice marshals a list of objects element by element, on the
// goroutine that reached the list: tools/gqlgen puts it in the executor in
// place of gqlgen's graphql.MarshalSliceConcurrently, whose goroutine per
// element buys nothing here (the planner has loaded every row before the
// list is reached). Each element gets its own field context, with its
// index, as gqlgen gives it; a panic in one is that element's error. The
// field contexts, their indexes and the contexts that carry them are made
// together, one allocation for the list rather than three for each
// element.
func marshalSlice(ctx context.Context, n int, _ int64, omitPanicHandler bool, marshal func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	ret := make(graphql.Array, n)
	elems := make([]listElem, n)
	parent := graphql.GetFieldContext(ctx)
	for i := range n {
		e := &elems[i]
		e.index = i
		e.fc.Index = &e.index
		e.fc.Parent = parent
		e.ctx = fieldCtx{Context: ctx, fc: &e.fc}
		if omitPanicHandler {
			ret[i] = marshal(&e.ctx, i)
			continue
		}
		ret[i] = marshalRecovering(&e.ctx, i, marshal)
	}
	return ret
}

// listElem is what marshalSlice makes for one element of a list.
type listElem struct {
	ctx   fieldCtx
	fc    graphql.FieldContext
	index int
}

// fieldCtx is the context graphql.WithFieldContext makes, made as part of
// something else: the field context of ctx is fc, and every other value is
// Context's.
type fieldCtx struct {
	context.Context
	fc *graphql.FieldContext
}

// Value implements context.Context.
func (c *fieldCtx) Value(key any) any {
	if key == fieldContextKey && c.fc != nil { // a fieldFrame is empty until filled
		return c.fc
	}
	return c.Context.Value(key)
}

// fieldContextKey is the key gqlgen keeps a context's field context
// under, learnt by watching graphql.GetFieldContext look for it (the key's
// type is gqlgen's own). TestFieldCtx_AsGqlgen checks that gqlgen finds
// the field context of a fieldCtx.
var fieldContextKey = func() any {
	var p keyProbe
	graphql.GetFieldContext(&p)
	return p.key
}()

// keyProbe records the key it is asked for.
type keyProbe struct {
	context.Context
	key any
}

func (p *keyProbe) Value(key any) any {
	p.key = key
	return nil
}

// resolveField resolves a field that has no directive, as
// graphql.ResolveField does: tools/gqlgen calls it in place of that for
// every such field but Mutation's own. It calls the field's resolver
// directly rather than through the operation's field middleware. Only a
// mutation has any (afterWrites, for Mutation's fields, which keep
// graphql.ResolveField), and NewHandler's use refuses a field
// interceptor. So no function given here outlives the call, and the
// closures the executor makes for each field (its context, its resolver,
// its marshaller) stay on the stack. gqlgen's way allocated each of them,
// and two more of its own, for every field resolved.
func resolveField[T any](
	ctx context.Context,
	oc *graphql.OperationContext,
	slab *opSlab, // where the field's frame comes from; nil: its own allocation
	field graphql.CollectedField,
	initializeFieldContext func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error),
	fieldResolver func(ctx context.Context) (any, error),
	_ func(ctx context.Context, next graphql.Resolver) graphql.Resolver, // nil: the field has no directive
	marshal func(ctx context.Context, sel ast.SelectionSet, v T) graphql.Marshaler,
	recoverFromPanic bool,
	nonNull bool,
) (ret graphql.Marshaler) {
	frame := slab.frame(ctx)
	fc, err := initializeFieldContext(frame, field)
	if err != nil {
		return graphql.Null
	}
	if fc == &frame.own {
		ctx = frame
	} else {
		ctx = graphql.WithFieldContext(ctx, fc)
	}
	if recoverFromPanic {
		defer func() {
			if r := recover(); r != nil {
				oc.Error(ctx, oc.Recover(ctx, r))
				ret = graphql.Null
			}
		}()
	}
	res, err := fieldResolver(ctx)
	if err != nil {
		oc.Error(ctx, graphql.AddFieldLocationToError(ctx, err))
		if fc.NonNull && !nonNull {
			return graphql.RequiredNull
		}
		return graphql.Null
	}
	if res == nil {
		if nonNull || fc.NonNull {
			graphql.AddInvalidNullError(ctx, "")
		}
		if fc.NonNull && !nonNull {
			return graphql.RequiredNull
		}
		return graphql.Null
	}
	v, ok := res.(T)
	if !ok {
		var t T
		oc.Errorf(ctx, `unexpected type %T from middleware/directive chain, should be %T`, res, t) // gqlgen's words
		return graphql.Null
	}
	fc.Result = v
	return marshal(ctx, field.Selections, v)
}

// fieldFrame is a field's context and its field context, made together by
// resolveField: one allocation for each field resolved, where gqlgen's
// way made two (the field context, and the context graphql.WithFieldContext
// makes to carry it), and a third for a field with arguments. resolveField
// hands the frame, still empty, to the field's fieldContext_ function as
// its context; tools/gqlgen has those functions make their field context
// through fieldContextIn and scalarFieldContextIn, which fill the frame
// they are given rather than allocate, and carry it through
// withFieldContext rather than wrap it again.
type fieldFrame struct {
	fieldCtx // its fc is nil until the frame is filled, then &own
	own      graphql.FieldContext
}

// fieldContextIn returns the field context fc for the field whose
// fieldContext_ function has ctx: in ctx's frame if ctx is a fieldFrame
// still empty, with its parent set as graphql.WithFieldContext sets it;
// otherwise on its own, for the caller to carry.
func fieldContextIn(ctx context.Context, fc graphql.FieldContext) *graphql.FieldContext {
	f, ok := ctx.(*fieldFrame)
	if !ok || f.fc != nil {
		own := new(graphql.FieldContext) // not &fc: fc would then be moved to the heap on every call
		*own = fc
		return own
	}
	f.own = fc
	f.own.Parent = graphql.GetFieldContext(f.Context)
	f.fc = &f.own
	return &f.own
}

// scalarFieldContextIn is graphql.NewScalarFieldContext made through
// fieldContextIn, without the Child closure that serves field middleware
// (which Folio has none of).
func scalarFieldContextIn(ctx context.Context, object string, field graphql.CollectedField, isMethod, isResolver bool, _ string) (*graphql.FieldContext, error) {
	return fieldContextIn(ctx, graphql.FieldContext{Object: object, Field: field, IsMethod: isMethod, IsResolver: isResolver}), nil
}

// withFieldContext is graphql.WithFieldContext for a fieldContext_
// function: a frame that already carries fc is its own context.
func withFieldContext(ctx context.Context, fc *graphql.FieldContext) context.Context {
	if f, ok := ctx.(*fieldFrame); ok && f.fc == fc {
		return f
	}
	return graphql.WithFieldContext(ctx, fc)
}

func marshalRecovering(ctx context.Context, i int, marshal func(ctx context.Context, i int) graphql.Marshaler) (m graphql.Marshaler) {
	defer func() {
		if r := recover(); r != nil {
			graphql.AddError(ctx, graphql.Recover(ctx, r))
			m = graphql.Null
		}
	}()
	return marshal(ctx, i)
}

// marshalPtr marshals a nullable scalar held by pointer, for the fields
// tools/gqlgen marshals straight from their object: nil is null.
func marshalPtr[T any](v *T, marshal func(T) graphql.Marshaler) graphql.Marshaler {
	if v == nil {
		return graphql.Null
	}
	return marshal(*v)
}

// objectJSON writes an object's fields, in order, under their response
// names: tools/gqlgen returns it from each object's function in place of
// gqlgen's field set, whose MarshalGQL makes a map and copies every field
// to write it. gqlgen's CollectFields has merged the fields of one response
// name into one, so no name repeats, and a response name is a GraphQL name
// ([_A-Za-z][_0-9A-Za-z]*), which needs no escaping.
//
// It also holds what the object's function needs of a field set while it
// resolves the fields in line: the values, and how many are invalid.
type objectJSON struct {
	fields   []graphql.CollectedField
	Values   []graphql.Marshaler
	Invalids uint32
}

// newObjectJSON returns the objectJSON of an object with fields. One of
// up to 16 fields is one allocation with its values (an object was two,
// its values and the objectJSON boxed in an interface): of the article
// page's allocations, about a quarter were these. It is opSlab.object
// without a slab.
func newObjectJSON(fields []graphql.CollectedField) *objectJSON {
	return (*opSlab)(nil).object(fields)
}

// opSlab makes an operation's objects (objectJSONs, newObjectJSON's
// sizes) and its fields' frames (resolveField's) a chunk at a time: the
// article page writes about a hundred objects and resolves about a
// hundred and fifty fields, each an allocation of its own before. An
// operation's objects and frames are all dropped once its response is
// written, so a chunk outlives none of them by long. Fields resolve
// concurrently, hence the lock. tools/gqlgen puts one in the executor's
// executionContext, for its objects' functions and resolveField. A nil
// slab allocates each alone.
type opSlab struct {
	mu     sync.Mutex
	of4    []objectJSONOf4
	of8    []objectJSONOf8
	of16   []objectJSONOf16
	frames []fieldFrame
}

// slabChunk is how many objects of a size, or frames, opSlab makes at
// once.
const slabChunk = 16

// object returns the objectJSON of an object with fields, from the slab
// when there is one.
func (s *opSlab) object(fields []graphql.CollectedField) *objectJSON {
	var o *objectJSON
	if s != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	switch n := len(fields); {
	case n <= 4:
		x := take(s, func(s *opSlab) *[]objectJSONOf4 { return &s.of4 })
		x.Values, o = x.values[:n], &x.objectJSON
	case n <= 8:
		x := take(s, func(s *opSlab) *[]objectJSONOf8 { return &s.of8 })
		x.Values, o = x.values[:n], &x.objectJSON
	case n <= 16:
		x := take(s, func(s *opSlab) *[]objectJSONOf16 { return &s.of16 })
		x.Values, o = x.values[:n], &x.objectJSON
	default:
		o = &objectJSON{Values: make([]graphql.Marshaler, n)}
	}
	o.fields = fields
	return o
}

// take returns the next T of s's chunk of them (under s's lock), or a T
// of its own when there is no slab.
func take[T any](s *opSlab, chunk func(*opSlab) *[]T) *T {
	if s == nil {
		return new(T)
	}
	return next(chunk(s))
}

// next takes the next of a chunk, making a chunk when it is used up.
func next[T any](chunk *[]T) *T {
	if len(*chunk) == 0 {
		*chunk = make([]T, slabChunk)
	}
	x := &(*chunk)[0]
	*chunk = (*chunk)[1:]
	return x
}

// frame returns an empty fieldFrame over ctx, from the slab when there is
// one.
func (s *opSlab) frame(ctx context.Context) *fieldFrame {
	if s == nil {
		return &fieldFrame{fieldCtx: fieldCtx{Context: ctx}}
	}
	s.mu.Lock()
	f := next(&s.frames)
	s.mu.Unlock()
	f.Context = ctx
	return f
}

// The sizes newObjectJSON makes, each with room for its values.
type (
	objectJSONOf4 struct {
		objectJSON
		values [4]graphql.Marshaler
	}
	objectJSONOf8 struct {
		objectJSON
		values [8]graphql.Marshaler
	}
	objectJSONOf16 struct {
		objectJSON
		values [16]graphql.Marshaler
	}
)

// MarshalGQL implements graphql.Marshaler.
func (o *objectJSON) MarshalGQL(w io.Writer) {
	buf := [1]byte{'{'}
	for i := range o.fields {
		_, _ = w.Write(buf[:])
		buf[0] = ','
		_, _ = io.WriteString(w, `"`)
		_, _ = io.WriteString(w, o.fields[i].Alias)
		_, _ = io.WriteString(w, `":`)
		o.Values[i].MarshalGQL(w)
	}
	if len(o.fields) == 0 {
		_, _ = w.Write(buf[:])
	}
	_, _ = io.WriteString(w, "}")
}

// collectFields is graphql.CollectFields, remembered across requests for a
// selection set of plain fields: tools/gqlgen calls it from every object's
// function. gqlgen remembers its answers for one operation only, and makes
// its cache key (an FNV hash of the type names, through a heap-allocated
// hasher) at every call: for the article page, about 200 objects, 8% of
// the request's allocations.
//
// A parsed document is shared by every request that sends it (the query
// cache), so a selection set is known by its backing array. The answer for
// one depends on the request only through directives (@skip, @include on
// a variable) and fragments (which may carry them): only selection sets of
// fields without directives are remembered, and each key points into its
// selection set's array, so the array cannot be freed and reused for
// another while the entry lives.
//
// Every object of every request looks its fields up here, so the lookup
// takes no lock: a sync.Map keyed by the array (a pointer, which an
// interface holds without an allocation) reads without one, where a read
// lock's counter, shared by the cores, cost more than the lookup. Under
// the key are the selection sets that start there, told apart by length
// and type, in a list that is never changed once stored. The entries are
// dropped all at once when there are too many.
func collectFields(oc *graphql.OperationContext, sel ast.SelectionSet, satisfies []string) []graphql.CollectedField {
	if len(sel) == 0 || len(satisfies) == 0 || !plainFields(sel) {
		return graphql.CollectFields(oc, sel, satisfies)
	}
	array := &sel[0] // names, and pins, the selection set's array
	if fields, ok := collected.find(array, len(sel), satisfies[0]); ok {
		return fields
	}
	fields := graphql.CollectFields(oc, sel, satisfies)
	collected.mu.Lock()
	defer collected.mu.Unlock()
	if known, ok := collected.find(array, len(sel), satisfies[0]); ok {
		return known // another request's, meanwhile
	}
	if collected.n >= maxCollected {
		collected.m.Clear()
		collected.n = 0
	}
	var sets []collectedSet
	if v, ok := collected.m.Load(array); ok {
		sets = *v.(*[]collectedSet)
	}
	sets = append(sets[:len(sets):len(sets)], collectedSet{n: len(sel), typ: satisfies[0], fields: fields})
	collected.m.Store(array, &sets)
	collected.n++
	return fields
}

// maxCollected bounds the remembered selection sets: many more than the
// documents the query cache keeps, whose every object type is one entry.
const maxCollected = 20000

var collected collectedSets

// collectedSets are the remembered selection sets.
type collectedSets struct {
	m  sync.Map   // *ast.Selection -> *[]collectedSet, never changed once stored
	mu sync.Mutex // orders the writers
	n  int        // entries in m, under mu
}

// collectedSet is a remembered selection set: its length, the type it was
// collected for, and its fields.
type collectedSet struct {
	n      int
	typ    string
	fields []graphql.CollectedField
}

// find returns the fields remembered for the selection set of n
// selections at array, collected for typ.
func (c *collectedSets) find(array *ast.Selection, n int, typ string) ([]graphql.CollectedField, bool) {
	v, ok := c.m.Load(array)
	if !ok {
		return nil, false
	}
	for _, s := range *v.(*[]collectedSet) {
		if s.n == n && s.typ == typ {
			return s.fields, true
		}
	}
	return nil, false
}

// plainFields reports whether sel holds fields only, none with a directive.
func plainFields(sel ast.SelectionSet) bool {
	for _, s := range sel {
		f, ok := s.(*ast.Field)
		if !ok || len(f.Directives) > 0 {
			return false
		}
	}
	return true
}

// resolvers hands out each object type's resolver made once. The getters
// gqlgen writes (func (r *Resolver) Comment() CommentResolver { return
// &commentResolver{r} }) make one on every call, and the executor calls
// them for every resolved field of every row: about a hundred allocations
// an article page. Root types resolve once a request and keep gqlgen's;
// a type added later works through the embedded getters until it is
// listed here.
type resolvers struct {
	ResolverRoot
	article                   ArticleResolver
	articleConnection         ArticleConnectionResolver
	articleRevision           ArticleRevisionResolver
	articleRevisionConnection ArticleRevisionConnectionResolver
	category                  CategoryResolver
	categoryConnection        CategoryConnectionResolver
	comment                   CommentResolver
	commentConnection         CommentConnectionResolver
	image                     ImageResolver
	previewToken              PreviewTokenResolver
	reactionsChanged          ReactionsChangedResolver
	searchResultConnection    SearchResultConnectionResolver
	tag                       TagResolver
	tagConnection             TagConnectionResolver
	user                      UserResolver
	webhook                   WebhookResolver
	webhookDelivery           WebhookDeliveryResolver
}

func newResolvers(r *Resolver) *resolvers {
	return &resolvers{ResolverRoot: r,
		article:                   r.Article(),
		articleConnection:         r.ArticleConnection(),
		articleRevision:           r.ArticleRevision(),
		articleRevisionConnection: r.ArticleRevisionConnection(),
		category:                  r.Category(),
		categoryConnection:        r.CategoryConnection(),
		comment:                   r.Comment(),
		commentConnection:         r.CommentConnection(),
		image:                     r.Image(),
		previewToken:              r.PreviewToken(),
		reactionsChanged:          r.ReactionsChanged(),
		searchResultConnection:    r.SearchResultConnection(),
		tag:                       r.Tag(),
		tagConnection:             r.TagConnection(),
		user:                      r.User(),
		webhook:                   r.Webhook(),
		webhookDelivery:           r.WebhookDelivery(),
	}
}

func (r *resolvers) Article() ArticleResolver                     { return r.article }
func (r *resolvers) ArticleConnection() ArticleConnectionResolver { return r.articleConnection }
func (r *resolvers) ArticleRevision() ArticleRevisionResolver     { return r.articleRevision }
func (r *resolvers) ArticleRevisionConnection() ArticleRevisionConnectionResolver {
	return r.articleRevisionConnection
}
func (r *resolvers) Category() CategoryResolver                     { return r.category }
func (r *resolvers) CategoryConnection() CategoryConnectionResolver { return r.categoryConnection }
func (r *resolvers) Comment() CommentResolver                       { return r.comment }
func (r *resolvers) CommentConnection() CommentConnectionResolver   { return r.commentConnection }
func (r *resolvers) Image() ImageResolver                           { return r.image }
func (r *resolvers) PreviewToken() PreviewTokenResolver             { return r.previewToken }
func (r *resolvers) ReactionsChanged() ReactionsChangedResolver     { return r.reactionsChanged }
func (r *resolvers) SearchResultConnection() SearchResultConnectionResolver {
	return r.searchResultConnection
}
func (r *resolvers) Tag() TagResolver                         { return r.tag }
func (r *resolvers) TagConnection() TagConnectionResolver     { return r.tagConnection }
func (r *resolvers) User() UserResolver                       { return r.user }
func (r *resolvers) Webhook() WebhookResolver                 { return r.webhook }
func (r *resolvers) WebhookDelivery() WebhookDeliveryResolver { return r.webhookDelivery }

// marshalData writes the data of a query's response: tools/gqlgen puts it
// in the executor in place of gqlgen's bytes.Buffer, which starts empty
// and doubles on its way to the response's size, so an article page's
// 16 KB was written through 38 KB of buffers, each zeroed and copied.
// Here the buffer starts at the size the same document's last response
// had, with an eighth to spare: one buffer, written once. The sizes are
// kept in a fixed table by a hash of the document, so a document that
// shares a slot with another only starts from the wrong size.
//
// Over HTTP (overHTTP), the buffer opens with the response's own opening,
// {"data":, and the request keeps it (httpOperation): the response is
// then finished in the same buffer, rather than copied into another.
func marshalData(ctx context.Context, oc *graphql.OperationContext, data graphql.Marshaler) []byte {
	slot := &dataSizes[dataSlot(oc)]
	op, _ := ctx.Value(oneOperationKey{}).(*httpOperation)
	head := 0
	if op != nil {
		head = len(dataOpening)
	}
	buf := bytes.NewBuffer(append(make([]byte, 0, head+int(slot.Load())), dataOpening[:head]...))
	data.MarshalGQL(buf)
	slot.Store(sizeHint(buf.Len() - head))
	whole := buf.Bytes()
	if op != nil {
		op.whole = whole
	}
	return whole[head:]
}

// dataOpening opens a response that has data and no errors.
const dataOpening = `{"data":`

// dataSizes holds the hinted sizes of recent documents' data, by dataSlot.
var (
	dataSizes [1024]atomic.Int32
	dataSeed  = maphash.MakeSeed()
)

// maxDataHint bounds the size a response's buffer starts at; a bigger
// response grows from there.
const maxDataHint = 1 << 20

// dataSlot is the slot of dataSizes of oc's document and operation.
func dataSlot(oc *graphql.OperationContext) int {
	var h maphash.Hash
	h.SetSeed(dataSeed)
	h.WriteString(oc.RawQuery)
	h.WriteString(oc.OperationName)
	return int(h.Sum64() % uint64(len(dataSizes)))
}

// sizeHint is the size to start the next buffer at after one of n bytes.
func sizeHint(n int) int32 {
	return int32(min(n+n/8, maxDataHint))
}
