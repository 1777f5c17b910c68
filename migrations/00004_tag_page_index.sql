-- +goose NO TRANSACTION
-- +goose Up

-- A tag's page finds its articles through article_tags, so it must look up
-- every article of the tag (hundreds) for its publication time before it
-- can pick the newest 20. This index answers those lookups for published
-- articles from the index alone, a small one, leaving only the page's own
-- rows to be read whole: the tag page `postgres` on the medium seed went
-- from about 6.5 ms to under 2 ms. Built concurrently, so writes go on.
CREATE INDEX CONCURRENTLY IF NOT EXISTS articles_published_id_idx
    ON articles (id) INCLUDE (published_at)
    WHERE status = 'published' AND published_at IS NOT NULL;

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS articles_published_id_idx;
