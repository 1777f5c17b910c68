package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/folio/folio/graph/model"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/loader"
)

// Reading through the request's loaders, and forgetting what they read once
// a mutation has written.

// mustLoad loads a row that integrity guarantees (a foreign key): its absence
// is our bug, reported as an internal error.
func mustLoad[K comparable, V any](ctx context.Context, l *loader.Loader[K, *V], key K, what string) (*V, error) {
	v, err := l.Load(ctx, key)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, fmt.Errorf("load %s %v: row missing", what, key)
	}
	return v, nil
}

// countOf defers a count to its loader, so counts of many parents batch too.
func countOf(l *loader.Loader[int64, int], id int64) model.Counter {
	return model.CountBy(l, id)
}

// afterWrites makes each mutation's root field drop what the request's
// loaders read before its write, so its payload shows the written state, and
// plans the payload's rows as a query's are planned. It hooks the fields of
// mutations only: queries run with no per-field interceptor at all.
type afterWrites struct{}

var _ graphql.OperationContextMutator = afterWrites{}

func (afterWrites) ExtensionName() string                   { return "AfterWrites" }
func (afterWrites) Validate(graphql.ExecutableSchema) error { return nil }

func (afterWrites) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil || oc.Operation.Operation != ast.Mutation {
		return nil
	}
	// Every read of a mutation, before and after its writes, goes to the
	// primary; its client is given the write's position to read after.
	if r := folio.ReadsFrom(ctx); r != nil {
		r.Write()
	}
	outer := oc.ResolverMiddleware
	oc.ResolverMiddleware = func(ctx context.Context, next graphql.Resolver) (any, error) {
		return outer(ctx, func(ctx context.Context) (any, error) {
			res, err := next(ctx)
			if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Object == "Mutation" {
				loader.For(ctx).Forget()
				if err == nil && res != nil && fc.Field.Definition != nil {
					// The payload's rows, read after the write, batched
					// like a query's.
					plan(ctx, func(p *planner, sel ast.SelectionSet) { p.payload(res, fc.Field.Definition.Type.Name(), sel) })
				}
			}
			return res, err
		})
	}
	return nil
}

// loadersPerOperation gives each query and mutation on a WebSocket
// loaders of its own, made for the operation's viewer. loader.Middleware
// makes a request's loaders, and a WebSocket is one request for all the
// operations it carries: sharing them, a query showed what an earlier one
// on the socket had read, however the rows changed since, and was read for
// the viewer of the upgrade rather than the one its connection signed in.
// A subscription's events get loaders of their own already (liveEvents).
// A request over HTTP carries one operation, whose loaders are its own.
func loadersPerOperation(store folio.Store) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		oc := graphql.GetOperationContext(ctx)
		if ctx.Value(oneOperationKey{}) == nil && oc.Operation != nil && oc.Operation.Operation != ast.Subscription {
			ctx = loader.With(ctx, loader.New(store, folio.ViewerFrom(ctx)))
		}
		return next(ctx)
	}
}

// oneOperationKey marks the context of a request over HTTP (overHTTP),
// which carries one operation: the loaders loader.Middleware made for it
// are that operation's alone, and loadersPerOperation leaves them. Its
// value is the request's *httpOperation.
type oneOperationKey struct{}

// httpOperation is what the executor leaves for the transport of a
// request over HTTP.
type httpOperation struct {
	// whole is the buffer marshalData wrote the data into, after the
	// response's opening (dataOpening); overHTTP finishes the response in
	// it when the response is that opening and that data.
	whole []byte
}

// withOneOperation marks ctx as oneOperationKey says.
func withOneOperation(ctx context.Context) (context.Context, *httpOperation) {
	op := &httpOperation{}
	return context.WithValue(ctx, oneOperationKey{}, op), op
}
