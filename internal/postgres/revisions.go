package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/folio/folio/internal/folio"
)

// revisionOrder lists an article's revisions newest first.
var revisionOrder = order{key: "r.replaced_at", id: "r.id", desc: true}

const revisionCols = `r.id, r.article_id, r.version, r.title, r.excerpt, r.body, r.replaced_by, r.replaced_at`

func scanRevision(row pgx.Row, extra ...any) (*folio.Revision, error) {
	var r folio.Revision
	dest := append([]any{&r.ID, &r.ArticleID, &r.Version, &r.Title, &r.Excerpt, &r.Body, &r.ReplacedBy, &r.ReplacedAt}, extra...)
	return &r, row.Scan(dest...)
}

// RevisionsByArticles implements folio.RevisionStore.
func (db *DB) RevisionsByArticles(ctx context.Context, ids []int64, p folio.Page) (map[int64]folio.List[*folio.Revision], error) {
	from := `article_revisions r WHERE r.article_id = p.parent`
	return perParent(ctx, db, "revisions by article", ids, p, revisionOrder, revisionCols, from, nil, scanRevision)
}

const countRevisionsByArticles = `SELECT article_id, count(*) FROM article_revisions WHERE article_id = ANY($1) GROUP BY article_id`

// CountRevisionsByArticles implements folio.RevisionStore.
func (db *DB) CountRevisionsByArticles(ctx context.Context, ids []int64) (map[int64]int, error) {
	return countBy(ctx, db, "revisions by article", countRevisionsByArticles, ids)
}

const revisionsAt = `SELECT ` + revisionCols + ` FROM article_revisions r WHERE r.article_id = $1 AND r.version = ANY($2)`

// RevisionsAt implements folio.RevisionStore.
func (db *DB) RevisionsAt(ctx context.Context, articleID int64, versions []int) ([]*folio.Revision, error) {
	return list(ctx, db, "revisions at versions", revisionsAt, args{articleID, versions}, scanRevision)
}

// keepRevision keeps a's text, which v's update is about to replace, and
// deletes the article's revisions beyond folio.MaxRevisions, oldest first.
const (
	insertRevision = `INSERT INTO article_revisions (article_id, version, title, excerpt, body, replaced_by)
VALUES ($1, $2, $3, $4, $5, $6)`
	pruneRevisions = `DELETE FROM article_revisions WHERE article_id = $1 AND id NOT IN (
    SELECT id FROM article_revisions WHERE article_id = $1 ORDER BY replaced_at DESC, id DESC LIMIT $2)`
)

func keepRevision(ctx context.Context, tx pgx.Tx, v folio.Viewer, a *folio.Article) error {
	var by *int64
	if v.SignedIn() {
		by = &v.UserID
	}
	if _, err := tx.Exec(ctx, insertRevision, a.ID, a.Version, a.Title, a.Excerpt, a.Body, by); err != nil {
		return fmt.Errorf("keep revision %d of article %d: %w", a.Version, a.ID, err)
	}
	if _, err := tx.Exec(ctx, pruneRevisions, a.ID, folio.MaxRevisions); err != nil {
		return fmt.Errorf("prune revisions of article %d: %w", a.ID, err)
	}
	return nil
}

const revisionForRestore = `SELECT ` + revisionCols + ` FROM article_revisions r WHERE r.article_id = $1 AND r.version = $2`

// restoreText fills p's text from the article's revision at
// p.RestoreVersion; a version without one is NOT_FOUND on "version".
func restoreText(ctx context.Context, tx pgx.Tx, a *folio.Article, p *folio.ArticlePatch) error {
	r, err := scanRevision(tx.QueryRow(ctx, revisionForRestore, a.ID, *p.RestoreVersion))
	if isNoRows(err) {
		return &folio.Error{Code: folio.ENotFound, Field: "version",
			Message: fmt.Sprintf("The article has no revision at version %d: list its revisions to see which it keeps.", *p.RestoreVersion)}
	}
	if err != nil {
		return fmt.Errorf("read revision %d of article %d: %w", *p.RestoreVersion, a.ID, err)
	}
	p.Title, p.Excerpt, p.Body = &r.Title, &r.Excerpt, &r.Body
	return nil
}

// textChanges reports whether p changes a's title, excerpt or body.
func textChanges(a *folio.Article, p folio.ArticlePatch) bool {
	return (p.Title != nil && *p.Title != a.Title) || (p.Excerpt != nil && *p.Excerpt != a.Excerpt) || (p.Body != nil && *p.Body != a.Body)
}
