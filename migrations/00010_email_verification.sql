-- +goose Up

-- When the account's owner proved the address theirs through the mailed
-- link; NULL until then. Accounts made before sign-up verified addresses,
-- and those made by other means (seed, fixtures), count as verified: the
-- default is now(), and signUp inserts NULL.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz DEFAULT now();
UPDATE users SET email_verified_at = created_at;

-- The pending verification of an account: one live token per account, of
-- which only the hash is kept (the mail's token is made again from the
-- outbox row's reference, never stored).
CREATE TABLE email_verifications (
    user_id    bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- signUp mails an address's owner about an attempt at most once an hour.
CREATE INDEX email_outbox_signup_attempt_idx ON email_outbox (recipient, created_at) WHERE kind = 'signup_attempt';

-- +goose Down
DROP INDEX email_outbox_signup_attempt_idx;
DROP TABLE email_verifications;
ALTER TABLE users DROP COLUMN email_verified_at;
