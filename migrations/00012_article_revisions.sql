-- +goose Up

-- The text an update replaced: every update that changes an article's
-- title, excerpt or body first keeps the text as it was, at the version it
-- had, with who replaced it and when. Kept per article up to
-- folio.MaxRevisions, oldest pruned first (docs/api.md, "Revisions").
CREATE TABLE article_revisions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id  bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    version     integer NOT NULL,
    title       text NOT NULL,
    excerpt     text NOT NULL,
    body        text NOT NULL,
    replaced_by bigint REFERENCES users (id) ON DELETE SET NULL,
    replaced_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (article_id, version)
);

-- An article's revisions, newest first, page by page.
CREATE INDEX article_revisions_page ON article_revisions (article_id, replaced_at DESC, id DESC);

-- +goose Down
DROP TABLE article_revisions;
