package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/folio/folio/internal/postgres"
)

func TestUnavailable(t *testing.T) {
	_, refused := pgconn.Connect(context.Background(), "postgres://postgres@127.0.0.1:1/x?connect_timeout=2")
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"ConnectionRefused", fmt.Errorf("load: %w", refused), true},
		{"TooManyConnections", &pgconn.PgError{Code: "53300"}, true},
		{"ShuttingDown", &pgconn.PgError{Code: "57P01"}, true},
		{"StartingUp", &pgconn.PgError{Code: "57P03"}, true},
		{"ConnectionException", &pgconn.PgError{Code: "08006"}, true},
		{"ConnClosed", fmt.Errorf("query: %w", pgconn.ErrConnClosed), true},
		{"UniqueViolation", &pgconn.PgError{Code: "23505"}, false},
		{"Deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), false},
		{"Other", errors.New("boom"), false},
		{"Nil", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := postgres.Unavailable(tc.err); got != tc.want {
				t.Errorf("Unavailable(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
