package folio

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Code classifies an Error. Transports map codes to their own vocabulary in
// exactly one place (GraphQL: extensions.code).
type Code string

// The error codes. Anything that is not an *Error is internal.
const (
	EInvalid  Code = "invalid"   // the caller's input is wrong; the message says how
	ENotFound Code = "not_found" // the thing does not exist, or the caller may not see it
	EInternal Code = "internal"  // our fault; details are logged, never shown

	EUnauthenticated Code = "unauthenticated" // no valid credentials, or they are needed and missing
	EForbidden       Code = "forbidden"       // the caller is known but may not do this
	EUnverified      Code = "unverified"      // the caller's email address is not verified yet
	EConflict        Code = "conflict"        // the thing changed since the caller read it
	ETaken           Code = "taken"           // a unique name (email, handle, slug) is in use
	ERateLimited     Code = "rate_limited"    // too many attempts; RetryAfter says when to try again
	ECredentials     Code = "credentials"     // sign-in failed; never says which part was wrong
	ETimeout         Code = "timeout"         // the request ran past its deadline
	EUnavailable     Code = "unavailable"     // a service Folio needs is down; retry after RetryAfter

	// Idempotency keys (the Idempotency-Key header).
	EIdempotencyKeyReused Code = "idempotency_key_reused" // the key came with another request before
	EIdempotencyKeyInUse  Code = "idempotency_key_in_use" // the key's first request is still running

	// The request is not GraphQL over HTTP as Folio speaks it.
	EMethodNotAllowed Code = "method_not_allowed" // a method the endpoint does not take
	EUnsupportedMedia Code = "unsupported_media"  // a body that is not application/json
	ETooLarge         Code = "too_large"          // a body over the size limit
	ENotAcceptable    Code = "not_acceptable"     // an Accept header that admits no JSON
	ESlowBody         Code = "slow_body"          // a body that did not arrive in time
	EIncompleteBody   Code = "incomplete_body"    // a body cut off before its end
	EUploadsDisabled  Code = "uploads_disabled"   // a file upload to a server that takes none

	// An uploaded image Folio will not store.
	EImageType       Code = "image_type"       // not a JPEG, PNG or WebP, by its bytes (whatever it claims)
	EImageSize       Code = "image_size"       // a file over the size limit
	EImageDimensions Code = "image_dimensions" // width, height or pixels over the limits

	// The operation is over one of the ceilings checked before it runs.
	ECostLimit      Code = "cost_limit"      // its price
	EDepthLimit     Code = "depth_limit"     // how deep its fields nest
	EAliasLimit     Code = "alias_limit"     // how many aliases it has
	ETokenLimit     Code = "token_limit"     // how many tokens its document has
	EDirectiveLimit Code = "directive_limit" // how many directives one field carries
	EDocumentSize   Code = "document_size"   // how many bytes its document has
	EOperationLimit Code = "operation_limit" // how many operations its document has
	EFieldLimit     Code = "field_limit"     // how many fields its document selects, fragments unfolded
	ESelectionLimit Code = "selection_limit" // how many fields one selection set holds
	ERepeatLimit    Code = "repeat_limit"    // how often one response key is selected in one selection set
	ESpreadLimit    Code = "spread_limit"    // how many fragment spreads it makes, fragments unfolded
	EVariableLimit  Code = "variable_limit"  // how many variables one operation declares

	// Persisted operations.
	EPersistedQueryNotFound  Code = "persisted_query_not_found" // an unknown hash
	ETrustedDocumentRequired Code = "trusted_document_required" // not a registered operation
)

// Error is an error a caller may see: its message is meant for a person and
// never carries internals.
type Error struct {
	Code    Code
	Message string
	// Field names the input field at fault, if any (e.g. "first", "after").
	Field string
	// RetryAfter is how long to wait before trying again (ERateLimited).
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	return fmt.Sprintf("folio error: code=%s message=%s", e.Code, e.Message)
}

// InvalidField returns an EInvalid error about one input field.
func InvalidField(field, format string, args ...any) *Error {
	return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Errorf returns an Error with code c and a formatted message.
func Errorf(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err: its own if it is an *Error, EInvalid
// for FieldErrors, EInternal for anything else.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var fe FieldErrors
	if errors.As(err, &fe) {
		return EInvalid
	}
	return EInternal
}

// FieldErrors is every problem found in one input, so a person can fix them
// all at once instead of one per round trip.
type FieldErrors []*Error

func (fe FieldErrors) Error() string {
	msgs := make([]string, len(fe))
	for i, e := range fe {
		msgs[i] = e.Field + ": " + e.Message
	}
	return "folio field errors: " + strings.Join(msgs, "; ")
}

// Add records a problem with one field.
func (fe *FieldErrors) Add(field, format string, args ...any) {
	*fe = append(*fe, InvalidField(field, format, args...))
}

// Err returns fe as an error, or nil when there is nothing in it.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}
