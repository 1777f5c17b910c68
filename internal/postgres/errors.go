package postgres

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

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

// Unavailable reports whether err says Postgres could not be reached or
// would not serve: no connection (refused, reset, closed under a statement
// by a restart), too many connections, or the server shutting down or
// starting up. Such a request may succeed if retried shortly; the pool
// replaces the broken connections by itself.
func Unavailable(err error) bool {
	if err == nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return false // the request's own end, not Postgres's
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case strings.HasPrefix(pgErr.Code, "08"), // connection exception
			pgErr.Code == "53300",                                               // too_many_connections
			pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03": // shutting down, crashed, starting
			return true
		}
		return false
	}
	var connectErr *pgconn.ConnectError
	var netErr *net.OpError
	return errors.As(err, &connectErr) || errors.As(err, &netErr) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, pgconn.ErrConnClosed)
}
