package folio

import (
	"errors"
	"fmt"
)

// Code classifies an Error. Transports map codes to their own vocabulary in
// exactly one place (GraphQL: extensions.code).
type Code string

// The error codes. Anything that is not an *Error is ECodeInternal.
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

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidField returns an EInvalid error about one input field.
func InvalidField(field, format string, args ...any) *Error {
	return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EInternal for anything that is not an *Error.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the message a caller may see for err: the *Error's own,
// a generic one for anything else.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "An internal error occurred."
}
