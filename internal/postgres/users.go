package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/folio/folio/internal/folio"
)

// The columns of a user's row, by part (folio.UserColumns) after the id
// and the handle, which every read has. userCols is all of them, in the
// order of userParts, which appendUserDest scans.
const (
	userNameCols   = ", u.display_name"
	userBioCols    = ", u.bio"
	userEmailCols  = ", u.email, u.email_verified_at IS NULL"
	userAvatarCols = ", u.avatar_url, " + avatarCol
	userRoleCols   = ", u.role"
	userTimesCols  = ", u.created_at, u.updated_at"
	userCols       = "u.id, u.handle" + userNameCols + userBioCols + userEmailCols + userAvatarCols + userRoleCols + userTimesCols
)

// avatarCol reads a user's avatar as one JSON object (null without one),
// which scans into a *folio.Image.
const avatarCol = `CASE WHEN u.avatar_key IS NOT NULL THEN json_build_object('Key', u.avatar_key, 'Width', u.avatar_width, 'Height', u.avatar_height) END`

func scanUser(row pgx.Row, extra ...any) (*folio.User, error) {
	var u folio.User
	return &u, row.Scan(append(appendUserDest(make([]any, 0, 11+len(extra)), &u), extra...)...)
}

// appendUserDest appends to d the destinations of userCols.
func appendUserDest(d []any, u *folio.User) []any {
	return appendUserParts(d, u, folio.UserProjected-1)
}

// userPart is the columns of one part of a user's row and their
// destinations.
type userPart struct {
	part folio.UserColumns
	cols string
	dest func(d []any, u *folio.User) []any
}

var userParts = []userPart{
	{folio.UserDisplayName, userNameCols, func(d []any, u *folio.User) []any { return append(d, &u.DisplayName) }},
	{folio.UserBio, userBioCols, func(d []any, u *folio.User) []any { return append(d, &u.Bio) }},
	{folio.UserEmail, userEmailCols, func(d []any, u *folio.User) []any { return append(d, &u.Email, &u.Unverified) }},
	{folio.UserAvatar, userAvatarCols, func(d []any, u *folio.User) []any { return append(d, &u.AvatarURL, &u.Avatar) }},
	{folio.UserRole, userRoleCols, func(d []any, u *folio.User) []any { return append(d, &u.Role) }},
	{folio.UserTimes, userTimesCols, func(d []any, u *folio.User) []any { return append(d, &u.CreatedAt, &u.UpdatedAt) }},
}

// userColumns is the columns of the parts c picks (all of userCols unless
// c has folio.UserProjected); appendUserDestOf appends their destinations.
// Each column a row does not need is one Postgres reads, converts and
// sends, and pgx decodes: on an article page, whose 35 comments show their
// authors' handles and names, a third of the Postgres time of the
// statement that reads them.
func userColumns(c folio.UserColumns) string {
	if c&folio.UserProjected == 0 {
		return userCols
	}
	return projectedUserColumns[c&^folio.UserProjected]
}

// projectedUserColumns is userColumns of every set of parts, made once.
var projectedUserColumns = func() (sets [folio.UserProjected]string) {
	for c := range sets {
		cols := "u.id, u.handle"
		for _, p := range userParts {
			if folio.UserColumns(c)&p.part != 0 {
				cols += p.cols
			}
		}
		sets[c] = cols
	}
	return sets
}()

func appendUserDestOf(d []any, u *folio.User, c folio.UserColumns) []any {
	if c&folio.UserProjected == 0 {
		return appendUserDest(d, u)
	}
	u.Partial = true
	return appendUserParts(d, u, c)
}

// appendUserParts appends the destinations of the id, the handle and the
// parts c picks.
func appendUserParts(d []any, u *folio.User, c folio.UserColumns) []any {
	d = append(d, &u.ID, &u.Handle)
	for _, p := range userParts {
		if c&p.part != 0 {
			d = p.dest(d, u)
		}
	}
	return d
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
