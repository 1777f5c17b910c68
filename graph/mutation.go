package graph

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/folio/folio/graph/model"
	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/loader"
)

// userErrorCodes are the domain errors a mutation answers in its payload's
// userErrors: problems with the input the caller can fix. Everything else
// (unauthenticated, forbidden, the target missing, our failures) goes to
// the response's errors.
var userErrorCodes = map[folio.Code]model.UserErrorCode{
	folio.EInvalid:     model.UserErrorCodeInvalid,
	folio.ETaken:       model.UserErrorCodeTaken,
	folio.EConflict:    model.UserErrorCodeConflict,
	folio.ECredentials: model.UserErrorCodeInvalidCredentials,
}

func userError(e *folio.Error) (*model.UserError, bool) {
	code, ok := userErrorCodes[e.Code]
	if !ok && e.Code == folio.ENotFound && e.Field != "" {
		code, ok = model.UserErrorCodeNotFound, true // a reference, not the target
	}
	if !ok {
		return nil, false
	}
	ue := &model.UserError{Message: e.Message, Code: code}
	if e.Field != "" {
		ue.Field = &e.Field
	}
	return ue, true
}

// userErrorsOf splits a mutation's error: the input problems become
// userErrors, anything else is returned as the field's error.
func userErrorsOf(err error) ([]*model.UserError, error) {
	if err == nil {
		return []*model.UserError{}, nil
	}
	var fes folio.FieldErrors
	if errors.As(err, &fes) {
		out := make([]*model.UserError, 0, len(fes))
		for _, e := range fes {
			ue, ok := userError(e)
			if !ok {
				return nil, e
			}
			out = append(out, ue)
		}
		return out, nil
	}
	var fe *folio.Error
	if errors.As(err, &fe) {
		if ue, ok := userError(fe); ok {
			return []*model.UserError{ue}, nil
		}
	}
	return nil, err
}

// forgetAfterWrites makes each mutation's root field drop what the
// request's loaders read before its write, so its payload shows the written
// state. It hooks the fields of mutations only: queries run with no
// per-field interceptor at all.
type forgetAfterWrites struct{}

var _ graphql.OperationContextMutator = forgetAfterWrites{}

func (forgetAfterWrites) ExtensionName() string                   { return "ForgetAfterWrites" }
func (forgetAfterWrites) Validate(graphql.ExecutableSchema) error { return nil }

func (forgetAfterWrites) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil || oc.Operation.Operation != ast.Mutation {
		return nil
	}
	outer := oc.ResolverMiddleware
	oc.ResolverMiddleware = func(ctx context.Context, next graphql.Resolver) (any, error) {
		return outer(ctx, func(ctx context.Context) (any, error) {
			res, err := next(ctx)
			if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Object == "Mutation" {
				loader.For(ctx).Forget()
			}
			return res, err
		})
	}
	return nil
}

func roleOf(r model.Role) folio.Role { return folio.Role(strings.ToLower(string(r))) }

func reactionOf(k model.ReactionKind) folio.ReactionKind {
	return folio.ReactionKind(strings.ToLower(string(k)))
}

// idList decodes a list of IDs of one kind, each error on its own index.
func idList(field string, ids []string, kind string) ([]int64, error) {
	var fe folio.FieldErrors
	out := make([]int64, 0, len(ids))
	for i, s := range ids {
		id, err := parseIDOf(field+"."+strconv.Itoa(i), s, kind)
		if err != nil {
			fe = append(fe, err.(*folio.Error))
			continue
		}
		out = append(out, id)
	}
	return out, fe.Err()
}

// optionalID decodes an optional ID.
func optionalID(field string, s *string, kind string) (*int64, error) {
	if s == nil {
		return nil, nil
	}
	id, err := parseIDOf(field, *s, kind)
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// collect gathers the errors of decoding one input into FieldErrors.
func collect(errs ...error) error {
	var fe folio.FieldErrors
	for _, err := range errs {
		var one *folio.Error
		var many folio.FieldErrors
		switch {
		case err == nil:
		case errors.As(err, &many):
			fe = append(fe, many...)
		case errors.As(err, &one):
			fe = append(fe, one)
		default:
			return err
		}
	}
	return fe.Err()
}

// session hands a new session to the client. The request that made it
// still runs as the caller it came in as (anonymous, for a sign-in), so it
// notes the session's user as signed in for the rest of the request: the
// payload may show that user's own private fields.
func session(ctx context.Context, s *auth.Session) *model.Session {
	if s == nil {
		return nil
	}
	if st, ok := ctx.Value(sessionsKey{}).(*sessions); ok {
		st.mu.Lock()
		if st.users == nil {
			st.users = map[int64]bool{}
		}
		st.users[s.User.ID] = true
		st.mu.Unlock()
	}
	return &model.Session{AccessToken: s.AccessToken, AccessTokenExpiresAt: s.AccessExpiresAt,
		RefreshToken: s.RefreshToken, RefreshTokenExpiresAt: s.RefreshExpiresAt, User: s.User}
}

type sessionsKey struct{}

// sessions are the users a request signed in.
type sessions struct {
	mu    sync.Mutex
	users map[int64]bool // made on the first sign-in: most requests make none
}

func withSessions(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), sessionsKey{}, &sessions{})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// ownEmail shows u's email to u (signed in, or signed in by this request)
// and to admins; to nobody else.
func ownEmail(ctx context.Context, u *folio.User) *string {
	if folio.ViewerFrom(ctx).CanSeeEmail(u.ID) {
		return &u.Email
	}
	if st, ok := ctx.Value(sessionsKey{}).(*sessions); ok {
		st.mu.Lock()
		defer st.mu.Unlock()
		if st.users[u.ID] {
			return &u.Email
		}
	}
	return nil
}
