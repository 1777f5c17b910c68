package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/folio/folio/graph/model"
	"github.com/folio/folio/internal/folio"
)

// Authenticator tells who a request speaks for: the anonymous viewer when
// it carries no credentials, an EUnauthenticated error when they are bad.
type Authenticator interface {
	Authenticate(r *http.Request) (folio.Viewer, error)
}

// authenticate puts the request's viewer in its context. A request with bad
// credentials runs as anonymous but carries the refusal: every root field
// answers it as UNAUTHENTICATED (see refuseBadCredentials), except the
// account mutations, so a client that still sends an expired access token
// can refresh its session or sign in again. It is never served as
// anonymous content, so it learns at once that its token is bad.
func authenticate(a Authenticator, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		v, err := a.Authenticate(r)
		if err != nil {
			var fe *folio.Error
			if !errors.As(err, &fe) || fe.Code != folio.EUnauthenticated {
				writeError(w, r, http.StatusInternalServerError, CodeInternal, "Internal server error while checking credentials.")
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), badCredentialsKey{}, fe)))
			return
		}
		next.ServeHTTP(w, r.WithContext(folio.WithViewer(r.Context(), v)))
	})
}

type badCredentialsKey struct{}

// accountMutations work without valid credentials.
var accountMutations = map[string]bool{"signIn": true, "signUp": true, "refreshSession": true, "signOut": true}

// refuseBadCredentials answers every root field of a request whose
// credentials were refused with that refusal, but the account mutations.
func refuseBadCredentials(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	if fe, ok := ctx.Value(badCredentialsKey{}).(*folio.Error); ok {
		fc, oc := graphql.GetRootFieldContext(ctx), graphql.GetOperationContext(ctx)
		if fc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Mutation || !accountMutations[fc.Field.Name] {
			graphql.AddError(ctx, fe)
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
				Extensions: map[string]any{"code": CodeBadUserInput},
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
