package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/folio/folio/internal/folio"
)

// args collects the positional parameters of a statement being built.
type args []any

// add appends v and returns its placeholder.
func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// order is a keyset ordering: a sort key with the row id as tiebreaker, both
// compared as a row so one index range scan serves every page.
type order struct {
	key  string // SQL expression of the sort key, e.g. "a.published_at"
	id   string // SQL expression of the unique tiebreaker, e.g. "a.id"
	desc bool   // the list's natural direction
	kind cursorKind
}

type cursorKind int

const (
	cursorTime cursorKind = iota
	cursorText
	cursorRank
)

func (o order) param(c folio.Cursor, a *args) string {
	switch o.kind {
	case cursorText:
		return a.add(c.Text) + "::text"
	case cursorRank:
		return a.add(c.Rank) + "::real"
	default:
		return a.add(time.UnixMicro(c.Time).UTC()) + "::timestamptz"
	}
}

// page returns the conditions that bound p (or "true"), and the ORDER BY and
// LIMIT that scan it: one row more than wanted, to know if there are more.
func (o order) page(p folio.Page, a *args) (where, orderLimit string) {
	var conds []string
	bound := func(c folio.Cursor, after bool) {
		op := "<"
		if after != o.desc {
			op = ">"
		}
		conds = append(conds, fmt.Sprintf("(%s, %s) %s (%s, %s)", o.key, o.id, op, o.param(c, a), a.add(c.ID)))
	}
	if p.HasAfter {
		bound(p.After, true)
	}
	if p.HasBefore {
		bound(p.Before, false)
	}
	where = "true"
	if len(conds) > 0 {
		where = strings.Join(conds, " AND ")
	}
	return where, fmt.Sprintf("ORDER BY %s LIMIT %d", o.scanOrder(p, o.key, o.id), p.Limit+1)
}

// scanOrder is the ORDER BY list that reads p's rows in scan direction.
func (o order) scanOrder(p folio.Page, key, id string) string {
	dir := "ASC"
	if o.desc != p.Backward {
		dir = "DESC"
	}
	return fmt.Sprintf("%s %s, %s %s", key, dir, id, dir)
}

// finish turns the rows of a scan (one more than wanted if there are more)
// into the page, in the list's natural order.
func finish[T any](items []T, p folio.Page) folio.List[T] {
	more := len(items) > p.Limit
	if more {
		items = items[:p.Limit]
	}
	// A cursor names a row that exists, so rows lie beyond the cursor bound
	// on the far side of the page, whichever way it was read.
	l := folio.List[T]{Items: items}
	if p.Backward {
		slices.Reverse(l.Items)
		l.HasPrevious, l.HasNext = more || p.HasAfter, p.HasBefore
	} else {
		l.HasNext, l.HasPrevious = more || p.HasBefore, p.HasAfter
	}
	return l
}

// scanFunc reads one row, then the extra destinations after its own columns.
type scanFunc[T any] func(row pgx.Row, extra ...any) (T, error)

// list runs a statement and scans every row.
func list[T any](ctx context.Context, db *DB, what, sql string, a args, scan scanFunc[T]) ([]T, error) {
	return reading(ctx, db, func(q querier) ([]T, error) {
		rows, err := q.Query(ctx, sql, a...)
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", what, translate(err))
		}
		return scanRows(rows, what, scan)
	})
}

// scanRows scans every row of rows, and closes them.
func scanRows[T any](rows pgx.Rows, what string, scan scanFunc[T]) ([]T, error) {
	defer rows.Close()
	var out []T
	text := arenaRows{rows, new(textArena)}
	for rows.Next() {
		v, err := scan(text)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", what, translate(err))
	}
	return out, nil
}

// listPage reads one page of a list: sql has %[1]s for the keyset conditions
// and %[2]s for the ORDER BY and LIMIT.
func listPage[T any](ctx context.Context, db *DB, what, sql string, a args, o order, p folio.Page, scan scanFunc[T]) (folio.List[T], error) {
	where, orderLimit := o.page(p, &a)
	items, err := list(ctx, db, what, fmt.Sprintf(sql, where, orderLimit), a, scan)
	if err != nil {
		return folio.List[T]{}, err
	}
	return finish(items, p), nil
}

// perParent reads page p of a list for each of many parents in one statement:
// a LATERAL subquery runs once per parent id. inner selects cols from a FROM
// clause whose WHERE names the parent as p.parent; the sort key is selected
// too so the outer query can keep each parent's rows in order.
func perParent[T any](ctx context.Context, db *DB, what string, ids []int64, p folio.Page, o order, cols, fromWhere string, a args, scan scanFunc[T]) (map[int64]folio.List[T], error) {
	parents := a.add(ids)
	return readLists(ctx, db, parentPages(what, parents, p, o, cols, fromWhere, a, scan), ids)
}

// listsRead is a statement that reads a page of a list under each of many
// parents, built, and what it read. Run it alone (readLists), or in a
// batch with others (ArticleBySlugWith).
type listsRead[T any] interface {
	statementRead
	// lists is the page read under each of ids.
	lists(ids []int64) map[int64]folio.List[T]
}

// statementRead is a statement, built, and the reading of its rows.
type statementRead interface {
	statement() (what, sql string, a args)
	// read reads the statement's rows (from scratch: a read may be tried
	// again on the primary), and closes them.
	read(rows pgx.Rows) error
}

// readResult reads the rows that sending s's statement gave, alone or in
// a batch.
func readResult(s statementRead, rows pgx.Rows, err error) error {
	if err != nil {
		what, _, _ := s.statement()
		return fmt.Errorf("query %s: %w", what, translate(err))
	}
	return s.read(rows)
}

// readLists runs s, which pages under ids, on its own.
func readLists[T any](ctx context.Context, db *DB, s listsRead[T], ids []int64) (map[int64]folio.List[T], error) {
	_, sql, a := s.statement()
	_, err := reading(ctx, db, func(q querier) (struct{}, error) {
		rows, err := q.Query(ctx, sql, a...)
		return struct{}{}, readResult(s, rows, err)
	})
	if err != nil {
		return nil, err
	}
	return s.lists(ids), nil
}

// pagesStatement is perParent's statement (a listsRead).
type pagesStatement[T any] struct {
	what      string
	sql       string
	args      args
	p         folio.Page
	withTotal bool
	scan      scanFunc[T]

	grouped   map[int64][]T
	totals    map[int64]int
	relatedOf map[int64]*related
}

// parentPages builds perParent's statement over parents, the SQL of a
// bigint[] of the parents' ids (a placeholder of a, or a subquery).
func parentPages[T any](what, parents string, p folio.Page, o order, cols, fromWhere string, a args, scan scanFunc[T]) *pagesStatement[T] {
	where, orderLimit := o.page(p, &a)
	withTotal := p.WithTotal && !p.HasAfter && !p.HasBefore
	total := ""
	if withTotal {
		total = ", " + countOf(fromWhere) + " AS total"
	}
	relCols, joins := relatedJoins(p.Related, "x")
	sql := fmt.Sprintf(`SELECT x.*, p.parent%s FROM unnest(%s::bigint[]) AS p(parent)
CROSS JOIN LATERAL (SELECT %s, %s AS sort_key%s FROM %s AND %s %s) x%s
ORDER BY p.parent, %s`, relCols, parents, cols, o.key, total, fromWhere, where, orderLimit, joins, o.scanOrder(p, "x.sort_key", "x.id"))
	return &pagesStatement[T]{what: what, sql: sql, args: a, p: p, withTotal: withTotal, scan: scan}
}

func (s *pagesStatement[T]) statement() (string, string, args) { return s.what, s.sql, s.args }

func (s *pagesStatement[T]) read(rows pgx.Rows) error {
	defer rows.Close()
	s.grouped, s.totals, s.relatedOf = make(map[int64][]T), make(map[int64]int), make(map[int64]*related)
	// One list of the columns after the row's own for all rows, refilled
	// for each.
	var (
		parent, n int64
		x         relatedRow
		dest      []any
		text      = arenaRows{rows, new(textArena)}
	)
	for rows.Next() {
		n, x = 0, relatedRow{}
		// The sort key orders the rows in SQL only: nil skips it, where
		// scanning it into an any cost a decoder and an allocation or two.
		dest = append(dest[:0], nil)
		if s.withTotal {
			dest = append(dest, &n)
		}
		dest = x.appendDest(append(dest, &parent), s.p.Related)
		v, err := s.scan(text, dest...)
		if err != nil {
			return fmt.Errorf("scan %s: %w", s.what, err)
		}
		s.grouped[parent] = append(s.grouped[parent], v)
		s.totals[parent] = int(n)
		rel := s.relatedOf[parent]
		if rel == nil {
			rel = &related{r: s.p.Related}
			s.relatedOf[parent] = rel
		}
		rel.add(&x)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", s.what, translate(err))
	}
	return nil
}

func (s *pagesStatement[T]) lists(ids []int64) map[int64]folio.List[T] {
	out := make(map[int64]folio.List[T], len(ids))
	for _, id := range ids {
		// A parent with no row has none in its list, and no relations.
		out[id] = parentPage(s.grouped[id], s.p, s.withTotal, s.totals[id], s.relatedOf[id])
	}
	return out
}

// countOf counts the rows of fromWhere (a FROM clause that names the
// parent as p.parent, without the page's bounds) for the total of a
// parent's list. Postgres runs it once per parent, and counts from an
// index alone where the clause's index covers it: a window count over the
// page's rows read the whole row of every one, bodies and all.
func countOf(fromWhere string) string {
	return "(SELECT count(*) FROM " + fromWhere + ")"
}

// parentPage is the page p of one parent's list from the rows read for it:
// with its total when withTotal, and the relations rel read with the rows
// (none when rel is nil).
func parentPage[T any](rows []T, p folio.Page, withTotal bool, total int, rel *related) folio.List[T] {
	l := finish(rows, p)
	if withTotal {
		l.Total = &total
	}
	if rel != nil {
		fill(&l, rel)
	}
	return l
}

// countBy runs a "SELECT key, count(*) … GROUP BY key" statement.
func countBy(ctx context.Context, db *DB, what, sql string, a ...any) (map[int64]int, error) {
	return reading(ctx, db, func(q querier) (map[int64]int, error) {
		rows, err := q.Query(ctx, sql, a...)
		if err != nil {
			return nil, fmt.Errorf("count %s: %w", what, translate(err))
		}
		defer rows.Close()
		out := make(map[int64]int)
		for rows.Next() {
			var id int64
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return nil, fmt.Errorf("scan %s count: %w", what, err)
			}
			out[id] = n
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read %s count: %w", what, translate(err))
		}
		return out, nil
	})
}

// count runs a statement that returns a single count.
func count(ctx context.Context, db *DB, what, sql string, a ...any) (int, error) {
	return reading(ctx, db, func(q querier) (int, error) {
		var n int
		if err := q.QueryRow(ctx, sql, a...).Scan(&n); err != nil {
			return 0, fmt.Errorf("count %s: %w", what, translate(err))
		}
		return n, nil
	})
}
