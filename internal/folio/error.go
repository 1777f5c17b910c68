package folio

import "fmt"

// Code classifies an Error. Transports map codes to their own vocabulary in
// exactly one place (GraphQL: extensions.code).
type Code string

// The error codes. Anything that is not an *Error is internal.
const (
	EInvalid  Code = "invalid"   // the caller's input is wrong; the message says how
	ENotFound Code = "not_found" // the thing does not exist, or the caller may not see it
	EInternal Code = "internal"  // our fault; details are logged, never shown
)

// Error is an error a caller may see: its message is meant for a person and
// never carries internals.
type Error struct {
	Code    Code
	Message string
	// Field names the input field at fault, if any (e.g. "first", "after").
	Field string
}

func (e *Error) Error() string {
	return fmt.Sprintf("folio error: code=%s message=%s", e.Code, e.Message)
}

// InvalidField returns an EInvalid error about one input field.
func InvalidField(field, format string, args ...any) *Error {
	return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}
