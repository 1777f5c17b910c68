package postgres

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/folio/folio/internal/folio"
)

const forbiddenTaxonomy = "Only editors and admins manage tags."

// lockTag locks a tag for the rest of the transaction; a missing one is
// not found on field, or, with no field, the target itself not found.
func lockTag(ctx context.Context, tx pgx.Tx, field string, id int64) (*folio.Tag, error) {
	t, err := scanTag(tx.QueryRow(ctx, `SELECT `+tagCols+` FROM tags t WHERE t.id = $1 FOR UPDATE`, id))
	if isNoRows(err) {
		return nil, &folio.Error{Code: folio.ENotFound, Field: field, Message: "No tag has this ID."}
	}
	if err != nil {
		return nil, fmt.Errorf("lock tag %d: %w", id, err)
	}
	return t, nil
}

const insertTag = `INSERT INTO tags AS t (name, slug) VALUES ($1, $2) RETURNING ` + tagCols

// CreateTag implements folio.TaxonomyWriter.
func (db *DB) CreateTag(ctx context.Context, v folio.Viewer, in folio.NewTag) (*folio.TagChange, error) {
	if !v.CanManageTaxonomy() {
		return nil, folio.Errorf(folio.EForbidden, forbiddenTaxonomy)
	}
	t, err := scanTag(db.Pool.QueryRow(ctx, insertTag, in.Name, in.Slug))
	if err != nil {
		return nil, fmt.Errorf("create tag: %w", translateWrite(err))
	}
	return &folio.TagChange{Tag: t}, nil
}

const updateTag = `UPDATE tags AS t SET name = coalesce($2, name), slug = coalesce($3, slug)
WHERE t.id = $1 RETURNING ` + tagCols

// UpdateTag implements folio.TaxonomyWriter. A tag's articles do not
// change: they name it by id.
func (db *DB) UpdateTag(ctx context.Context, v folio.Viewer, p folio.TagPatch) (*folio.TagChange, error) {
	if !v.CanManageTaxonomy() {
		return nil, folio.Errorf(folio.EForbidden, forbiddenTaxonomy)
	}
	return inTxReturning(ctx, db, "update tag", func(tx pgx.Tx) (*folio.TagChange, error) {
		before, err := lockTag(ctx, tx, "", p.ID)
		if err != nil {
			return nil, err
		}
		after, err := scanTag(tx.QueryRow(ctx, updateTag, p.ID, p.Name, p.Slug))
		if err != nil {
			return nil, fmt.Errorf("update tag %d: %w", p.ID, translateWrite(err))
		}
		if err := slugChanged(ctx, tx, folio.SlugTag, p.ID, before.Slug, after.Slug); err != nil {
			return nil, err
		}
		return &folio.TagChange{Tag: after, Before: before}, nil
	})
}

// taggedArticles locks the article_tags rows of tags and returns their
// articles, and whether one of them is published.
const taggedArticles = `SELECT DISTINCT at.article_id, a.status = 'published'
FROM article_tags at JOIN articles a ON a.id = at.article_id
WHERE at.tag_id = ANY($1) ORDER BY at.article_id`

func articlesOfTags(ctx context.Context, tx pgx.Tx, tagIDs []int64) (ids []int64, published bool, err error) {
	rows, err := tx.Query(ctx, taggedArticles, tagIDs)
	if err != nil {
		return nil, false, fmt.Errorf("articles of tags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var pub bool
		if err := rows.Scan(&id, &pub); err != nil {
			return nil, false, fmt.Errorf("articles of tags: %w", err)
		}
		ids = append(ids, id)
		published = published || pub
	}
	return ids, published, rows.Err()
}

// moveTags puts every article of from on into, once, and takes from off.
// An article that carries several of them keeps a single into.
const moveTags = `INSERT INTO article_tags (article_id, tag_id)
SELECT DISTINCT article_id, $2::bigint FROM article_tags WHERE tag_id = ANY($1)
ON CONFLICT DO NOTHING`

// MergeTags implements folio.TaxonomyWriter. The tags are locked in id
// order, so two merges over the same tags cannot deadlock.
func (db *DB) MergeTags(ctx context.Context, v folio.Viewer, from []int64, into int64) (*folio.TagChange, error) {
	if !v.CanManageTaxonomy() {
		return nil, folio.Errorf(folio.EForbidden, forbiddenTaxonomy)
	}
	return inTxReturning(ctx, db, "merge tags", func(tx pgx.Tx) (*folio.TagChange, error) {
		locked, err := tx.Query(ctx, `SELECT id FROM tags WHERE id = ANY($1) OR id = $2 ORDER BY id FOR UPDATE`, from, into)
		if err != nil {
			return nil, fmt.Errorf("lock tags: %w", err)
		}
		locked.Close()
		target, err := lockTag(ctx, tx, "into", into)
		if err != nil {
			return nil, err
		}
		var fe folio.FieldErrors
		removed := make([]*folio.Tag, 0, len(from))
		for i, id := range from {
			t, err := lockTag(ctx, tx, "from."+strconv.Itoa(i), id)
			if folio.ErrorCode(err) == folio.ENotFound {
				fe = append(fe, err.(*folio.Error))
				continue
			}
			if err != nil {
				return nil, err
			}
			removed = append(removed, t)
		}
		if err := fe.Err(); err != nil {
			return nil, err
		}
		articles, published, err := articlesOfTags(ctx, tx, from)
		if err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, moveTags, from, into); err != nil {
			return nil, fmt.Errorf("move tags onto %d: %w", into, err)
		}
		// Deleting the tags takes their article_tags rows with them.
		if _, err := tx.Exec(ctx, `DELETE FROM tags WHERE id = ANY($1)`, from); err != nil {
			return nil, fmt.Errorf("delete merged tags: %w", err)
		}
		for _, t := range removed { // old links to a merged tag lead to the one that stayed
			if err := slugChanged(ctx, tx, folio.SlugTag, into, t.Slug, target.Slug); err != nil {
				return nil, err
			}
		}
		return &folio.TagChange{Tag: target, Removed: removed, Articles: articles, Published: published}, nil
	})
}

// DeleteTag implements folio.TaxonomyWriter.
func (db *DB) DeleteTag(ctx context.Context, v folio.Viewer, id int64) (*folio.TagChange, error) {
	if !v.CanManageTaxonomy() {
		return nil, folio.Errorf(folio.EForbidden, forbiddenTaxonomy)
	}
	return inTxReturning(ctx, db, "delete tag", func(tx pgx.Tx) (*folio.TagChange, error) {
		t, err := lockTag(ctx, tx, "", id)
		if err != nil {
			return nil, err
		}
		articles, published, err := articlesOfTags(ctx, tx, []int64{id})
		if err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM tags WHERE id = $1`, id); err != nil {
			return nil, fmt.Errorf("delete tag %d: %w", id, err)
		}
		return &folio.TagChange{Tag: t, Removed: []*folio.Tag{t}, Articles: articles, Published: published}, nil
	})
}
