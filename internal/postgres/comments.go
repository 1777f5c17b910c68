package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/folio/folio/internal/folio"
)

const commentCols = `c.id, c.article_id, c.author_id, c.parent_id, c.body, c.created_at, c.updated_at, c.deleted_at`

func scanComment(row pgx.Row, extra ...any) (*folio.Comment, error) {
	var c folio.Comment
	return &c, row.Scan(append(appendCommentDest(make([]any, 0, 8+len(extra)), &c), extra...)...)
}

// commentParentCol is the place of c.parent_id in commentCols.
const commentParentCol = 3

// appendCommentDest appends to d the destinations of commentCols.
func appendCommentDest(d []any, c *folio.Comment) []any {
	return append(d, &c.ID, &c.ArticleID, &c.AuthorID, &c.ParentID, &c.Body, &c.CreatedAt, &c.UpdatedAt, &c.DeletedAt)
}

// Threads read oldest first, like a conversation: threadOrder in SQL,
// inThreadOrder in Go.
var threadOrder = order{key: "c.created_at", id: "c.id"}

// inThreadOrder compares two comments in threadOrder, the order of a
// page of comments read forward and of a page of replies.
func inThreadOrder(a, b *folio.Comment) int {
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// The top-level comments of the article p.parent, and the replies to the
// comment page.id (in threadsOf, where p.parent is the article).
const (
	commentsOf = `comments c WHERE c.article_id = p.parent AND c.parent_id IS NULL`
	repliesOf  = `comments c WHERE c.parent_id = page.id`
)

const (
	commentsByIDs           = `SELECT ` + commentCols + ` FROM comments c WHERE c.id = ANY($1)`
	countCommentsByArticles = `SELECT article_id, count(*) FROM comments WHERE article_id = ANY($1) AND parent_id IS NULL GROUP BY article_id`
	countRepliesByComments  = `SELECT parent_id, count(*) FROM comments WHERE parent_id = ANY($1) GROUP BY parent_id`
)

// CommentsByIDs implements folio.CommentStore.
func (db *DB) CommentsByIDs(ctx context.Context, ids []int64) ([]*folio.Comment, error) {
	return list(ctx, db, "comments by id", commentsByIDs, args{ids}, scanComment)
}

// CommentsByArticles implements folio.CommentStore.
func (db *DB) CommentsByArticles(ctx context.Context, ids []int64, p folio.Page) (map[int64]folio.List[*folio.Comment], error) {
	var a args
	parents := a.add(ids)
	return readLists(ctx, db, commentPages(parents, p, a), ids)
}

// commentPages builds the statement of CommentsByArticles over parents,
// the SQL of a bigint[] of the articles' ids (a placeholder of a, or a
// subquery). A page read forward reads the replies p.Replies asks for in
// the same statement (threadsOf).
func commentPages(parents string, p folio.Page, a args) listsRead[*folio.Comment] {
	if p.Replies.Set && !p.Backward {
		return threadsOf(parents, p, a)
	}
	return parentPages("comments by article", parents, p, threadOrder, commentCols, commentsOf, a, scanComment)
}

// threadsStatement is threadsOf's statement (a listsRead).
type threadsStatement struct {
	sql       string
	args      args
	p         folio.Page
	withTotal bool
	rel       folio.Related

	got map[[2]int64]*threadGroup
}

// threadGroup is the rows of one page: {0, article} for an article's
// comments, {1, comment} for a comment's replies.
type threadGroup struct {
	rows  []*folio.Comment
	total int
	rel   related
}

// threadsOf builds, over parents, the statement that reads page p of the
// top-level comments of each article, and the first page of replies of
// each comment read: the comments' page as perParent reads it, then each
// comment's replies, both kinds of row in one result. Both kinds read
// their authors when either asks.
//
// The result is not ordered: read groups the rows by kind and parent and
// puts each group in thread order. A final ORDER BY sorted the wide rows
// (bodies and authors) in Postgres, for groups of at most a page each;
// without it, the article page's statements ran 2-12% more batches a
// second under pgbench.
func threadsOf(parents string, p folio.Page, a args) *threadsStatement {
	where, orderLimit := threadOrder.page(p, &a)
	withTotal := p.WithTotal && !p.HasAfter && !p.HasBefore
	total := func(on bool, fromWhere string) string {
		if on {
			return countOf(fromWhere)
		}
		return "NULL::bigint"
	}
	rel := folio.Related{WithAuthors: p.WithAuthors || p.Replies.WithAuthors, AuthorColumns: p.AuthorColumns}
	commentUsers, commentJoin := relatedJoins(rel, "page")
	replyUsers, replyJoin := relatedJoins(rel, "r")
	// Columns: the comment's, total, parent, the author's, kind
	// (0 for a comment of an article, 1 for a reply). The look-ahead row of
	// a page brings its replies too; they are dropped with it.
	sql := fmt.Sprintf(`WITH page AS (SELECT x.*, p.parent FROM unnest(%s::bigint[]) AS p(parent)
CROSS JOIN LATERAL (SELECT %s, %s AS total FROM %s AND %s %s) x)
SELECT page.*%s, 0 AS kind FROM page%s
UNION ALL
SELECT r.*, page.id%s, 1 FROM page CROSS JOIN LATERAL (SELECT %s, %s AS total FROM %s
ORDER BY c.created_at, c.id LIMIT %d) r%s`, parents, commentCols, total(withTotal, commentsOf), commentsOf, where, orderLimit, commentUsers, commentJoin,
		replyUsers, commentCols, total(p.Replies.WithTotal, repliesOf), repliesOf, p.Replies.Limit+1, replyJoin)
	return &threadsStatement{sql: sql, args: a, p: p, withTotal: withTotal, rel: rel}
}

func (s *threadsStatement) statement() (string, string, args) { return "threads", s.sql, s.args }

// commentChunk is how many comments read makes at once: a page of
// comments with their replies is tens of rows, each otherwise an
// allocation of its own.
const commentChunk = 32

func (s *threadsStatement) read(rows pgx.Rows) error {
	defer rows.Close()
	s.got = make(map[[2]int64]*threadGroup)
	// One destination list for all rows, refilled for each: a page of
	// comments and their replies is tens of rows.
	var (
		kind, parent int64
		n            pgtype.Int8 // null when the total is not asked; a *int64 cost an allocation a row
		parentID     pgtype.Int8 // the comment's, so too
		x            relatedRow
		dest         []any
		// Rows, their parents' ids and their authors are made
		// commentChunk at a time. An author read again is dropped
		// (related.add), and its place with it.
		made      []folio.Comment
		parentIDs []int64
		authors   []folio.User
		// The bodies and the authors' names, a few chunks in all.
		text = arenaRows{rows, new(textArena)}
	)
	for rows.Next() {
		if len(made) == 0 {
			made, parentIDs = make([]folio.Comment, commentChunk), make([]int64, commentChunk)
			if s.rel.WithAuthors {
				authors = make([]folio.User, commentChunk)
			}
		}
		c := &made[0]
		made = made[1:]
		n, parentID, x = pgtype.Int8{}, pgtype.Int8{}, relatedRow{}
		if s.rel.WithAuthors {
			x.author = &authors[0]
			authors = authors[1:]
		}
		dest = appendCommentDest(dest[:0], c)
		dest[commentParentCol] = &parentID
		dest = append(x.appendDest(append(dest, &n, &parent), s.rel), &kind)
		if err := text.Scan(dest...); err != nil {
			return fmt.Errorf("scan threads: %w", err)
		}
		if parentID.Valid {
			parentIDs[0] = parentID.Int64
			c.ParentID, parentIDs = &parentIDs[0], parentIDs[1:]
		}
		k := [2]int64{kind, parent}
		g := s.got[k]
		if g == nil {
			limit := s.p.Limit
			if kind != 0 {
				limit = s.p.Replies.Limit
			}
			g = &threadGroup{rows: make([]*folio.Comment, 0, limit+1), rel: related{r: s.rel}}
			s.got[k] = g
		}
		g.rows = append(g.rows, c)
		if n.Valid {
			g.total = int(n.Int64)
		}
		g.rel.add(&x)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read threads: %w", translate(err))
	}
	for _, g := range s.got {
		slices.SortFunc(g.rows, inThreadOrder)
	}
	return nil
}

// lists is the page of comments read under each of ids, with the replies
// read under each comment (folio.List.Replies).
func (s *threadsStatement) lists(ids []int64) map[int64]folio.List[*folio.Comment] {
	list := func(k [2]int64, p folio.Page, withTotal bool) folio.List[*folio.Comment] {
		if g := s.got[k]; g != nil {
			return parentPage(g.rows, p, withTotal, g.total, &g.rel)
		}
		return parentPage[*folio.Comment](nil, p, withTotal, 0, nil)
	}
	replyPage := folio.Page{Limit: s.p.Replies.Limit}
	out := make(map[int64]folio.List[*folio.Comment], len(ids))
	for _, id := range ids {
		l := list([2]int64{0, id}, s.p, s.withTotal)
		l.Replies = make(map[int64]folio.List[*folio.Comment], len(l.Items))
		for _, c := range l.Items {
			l.Replies[c.ID] = list([2]int64{1, c.ID}, replyPage, s.p.Replies.WithTotal)
		}
		out[id] = l
	}
	return out
}

// RepliesByComments implements folio.CommentStore.
func (db *DB) RepliesByComments(ctx context.Context, ids []int64, p folio.Page) (map[int64]folio.List[*folio.Comment], error) {
	from := `comments c WHERE c.parent_id = p.parent`
	return perParent(ctx, db, "replies by comment", ids, p, threadOrder, commentCols, from, nil, scanComment)
}

// CountCommentsByArticles implements folio.CommentStore.
func (db *DB) CountCommentsByArticles(ctx context.Context, ids []int64) (map[int64]int, error) {
	return countBy(ctx, db, "comments by article", countCommentsByArticles, ids)
}

// CountRepliesByComments implements folio.CommentStore.
func (db *DB) CountRepliesByComments(ctx context.Context, ids []int64) (map[int64]int, error) {
	return countBy(ctx, db, "replies by comment", countRepliesByComments, ids)
}
