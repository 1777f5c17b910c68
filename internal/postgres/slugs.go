package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// rememberSlug records that old no longer names entity id of kind, and
// forgets any memory of the slug it now has, which is live again.
const (
	rememberSlug = `INSERT INTO slug_history (kind, slug, entity_id) VALUES ($1, $2, $3)
ON CONFLICT (kind, slug) DO UPDATE SET entity_id = excluded.entity_id, created_at = now()`
	forgetSlug = `DELETE FROM slug_history WHERE kind = $1 AND slug = $2`
)

func slugChanged(ctx context.Context, tx pgx.Tx, kind string, id int64, old, now string) error {
	if old == now {
		return nil
	}
	if _, err := tx.Exec(ctx, rememberSlug, kind, old, id); err != nil {
		return fmt.Errorf("remember %s slug: %w", kind, err)
	}
	if _, err := tx.Exec(ctx, forgetSlug, kind, now); err != nil {
		return fmt.Errorf("forget %s slug: %w", kind, err)
	}
	return nil
}

const formerSlug = `SELECT entity_id FROM slug_history WHERE kind = $1 AND slug = $2`

// FormerSlug implements folio.SlugHistory.
func (db *DB) FormerSlug(ctx context.Context, kind, slug string) (int64, bool, error) {
	id, err := reading(ctx, db, func(q querier) (int64, error) {
		var id int64
		err := q.QueryRow(ctx, formerSlug, kind, slug).Scan(&id)
		return id, err
	})
	if isNoRows(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("former %s slug: %w", kind, translate(err))
	}
	return id, true, nil
}
