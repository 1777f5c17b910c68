package graph

import (
	"context"
	"slices"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/folio/folio/internal/folio"
)

// fetchOnly trims p to what the connection being resolved shows, so a list
// reads no article body and computes no search snippet that no field asks
// for. Fragments, aliases and @skip/@include are followed as the executor
// follows them. Without a field context it trims nothing: fetching too much
// is only slower.
func fetchOnly(ctx context.Context, p folio.Page) folio.Page {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return p
	}
	return trimPage(graphql.GetOperationContext(ctx), fc.Field, p)
}

// trimPage is fetchOnly for the connection field f.
func trimPage(oc *graphql.OperationContext, f graphql.CollectedField, p folio.Page) folio.Page {
	if f.Field == nil || f.Definition == nil {
		return p
	}
	return shapeOf(oc, f).apply(f, p)
}

// pageShape is what a connection field's selection asks of its page.
type pageShape struct {
	skipBody, skipSnippet                            bool
	asksTotal                                        bool
	withAuthors, withCategories, withTags, withStats bool
	replies                                          folio.Replies
}

func (s pageShape) apply(f graphql.CollectedField, p folio.Page) folio.Page {
	p.SkipBody, p.SkipSnippet = s.skipBody, s.skipSnippet
	// A comment list's count has the page's own filter, so the statement
	// that reads the page counts it too. (An article list's count applies
	// the viewer's visibility in a statement of its own.)
	p.WithTotal = s.asksTotal && f.Definition.Type.Name() == "CommentConnection" && !p.HasAfter && !p.HasBefore
	p.WithAuthors, p.WithCategories, p.WithTags, p.WithStats = s.withAuthors, s.withCategories, s.withTags, s.withStats
	if s.replies.Set {
		p.Replies = s.replies
	}
	return p
}

// shapeOf is f's pageShape, worked out once an operation: every row of a
// list resolves the same connection field again (the twenty comments of an
// article page each their replies), and the walk through the selection
// costs more than the page's lookup in the loader.
func shapeOf(oc *graphql.OperationContext, f graphql.CollectedField) pageShape {
	memo := memoOf(oc)
	if memo == nil || len(f.Selections) == 0 {
		return workOutShape(oc, f)
	}
	k := shapeKey{f.Field, &f.Selections[0], len(f.Selections)}
	if s, ok := recall(memo, memo.shapes, k); ok {
		return s
	}
	s := workOutShape(oc, f)
	remember(memo, memo.shapes, k, s)
	return s
}

// argsOf is parse (a field's function of gqlgen that reads its arguments)
// applied to f's arguments, worked out once an operation: tools/gqlgen
// calls it for the fields below the root, which the rows of a list
// resolve again and again with the same arguments (the twenty comments of
// an article page each their replies' first:). A field's arguments are
// its part of the document and the operation's variables, the same for all
// its rows. An error is not remembered: it carries the path of the row
// that met it.
func argsOf(ctx context.Context, oc *graphql.OperationContext, f graphql.CollectedField,
	parse func(context.Context, map[string]any) (map[string]any, error),
) (map[string]any, error) {
	memo := memoOf(oc)
	if memo == nil {
		return parse(ctx, f.ArgumentMap(oc.Variables))
	}
	if args, ok := recall(memo, memo.args, f.Field); ok {
		return args, nil
	}
	args, err := parse(ctx, f.ArgumentMap(oc.Variables))
	if err != nil {
		return nil, err
	}
	remember(memo, memo.args, f.Field, args)
	return args, nil
}

func workOutShape(oc *graphql.OperationContext, f graphql.CollectedField) pageShape {
	asks := func(path []string, names ...string) bool {
		return reaches(oc, f.Selections, f.Definition.Type.Name(), path, names)
	}
	// rowsShow: the connection's rows, through nodes or edges, show one of names.
	rowsShow := func(names ...string) bool {
		return asks([]string{"nodes"}, names...) || asks([]string{"edges", "node"}, names...)
	}
	s := pageShape{
		skipBody:    !rowsShow("body", "bodyHtml"),
		skipSnippet: !asks([]string{"edges"}, "snippet"),
		asksTotal:   asks(nil, "totalCount"),
		// The rows' authors, categories and tags are read with them when shown.
		withAuthors:    rowsShow("author"),
		withCategories: rowsShow("category"),
		withTags:       rowsShow("tags"),
		withStats:      rowsShow("commentCount", "reactionCounts"),
	}
	// An article's comments read their replies too, when each shows the
	// first page of its replies.
	if rp, ok := foldedReplies(oc, f); ok {
		s.replies = folio.Replies{Set: true, Limit: rp.Limit, WithTotal: rp.WithTotal, WithAuthors: rp.WithAuthors}
	}
	return s
}

// operationMemo holds what an operation works out once for all its rows,
// whose document fields and variables are the same: the fields' pageShapes
// and their arguments. The arguments' values are shared by the rows, and
// resolvers only read them.
type operationMemo struct {
	mu     sync.Mutex
	shapes map[shapeKey]pageShape
	args   map[*ast.Field]map[string]any
}

func newOperationMemo() *operationMemo {
	return &operationMemo{shapes: make(map[shapeKey]pageShape), args: make(map[*ast.Field]map[string]any)}
}

// recall and remember read and write one of memo's maps, under its lock.
func recall[K comparable, V any](memo *operationMemo, m map[K]V, k K) (V, bool) {
	memo.mu.Lock()
	defer memo.mu.Unlock()
	v, ok := m[k]
	return v, ok
}

func remember[K comparable, V any](memo *operationMemo, m map[K]V, k K, v V) {
	memo.mu.Lock()
	defer memo.mu.Unlock()
	m[k] = v
}

// memoOf is oc's operationMemo, or nil outside an operation that
// rememberPerOperation has seen.
func memoOf(oc *graphql.OperationContext) *operationMemo {
	m, _ := oc.Stats.GetExtension(memoExtension).(*operationMemo)
	return m
}

// shapeKey is a collected field: the field and the selections gathered for
// it, which differ where fragments merge other selections into the same
// field. Each gathering has its own array (collectFields hands out the same
// one again for the same selection set), and the key keeps it alive.
type shapeKey struct {
	field *ast.Field
	sel   *ast.Selection
	n     int
}

const memoExtension = "folio.operationMemo"

// rememberPerOperation gives each operation its operationMemo, in the
// operation context's extensions: written here, before any field runs, and
// only read after.
func rememberPerOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	oc.Stats.SetExtension(memoExtension, newOperationMemo())
	return next(ctx)
}

// foldedReplies finds, under f, the comments of an article, the replies
// field whose page the comments' statement reads too (folio.Page.Replies):
// the first one the comments' rows show, if it asks for a first page. The
// page is the replies field's, as its resolver will ask for it.
func foldedReplies(oc *graphql.OperationContext, f graphql.CollectedField) (folio.Page, bool) {
	if f.Name != "comments" || f.Definition == nil || f.Definition.Type.Name() != "CommentConnection" {
		return folio.Page{}, false
	}
	replies := []string{"replies"}
	rf, ok := fieldAt(oc, f.Selections, "CommentConnection", []string{"nodes"}, replies)
	if !ok {
		rf, ok = fieldAt(oc, f.Selections, "CommentConnection", []string{"edges", "node"}, replies)
	}
	if !ok {
		return folio.Page{}, false
	}
	rp, ok := fieldPage(oc, rf, orderThread)
	if !ok || rp.Backward || rp.HasAfter || rp.HasBefore {
		return folio.Page{}, false
	}
	return trimPage(oc, rf, rp), true
}

// fieldPage reads a connection field's Relay arguments as its resolver
// will; false when they are wrong (the resolver reports that).
func fieldPage(oc *graphql.OperationContext, f graphql.CollectedField, order string) (folio.Page, bool) {
	args := f.ArgumentMap(oc.Variables)
	first, ok1 := optInt(args["first"])
	last, ok2 := optInt(args["last"])
	after, ok3 := optString(args["after"])
	before, ok4 := optString(args["before"])
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return folio.Page{}, false
	}
	pg, err := pageOf(order, first, after, last, before)
	return pg, err == nil
}

func optInt(v any) (*int, bool) {
	if v == nil {
		return nil, true
	}
	n, err := graphql.UnmarshalInt(v)
	return &n, err == nil
}

func optString(v any) (*string, bool) {
	if v == nil {
		return nil, true
	}
	s, err := graphql.UnmarshalString(v)
	return &s, err == nil
}

// articleRelated is what the selection of f, a field of type Article,
// shows of the article's relations, which a lookup reads with it.
func articleRelated(oc *graphql.OperationContext, f graphql.CollectedField) folio.Related {
	var r folio.Related
	for _, sf := range collectFields(oc, f.Selections, implementors("Article")) {
		switch sf.Name {
		case "author":
			r.WithAuthors = true
		case "category":
			r.WithCategories = true
		case "tags":
			r.WithTags = true
		case "commentCount", "reactionCounts":
			r.WithStats = true
		}
	}
	return r
}

func reaches(oc *graphql.OperationContext, sel ast.SelectionSet, typ string, path, names []string) bool {
	_, ok := fieldAt(oc, sel, typ, path, names)
	return ok
}

// fieldAt finds the first field below sel, a selection on typ, that is
// named one of names at the end of path.
func fieldAt(oc *graphql.OperationContext, sel ast.SelectionSet, typ string, path, names []string) (graphql.CollectedField, bool) {
	for _, f := range collectFields(oc, sel, implementors(typ)) {
		switch {
		case len(path) == 0:
			if slices.Contains(names, f.Name) {
				return f, true
			}
		case f.Name == path[0] && f.Definition != nil:
			if found, ok := fieldAt(oc, f.Selections, f.Definition.Type.Name(), path[1:], names); ok {
				return found, true
			}
		}
	}
	return graphql.CollectedField{}, false
}

// implementors is what a fragment's type condition may name to apply to an
// object of type typ: the type itself and its interfaces.
func implementors(typ string) []string {
	if s, ok := implementorsOf[typ]; ok {
		return s
	}
	return []string{typ}
}

// implementorsOf is implementors of every type of the schema, made once:
// the planner asks for it at every level of every query.
var implementorsOf = func() map[string][]string {
	m := make(map[string][]string, len(parsedSchema.Types))
	for name, def := range parsedSchema.Types {
		m[name] = append([]string{name}, def.Interfaces...)
	}
	return m
}()
