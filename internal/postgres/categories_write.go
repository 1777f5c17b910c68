package postgres

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/folio/folio/internal/folio"
)

const forbiddenCategories = "Only editors and admins manage categories."

// lockCategory locks a category for the rest of the transaction; a missing
// one is not found on field, or, with no field, the target not found.
func lockCategory(ctx context.Context, tx pgx.Tx, field string, id int64) (*folio.Category, error) {
	c, err := scanCategory(tx.QueryRow(ctx, `SELECT `+categoryCols+` FROM categories c WHERE c.id = $1 FOR UPDATE`, id))
	if isNoRows(err) {
		return nil, &folio.Error{Code: folio.ENotFound, Field: field, Message: "No category has this ID."}
	}
	if err != nil {
		return nil, fmt.Errorf("lock category %d: %w", id, err)
	}
	return c, nil
}

const insertCategory = `INSERT INTO categories AS c (name, slug, description, position)
VALUES ($1, $2, $3, $4) RETURNING ` + categoryCols

// CreateCategory implements folio.CategoryWriter.
func (db *DB) CreateCategory(ctx context.Context, v folio.Viewer, in folio.NewCategory) (*folio.CategoryChange, error) {
	if !v.CanManageTaxonomy() {
		return nil, folio.Errorf(folio.EForbidden, forbiddenCategories)
	}
	c, err := scanCategory(db.Pool.QueryRow(ctx, insertCategory, in.Name, in.Slug, in.Description, in.Position))
	if err != nil {
		return nil, fmt.Errorf("create category: %w", translateWrite(err))
	}
	return &folio.CategoryChange{Category: c}, nil
}

const updateCategory = `UPDATE categories AS c SET name = coalesce($2, name), slug = coalesce($3, slug),
description = coalesce($4, description), position = coalesce($5, position)
WHERE c.id = $1 RETURNING ` + categoryCols

// UpdateCategory implements folio.CategoryWriter. Its articles name it by
// id and do not change.
func (db *DB) UpdateCategory(ctx context.Context, v folio.Viewer, p folio.CategoryPatch) (*folio.CategoryChange, error) {
	if !v.CanManageTaxonomy() {
		return nil, folio.Errorf(folio.EForbidden, forbiddenCategories)
	}
	return inTxReturning(ctx, db, "update category", func(tx pgx.Tx) (*folio.CategoryChange, error) {
		before, err := lockCategory(ctx, tx, "", p.ID)
		if err != nil {
			return nil, err
		}
		after, err := scanCategory(tx.QueryRow(ctx, updateCategory, p.ID, p.Name, p.Slug, p.Description, p.Position))
		if err != nil {
			return nil, fmt.Errorf("update category %d: %w", p.ID, translateWrite(err))
		}
		if err := slugChanged(ctx, tx, folio.SlugCategory, p.ID, before.Slug, after.Slug); err != nil {
			return nil, err
		}
		return &folio.CategoryChange{Category: after, Before: before}, nil
	})
}

// recategorize moves the articles of categories from to into (NULL: none)
// and returns them.
const recategorize = `UPDATE articles SET category_id = $2, updated_at = now(), version = version + 1
WHERE category_id = ANY($1) RETURNING id, slug, status = 'published'`

func moveArticles(ctx context.Context, tx pgx.Tx, from []int64, into *int64) ([]folio.ArticleRef, error) {
	rows, err := tx.Query(ctx, recategorize, from, into)
	if err != nil {
		return nil, fmt.Errorf("move articles: %w", err)
	}
	refs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (folio.ArticleRef, error) {
		var r folio.ArticleRef
		return r, row.Scan(&r.ID, &r.Slug, &r.Published)
	})
	if err != nil {
		return nil, fmt.Errorf("move articles: %w", err)
	}
	return refs, nil
}

// MergeCategories implements folio.CategoryWriter. The categories are
// locked in id order, so two merges over the same ones cannot deadlock.
func (db *DB) MergeCategories(ctx context.Context, v folio.Viewer, from []int64, into int64) (*folio.CategoryChange, error) {
	if !v.CanManageTaxonomy() {
		return nil, folio.Errorf(folio.EForbidden, forbiddenCategories)
	}
	return inTxReturning(ctx, db, "merge categories", func(tx pgx.Tx) (*folio.CategoryChange, error) {
		if _, err := tx.Exec(ctx, `SELECT id FROM categories WHERE id = ANY($1) OR id = $2 ORDER BY id FOR UPDATE`, from, into); err != nil {
			return nil, fmt.Errorf("lock categories: %w", err)
		}
		target, err := lockCategory(ctx, tx, "into", into)
		if err != nil {
			return nil, err
		}
		var fe folio.FieldErrors
		removed := make([]*folio.Category, 0, len(from))
		for i, id := range from {
			c, err := lockCategory(ctx, tx, "from."+strconv.Itoa(i), id)
			if folio.ErrorCode(err) == folio.ENotFound {
				fe = append(fe, err.(*folio.Error))
				continue
			}
			if err != nil {
				return nil, err
			}
			removed = append(removed, c)
		}
		if err := fe.Err(); err != nil {
			return nil, err
		}
		moved, err := moveArticles(ctx, tx, from, &into)
		if err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM categories WHERE id = ANY($1)`, from); err != nil {
			return nil, fmt.Errorf("delete merged categories: %w", err)
		}
		for _, c := range removed { // old links to a merged category lead to the one that stayed
			if err := slugChanged(ctx, tx, folio.SlugCategory, into, c.Slug, target.Slug); err != nil {
				return nil, err
			}
		}
		return &folio.CategoryChange{Category: target, Removed: removed, Articles: moved}, nil
	})
}

// DeleteCategory implements folio.CategoryWriter.
func (db *DB) DeleteCategory(ctx context.Context, v folio.Viewer, id int64) (*folio.CategoryChange, error) {
	if !v.CanManageTaxonomy() {
		return nil, folio.Errorf(folio.EForbidden, forbiddenCategories)
	}
	return inTxReturning(ctx, db, "delete category", func(tx pgx.Tx) (*folio.CategoryChange, error) {
		c, err := lockCategory(ctx, tx, "", id)
		if err != nil {
			return nil, err
		}
		moved, err := moveArticles(ctx, tx, []int64{id}, nil)
		if err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM categories WHERE id = $1`, id); err != nil {
			return nil, fmt.Errorf("delete category %d: %w", id, err)
		}
		return &folio.CategoryChange{Category: c, Removed: []*folio.Category{c}, Articles: moved}, nil
	})
}
