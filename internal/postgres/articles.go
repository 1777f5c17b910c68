package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/folio/folio/internal/folio"
)

const articleCols = `a.id, a.author_id, a.category_id, a.slug, a.title, a.excerpt, a.body, a.status,
a.published_at, a.created_at, a.updated_at, a.reading_minutes, a.version, a.publish_at, ` + coverCol

// coverCol reads an article's cover as one JSON object (null without one),
// which scans into a *folio.Image.
const coverCol = `CASE WHEN a.cover_key IS NOT NULL THEN json_build_object('Key', a.cover_key, 'Width', a.cover_width, 'Height', a.cover_height, 'Alt', COALESCE(a.cover_alt, '')) END`

// leanArticleCols are articleCols with an empty body in the body's place,
// for lists whose rows show no body (folio.Page.SkipBody): the body is most
// of a row's bytes, and reading it costs detoasting and decompressing.
const leanArticleCols = `a.id, a.author_id, a.category_id, a.slug, a.title, a.excerpt, ''::text AS body, a.status,
a.published_at, a.created_at, a.updated_at, a.reading_minutes, a.version, a.publish_at, ` + coverCol

// listColumns returns the columns a list of articles reads for p, and the
// scanner of its rows, which marks body-less rows as such.
func listColumns(p folio.Page) (string, scanFunc[*folio.Article]) {
	if !p.SkipBody {
		return articleCols, scanArticle
	}
	return leanArticleCols, scanLeanArticle
}

func scanLeanArticle(row pgx.Row, extra ...any) (*folio.Article, error) {
	a, err := scanArticle(row, extra...)
	a.BodyOmitted = true
	return a, err
}

func scanArticle(row pgx.Row, extra ...any) (*folio.Article, error) {
	var a folio.Article
	dest := append([]any{&a.ID, &a.AuthorID, &a.CategoryID, &a.Slug, &a.Title, &a.Excerpt, &a.Body, &a.Status,
		&a.PublishedAt, &a.CreatedAt, &a.UpdatedAt, &a.ReadingMinutes, &a.Version, &a.PublishAt, &a.CoverImage}, extra...)
	return &a, row.Scan(dest...)
}

// visible is the condition on articles aliased "a" that keeps what v may see;
// it mirrors folio.Viewer.CanSeeArticle.
func visible(v folio.Viewer, a *args) string {
	switch {
	case v.SeesAllDrafts():
		return "true"
	case v.Anonymous():
		return "a.status = 'published'"
	default:
		return fmt.Sprintf("(a.status = 'published' OR a.author_id = %s)", a.add(v.UserID))
	}
}

// articleOrder returns the keyset ordering for o. Ordering by publication
// leaves out articles never published, whose published_at is NULL.
func articleOrder(o folio.ArticleOrder) (order, string) {
	if o.Field == folio.OrderCreatedAt {
		return order{key: "a.created_at", id: "a.id", desc: o.Desc}, "true"
	}
	return order{key: "a.published_at", id: "a.id", desc: o.Desc}, "a.published_at IS NOT NULL"
}

// newestFirst is the order of nested article lists (author, tag, category).
var newestFirst = order{key: "a.published_at", id: "a.id", desc: true}

// filterArticles returns the conditions of f and v on articles aliased "a".
func filterArticles(v folio.Viewer, f folio.ArticleFilter, a *args) string {
	conds := []string{visible(v, a)}
	if len(f.Statuses) > 0 {
		statuses := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			statuses[i] = string(s)
		}
		conds = append(conds, "a.status = ANY("+a.add(statuses)+"::text[])")
	}
	if f.AuthorID != nil {
		conds = append(conds, "a.author_id = "+a.add(*f.AuthorID))
	}
	if f.AuthorHandle != nil {
		conds = append(conds, "a.author_id = (SELECT id FROM users WHERE handle = "+a.add(*f.AuthorHandle)+"::text::citext)")
	}
	if f.CategorySlug != nil {
		conds = append(conds, "a.category_id = (SELECT id FROM categories WHERE slug = "+a.add(*f.CategorySlug)+")")
	}
	if len(f.TagSlugs) > 0 {
		conds = append(conds, fmt.Sprintf(`a.id IN (SELECT at.article_id FROM article_tags at JOIN tags t ON t.id = at.tag_id
WHERE t.slug = ANY(%[1]s::text[]) GROUP BY at.article_id
HAVING count(*) = (SELECT count(DISTINCT s) FROM unnest(%[1]s::text[]) s))`, a.add(f.TagSlugs)))
	}
	if f.PublishedAfter != nil {
		conds = append(conds, "a.published_at >= "+a.add(*f.PublishedAfter))
	}
	if f.PublishedBefore != nil {
		conds = append(conds, "a.published_at < "+a.add(*f.PublishedBefore))
	}
	return strings.Join(conds, " AND ")
}

const (
	articlesByIDs   = `SELECT ` + articleCols + ` FROM articles a WHERE a.id = ANY($1)`
	articlesBySlugs = `SELECT ` + articleCols + ` FROM articles a WHERE a.slug = ANY($1)`
)

// ArticlesByIDs implements folio.ArticleStore.
func (db *DB) ArticlesByIDs(ctx context.Context, ids []int64) ([]*folio.Article, error) {
	return list(ctx, db, "articles by id", articlesByIDs, args{ids}, scanArticle)
}

// ArticlesBySlugs implements folio.ArticleStore.
func (db *DB) ArticlesBySlugs(ctx context.Context, slugs []string) ([]*folio.Article, error) {
	return list(ctx, db, "articles by slug", articlesBySlugs, args{slugs}, scanArticle)
}

// ArticleBySlugWith implements folio.ArticleStore. The pages below the
// article are read by the statements that read them for many parents
// (CommentsByArticles, ArticlesByAuthors), over the article found by a
// subquery on the slug rather than over ids, and all the statements go to
// Postgres in one batch: one round trip, where the pages below had waited
// for the article to come back first.
//
// Each statement of the batch sees the database as it is when it starts
// (read committed), as separate reads did: should the slug pass to
// another article between them, the pages come back empty, never with
// another article's rows (each is kept by the article's id), and the
// response cache stores nothing read across that write.
func (db *DB) ArticleBySlugWith(ctx context.Context, slug string, w folio.ArticleWith) (folio.ArticlePage, error) {
	relCols, joins := relatedJoins(w.Related, "a")
	article := `SELECT ` + articleCols + relCols + ` FROM articles a` + joins + ` WHERE a.slug = $1`
	var (
		comments listsRead[*folio.Comment]
		byAuthor listsRead[*folio.Article]
		below    []statementRead
	)
	// The parents of the pages below, as the many-parent statements take
	// them: the article's id, or its author's.
	parentsOf := func(a *args, col string) string {
		return `ARRAY(SELECT a.` + col + ` FROM articles a WHERE a.slug = ` + a.add(slug) + `)`
	}
	if w.Comments != nil {
		var a args
		parents := parentsOf(&a, "id") // before a is passed on: it adds the slug
		comments = commentPages(parents, *w.Comments, a)
		below = append(below, comments)
	}
	if w.ByAuthor != nil {
		var a args
		from := articlesOfAuthor(w.Viewer, &a)
		parents := parentsOf(&a, "author_id")
		cols, scan := listColumns(*w.ByAuthor)
		byAuthor = parentPages("articles by author", parents, *w.ByAuthor, newestFirst, cols, from, a, scan)
		below = append(below, byAuthor)
	}

	var (
		rows []*folio.Article
		rel  related // of the try that succeeded
	)
	_, err := reading(ctx, db, func(q querier) (struct{}, error) {
		// A batch is sent once (pgx keeps what it prepared on the
		// connection in it): a read tried again on the primary builds its own.
		var batch pgx.Batch
		batch.Queue(article, slug)
		for _, s := range below {
			_, sql, a := s.statement()
			batch.Queue(sql, a...)
		}
		br := q.SendBatch(ctx, &batch)
		defer br.Close()
		rel = related{r: w.Related}
		r, err := br.Query()
		if err != nil {
			return struct{}{}, fmt.Errorf("query article by slug: %w", translate(err))
		}
		if rows, err = scanRows(r, "article by slug", rel.scan(scanArticle)); err != nil {
			return struct{}{}, err
		}
		for _, s := range below {
			r, err := br.Query()
			if err := readResult(s, r, err); err != nil {
				return struct{}{}, err
			}
		}
		if err := br.Close(); err != nil {
			return struct{}{}, fmt.Errorf("article by slug: %w", translate(err))
		}
		return struct{}{}, nil
	})
	if err != nil {
		return folio.ArticlePage{}, err
	}
	out := folio.ArticlePage{List: folio.List[*folio.Article]{Items: rows}}
	fill(&out.List, &rel)
	if len(rows) == 0 {
		return out, nil
	}
	a := rows[0]
	if comments != nil {
		l := comments.lists([]int64{a.ID})[a.ID]
		out.Comments = &l
	}
	if byAuthor != nil {
		l := byAuthor.lists([]int64{a.AuthorID})[a.AuthorID]
		out.ByAuthor = &l
	}
	return out, nil
}

// ListArticles implements folio.ArticleStore.
func (db *DB) ListArticles(ctx context.Context, v folio.Viewer, f folio.ArticleFilter, o folio.ArticleOrder, p folio.Page) (folio.List[*folio.Article], error) {
	var a args
	ord, cond := articleOrder(o)
	cols, scan := listColumns(p)
	rel := related{r: p.Related}
	relCols, joins := relatedJoins(p.Related, "a")
	sql := `SELECT ` + cols + relCols + ` FROM articles a` + joins + ` WHERE ` + cond + ` AND ` + filterArticles(v, f, &a) + ` AND %s %s`
	l, err := listPage(ctx, db, "articles", sql, a, ord, p, rel.scan(scan))
	if err == nil {
		fill(&l, &rel)
	}
	return l, err
}

// CountArticles implements folio.ArticleStore: it counts what ListArticles
// pages through.
func (db *DB) CountArticles(ctx context.Context, v folio.Viewer, f folio.ArticleFilter, o folio.ArticleOrder) (int, error) {
	var a args
	_, cond := articleOrder(o)
	return count(ctx, db, "articles", `SELECT count(*) FROM articles a WHERE `+cond+` AND `+filterArticles(v, f, &a), a...)
}

// ArticlesByAuthors implements folio.ArticleStore.
func (db *DB) ArticlesByAuthors(ctx context.Context, v folio.Viewer, ids []int64, p folio.Page) (map[int64]folio.List[*folio.Article], error) {
	var a args
	from := articlesOfAuthor(v, &a)
	cols, scan := listColumns(p)
	return perParent(ctx, db, "articles by author", ids, p, newestFirst, cols, from, a, scan)
}

// articlesOfAuthor is the FROM clause of the articles of the author
// p.parent that v sees.
func articlesOfAuthor(v folio.Viewer, a *args) string {
	return `articles a WHERE a.author_id = p.parent AND a.published_at IS NOT NULL AND ` + visible(v, a)
}

// ArticlesByCategories implements folio.ArticleStore.
func (db *DB) ArticlesByCategories(ctx context.Context, v folio.Viewer, ids []int64, p folio.Page) (map[int64]folio.List[*folio.Article], error) {
	var a args
	from := `articles a WHERE a.category_id = p.parent AND a.published_at IS NOT NULL AND ` + visible(v, &a)
	cols, scan := listColumns(p)
	return perParent(ctx, db, "articles by category", ids, p, newestFirst, cols, from, a, scan)
}

// tagPageOrder is newestFirst on article_tags' copy of the publication time
// (migration 00014), which it holds while the article is published.
var tagPageOrder = order{key: "at.published_at", id: "at.article_id", desc: true}

// ArticlesByTags implements folio.ArticleStore. The page is picked from
// article_tags first, and only its rows are then read whole; the outer
// statement repeats the bounds, which its page of rows already meets. For
// a viewer who sees only published articles (anyone signed out), the page
// is the first entries of article_tags_published_idx. Any other viewer may
// see drafts, so each article of the tag is looked up for its status and
// publication time before the newest can be picked (from the small
// articles_published_id_idx for the published ones).
func (db *DB) ArticlesByTags(ctx context.Context, v folio.Viewer, ids []int64, p folio.Page) (map[int64]folio.List[*folio.Article], error) {
	var a args
	var from string
	if v.Anonymous() {
		where, orderLimit := tagPageOrder.page(p, &a)
		from = fmt.Sprintf(`articles a WHERE a.id = ANY(ARRAY(
	SELECT at.article_id FROM article_tags at
	WHERE at.tag_id = p.parent AND at.published_at IS NOT NULL AND %s %s))`, where, orderLimit)
	} else {
		vis := visible(v, &a)
		where, orderLimit := newestFirst.page(p, &a)
		from = fmt.Sprintf(`articles a WHERE a.id = ANY(ARRAY(
	SELECT a.id FROM article_tags at JOIN articles a ON a.id = at.article_id
	WHERE at.tag_id = p.parent AND a.published_at IS NOT NULL AND %s AND %s %s))`, vis, where, orderLimit)
	}
	cols, scan := listColumns(p)
	return perParent(ctx, db, "articles by tag", ids, p, newestFirst, cols, from, a, scan)
}

// countArticlesBy counts the visible, published-at-least-once articles per
// parent; the nested lists count the same rows they page through.
func (db *DB) countArticlesBy(ctx context.Context, what, sql string, v folio.Viewer, ids []int64) (map[int64]int, error) {
	a := args{ids}
	return countBy(ctx, db, what, fmt.Sprintf(sql, visible(v, &a)), a...)
}

// CountArticlesByAuthors implements folio.ArticleStore.
func (db *DB) CountArticlesByAuthors(ctx context.Context, v folio.Viewer, ids []int64) (map[int64]int, error) {
	return db.countArticlesBy(ctx, "articles by author", `SELECT a.author_id, count(*) FROM articles a
WHERE a.author_id = ANY($1) AND a.published_at IS NOT NULL AND %s GROUP BY a.author_id`, v, ids)
}

// CountArticlesByCategories implements folio.ArticleStore.
func (db *DB) CountArticlesByCategories(ctx context.Context, v folio.Viewer, ids []int64) (map[int64]int, error) {
	return db.countArticlesBy(ctx, "articles by category", `SELECT a.category_id, count(*) FROM articles a
WHERE a.category_id = ANY($1) AND a.published_at IS NOT NULL AND %s GROUP BY a.category_id`, v, ids)
}

// CountArticlesByTags implements folio.ArticleStore. What a signed-out
// viewer sees is counted from article_tags_published_idx alone.
func (db *DB) CountArticlesByTags(ctx context.Context, v folio.Viewer, ids []int64) (map[int64]int, error) {
	if v.Anonymous() {
		return countBy(ctx, db, "articles by tag", `SELECT tag_id, count(*) FROM article_tags
WHERE tag_id = ANY($1) AND published_at IS NOT NULL GROUP BY tag_id`, ids)
	}
	return db.countArticlesBy(ctx, "articles by tag", `SELECT at.tag_id, count(*) FROM article_tags at JOIN articles a ON a.id = at.article_id
WHERE at.tag_id = ANY($1) AND a.published_at IS NOT NULL AND %s GROUP BY at.tag_id`, v, ids)
}

// articleStats counts reactions by kind and, in rows whose kind is null,
// live comments (replies included), for many articles in one statement.
const articleStats = `SELECT article_id, kind, count(*) FROM reactions WHERE article_id = ANY($1) GROUP BY article_id, kind
UNION ALL
SELECT article_id, NULL, count(*) FROM comments WHERE article_id = ANY($1) AND deleted_at IS NULL GROUP BY article_id`

// ArticleStats implements folio.ArticleStore.
func (db *DB) ArticleStats(ctx context.Context, ids []int64) (map[int64]folio.ArticleStats, error) {
	return reading(ctx, db, func(q querier) (map[int64]folio.ArticleStats, error) {
		rows, err := q.Query(ctx, articleStats, ids)
		if err != nil {
			return nil, fmt.Errorf("query article stats: %w", translate(err))
		}
		defer rows.Close()
		out := make(map[int64]folio.ArticleStats, len(ids))
		for rows.Next() {
			var id int64
			var kind *folio.ReactionKind
			var n int
			if err := rows.Scan(&id, &kind, &n); err != nil {
				return nil, fmt.Errorf("scan article stats: %w", err)
			}
			s := out[id]
			if kind == nil {
				s.Comments = n
			} else {
				s.Reactions.Add(*kind, n)
			}
			out[id] = s
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read article stats: %w", err)
		}
		return out, nil
	})
}
