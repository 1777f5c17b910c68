package graph

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/folio/folio/graph/model"
	"github.com/folio/folio/internal/folio"
)

// Authenticator tells who a request speaks for: the anonymous viewer when
// it carries no credentials, an EUnauthenticated error when they are bad.
type Authenticator interface {
	Authenticate(r *http.Request) (folio.Viewer, error)
}

// authenticate puts the request's viewer in its context. Bad credentials are
// refused outright with 401 rather than served as anonymous, so a client
// learns at once that its token expired instead of seeing content vanish.
func authenticate(a Authenticator, next http.Handler) http.Handler {
	if a == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		v, err := a.Authenticate(r)
		if err != nil {
			var fe *folio.Error
			if errors.As(err, &fe) && fe.Code == folio.EUnauthenticated {
				w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
				writeError(w, http.StatusUnauthorized, CodeUnauthenticated, fe.Message)
				return
			}
			writeError(w, http.StatusInternalServerError, CodeInternal, "Internal server error while checking credentials.")
			return
		}
		next.ServeHTTP(w, r.WithContext(folio.WithViewer(r.Context(), v)))
	})
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
