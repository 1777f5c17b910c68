package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/folio/folio/internal/folio"
)

// CreateUser inserts a reader account. A taken email or handle is ETaken on
// its field.
func (db *DB) CreateUser(ctx context.Context, u folio.NewUser, passwordHash string) (*folio.User, error) {
	out, err := scanUser(db.Pool.QueryRow(ctx, `INSERT INTO users AS u (handle, email, display_name, password_hash)
VALUES ($1, $2, $3, $4) RETURNING `+userCols, u.Handle, u.Email, u.DisplayName, passwordHash))
	if err != nil {
		return nil, fmt.Errorf("create user: %w", translateWrite(err))
	}
	return out, nil
}

// Credentials returns the user with this email and their password hash
// ("" for an account that has none); ENotFound when there is no such user.
func (db *DB) Credentials(ctx context.Context, email string) (*folio.User, string, error) {
	var hash *string
	u, err := scanUser(db.Pool.QueryRow(ctx, `SELECT `+userCols+`, u.password_hash FROM users u WHERE u.email = $1`, email), &hash)
	if isNoRows(err) {
		return nil, "", folio.Errorf(folio.ENotFound, "No user has this email.")
	}
	if err != nil {
		return nil, "", fmt.Errorf("read credentials: %w", translate(err))
	}
	if hash == nil {
		return u, "", nil
	}
	return u, *hash, nil
}

// UpdateProfile changes v's own profile.
func (db *DB) UpdateProfile(ctx context.Context, v folio.Viewer, p folio.ProfilePatch) (*folio.User, error) {
	if !v.SignedIn() {
		return nil, folio.Errorf(folio.EUnauthenticated, "Sign in to change your profile.")
	}
	u, err := scanUser(db.Pool.QueryRow(ctx, `UPDATE users u SET
    display_name = COALESCE($2, u.display_name),
    bio = COALESCE($3, u.bio),
    avatar_url = CASE WHEN $4 THEN $5 ELSE u.avatar_url END,
    notify_replies = COALESCE($6, u.notify_replies),
    updated_at = now()
WHERE u.id = $1 RETURNING `+userCols, v.UserID, p.DisplayName, p.Bio, p.SetAvatarURL, p.AvatarURL, p.NotifyReplies))
	if isNoRows(err) {
		return nil, folio.Errorf(folio.EUnauthenticated, "Your account no longer exists.")
	}
	if err != nil {
		return nil, fmt.Errorf("update profile: %w", translateWrite(err))
	}
	return u, nil
}

// SetUserRole changes a user's role (admins, never their own).
func (db *DB) SetUserRole(ctx context.Context, v folio.Viewer, userID int64, role folio.Role) (*folio.User, error) {
	if !v.CanSetRoles() {
		return nil, folio.Errorf(folio.EForbidden, "Only admins change roles.")
	}
	if !role.Valid() {
		return nil, folio.InvalidField("role", "%q is not a role.", role)
	}
	if userID == v.UserID {
		return nil, folio.InvalidField("userId", "You cannot change your own role: ask another admin, so there is always one left.")
	}
	var u *folio.User
	err := db.inTx(ctx, "set role", func(tx pgx.Tx) error {
		// Lock the admins and check, inside the transaction, that the caller
		// is still one: two admins demoting each other at once cannot both
		// succeed and leave nobody in charge.
		rows, err := tx.Query(ctx, `SELECT id FROM users WHERE role = 'admin' ORDER BY id FOR UPDATE`)
		if err != nil {
			return fmt.Errorf("lock admins: %w", err)
		}
		admins, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("lock admins: %w", err)
		}
		if !slices.Contains(admins, v.UserID) {
			return folio.Errorf(folio.EForbidden, "Only admins change roles.")
		}
		u, err = scanUser(tx.QueryRow(ctx, `UPDATE users u SET role = $2, updated_at = now() WHERE u.id = $1 RETURNING `+userCols, userID, string(role)))
		if isNoRows(err) {
			return folio.Errorf(folio.ENotFound, "No user has this ID.")
		}
		if err != nil {
			return fmt.Errorf("set role: %w", translateWrite(err))
		}
		return nil
	})
	return u, err
}

// CreateRefreshToken starts a new family of refresh tokens for a user.
// The family's id is the session's.
func (db *DB) CreateRefreshToken(ctx context.Context, userID int64, hash []byte, expires time.Time) (string, error) {
	var family string
	err := db.Pool.QueryRow(ctx, `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at)
VALUES ($1, gen_random_uuid(), $2, $3) RETURNING family_id::text`, userID, hash, expires).Scan(&family)
	if err != nil {
		return "", fmt.Errorf("create refresh token: %w", err)
	}
	return family, nil
}

// RotateRefreshToken spends the token with hash old and issues newHash in its
// family, returning the family's user and id. A token that was already
// spent is a stolen one: its whole family is revoked (and stays revoked: the
// revocation commits even though the call fails, which then still names the
// user and family). Unknown, revoked and expired tokens are EUnauthenticated.
func (db *DB) RotateRefreshToken(ctx context.Context, old, newHash []byte, expires time.Time) (int64, string, error) {
	var userID int64
	var family string
	reused := false
	err := db.inTx(ctx, "rotate refresh token", func(tx pgx.Tx) error {
		var id int64
		var usedAt, revokedAt *time.Time
		var expired bool
		err := tx.QueryRow(ctx, `SELECT id, user_id, family_id::text, used_at, revoked_at, expires_at <= now()
FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE`, old).Scan(&id, &userID, &family, &usedAt, &revokedAt, &expired)
		if isNoRows(err) {
			return folio.Errorf(folio.EUnauthenticated, "This refresh token is not valid: sign in again.")
		}
		if err != nil {
			return fmt.Errorf("read refresh token: %w", err)
		}
		if revokedAt != nil || expired {
			return folio.Errorf(folio.EUnauthenticated, "This session has ended: sign in again.")
		}
		if usedAt != nil {
			reused = true
			_, err := tx.Exec(ctx, `UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1::uuid AND revoked_at IS NULL`, family)
			if err != nil {
				return fmt.Errorf("revoke token family: %w", err)
			}
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE refresh_tokens SET used_at = now() WHERE id = $1`, id); err != nil {
			return fmt.Errorf("spend refresh token: %w", err)
		}
		_, err = tx.Exec(ctx, `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES ($1, $2::uuid, $3, $4)`, userID, family, newHash, expires)
		if err != nil {
			return fmt.Errorf("issue refresh token: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, "", err
	}
	if reused {
		return userID, family, folio.Errorf(folio.EUnauthenticated, "This refresh token was already used, so every session it led to has been signed out: sign in again.")
	}
	return userID, family, nil
}

// RevokeRefreshFamily ends the session the token with this hash belongs to.
// It reports whether a live session ended.
func (db *DB) RevokeRefreshFamily(ctx context.Context, hash []byte) (int64, string, bool, error) {
	rows, err := db.Pool.Query(ctx, `UPDATE refresh_tokens SET revoked_at = now()
WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1) AND revoked_at IS NULL
RETURNING user_id, family_id::text`, hash)
	if err != nil {
		return 0, "", false, fmt.Errorf("revoke session: %w", translate(err))
	}
	defer rows.Close()
	var userID int64
	var family string
	revoked := false
	for rows.Next() {
		if err := rows.Scan(&userID, &family); err != nil {
			return 0, "", false, fmt.Errorf("scan revoked session: %w", err)
		}
		revoked = true
	}
	if err := rows.Err(); err != nil {
		return 0, "", false, fmt.Errorf("revoke session: %w", translate(err))
	}
	return userID, family, revoked, nil
}

// RevokeUserSessions ends every session of a user and returns their ids.
func (db *DB) RevokeUserSessions(ctx context.Context, userID int64) ([]string, error) {
	rows, err := db.Pool.Query(ctx, `WITH r AS (
	UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING family_id
) SELECT DISTINCT family_id::text FROM r`, userID)
	if err != nil {
		return nil, fmt.Errorf("revoke sessions: %w", translate(err))
	}
	sids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("revoke sessions: %w", translate(err))
	}
	return sids, nil
}

// SessionLive reports whether a session (a refresh-token family) exists and
// has not been revoked. Its refresh tokens may have expired: an access token
// of it is then still good until its own, shorter, lifetime ends.
func (db *DB) SessionLive(ctx context.Context, sessionID string) (bool, error) {
	var live bool
	err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = $1::uuid AND revoked_at IS NULL)`, sessionID).Scan(&live)
	if err != nil {
		return false, fmt.Errorf("check session: %w", translate(err))
	}
	return live, nil
}

// MaxAPIKeys bounds the live keys one user may hold.
const MaxAPIKeys = 50

const apiKeyCols = `k.id, k.user_id, k.name, k.prefix, k.created_at, k.last_used_at, k.revoked_at`

func scanAPIKey(row pgx.Row, extra ...any) (*folio.APIKey, error) {
	var k folio.APIKey
	dest := append([]any{&k.ID, &k.UserID, &k.Name, &k.Prefix, &k.CreatedAt, &k.LastUsedAt, &k.RevokedAt}, extra...)
	return &k, row.Scan(dest...)
}

// CreateAPIKey stores a new key's prefix and hash for a user.
func (db *DB) CreateAPIKey(ctx context.Context, userID int64, name, prefix string, hash []byte) (*folio.APIKey, error) {
	var out *folio.APIKey
	err := db.inTx(ctx, "create api key", func(tx pgx.Tx) error {
		// Lock the owner so two concurrent creations cannot both pass the cap.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, userID); err != nil {
			return fmt.Errorf("lock user: %w", err)
		}
		var live int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL`, userID).Scan(&live); err != nil {
			return fmt.Errorf("count api keys: %w", err)
		}
		if live >= MaxAPIKeys {
			return folio.InvalidField("name", "You have %d working API keys, the most allowed: revoke one first.", live)
		}
		var err error
		out, err = scanAPIKey(tx.QueryRow(ctx, `INSERT INTO api_keys AS k (user_id, name, prefix, key_hash) VALUES ($1, $2, $3, $4) RETURNING `+apiKeyCols, userID, name, prefix, hash))
		if err != nil {
			return fmt.Errorf("insert api key: %w", translateWrite(err))
		}
		return nil
	})
	return out, err
}

// APIKeyByPrefix returns a key, its hash and its owner; ENotFound when no
// key has this prefix.
func (db *DB) APIKeyByPrefix(ctx context.Context, prefix string) (*folio.APIKey, []byte, *folio.User, error) {
	var hash []byte
	var u folio.User
	k, err := scanAPIKey(db.Pool.QueryRow(ctx, `SELECT `+apiKeyCols+`, k.key_hash, `+userCols+`
FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.prefix = $1`, prefix),
		appendUserDest([]any{&hash}, &u)...)
	if isNoRows(err) {
		return nil, nil, nil, folio.Errorf(folio.ENotFound, "No API key has this prefix.")
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read api key: %w", err)
	}
	return k, hash, &u, nil
}

// TouchAPIKey records that a key was used, at most once a minute per key so
// a busy client does not turn every read into a write.
func (db *DB) TouchAPIKey(ctx context.Context, id int64) error {
	_, err := db.Pool.Exec(ctx, `UPDATE api_keys SET last_used_at = now()
WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`, id)
	if err != nil {
		return fmt.Errorf("touch api key: %w", err)
	}
	return nil
}

// RevokeAPIKey revokes one of a user's keys; ENotFound if it is not theirs.
// Revoking it again keeps the first revocation time.
func (db *DB) RevokeAPIKey(ctx context.Context, userID, id int64) (*folio.APIKey, error) {
	k, err := scanAPIKey(db.Pool.QueryRow(ctx, `UPDATE api_keys k SET revoked_at = COALESCE(k.revoked_at, now())
WHERE k.id = $1 AND k.user_id = $2 RETURNING `+apiKeyCols, id, userID))
	if isNoRows(err) {
		return nil, folio.Errorf(folio.ENotFound, "You have no API key with this ID.")
	}
	if err != nil {
		return nil, fmt.Errorf("revoke api key: %w", err)
	}
	return k, nil
}

// APIKeysOfUser lists a user's keys, newest first.
func (db *DB) APIKeysOfUser(ctx context.Context, userID int64) ([]*folio.APIKey, error) {
	return list(ctx, db, "api keys", `SELECT `+apiKeyCols+` FROM api_keys k WHERE k.user_id = $1 ORDER BY k.created_at DESC, k.id DESC`, args{userID}, scanAPIKey)
}

// SubscribeNewsletter records a pending subscription with its confirmation
// token's hash and queues the confirmation mail, in one transaction. The
// outbox row holds the token's reference, never the token. An address
// already confirmed is left as it is and gets no mail, and the caller
// cannot tell the difference.
func (db *DB) SubscribeNewsletter(ctx context.Context, email, tokenRef string, tokenHash []byte, expires time.Time) error {
	return db.inTx(ctx, "subscribe newsletter", func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO newsletter_subscriptions AS s (email, status, token_hash, token_expires_at)
VALUES ($1, 'pending', $2, $3)
ON CONFLICT (email) DO UPDATE SET status = 'pending', token_hash = $2, token_expires_at = $3, unsubscribed_at = NULL
WHERE s.status <> 'confirmed'
RETURNING s.id`, email, tokenHash, expires).Scan(&id)
		if isNoRows(err) {
			return nil // already confirmed
		}
		if err != nil {
			return fmt.Errorf("subscribe: %w", translate(err))
		}
		var mailID int64
		err = tx.QueryRow(ctx, `INSERT INTO email_outbox (recipient, kind, payload) VALUES ($1, 'newsletter_confirm', jsonb_build_object('ref', $2::text)) RETURNING id`, email, tokenRef).Scan(&mailID)
		if err != nil {
			return fmt.Errorf("queue confirmation mail: %w", err)
		}
		return db.queueMail(ctx, tx, []int64{mailID})
	})
}

// ConfirmNewsletter confirms the pending subscription whose token has this
// hash and returns its address; EInvalid when the token is unknown, used or
// expired.
func (db *DB) ConfirmNewsletter(ctx context.Context, tokenHash []byte) (string, error) {
	var email string
	err := db.Pool.QueryRow(ctx, `UPDATE newsletter_subscriptions SET status = 'confirmed', confirmed_at = now(), token_hash = NULL, token_expires_at = NULL
WHERE token_hash = $1 AND status = 'pending' AND token_expires_at > now() RETURNING email::text`, tokenHash).Scan(&email)
	if isNoRows(err) {
		return "", folio.InvalidField("token", "This confirmation link is not valid or has expired: subscribe again for a new one.")
	}
	if err != nil {
		return "", fmt.Errorf("confirm subscription: %w", err)
	}
	return email, nil
}

// UnsubscribeNewsletter ends the subscription of an address, if there is one.
func (db *DB) UnsubscribeNewsletter(ctx context.Context, email string) error {
	_, err := db.Pool.Exec(ctx, `UPDATE newsletter_subscriptions SET status = 'unsubscribed', unsubscribed_at = now(), token_hash = NULL, token_expires_at = NULL
WHERE email = $1 AND status <> 'unsubscribed'`, email)
	if err != nil {
		return fmt.Errorf("unsubscribe: %w", translate(err))
	}
	return nil
}
