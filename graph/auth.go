package graph

import (
	"context"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/folio/folio/graph/model"
	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/folio"
)

// accountMutations work without valid credentials.
var accountMutations = map[string]bool{"signIn": true, "signUp": true, "verifyEmail": true, "refreshSession": true, "signOut": true}

// refuseBadCredentials answers every root field of a request whose
// credentials were refused (httpapi serves it as anonymous, carrying the
// refusal) with that refusal, but the account mutations, so a client that
// still sends an expired access token can refresh its session or sign in
// again.
func refuseBadCredentials(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	if fe := auth.RefusalFrom(ctx); fe != nil {
		fc, oc := graphql.GetRootFieldContext(ctx), graphql.GetOperationContext(ctx)
		if fc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Mutation || !accountMutations[fc.Field.Name] {
			// One error per root field, on that field's path and at its
			// place in the document, as any field's error: the field's own
			// context, which would give them, is made only once it runs.
			if fc == nil {
				graphql.AddError(ctx, fe)
				return graphql.Null
			}
			ctx = graphql.WithPathContext(ctx, graphql.NewPathWithField(fc.Field.Alias))
			err := &gqlerror.Error{Err: fe, Message: fe.Message, Path: graphql.GetPath(ctx)}
			if pos := fc.Field.Position; pos != nil {
				err.Locations = []gqlerror.Location{{Line: pos.Line, Column: pos.Column}}
			}
			graphql.AddError(ctx, err)
			return graphql.Null
		}
	}
	return next(ctx)
}

// passwordMutations each cost an argon2id hash: one per request.
var passwordMutations = map[string]bool{"signIn": true, "signUp": true}

// onePasswordPerRequest refuses an operation that would hash many
// passwords, so one request cannot buy seconds of CPU with aliases.
func onePasswordPerRequest(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation != nil && oc.Operation.Operation == ast.Mutation {
		n := 0
		for _, f := range graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Mutation"}) {
			if passwordMutations[f.Name] {
				n++
			}
		}
		if n > 1 {
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{
				Message:    fmt.Sprintf("An operation may sign in or sign up once; this one asks %d times.", n),
				Extensions: map[string]any{"code": extCode(folio.EInvalid)},
			}}})
		}
	}
	return next(ctx)
}

var (
	errSignInRequired = folio.Errorf(folio.EUnauthenticated, "Sign in first: send an access token or API key.")
)

// authDirective implements @auth: the field needs a signed-in caller.
func authDirective(ctx context.Context, _ any, next graphql.Resolver) (any, error) {
	if !folio.ViewerFrom(ctx).SignedIn() {
		return nil, errSignInRequired
	}
	return next(ctx)
}

// hasRoleDirective implements @hasRole: the field needs at least a role.
func hasRoleDirective(ctx context.Context, _ any, next graphql.Resolver, role model.Role) (any, error) {
	v := folio.ViewerFrom(ctx)
	if !v.SignedIn() {
		return nil, errSignInRequired
	}
	if !v.Role.AtLeast(roleOf(role)) {
		return nil, folio.Errorf(folio.EForbidden, "This needs the %s role or a higher one; you are %s.", role, strings.ToUpper(string(v.Role)))
	}
	return next(ctx)
}
