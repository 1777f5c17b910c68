package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/folio/folio/internal/folio"
)

// inTx runs fn in one transaction: committed if fn returns nil, rolled back
// otherwise, so a mutation happens whole or not at all.
func (db *DB) inTx(ctx context.Context, what string, fn func(tx pgx.Tx) error) error {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin %s: %w", what, err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit %s: %w", what, translate(err))
	}
	return nil
}

// inTxReturning is inTx for a write that returns what it wrote.
func inTxReturning[T any](ctx context.Context, db *DB, what string, fn func(tx pgx.Tx) (T, error)) (T, error) {
	var out T
	err := db.inTx(ctx, what, func(tx pgx.Tx) (err error) {
		out, err = fn(tx)
		return err
	})
	return out, err
}

// lockAllowed locks row id with lock (which refuses what v may not see) and
// checks that v may change it, refusing with forbidden otherwise.
func lockAllowed[T any](ctx context.Context, tx pgx.Tx, v folio.Viewer, id int64,
	lock func(context.Context, pgx.Tx, folio.Viewer, int64) (T, error), may func(T) bool, forbidden string) (T, error) {
	row, err := lock(ctx, tx, v, id)
	if err == nil && !may(row) {
		err = folio.Errorf(folio.EForbidden, "%s", forbidden)
	}
	return row, err
}

// uniqueFields names the input field behind each unique constraint, so a
// duplicate is reported on the field a person typed.
var uniqueFields = map[string]*folio.Error{
	"users_email_key":     {Code: folio.ETaken, Field: "email", Message: "An account with this email address already exists: sign in instead."},
	"users_handle_key":    {Code: folio.ETaken, Field: "handle", Message: "This handle is taken: pick another."},
	"articles_slug_key":   {Code: folio.ETaken, Field: "slug", Message: "Another article has this slug: pick another."},
	"tags_slug_key":       {Code: folio.ETaken, Field: "slug", Message: "Another tag has this slug: pick another."},
	"categories_slug_key": {Code: folio.ETaken, Field: "slug", Message: "Another category has this slug: pick another."},
}

// translateWrite interprets the errors a write can meet: a duplicate of a
// unique name is the caller's to fix; anything else is as translate says.
func translateWrite(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		if e, ok := uniqueFields[pgErr.ConstraintName]; ok {
			c := *e
			return &c
		}
	}
	return translate(err)
}

func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
