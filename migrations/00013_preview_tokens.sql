-- +goose Up

-- Signed preview links: a token reads one article at one version until it
-- expires or is revoked. Only its SHA-256 is kept; the token is shown once.
CREATE TABLE preview_tokens (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id  bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    version     integer NOT NULL,
    token_hash  bytea NOT NULL UNIQUE,
    created_by  bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);

CREATE INDEX preview_tokens_article ON preview_tokens (article_id);

-- +goose Down
DROP TABLE preview_tokens;
