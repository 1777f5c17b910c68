package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/folio/folio/internal/folio"
)

const userCols = `u.id, u.handle, u.email, u.display_name, u.bio, u.avatar_url, u.role, u.created_at, u.updated_at, u.email_verified_at IS NULL, ` + avatarCol

// avatarCol reads a user's avatar as one JSON object (null without one),
// which scans into a *folio.Image.
const avatarCol = `CASE WHEN u.avatar_key IS NOT NULL THEN json_build_object('Key', u.avatar_key, 'Width', u.avatar_width, 'Height', u.avatar_height) END`

func scanUser(row pgx.Row, extra ...any) (*folio.User, error) {
	var u folio.User
	return &u, row.Scan(append(appendUserDest(make([]any, 0, 11+len(extra)), &u), extra...)...)
}

// appendUserDest appends to d the destinations of userCols.
func appendUserDest(d []any, u *folio.User) []any {
	return append(d, &u.ID, &u.Handle, &u.Email, &u.DisplayName, &u.Bio, &u.AvatarURL, &u.Role, &u.CreatedAt, &u.UpdatedAt, &u.Unverified, &u.Avatar)
}

const usersByIDs = `SELECT ` + userCols + ` FROM users u WHERE u.id = ANY($1)`

// UsersByIDs implements folio.UserStore.
func (db *DB) UsersByIDs(ctx context.Context, ids []int64) ([]*folio.User, error) {
	return list(ctx, db, "users by id", usersByIDs, args{ids}, scanUser)
}

// The text[] is cast so the comparison is citext's, case-insensitive and indexed.
const usersByHandles = `SELECT ` + userCols + ` FROM users u WHERE u.handle = ANY($1::text[]::citext[])`

// UsersByHandles implements folio.UserStore. Handles match case-insensitively.
func (db *DB) UsersByHandles(ctx context.Context, handles []string) ([]*folio.User, error) {
	return list(ctx, db, "users by handle", usersByHandles, args{handles}, scanUser)
}
