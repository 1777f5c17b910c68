package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/folio/folio/internal/folio"
)

const categoryCols = `c.id, c.slug, c.name, c.description, c.position`

func scanCategory(row pgx.Row, extra ...any) (*folio.Category, error) {
	var c folio.Category
	return &c, row.Scan(append([]any{&c.ID, &c.Slug, &c.Name, &c.Description, &c.Position}, extra...)...)
}

// named is the SQL of a table of things named by a unique slug and listed
// in slug order (categories, tags): each is read the same way. alias is
// the table's alias in cols.
func named[T any](what, table, alias, cols string, scan scanFunc[T]) namedTable[T] {
	from := `SELECT ` + cols + ` FROM ` + table + ` ` + alias
	return namedTable[T]{what: what, scan: scan,
		byIDs:   from + ` WHERE ` + alias + `.id = ANY($1)`,
		bySlugs: from + ` WHERE ` + alias + `.slug = ANY($1)`,
		list:    from + ` WHERE %s %s`,
		count:   `SELECT count(*) FROM ` + table,
		order:   order{key: alias + ".slug", id: alias + ".id", kind: cursorText},
	}
}

// categoryOrder is folio.Category.SortKey in SQL.
const categoryOrder = `lpad(c.position::text, 7, '0') || ':' || c.slug`

// positioned orders a table of categories by position, then slug.
func positioned[T any](t namedTable[T]) namedTable[T] {
	t.order.key = categoryOrder
	return t
}

type namedTable[T any] struct {
	what                        string
	byIDs, bySlugs, list, count string
	order                       order
	scan                        scanFunc[T]
}

func (t namedTable[T]) byID(ctx context.Context, db *DB, ids []int64) ([]T, error) {
	return list(ctx, db, t.what+" by id", t.byIDs, args{ids}, t.scan)
}

func (t namedTable[T]) bySlug(ctx context.Context, db *DB, slugs []string) ([]T, error) {
	return list(ctx, db, t.what+" by slug", t.bySlugs, args{slugs}, t.scan)
}

func (t namedTable[T]) page(ctx context.Context, db *DB, p folio.Page) (folio.List[T], error) {
	return listPage(ctx, db, t.what, t.list, nil, t.order, p, t.scan)
}

func (t namedTable[T]) total(ctx context.Context, db *DB) (int, error) {
	return count(ctx, db, t.what, t.count)
}

var (
	categories = positioned(named("categories", "categories", "c", categoryCols, scanCategory))
	tags       = named("tags", "tags", "t", tagCols, scanTag)
)

// CategoriesByIDs implements folio.TaxonomyStore.
func (db *DB) CategoriesByIDs(ctx context.Context, ids []int64) ([]*folio.Category, error) {
	return categories.byID(ctx, db, ids)
}

// CategoriesBySlugs implements folio.TaxonomyStore.
func (db *DB) CategoriesBySlugs(ctx context.Context, slugs []string) ([]*folio.Category, error) {
	return categories.bySlug(ctx, db, slugs)
}

// ListCategories implements folio.TaxonomyStore: categories by slug.
func (db *DB) ListCategories(ctx context.Context, p folio.Page) (folio.List[*folio.Category], error) {
	return categories.page(ctx, db, p)
}

// CountCategories implements folio.TaxonomyStore.
func (db *DB) CountCategories(ctx context.Context) (int, error) { return categories.total(ctx, db) }

// TagsByIDs implements folio.TaxonomyStore.
func (db *DB) TagsByIDs(ctx context.Context, ids []int64) ([]*folio.Tag, error) {
	return tags.byID(ctx, db, ids)
}

// TagsBySlugs implements folio.TaxonomyStore.
func (db *DB) TagsBySlugs(ctx context.Context, slugs []string) ([]*folio.Tag, error) {
	return tags.bySlug(ctx, db, slugs)
}

// ListTags implements folio.TaxonomyStore: tags by slug.
func (db *DB) ListTags(ctx context.Context, p folio.Page) (folio.List[*folio.Tag], error) {
	return tags.page(ctx, db, p)
}

// CountTags implements folio.TaxonomyStore.
func (db *DB) CountTags(ctx context.Context) (int, error) { return tags.total(ctx, db) }

const tagCols = `t.id, t.slug, t.name`

func scanTag(row pgx.Row, extra ...any) (*folio.Tag, error) {
	var t folio.Tag
	return &t, row.Scan(append([]any{&t.ID, &t.Slug, &t.Name}, extra...)...)
}

const tagsOfArticles = `SELECT ` + tagCols + `, at.article_id FROM article_tags at JOIN tags t ON t.id = at.tag_id
WHERE at.article_id = ANY($1) ORDER BY at.article_id, t.slug`

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
