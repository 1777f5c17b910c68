package graph

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/folio/folio/graph/model"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/loader"
)

// Decoding a mutation's input, and splitting the domain's answer into the
// payload's userErrors and the field's error.

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

// splitUserErrors splits a mutation's error: the input problems go to
// *userErrors (empty when there are none), anything else is returned as the
// field's error.
func splitUserErrors(userErrors *[]*model.UserError, err error) error {
	ues, err := userErrorsOf(err)
	*userErrors = ues
	return err
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

// deref is what s points to, or "" for nil.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// articleStatusPayload answers publishing or archiving an article.
func articleStatusPayload(a *folio.Article, err error) (*model.ArticleStatusPayload, error) {
	p := &model.ArticleStatusPayload{Article: a}
	return p, splitUserErrors(&p.UserErrors, err)
}

// reactionPayload answers a reaction with the article as it now stands.
func reactionPayload(ctx context.Context, id int64, err error) (*model.ReactionPayload, error) {
	var a *folio.Article
	if err == nil {
		a, err = mustLoad(ctx, loader.For(ctx).ArticleByID, id, "article")
	}
	p := &model.ReactionPayload{Article: a}
	return p, splitUserErrors(&p.UserErrors, err)
}
