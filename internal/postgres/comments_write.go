package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/folio/folio/internal/folio"
)

// AddComment writes v's comment, or reply when in.ParentID is set, on a
// published article. A reply's parent must be a live comment on the same
// article.
func (db *DB) AddComment(ctx context.Context, v folio.Viewer, in folio.NewComment) (*folio.Comment, error) {
	if !v.SignedIn() {
		return nil, folio.Errorf(folio.EUnauthenticated, "Sign in to comment.")
	}
	if err := v.CheckVerified(); err != nil {
		return nil, err
	}
	var out *folio.Comment
	err := db.inTx(ctx, "add comment", func(tx pgx.Tx) error {
		if err := articleOpen(ctx, tx, v, in.ArticleID, "articleId"); err != nil {
			return err
		}
		if in.ParentID != nil {
			parent, err := scanComment(tx.QueryRow(ctx, `SELECT `+commentCols+` FROM comments c WHERE c.id = $1 FOR SHARE`, *in.ParentID))
			if isNoRows(err) || (err == nil && parent.ArticleID != in.ArticleID) {
				return &folio.Error{Code: folio.ENotFound, Field: "parentId", Message: "No comment on this article has this ID."}
			}
			if err != nil {
				return fmt.Errorf("read parent comment: %w", err)
			}
			if parent.Deleted() {
				return folio.InvalidField("parentId", "This comment was deleted; reply to another one.")
			}
		}
		var err error
		out, err = scanComment(tx.QueryRow(ctx, `INSERT INTO comments AS c (article_id, author_id, parent_id, body)
VALUES ($1, $2, $3, $4) RETURNING `+commentCols, in.ArticleID, v.UserID, in.ParentID, in.Body))
		if err != nil {
			return fmt.Errorf("insert comment: %w", translateWrite(err))
		}
		if err := db.mailReply(ctx, tx, out); err != nil {
			return err
		}
		return db.emit(ctx, tx, folio.EventCommentAdded, commentData(out))
	})
	return out, err
}

// lockComment locks a comment whose article v may see.
func lockComment(ctx context.Context, tx pgx.Tx, v folio.Viewer, id int64) (*folio.Comment, error) {
	var status folio.ArticleStatus
	var author int64
	c, err := scanComment(tx.QueryRow(ctx, `SELECT `+commentCols+`, a.status, a.author_id
FROM comments c JOIN articles a ON a.id = c.article_id WHERE c.id = $1 FOR UPDATE OF c`, id), &status, &author)
	if isNoRows(err) || (err == nil && !v.CanSeeArticle(&folio.Article{Status: status, AuthorID: author})) {
		return nil, folio.Errorf(folio.ENotFound, "No comment has this ID.")
	}
	if err != nil {
		return nil, fmt.Errorf("lock comment %d: %w", id, err)
	}
	return c, nil
}

// EditComment replaces the words of one of v's comments.
func (db *DB) EditComment(ctx context.Context, v folio.Viewer, id int64, body string) (*folio.Comment, error) {
	return inTxReturning(ctx, db, "edit comment", func(tx pgx.Tx) (*folio.Comment, error) {
		c, err := lockAllowed(ctx, tx, v, id, lockComment, v.CanEditComment,
			"Only a comment's author can change its words.")
		if err != nil {
			return nil, err
		}
		if c.Deleted() {
			return nil, folio.InvalidField("id", "This comment was deleted and cannot be edited.")
		}
		c, err = scanComment(tx.QueryRow(ctx, `UPDATE comments c SET body = $2, updated_at = now() WHERE c.id = $1 RETURNING `+commentCols, id, body))
		if err != nil {
			return nil, fmt.Errorf("edit comment %d: %w", id, translateWrite(err))
		}
		return c, nil
	})
}

// DeleteComment soft-deletes a comment (its author, or an editor): it keeps
// its place in the thread so replies stay where they were. Deleting it
// again changes nothing.
func (db *DB) DeleteComment(ctx context.Context, v folio.Viewer, id int64) (*folio.Comment, error) {
	return inTxReturning(ctx, db, "delete comment", func(tx pgx.Tx) (*folio.Comment, error) {
		c, err := lockAllowed(ctx, tx, v, id, lockComment, v.CanDeleteComment,
			"Only a comment's author or an editor can delete it.")
		if err != nil || c.Deleted() {
			return c, err
		}
		if c, err = scanComment(tx.QueryRow(ctx, `UPDATE comments c SET deleted_at = now(), updated_at = now() WHERE c.id = $1 RETURNING `+commentCols, id)); err != nil {
			return nil, fmt.Errorf("delete comment %d: %w", id, err)
		}
		return c, nil
	})
}

// replyMail writes the mail telling a comment's author of a reply, unless
// they replied to themselves or switched such mail off.
const replyMail = `INSERT INTO email_outbox (recipient, kind, payload)
SELECT p.email, 'comment_reply', jsonb_build_object('commentId', $1::bigint, 'articleTitle', a.title, 'articleSlug', a.slug,
    'replier', r.display_name, 'body', left($2::text, 500))
FROM comments c JOIN users p ON p.id = c.author_id JOIN articles a ON a.id = c.article_id JOIN users r ON r.id = $3
WHERE c.id = $4 AND c.author_id <> $3 AND p.notify_replies
RETURNING id`

// mailReply queues the reply mail of comment c, in its transaction, when
// the queue is configured.
func (db *DB) mailReply(ctx context.Context, tx pgx.Tx, c *folio.Comment) error {
	if c.ParentID == nil || db.jobs == nil {
		return nil
	}
	rows, err := tx.Query(ctx, replyMail, c.ID, c.Body, c.AuthorID, *c.ParentID)
	if err != nil {
		return fmt.Errorf("write reply mail: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("write reply mail: %w", err)
	}
	return db.queueMail(ctx, tx, ids)
}
