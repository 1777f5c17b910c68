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

// The page is ranked and cut first, carrying only ids and ranks through
// the sort of every match; only the page's rows are then read whole, and
// only they get the costly headline. The body is HTML-escaped before
// ts_headline adds <mark>, so a snippet is safe to render as HTML.
const searchArticles = `WITH q AS (SELECT websearch_to_tsquery('english', $1) AS tsq),
page AS (
	SELECT s.id, s.rank FROM (
		SELECT a.id, ts_rank(a.search, q.tsq) AS rank
		FROM articles a, q WHERE a.search @@ q.tsq AND %[1]s
	) s WHERE %[2]s %[3]s
)
SELECT %[5]s, page.rank, %[6]s%[7]s
FROM page JOIN articles a ON a.id = page.id%[8]s, q ORDER BY %[4]s`

// SnippetSource is how much of a body, in characters, a search snippet is
// cut from. ts_headline parses all the text it is given, so its cost grows
// with the body; the first few thousand characters hold the matches of
// nearly every hit (the title and excerpt say what a body is about early),
// and a hit matching only further in gets the body's opening as its snippet.
const SnippetSource = 2000

const (
	snippet = `ts_headline('english',
	replace(replace(replace(left(a.body, ` + "%d" + `), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), q.tsq,
	'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "')`
	noSnippet = `''::text`
)

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
	cols, scan := listColumns(p)
	snip := noSnippet
	if !p.SkipSnippet {
		snip = fmt.Sprintf(snippet, SnippetSource)
	}
	rel := related{r: p.Related}
	relCols, joins := relatedJoins(p.Related, "a")
	sql := fmt.Sprintf(searchArticles, vis, where, orderLimit, rankOrder.scanOrder(p, "page.rank", "page.id"), cols, snip, relCols, joins)
	scan = rel.scan(scan)
	hits, err := list(ctx, db, "search", sql, a, func(row pgx.Row, _ ...any) (*folio.SearchHit, error) {
		var h folio.SearchHit
		var err error
		h.Article, err = scan(row, &h.Rank, &h.Snippet)
		return &h, err
	})
	if err != nil {
		return folio.List[*folio.SearchHit]{}, err
	}
	l := finish(hits, p)
	fill(&l, &rel)
	return l, nil
}

// CountSearch implements folio.ArticleStore.
func (db *DB) CountSearch(ctx context.Context, v folio.Viewer, query string) (int, error) {
	if err := checkSearchQuery(query); err != nil {
		return 0, err
	}
	a := args{query}
	return count(ctx, db, "search results", fmt.Sprintf(countSearch, visible(v, &a)), a...)
}
