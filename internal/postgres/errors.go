package postgres

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/folio/folio/internal/folio"
)

// translate interprets a driver error at the boundary. A data exception
// (SQLSTATE class 22: a value out of range, malformed, or holding NUL) is
// the caller's input: callers validate what they can first, and this is the
// backstop that keeps such input from ever looking like our failure.
// Everything else stays as it is, an internal error.
func translate(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && strings.HasPrefix(pgErr.Code, "22") {
		return &folio.Error{Code: folio.EInvalid, Message: "A value in the request is malformed or out of range."}
	}
	return err
}
