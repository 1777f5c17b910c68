-- +goose NO TRANSACTION
-- +goose Up

-- Search ranks every article that matches (ts_rank over each one's search
-- vector) before it can pick a page. Stored the default way, a vector of a
-- few kilobytes went to the TOAST table with the body, so ranking the 700
-- matches of a common query read three or four pages an article (the row,
-- the TOAST index, the chunks): about 4 ms of Postgres for one search on
-- the medium seed. Kept in the row (compressed, moved out only when a row
-- would not fit a page), ranking reads one page an article and the
-- statement takes half the time. Bodies still go to TOAST first, and lists
-- that show no body never read them.
ALTER TABLE articles ALTER COLUMN search SET STORAGE MAIN;

-- Rows written before keep their out-of-line vector until rewritten:
-- touching each row recomputes the generated column, stored the new way
-- (no trigger fires, as neither status nor published_at changes). That
-- leaves every row's old version behind and the new ones scattered over
-- twice the pages, so the table is then rewritten compactly. Both take
-- the table for a while (about a minute for the medium seed's 50,000
-- articles, most of it recomputing the vectors); each statement commits
-- on its own, and running the file again is harmless.
UPDATE articles SET title = title;
VACUUM (FULL, ANALYZE) articles;

-- +goose Down
ALTER TABLE articles ALTER COLUMN search SET STORAGE EXTENDED;
