package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/httpapi"
	"github.com/folio/folio/internal/requestid"
)

// extCode is the extensions.code of c, from httpapi's table: the one place
// where domain codes become the API's.
func extCode(c folio.Code) string { return httpapi.ExtensionCode(c) }

// presentDomainError shows a domain error as it is meant to be seen.
func presentDomainError(ctx context.Context, err error, fe *folio.Error) *gqlerror.Error {
	gqlErr := graphql.DefaultErrorPresenter(ctx, err)
	gqlErr.Message = fe.Message
	gqlErr.Extensions = map[string]any{"code": extCode(fe.Code)}
	if fe.Field != "" {
		gqlErr.Extensions["field"] = fe.Field
	}
	if fe.RetryAfter > 0 {
		gqlErr.Extensions["retryAfterMs"] = fe.RetryAfter.Milliseconds()
	}
	if fe.Code == folio.EInternal {
		gqlErr.Extensions["requestId"] = requestid.From(ctx)
	}
	return gqlErr
}

// errorPresenter gives every error an extensions.code. Domain errors keep
// their message; gqlgen's own parse and validation errors keep theirs;
// anything else is logged with the request id and shown as a bare internal
// error, so internals never reach a client.
func errorPresenter(log *slog.Logger, unavailable func(error) bool) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		var fe *folio.Error
		var fes folio.FieldErrors
		var internal resolverError
		if !errors.As(err, &internal) && errors.As(err, &fe) {
			return presentDomainError(ctx, err, fe)
		}
		if !errors.As(err, &internal) && errors.As(err, &fes) && len(fes) > 0 {
			// Several problems with one input: the first is the message,
			// every one is listed.
			gqlErr := presentDomainError(ctx, err, fes[0])
			all := make([]map[string]any, len(fes))
			for i, e := range fes {
				all[i] = map[string]any{"field": e.Field, "message": e.Message}
			}
			gqlErr.Extensions["fields"] = all
			return gqlErr
		}
		if introspectionRefused(ctx) {
			// gqlgen refuses __schema and __type with a bare error that
			// would otherwise look like our failure.
			return &gqlerror.Error{Message: "Introspection is disabled on this server.", Path: graphql.GetPath(ctx), Rule: "IntrospectionDisabled",
				Locations: locationsOf(err), Extensions: map[string]any{"code": errcode.ValidationFailed}}
		}
		if gqlErr, ok := err.(*gqlerror.Error); ok && !errors.As(err, &internal) {
			if presented, ok := presentProtocolError(gqlErr); ok {
				return presented
			}
			if !graphql.HasOperationContext(ctx) {
				// gqlgen could not read the request (bad JSON, a body over
				// the limit); its message quotes the body, which is neither
				// ours to echo nor to log.
				return &gqlerror.Error{
					Message:    "The request body is not a GraphQL request: send JSON with a \"query\" string and optional \"variables\" object.",
					Extensions: map[string]any{"code": extCode(folio.EInvalid)},
				}
			}
		}
		// A statement cut short by the deadline fails with Postgres's own
		// "canceling statement" error: the context says why.
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return &gqlerror.Error{
				Message:    "The operation ran out of time. Ask for fewer rows or fewer nested lists.",
				Path:       graphql.GetPath(ctx),
				Extensions: map[string]any{"code": extCode(folio.ETimeout), "requestId": requestid.From(ctx)},
			}
		}
		if errors.Is(err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled) {
			// The client went away; nothing failed on our side.
			log.InfoContext(ctx, "request cancelled", "request_id", requestid.From(ctx), "path", graphql.GetPath(ctx).String())
			return &gqlerror.Error{Message: "The request was cancelled.", Path: graphql.GetPath(ctx), Extensions: map[string]any{"code": extCode(folio.EInternal)}}
		}
		if unavailable != nil && unavailable(err) {
			log.WarnContext(ctx, "service unavailable", "error", err.Error(), "request_id", requestid.From(ctx), "path", graphql.GetPath(ctx).String())
			return &gqlerror.Error{
				Message:    "The database is unavailable for a moment. Retry shortly.",
				Path:       graphql.GetPath(ctx),
				Extensions: map[string]any{"code": extCode(folio.EUnavailable), "retryAfterMs": retryAfterUnavailable.Milliseconds(), "requestId": requestid.From(ctx)},
			}
		}
		log.ErrorContext(ctx, "internal error", "error", err.Error(), "request_id", requestid.From(ctx), "path", graphql.GetPath(ctx).String())
		return &gqlerror.Error{
			Message:    "Internal server error. Quote the request id when you report it.",
			Path:       graphql.GetPath(ctx),
			Extensions: map[string]any{"code": extCode(folio.EInternal), "requestId": requestid.From(ctx)},
		}
	}
}

// retryAfterUnavailable is how long a client should wait before retrying
// after SERVICE_UNAVAILABLE: a restarting Postgres takes about that long.
const retryAfterUnavailable = time.Second

// resolverError marks an error that came out of a resolver and is not a
// domain error: a store or driver failure, never the caller's input. Errors
// a resolver returns are known by their location; an error added on the
// side (nodes' per-index errors) is marked with this.
type resolverError struct{ err error }

func (e resolverError) Error() string { return e.err.Error() }
func (e resolverError) Unwrap() error { return e.err }

// introspectionRefused reports whether the failing field is __schema or
// __type asked while introspection is off: gqlgen refuses those with a bare
// error that would otherwise look like our failure.
func introspectionRefused(ctx context.Context) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil || (fc.Field.Name != "__schema" && fc.Field.Name != "__type") {
		return false
	}
	return graphql.HasOperationContext(ctx) && graphql.GetOperationContext(ctx).DisableIntrospection
}

// presentProtocolError classifies the errors gqlgen and gqlparser make
// themselves. A value of the wrong type or outside an enum, in the document
// or in the variables, is the caller's input at fault: BAD_USER_INPUT.
// Other parse and validation errors keep gqlgen's codes. An uncoded error
// that wraps a cause and has no location failed to decode an argument (e.g.
// a malformed Time); a resolver's failure has the location of its field,
// which gqlgen adds to every error a resolver returns. Anything else is not
// the caller's doing.
func presentProtocolError(e *gqlerror.Error) (*gqlerror.Error, bool) {
	e.Message = shorten(timeMessage(variableMessage(e), e.Path))
	code, _ := e.Extensions["code"].(string)
	switch {
	case code == errcode.ValidationFailed && (e.Rule == "ValuesOfCorrectType" || e.Rule == ""):
		e.Extensions["code"] = extCode(folio.EInvalid)
		return e, true
	case code != "":
		return e, true
	case e.Unwrap() != nil && len(e.Locations) == 0:
		if e.Extensions == nil {
			e.Extensions = map[string]any{}
		}
		e.Extensions["code"] = extCode(folio.EInvalid)
		return e, true
	}
	return nil, false
}

// variableMessage turns gqlparser's terse words about a variable ("must be
// defined", "cannot use string as Int"), which hang on a path such as
// ["variable", "input", "kind"], into a sentence that names the variable.
// For a number it says what was needed: gqlparser shows the value mangled
// ("cannot use value 0 as Int" for 2.5), which misleads more than it helps.
func variableMessage(e *gqlerror.Error) string {
	if len(e.Path) < 2 || e.Path[0] != ast.PathName("variable") {
		return e.Message
	}
	where, parent := variablePath(e.Path[1:]), variablePath(e.Path[1:len(e.Path)-1])
	last, _ := e.Path[len(e.Path)-1].(ast.PathName)
	msg := e.Message
	switch {
	case msg == "must be defined" && len(e.Path) == 2:
		return fmt.Sprintf("Variable %q is required: give it a value.", where)
	case msg == "must be defined":
		return fmt.Sprintf("Variable %q lacks the required field %q.", parent, string(last))
	case msg == "unknown field":
		return fmt.Sprintf("Variable %q has a field %q that its type does not define.", parent, string(last))
	case msg == "cannot be null":
		return fmt.Sprintf("Variable %q cannot be null.", where)
	case strings.HasPrefix(msg, "cannot use value ") && strings.HasSuffix(msg, " as Int"):
		return fmt.Sprintf("Variable %q must be an Int: a whole number from -2147483648 to 2147483647.", where)
	case strings.HasPrefix(msg, "cannot use value ") && strings.HasSuffix(msg, " as Float"):
		return fmt.Sprintf("Variable %q must be a finite Float.", where)
	}
	if m := wrongKind.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("Variable %q must be %s, not %s.", where, withArticle(m[2]), jsonKind(m[1]))
	}
	if m := notInputObject.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("Variable %q must be %s (an object), not %s.", where, withArticle(m[1]), jsonKind(m[2]))
	}
	if m := notEnumValue.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("Variable %q must be one of %s's values; %q is not one.", where, m[2], m[1])
	}
	return fmt.Sprintf("Variable %q: %s.", where, strings.TrimSuffix(msg, "."))
}

// timeMessage names the argument or input field a Time value failed to
// decode for, and shows the form it needs: gqlgen's own words ("time should
// be RFC3339Nano formatted string") name neither.
func timeMessage(msg string, path ast.Path) string {
	if !strings.HasPrefix(msg, "time should be RFC3339") || len(path) == 0 {
		return msg
	}
	name, _ := path[len(path)-1].(ast.PathName)
	return fmt.Sprintf("%s must be a time in RFC 3339 form, such as 2026-01-31T09:00:00Z.", string(name))
}

// gqlparser's messages about a variable of the wrong kind, for
// variableMessage.
var (
	wrongKind      = regexp.MustCompile(`^cannot use (\w+) as (\w+)$`)
	notInputObject = regexp.MustCompile(`^must be a (\w+), not a (\w+)$`)
	notEnumValue   = regexp.MustCompile(`^(.*) is not a valid (\w+)$`)
)

// variablePath writes a variable's path as a client would: $input.tags[2].
func variablePath(p ast.Path) string {
	var b strings.Builder
	for i, el := range p {
		switch el := el.(type) {
		case ast.PathIndex:
			fmt.Fprintf(&b, "[%d]", int(el))
		case ast.PathName:
			if i == 0 {
				b.WriteByte('$')
			} else {
				b.WriteByte('.')
			}
			b.WriteString(string(el))
		}
	}
	return b.String()
}

// jsonKind names, the way JSON would, the Go kind gqlparser reports for a
// decoded variable value.
func jsonKind(kind string) string {
	switch {
	case kind == "string":
		return "a string"
	case kind == "bool":
		return "a boolean"
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "map":
		return "an object"
	case kind == "slice":
		return "a list"
	}
	return withArticle(kind)
}

// maxMessageBytes bounds a parse or validation error's message, and
// maxQuotedBytes each name or value it quotes: gqlparser quotes them from
// the document, and a refusal must not echo a hostile document back.
const (
	maxMessageBytes = 200
	maxQuotedBytes  = 32
)

// shorten cuts each quoted part of msg longer than maxQuotedBytes, then
// msg itself to maxMessageBytes, on character boundaries.
func shorten(msg string) string {
	if len(msg) <= maxQuotedBytes {
		return msg
	}
	var b strings.Builder
	for {
		open := strings.IndexByte(msg, '"')
		if open < 0 {
			break
		}
		end := strings.IndexByte(msg[open+1:], '"')
		if end < 0 {
			break
		}
		quoted := msg[open+1 : open+1+end]
		b.WriteString(msg[:open+1])
		b.WriteString(truncate(quoted, maxQuotedBytes))
		b.WriteByte('"')
		msg = msg[open+1+end+1:]
	}
	b.WriteString(msg)
	return truncate(b.String(), maxMessageBytes)
}

// maxErrors bounds the errors one response lists. A document within the
// shape limits can still fail validation thousands of times over; the
// client needs the first few to fix it, not all of them.
const maxErrors = 20

// capErrors keeps the first maxErrors-1 errors of a response and replaces
// the rest with one that says how many were left out.
func capErrors(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || len(resp.Errors) <= maxErrors {
		return resp
	}
	rest := resp.Errors[maxErrors-1:]
	more := &gqlerror.Error{Message: fmt.Sprintf("%d more errors are not listed; fix the ones above first.", len(rest))}
	if code, ok := rest[0].Extensions["code"]; ok {
		more.Extensions = map[string]any{"code": code}
	}
	resp.Errors = append(resp.Errors[:maxErrors-1:maxErrors-1], more)
	return resp
}

// recoverFunc turns a resolver's panic into an internal error after logging
// it with its stack and the request id. The process keeps serving.
func recoverFunc(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(p), "request_id", requestid.From(ctx),
			"path", graphql.GetPath(ctx).String(), "stack", string(debug.Stack()))
		return &folio.Error{Code: folio.EInternal, Message: "Internal server error. Quote the request id when you report it."}
	}
}

func locationsOf(err error) []gqlerror.Location {
	var gqlErr *gqlerror.Error
	if errors.As(err, &gqlErr) {
		return gqlErr.Locations
	}
	return nil
}
