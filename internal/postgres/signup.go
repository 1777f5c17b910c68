package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/folio/folio/internal/folio"
)

// signUpAttemptEvery is how often, at most, the owner of an address is
// told that someone tried to sign up with it.
const signUpAttemptEvery = "1 hour"

const (
	signUpHandleTaken = `SELECT EXISTS (SELECT 1 FROM users WHERE handle = $1)`
	// email_verified_at NULL: the account is unverified until the link.
	signUpInsert = `INSERT INTO users AS u (handle, email, display_name, password_hash, email_verified_at)
VALUES ($1, $2, $3, $4, NULL) ON CONFLICT (email) DO NOTHING RETURNING ` + userCols
	// An account never verified within a link's life is replaced by a new
	// sign-up with its address (folio.EmailVerificationTTL). It has no
	// articles or comments (unverified accounts cannot write); its sessions,
	// keys and reactions go with it.
	signUpReplaceStale = `DELETE FROM users u WHERE u.email = $1 AND u.email_verified_at IS NULL
AND u.created_at < now() - make_interval(secs => $2)
AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.author_id = u.id)
AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.author_id = u.id)
RETURNING u.id`
	signUpVerification = `INSERT INTO email_verifications (user_id, token_hash, expires_at) VALUES ($1, $2, $3)`
	signUpVerifyMail   = `INSERT INTO email_outbox (recipient, kind, payload)
VALUES ($1, 'verify_email', jsonb_build_object('ref', $2::text)) RETURNING id`
	// The notice goes to the address as the account has it, once per
	// signUpAttemptEvery, so signUp cannot be used to flood an owner.
	signUpAttemptMail = `INSERT INTO email_outbox (recipient, kind, payload)
SELECT u.email, 'signup_attempt', '{}' FROM users u
WHERE u.email = $1 AND NOT EXISTS (
    SELECT 1 FROM email_outbox o WHERE o.kind = 'signup_attempt' AND o.recipient = u.email
    AND o.created_at > now() - interval '` + signUpAttemptEvery + `')
RETURNING id`
)

// SignUp creates an unverified reader account, the hash of its
// verification token and the mail that carries the token (made again from
// verify.Ref), in one transaction, and returns the account. When the email
// already has an account it makes none and queues a notice to its owner
// instead, and returns nil: the caller answers both alike. An account never
// verified within folio.EmailVerificationTTL is replaced instead. A handle in use
// is ETaken on "handle", checked before the email, so that answer never
// depends on whether the email is taken.
func (db *DB) SignUp(ctx context.Context, in folio.NewUser, passwordHash string, verify folio.MailToken) (*folio.User, error) {
	return inTxReturning(ctx, db, "sign up", func(tx pgx.Tx) (*folio.User, error) {
		var taken bool
		if err := tx.QueryRow(ctx, signUpHandleTaken, in.Handle).Scan(&taken); err != nil {
			return nil, fmt.Errorf("check handle: %w", translate(err))
		}
		if taken {
			e := *uniqueFields["users_handle_key"]
			return nil, &e
		}
		u, err := scanUser(tx.QueryRow(ctx, signUpInsert, in.Handle, in.Email, in.DisplayName, passwordHash))
		if isNoRows(err) {
			var stale int64
			err = tx.QueryRow(ctx, signUpReplaceStale, in.Email, folio.EmailVerificationTTL.Seconds()).Scan(&stale)
			if isNoRows(err) {
				return nil, db.queueSignUpAttempt(ctx, tx, in.Email)
			}
			if err != nil {
				return nil, fmt.Errorf("replace unverified account: %w", translate(err))
			}
			u, err = scanUser(tx.QueryRow(ctx, signUpInsert, in.Handle, in.Email, in.DisplayName, passwordHash))
			if isNoRows(err) { // another sign-up took the address meanwhile
				return nil, db.queueSignUpAttempt(ctx, tx, in.Email)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("create user: %w", translateWrite(err))
		}
		if _, err := tx.Exec(ctx, signUpVerification, u.ID, verify.Hash, verify.Expires); err != nil {
			return nil, fmt.Errorf("record verification: %w", translate(err))
		}
		var mailID int64
		if err := tx.QueryRow(ctx, signUpVerifyMail, u.Email, verify.Ref).Scan(&mailID); err != nil {
			return nil, fmt.Errorf("queue verification mail: %w", translate(err))
		}
		return u, db.queueMail(ctx, tx, []int64{mailID})
	})
}

func (db *DB) queueSignUpAttempt(ctx context.Context, tx pgx.Tx, email string) error {
	var mailID int64
	err := tx.QueryRow(ctx, signUpAttemptMail, email).Scan(&mailID)
	if isNoRows(err) {
		return nil // told within the hour already
	}
	if err != nil {
		return fmt.Errorf("queue sign-up notice: %w", translate(err))
	}
	return db.queueMail(ctx, tx, []int64{mailID})
}

const verifyEmail = `WITH v AS (
    DELETE FROM email_verifications WHERE token_hash = $1 RETURNING user_id, expires_at
)
UPDATE users u SET email_verified_at = now(), updated_at = now()
FROM v WHERE u.id = v.user_id AND v.expires_at > now()
RETURNING ` + userCols

// VerifyEmail spends a verification token and returns the account it
// verified; EInvalid on field "token" when the token is unknown, spent or
// expired. A token works once, even when it had expired.
func (db *DB) VerifyEmail(ctx context.Context, tokenHash []byte) (*folio.User, error) {
	u, err := scanUser(db.Pool.QueryRow(ctx, verifyEmail, tokenHash))
	if isNoRows(err) {
		return nil, folio.InvalidField("token", "This verification link is not valid or has expired: sign in and ask for a new one (resendVerificationEmail).")
	}
	if err != nil {
		return nil, fmt.Errorf("verify email: %w", translate(err))
	}
	return u, nil
}

const renewVerification = `INSERT INTO email_verifications AS e (user_id, token_hash, expires_at)
SELECT u.id, $2, $3 FROM users u WHERE u.id = $1 AND u.email_verified_at IS NULL
ON CONFLICT (user_id) DO UPDATE SET token_hash = $2, expires_at = $3, created_at = now()
RETURNING (SELECT email::text FROM users WHERE id = $1)`

// RenewEmailVerification replaces the verification token of an unverified
// account and queues a new mail carrying it; false when the account is
// already verified (nothing is sent).
func (db *DB) RenewEmailVerification(ctx context.Context, userID int64, verify folio.MailToken) (bool, error) {
	return inTxReturning(ctx, db, "renew verification", func(tx pgx.Tx) (bool, error) {
		var email string
		err := tx.QueryRow(ctx, renewVerification, userID, verify.Hash, verify.Expires).Scan(&email)
		if isNoRows(err) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("renew verification: %w", translate(err))
		}
		var mailID int64
		if err := tx.QueryRow(ctx, signUpVerifyMail, email, verify.Ref).Scan(&mailID); err != nil {
			return false, fmt.Errorf("queue verification mail: %w", translate(err))
		}
		return true, db.queueMail(ctx, tx, []int64{mailID})
	})
}
