package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/folio/folio/internal/folio"
)

const previewCols = `p.id, p.article_id, p.version, p.created_by, p.created_at, p.expires_at, p.revoked_at`

func scanPreview(row pgx.Row) (*folio.PreviewToken, error) {
	var p folio.PreviewToken
	return &p, row.Scan(&p.ID, &p.ArticleID, &p.Version, &p.CreatedBy, &p.CreatedAt, &p.ExpiresAt, &p.RevokedAt)
}

const insertPreview = `INSERT INTO preview_tokens AS p (article_id, version, token_hash, created_by, expires_at)
VALUES ($1, $2, $3, $4, $5) RETURNING ` + previewCols

// CreatePreviewToken implements folio.PreviewStore. The article is locked
// so that the token is bound to the version it has when the token commits.
func (db *DB) CreatePreviewToken(ctx context.Context, v folio.Viewer, articleID int64, hash []byte, expires time.Time) (*folio.PreviewToken, error) {
	return inTxReturning(ctx, db, "create preview token", func(tx pgx.Tx) (*folio.PreviewToken, error) {
		a, err := lockAllowed(ctx, tx, v, articleID, lockArticle, v.CanPreview,
			"Only the article's author and editors make preview links for it.")
		if err != nil {
			return nil, err
		}
		p, err := scanPreview(tx.QueryRow(ctx, insertPreview, a.ID, a.Version, hash, v.UserID, expires))
		if err != nil {
			return nil, fmt.Errorf("create preview token for article %d: %w", a.ID, err)
		}
		return p, nil
	})
}

const (
	previewForUpdate = `SELECT ` + previewCols + ` FROM preview_tokens p WHERE p.id = $1 FOR UPDATE`
	revokePreview    = `UPDATE preview_tokens p SET revoked_at = COALESCE(p.revoked_at, now()) WHERE p.id = $1 RETURNING ` + previewCols
)

// RevokePreviewToken implements folio.PreviewStore.
func (db *DB) RevokePreviewToken(ctx context.Context, v folio.Viewer, id int64) (*folio.PreviewToken, error) {
	return inTxReturning(ctx, db, "revoke preview token", func(tx pgx.Tx) (*folio.PreviewToken, error) {
		p, err := scanPreview(tx.QueryRow(ctx, previewForUpdate, id))
		if isNoRows(err) {
			return nil, folio.Errorf(folio.ENotFound, "No preview token has this ID.")
		}
		if err != nil {
			return nil, fmt.Errorf("read preview token %d: %w", id, err)
		}
		// Its article's rules: who may not see it learns nothing of it.
		a, err := lockArticle(ctx, tx, v, p.ArticleID)
		if folio.ErrorCode(err) == folio.ENotFound {
			return nil, folio.Errorf(folio.ENotFound, "No preview token has this ID.")
		}
		if err != nil {
			return nil, err
		}
		if !v.CanPreview(a) {
			return nil, folio.Errorf(folio.EForbidden, "Only the article's author and editors revoke its preview links.")
		}
		if p, err = scanPreview(tx.QueryRow(ctx, revokePreview, id)); err != nil {
			return nil, fmt.Errorf("revoke preview token %d: %w", id, err)
		}
		return p, nil
	})
}

// previewGrant finds a live token: not revoked, not expired, and made for
// the version its article is at now.
const previewGrant = `SELECT p.article_id, p.version FROM preview_tokens p
JOIN articles a ON a.id = p.article_id AND a.version = p.version
WHERE p.token_hash = $1 AND p.revoked_at IS NULL AND p.expires_at > now()`

// PreviewGrant implements folio.PreviewStore.
func (db *DB) PreviewGrant(ctx context.Context, hash []byte) (folio.PreviewGrant, bool, error) {
	var g folio.PreviewGrant
	err := db.Pool.QueryRow(ctx, previewGrant, hash).Scan(&g.ArticleID, &g.Version)
	if isNoRows(err) {
		return g, false, nil
	}
	if err != nil {
		return g, false, fmt.Errorf("read preview grant: %w", translate(err))
	}
	return g, true, nil
}
