package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/folio/folio/internal/folio"
)

const categoryCols = `c.id, c.slug, c.name, c.description`

func scanCategory(row pgx.Row, extra ...any) (*folio.Category, error) {
	var c folio.Category
	return &c, row.Scan(append([]any{&c.ID, &c.Slug, &c.Name, &c.Description}, extra...)...)
}

var categoryOrder = order{key: "c.slug", id: "c.id", kind: cursorText}

const (
	categoriesByIDs   = `SELECT ` + categoryCols + ` FROM categories c WHERE c.id = ANY($1)`
	categoriesBySlugs = `SELECT ` + categoryCols + ` FROM categories c WHERE c.slug = ANY($1)`
	listCategories    = `SELECT ` + categoryCols + ` FROM categories c WHERE %s %s`
	countCategories   = `SELECT count(*) FROM categories`
)

// CategoriesByIDs implements folio.TaxonomyStore.
func (db *DB) CategoriesByIDs(ctx context.Context, ids []int64) ([]*folio.Category, error) {
	return list(ctx, db, "categories by id", categoriesByIDs, args{ids}, scanCategory)
}

// CategoriesBySlugs implements folio.TaxonomyStore.
func (db *DB) CategoriesBySlugs(ctx context.Context, slugs []string) ([]*folio.Category, error) {
	return list(ctx, db, "categories by slug", categoriesBySlugs, args{slugs}, scanCategory)
}

// ListCategories implements folio.TaxonomyStore: categories by slug.
func (db *DB) ListCategories(ctx context.Context, p folio.Page) (folio.List[*folio.Category], error) {
	return listPage(ctx, db, "categories", listCategories, nil, categoryOrder, p, scanCategory)
}

// CountCategories implements folio.TaxonomyStore.
func (db *DB) CountCategories(ctx context.Context) (int, error) {
	return count(ctx, db, "categories", countCategories)
}

const tagCols = `t.id, t.slug, t.name`

func scanTag(row pgx.Row, extra ...any) (*folio.Tag, error) {
	var t folio.Tag
	return &t, row.Scan(append([]any{&t.ID, &t.Slug, &t.Name}, extra...)...)
}

var tagOrder = order{key: "t.slug", id: "t.id", kind: cursorText}

const (
	tagsByIDs      = `SELECT ` + tagCols + ` FROM tags t WHERE t.id = ANY($1)`
	tagsBySlugs    = `SELECT ` + tagCols + ` FROM tags t WHERE t.slug = ANY($1)`
	listTags       = `SELECT ` + tagCols + ` FROM tags t WHERE %s %s`
	countTags      = `SELECT count(*) FROM tags`
	tagsOfArticles = `SELECT ` + tagCols + `, at.article_id FROM article_tags at JOIN tags t ON t.id = at.tag_id
WHERE at.article_id = ANY($1) ORDER BY at.article_id, t.slug`
)

// TagsByIDs implements folio.TaxonomyStore.
func (db *DB) TagsByIDs(ctx context.Context, ids []int64) ([]*folio.Tag, error) {
	return list(ctx, db, "tags by id", tagsByIDs, args{ids}, scanTag)
}

// TagsBySlugs implements folio.TaxonomyStore.
func (db *DB) TagsBySlugs(ctx context.Context, slugs []string) ([]*folio.Tag, error) {
	return list(ctx, db, "tags by slug", tagsBySlugs, args{slugs}, scanTag)
}

// ListTags implements folio.TaxonomyStore: tags by slug.
func (db *DB) ListTags(ctx context.Context, p folio.Page) (folio.List[*folio.Tag], error) {
	return listPage(ctx, db, "tags", listTags, nil, tagOrder, p, scanTag)
}

// CountTags implements folio.TaxonomyStore.
func (db *DB) CountTags(ctx context.Context) (int, error) {
	return count(ctx, db, "tags", countTags)
}

type articleTag struct {
	articleID int64
	tag       *folio.Tag
}

// TagsOfArticles implements folio.TaxonomyStore.
func (db *DB) TagsOfArticles(ctx context.Context, articleIDs []int64) (map[int64][]*folio.Tag, error) {
	rows, err := list(ctx, db, "tags of articles", tagsOfArticles, args{articleIDs}, func(row pgx.Row, _ ...any) (articleTag, error) {
		var at articleTag
		var err error
		at.tag, err = scanTag(row, &at.articleID)
		return at, err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]*folio.Tag, len(articleIDs))
	for _, r := range rows {
		out[r.articleID] = append(out[r.articleID], r.tag)
	}
	return out, nil
}
