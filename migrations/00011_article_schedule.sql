-- +goose Up

-- When an editor scheduled the article to go live; null when it is not
-- scheduled. The job that publishes it (river, kind publish_article)
-- carries the same instant: a job left over from an earlier schedule finds
-- another instant here and does nothing, so rescheduling and unscheduling
-- need not find and cancel it.
ALTER TABLE articles ADD COLUMN publish_at timestamptz;

-- +goose Down
ALTER TABLE articles DROP COLUMN publish_at;
