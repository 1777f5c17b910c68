-- +goose Up

-- Whether a user is mailed when someone replies to their comment; on by
-- default, switched off with updateProfile(notifyOnReply: false).
ALTER TABLE users ADD COLUMN notify_replies boolean NOT NULL DEFAULT true;

-- +goose Down
ALTER TABLE users DROP COLUMN notify_replies;
