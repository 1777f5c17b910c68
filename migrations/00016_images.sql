-- +goose Up

-- Uploaded images (article covers, avatars). A file is stored under its
-- content address (the SHA-256 of its re-encoded bytes), with resized
-- variants beside it; this row is its record. An image no article or user
-- refers to any more is released by a job (internal/jobs, image_release),
-- which deletes its files and then this row.
CREATE TABLE images (
    key         text PRIMARY KEY CHECK (key ~ '^[0-9a-f]{64}\.(jpg|png)$'),
    width       integer NOT NULL CHECK (width > 0),
    height      integer NOT NULL CHECK (height > 0),
    bytes       bigint NOT NULL CHECK (bytes > 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- The dimensions are copied beside the key so that reading an article or a
-- user reads its image with it, without a join.
ALTER TABLE articles
    ADD COLUMN cover_key    text REFERENCES images (key),
    ADD COLUMN cover_width  integer,
    ADD COLUMN cover_height integer,
    ADD COLUMN cover_alt    text CHECK (char_length(cover_alt) <= 300),
    ADD CONSTRAINT articles_cover_whole CHECK ((cover_key IS NULL) = (cover_width IS NULL) AND (cover_key IS NULL) = (cover_height IS NULL));

ALTER TABLE users
    ADD COLUMN avatar_key    text REFERENCES images (key),
    ADD COLUMN avatar_width  integer,
    ADD COLUMN avatar_height integer,
    ADD CONSTRAINT users_avatar_whole CHECK ((avatar_key IS NULL) = (avatar_width IS NULL) AND (avatar_key IS NULL) = (avatar_height IS NULL));

-- The release job asks whether anything still refers to an image.
CREATE INDEX articles_cover_key ON articles (cover_key) WHERE cover_key IS NOT NULL;
CREATE INDEX users_avatar_key ON users (avatar_key) WHERE avatar_key IS NOT NULL;

-- +goose Down
ALTER TABLE users DROP COLUMN avatar_key, DROP COLUMN avatar_width, DROP COLUMN avatar_height;
ALTER TABLE articles DROP COLUMN cover_key, DROP COLUMN cover_width, DROP COLUMN cover_height, DROP COLUMN cover_alt;
DROP TABLE images;
