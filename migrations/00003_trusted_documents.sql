-- +goose Up

-- The operations a trusted-documents deployment accepts: each document by
-- the SHA-256 of its text, as client code generators emit them.
CREATE TABLE trusted_documents (
    hash       text PRIMARY KEY CHECK (hash ~ '^[0-9a-f]{64}$'),
    document   text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE trusted_documents;
