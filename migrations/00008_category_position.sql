-- +goose Up

-- Editors order categories by hand (a site's navigation): the list of
-- categories reads by position, then slug. Positions need not be unique.
ALTER TABLE categories ADD COLUMN position integer NOT NULL DEFAULT 0
    CHECK (position BETWEEN 0 AND 1000000);
ALTER TABLE categories ADD CONSTRAINT categories_description_length
    CHECK (char_length(description) <= 500);

-- +goose Down
ALTER TABLE categories DROP CONSTRAINT categories_description_length;
ALTER TABLE categories DROP COLUMN position;
