package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/folio/folio/internal/folio"
)

const commentCols = `c.id, c.article_id, c.author_id, c.parent_id, c.body, c.created_at, c.updated_at, c.deleted_at`

func scanComment(row pgx.Row, extra ...any) (*folio.Comment, error) {
	var c folio.Comment
	dest := append([]any{&c.ID, &c.ArticleID, &c.AuthorID, &c.ParentID, &c.Body, &c.CreatedAt, &c.UpdatedAt, &c.DeletedAt}, extra...)
	return &c, row.Scan(dest...)
}

// Threads read oldest first, like a conversation.
var threadOrder = order{key: "c.created_at", id: "c.id"}

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
	from := `comments c WHERE c.article_id = p.parent AND c.parent_id IS NULL`
	return perParent(ctx, db, "comments by article", ids, p, threadOrder, commentCols, from, nil, scanComment)
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
