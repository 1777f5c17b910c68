package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/folio/folio/internal/folio"
)

// Images are kept by content address: one row per stored file set, which
// any number of articles and users may refer to. A write that attaches an
// image holds the image's row while it stores the files, and one that
// stops referring to an image queues its release (ReleaseImage) in the
// same transaction.

// upsertImage records img, or finds it recorded, and locks its row until
// the transaction ends; inserted reports whether the row is new.
const upsertImage = `INSERT INTO images (key, width, height, bytes) VALUES ($1, $2, $3, $4)
ON CONFLICT (key) DO UPDATE SET key = excluded.key
RETURNING xmax = 0`

// attachImage runs fn, a write that attaches img (nil: removes one), in
// a transaction. fn calls attach once it has checked the write may go on
// and before it refers to the image: attach records img, or finds it
// recorded, holds its row until the transaction ends, and stores its
// files. When fn or the commit fails after the files were stored for a
// row of this write's own, they are discarded, so nothing is left behind.
func (db *DB) attachImage(ctx context.Context, what string, img *folio.NewImage, fn func(tx pgx.Tx, attach func() error) error) error {
	var ours bool // the files were stored for a row this write inserted
	discard := func() error {
		if !ours || img.Discard == nil {
			return nil
		}
		ours = false
		return img.Discard(context.WithoutCancel(ctx))
	}
	err := db.inTx(ctx, what, func(tx pgx.Tx) error {
		attach := func() error {
			if img == nil {
				return nil
			}
			var inserted bool
			if err := tx.QueryRow(ctx, upsertImage, img.Key, img.Width, img.Height, img.Bytes).Scan(&inserted); err != nil {
				return fmt.Errorf("record image: %w", translateWrite(err))
			}
			ours = inserted // a failed store may have written some files
			if err := img.Store(ctx); err != nil {
				return fmt.Errorf("store image %s: %w", img.Key, err)
			}
			return nil
		}
		err := fn(tx, attach)
		if err != nil {
			// Still under the row's lock: no one else stores these files
			// until this transaction ends.
			if derr := discard(); derr != nil {
				err = errors.Join(err, fmt.Errorf("discard image %s: %w", img.Key, derr))
			}
		}
		return err
	})
	if err != nil {
		// The commit failed: the row is gone, and the files were ours.
		if derr := discard(); derr != nil {
			err = errors.Join(err, fmt.Errorf("discard image %s: %w", img.Key, derr))
		}
	}
	return err
}

// releaseImage queues the release of key, which a write stopped
// referring to, unless it still refers to it.
func (db *DB) releaseImage(ctx context.Context, tx pgx.Tx, old *folio.Image, now *folio.NewImage) error {
	if old == nil || (now != nil && now.Key == old.Key) || db.jobs == nil {
		return nil
	}
	if err := db.jobs.InsertImageReleaseTx(ctx, tx, old.Key); err != nil {
		return fmt.Errorf("queue the release of image %s: %w", old.Key, err)
	}
	return nil
}

const setCover = `UPDATE articles a SET cover_key = $2, cover_width = $3, cover_height = $4, cover_alt = $5, updated_at = now()
WHERE a.id = $1 RETURNING ` + articleCols

// SetArticleCover implements folio.ImageWriter.
func (db *DB) SetArticleCover(ctx context.Context, v folio.Viewer, id int64, img *folio.NewImage) (*folio.Article, error) {
	var out *folio.Article
	err := db.attachImage(ctx, "set article cover", img, func(tx pgx.Tx, attach func() error) error {
		a, err := lockAllowed(ctx, tx, v, id, lockArticle, v.CanEditArticle,
			"Authors change the cover of their own drafts; editors of any article. You may not change this one's.")
		if err != nil {
			return err
		}
		if img == nil && a.CoverImage == nil {
			out = a // nothing to take off
			return nil
		}
		if err := attach(); err != nil {
			return err
		}
		var key, alt *string
		var w, h *int
		if img != nil {
			key, w, h, alt = &img.Key, &img.Width, &img.Height, &img.Alt
		}
		if out, err = scanArticle(tx.QueryRow(ctx, setCover, id, key, w, h, alt)); err != nil {
			return fmt.Errorf("set cover of article %d: %w", id, err)
		}
		if err := db.releaseImage(ctx, tx, a.CoverImage, img); err != nil {
			return err
		}
		return db.emit(ctx, tx, folio.EventArticleUpdated, articleData(out))
	})
	return out, err
}

const setAvatar = `UPDATE users u SET avatar_key = $2, avatar_width = $3, avatar_height = $4, updated_at = now()
WHERE u.id = $1 RETURNING ` + userCols

// SetAvatar implements folio.ImageWriter.
func (db *DB) SetAvatar(ctx context.Context, v folio.Viewer, img *folio.NewImage) (*folio.User, error) {
	if !v.SignedIn() {
		return nil, folio.Errorf(folio.EUnauthenticated, "Sign in to change your avatar.")
	}
	if img != nil {
		// Others see it, as they see comments.
		if err := v.CheckVerified(); err != nil {
			return nil, err
		}
	}
	var out *folio.User
	err := db.attachImage(ctx, "set avatar", img, func(tx pgx.Tx, attach func() error) error {
		u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.id = $1 FOR UPDATE`, v.UserID))
		if isNoRows(err) {
			return folio.Errorf(folio.EUnauthenticated, "Your account no longer exists.")
		}
		if err != nil {
			return fmt.Errorf("lock user %d: %w", v.UserID, err)
		}
		if img == nil && u.Avatar == nil {
			out = u
			return nil
		}
		if err := attach(); err != nil {
			return err
		}
		var key *string
		var w, h *int
		if img != nil {
			key, w, h = &img.Key, &img.Width, &img.Height
		}
		if out, err = scanUser(tx.QueryRow(ctx, setAvatar, v.UserID, key, w, h)); err != nil {
			return fmt.Errorf("set avatar of user %d: %w", v.UserID, err)
		}
		return db.releaseImage(ctx, tx, u.Avatar, img)
	})
	return out, err
}

// lockImage locks an image's row for its release.
const lockImage = `SELECT width FROM images WHERE key = $1 FOR UPDATE`

// imageReferenced reports whether an article or a user shows an image. It
// runs after lockImage, as a statement of its own: its snapshot then holds
// every write that referred to the image and committed while the lock was
// awaited (a subquery of lockImage would see the snapshot from before).
const imageReferenced = `SELECT EXISTS (SELECT 1 FROM articles WHERE cover_key = $1) OR EXISTS (SELECT 1 FROM users WHERE avatar_key = $1)`

// ReleaseImage deletes the record of image key, and its files through
// remove (given the image's width, which tells its variants), if nothing
// refers to it any more; otherwise, or when it is gone already, it does
// nothing. The files go first, under the row's lock: a failure leaves the
// record, so the release can run again, and an upload of the same image
// waits for the lock and stores its files anew.
func (db *DB) ReleaseImage(ctx context.Context, key string, remove func(ctx context.Context, key string, width int) error) (released bool, err error) {
	err = db.inTx(ctx, "release image", func(tx pgx.Tx) error {
		var width int
		err := tx.QueryRow(ctx, lockImage, key).Scan(&width)
		if isNoRows(err) {
			return nil // released already
		}
		if err != nil {
			return fmt.Errorf("lock image %s: %w", key, err)
		}
		var referenced bool
		if err := tx.QueryRow(ctx, imageReferenced, key).Scan(&referenced); err != nil {
			return fmt.Errorf("check image %s: %w", key, err)
		}
		if referenced {
			return nil
		}
		if err := remove(ctx, key, width); err != nil {
			return fmt.Errorf("delete the files of image %s: %w", key, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM images WHERE key = $1`, key); err != nil {
			return fmt.Errorf("delete image %s: %w", key, err)
		}
		released = true
		return nil
	})
	return released, err
}
