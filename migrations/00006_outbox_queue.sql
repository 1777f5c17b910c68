-- +goose Up

-- The outbox is drained by the job queue: queued_at marks a row whose job
-- was inserted (in the same transaction as the row, or, for rows written
-- before the queue existed, by the first worker that starts). Once sent,
-- the payload is emptied: the clear token lived only until the mail left.
ALTER TABLE email_outbox ADD COLUMN queued_at timestamptz;

-- +goose Down
ALTER TABLE email_outbox DROP COLUMN queued_at;
