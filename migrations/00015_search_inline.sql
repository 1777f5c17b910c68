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
-- touching each row recomputes the generated column, stored the new way.
-- This rewrites every article once (about 40 s for 50,000 on the medium
-- seed); no trigger fires, as neither status nor published_at changes.
UPDATE articles SET title = title;

-- +goose Down
ALTER TABLE articles ALTER COLUMN search SET STORAGE EXTENDED;
