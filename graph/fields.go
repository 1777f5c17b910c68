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
	authorColumns                                    folio.UserColumns
	replies                                          folio.Replies
}

func (s pageShape) apply(f graphql.CollectedField, p folio.Page) folio.Page {
	p.SkipBody, p.SkipSnippet = s.skipBody, s.skipSnippet
	// A comment list's count has the page's own filter, so the statement
	// that reads the page counts it too. (An article list's count applies
	// the viewer's visibility in a statement of its own.)
	p.WithTotal = s.asksTotal && f.Definition.Type.Name() == "CommentConnection" && !p.HasAfter && !p.HasBefore
	p.WithAuthors, p.WithCategories, p.WithTags, p.WithStats = s.withAuthors, s.withCategories, s.withTags, s.withStats
	p.AuthorColumns = s.authorColumns
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
	if s.withAuthors || s.replies.WithAuthors {
		s.authorColumns = userColumnsOf(oc)
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
	// users is usersShown of the operation, worked out on first use.
	users     folio.UserColumns
	usersOnce sync.Once
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
			r.AuthorColumns = userColumnsOf(oc)
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

// userColumnsOf is the parts of a user's row that the authors read with
// rows need in the operation of oc (folio.Related.AuthorColumns): those
// the operation shows of any user (usersShown), worked out once. The rows
// go into the loaders, where every later lookup of their users finds
// them: a query's loaders serve it alone (over HTTP, a request's; on a
// WebSocket, loadersPerOperation's). A mutation's reads, and a
// subscription's (whose events share loaders), are whole.
func userColumnsOf(oc *graphql.OperationContext) folio.UserColumns {
	memo := memoOf(oc)
	if memo == nil || oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return 0
	}
	memo.usersOnce.Do(func() { memo.users = usersShown(oc.Operation) })
	return memo.users
}

// userFieldColumns is what each field of User shows of a user's row
// besides the id and the handle. A field missing here (one added to the
// schema later) makes an operation that selects it read whole rows.
var userFieldColumns = map[string]folio.UserColumns{
	"__typename": 0, "id": 0, "handle": 0, "articles": 0,
	"displayName": folio.UserDisplayName,
	"bio":         folio.UserBio,
	"email":       folio.UserEmail, "emailVerified": folio.UserEmail,
	"avatarUrl": folio.UserAvatar, "avatar": folio.UserAvatar,
	"role":      folio.UserRole,
	"createdAt": folio.UserTimes,
}

// usersShown is the parts of a user's row that op shows of any user,
// anywhere in it, fragments included, with folio.UserProjected; or zero
// (every column) when op selects a field of a user it cannot tell about.
// A row read with these parts may then stand in for its user wherever op
// shows the user again: no field of op asks for more. Fields skipped by
// @skip or @include count too, which only reads more.
func usersShown(op *ast.OperationDefinition) folio.UserColumns {
	cols := folio.UserProjected
	walked := make(map[string]bool) // fragments
	var walk func(set ast.SelectionSet) bool
	walk = func(set ast.SelectionSet) bool {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				d := s.ObjectDefinition
				switch {
				case d == nil:
					return false
				case d.Name == "User":
					c, ok := userFieldColumns[s.Name]
					if !ok {
						return false
					}
					cols |= c
				case d.Kind != ast.Object && s.Name != "id" && s.Name != "__typename" && mayBeUser(d):
					return false // an interface's or union's field: not one User's map knows
				}
				if !walk(s.SelectionSet) {
					return false
				}
			case *ast.InlineFragment:
				if !walk(s.SelectionSet) {
					return false
				}
			case *ast.FragmentSpread:
				if s.Definition == nil {
					return false
				}
				if !walked[s.Name] {
					walked[s.Name] = true
					if !walk(s.Definition.SelectionSet) {
						return false
					}
				}
			default:
				return false
			}
		}
		return true
	}
	if !walk(op.SelectionSet) {
		return 0
	}
	return cols
}

// mayBeUser reports whether an object of abstract type d may be a User.
func mayBeUser(d *ast.Definition) bool {
	return slices.ContainsFunc(parsedSchema.GetPossibleTypes(d), func(t *ast.Definition) bool { return t.Name == "User" })
}
