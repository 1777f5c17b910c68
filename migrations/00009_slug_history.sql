-- +goose Up

-- A changed slug keeps pointing at its article, tag or category, so old
-- links can be answered with a redirect to the current one. A live slug
-- always wins over a remembered one; a row whose entity is gone leads
-- nowhere and reads as not found.
CREATE TABLE slug_history (
    kind       text NOT NULL CHECK (kind IN ('article', 'tag', 'category')),
    slug       text NOT NULL,
    entity_id  bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, slug)
);

-- +goose Down
DROP TABLE slug_history;
