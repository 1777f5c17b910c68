package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/folio/folio/internal/folio"
)

// MaxSearchQuery is the longest search query accepted, in bytes.
const MaxSearchQuery = 256

var rankOrder = order{key: "s.rank", id: "s.id", desc: true, kind: cursorRank}

// The page is ranked and cut first; only its rows get the costly headline.
// The body is HTML-escaped before ts_headline adds <mark>, so a snippet is
// safe to render as HTML.
const searchArticles = `WITH q AS (SELECT websearch_to_tsquery('english', $1) AS tsq),
page AS (
	SELECT s.* FROM (
		SELECT ` + articleCols + `, ts_rank(a.search, q.tsq) AS rank
		FROM articles a, q WHERE a.search @@ q.tsq AND %[1]s
	) s WHERE %[2]s %[3]s
)
SELECT page.id, page.author_id, page.category_id, page.slug, page.title, page.excerpt, page.body, page.status,
	page.published_at, page.created_at, page.updated_at, page.reading_minutes, page.version, page.rank,
	ts_headline('english', replace(replace(replace(page.body, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), q.tsq,
		'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "')
FROM page, q ORDER BY %[4]s`

const countSearch = `SELECT count(*) FROM articles a WHERE a.search @@ websearch_to_tsquery('english', $1) AND %s`

// checkSearchQuery refuses queries that cannot match anything useful.
func checkSearchQuery(q string) error {
	switch {
	case strings.TrimSpace(q) == "":
		return folio.InvalidField("query", "The search query is empty: type at least one word.")
	case strings.IndexByte(q, 0) >= 0:
		return folio.InvalidField("query", "The search query contains a NUL character; remove it.")
	case len(q) > MaxSearchQuery:
		return folio.InvalidField("query", "The search query is %d bytes long; the most is %d.", len(q), MaxSearchQuery)
	}
	return nil
}

// Search implements folio.ArticleStore.
func (db *DB) Search(ctx context.Context, v folio.Viewer, query string, p folio.Page) (folio.List[*folio.SearchHit], error) {
	if err := checkSearchQuery(query); err != nil {
		return folio.List[*folio.SearchHit]{}, err
	}
	a := args{query}
	vis := visible(v, &a)
	where, orderLimit := rankOrder.page(p, &a)
	sql := fmt.Sprintf(searchArticles, vis, where, orderLimit, rankOrder.scanOrder(p, "page.rank", "page.id"))
	hits, err := list(ctx, db, "search", sql, a, func(row pgx.Row, _ ...any) (*folio.SearchHit, error) {
		var h folio.SearchHit
		var err error
		h.Article, err = scanArticle(row, &h.Rank, &h.Snippet)
		return &h, err
	})
	if err != nil {
		return folio.List[*folio.SearchHit]{}, err
	}
	return finish(hits, p), nil
}

// CountSearch implements folio.ArticleStore.
func (db *DB) CountSearch(ctx context.Context, v folio.Viewer, query string) (int, error) {
	if err := checkSearchQuery(query); err != nil {
		return 0, err
	}
	a := args{query}
	return count(ctx, db, "search results", fmt.Sprintf(countSearch, visible(v, &a)), a...)
}
