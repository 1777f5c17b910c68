package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/folio/folio/internal/folio"
)

// articleForUpdate locks an article for the rest of the transaction and
// answers what the viewer may not see as not found, so existence never leaks.
const articleForUpdate = `SELECT ` + articleCols + ` FROM articles a WHERE a.id = $1 FOR UPDATE`

func lockArticle(ctx context.Context, tx pgx.Tx, v folio.Viewer, id int64) (*folio.Article, error) {
	a, err := scanArticle(tx.QueryRow(ctx, articleForUpdate, id))
	if isNoRows(err) || (err == nil && !v.CanSeeArticle(a)) {
		return nil, folio.Errorf(folio.ENotFound, "No article has this ID.")
	}
	if err != nil {
		return nil, fmt.Errorf("lock article %d: %w", id, err)
	}
	return a, nil
}

// checkReferences reports a category or tags that do not exist, each on the
// input field that named it.
func checkReferences(ctx context.Context, tx pgx.Tx, categoryID *int64, tagIDs []int64) error {
	var fe folio.FieldErrors
	if categoryID != nil {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM categories WHERE id = $1)`, *categoryID).Scan(&ok); err != nil {
			return fmt.Errorf("check category: %w", err)
		}
		if !ok {
			fe = append(fe, &folio.Error{Code: folio.ENotFound, Field: "categoryId", Message: "No category has this ID."})
		}
	}
	if len(tagIDs) > 0 {
		found := map[int64]bool{}
		rows, err := tx.Query(ctx, `SELECT id FROM tags WHERE id = ANY($1)`, tagIDs)
		if err != nil {
			return fmt.Errorf("check tags: %w", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("check tags: %w", err)
		}
		for _, id := range ids {
			found[id] = true
		}
		for i, id := range tagIDs {
			if !found[id] {
				fe = append(fe, &folio.Error{Code: folio.ENotFound, Field: "tagIds." + strconv.Itoa(i), Message: "No tag has this ID."})
			}
		}
	}
	return fe.Err()
}

func setTags(ctx context.Context, tx pgx.Tx, articleID int64, tagIDs []int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM article_tags WHERE article_id = $1`, articleID); err != nil {
		return fmt.Errorf("clear tags: %w", err)
	}
	if len(tagIDs) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO article_tags (article_id, tag_id) SELECT $1, unnest($2::bigint[])`, articleID, tagIDs)
	if err != nil {
		return fmt.Errorf("set tags: %w", err)
	}
	return nil
}

// Slugs taken by base or base-n, to pick the next free one in one round trip.
const slugsLike = `SELECT slug FROM articles WHERE slug = $1 OR slug LIKE $1 || '-%'`

// freeSlug returns base if it is free, else base-n for the smallest n > 1
// not taken.
func freeSlug(ctx context.Context, tx pgx.Tx, base string) (string, error) {
	rows, err := tx.Query(ctx, slugsLike, base)
	if err != nil {
		return "", fmt.Errorf("find free slug: %w", err)
	}
	taken, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", fmt.Errorf("find free slug: %w", err)
	}
	used := map[string]bool{}
	for _, s := range taken {
		used[s] = true
	}
	if !used[base] {
		return base, nil
	}
	for n := 2; ; n++ {
		if s := base + "-" + strconv.Itoa(n); !used[s] {
			return s, nil
		}
	}
}

const insertArticle = `INSERT INTO articles (author_id, category_id, slug, title, excerpt, body, status, reading_minutes)
VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7)
ON CONFLICT (slug) DO NOTHING
RETURNING id`

// CreateArticle inserts a draft by v. Its slug is in.Slug or made from the
// title, with a numeric suffix when taken.
func (db *DB) CreateArticle(ctx context.Context, v folio.Viewer, in folio.NewArticle) (*folio.Article, error) {
	if !v.Is(folio.RoleAuthor) {
		return nil, folio.Errorf(folio.EForbidden, "Only authors, editors and admins write articles.")
	}
	if err := v.CheckVerified(); err != nil {
		return nil, err
	}
	base := in.Slug
	if base == "" {
		if base = folio.Slugify(in.Title); base == "" {
			base = "article"
		}
	}
	var id int64
	err := db.inTx(ctx, "create article", func(tx pgx.Tx) error {
		if err := checkReferences(ctx, tx, in.CategoryID, in.TagIDs); err != nil {
			return err
		}
		// Another writer can take the slug between the look and the insert;
		// then look again. A slug the author chose is theirs or nothing.
		for attempt := 0; id == 0; attempt++ {
			if attempt == 5 {
				return fmt.Errorf("create article: no free slug for %q after %d attempts", base, attempt)
			}
			if in.Slug != "" && attempt > 0 {
				return &folio.Error{Code: folio.ETaken, Field: "slug", Message: "Another article has this slug: pick another, or leave it out to have one made from the title."}
			}
			slug := in.Slug
			if slug == "" {
				var err error
				if slug, err = freeSlug(ctx, tx, base); err != nil {
					return err
				}
			}
			err := tx.QueryRow(ctx, insertArticle, v.UserID, in.CategoryID, slug, in.Title, in.Excerpt, in.Body, folio.ReadingMinutes(in.Body)).Scan(&id)
			if err != nil && !isNoRows(err) {
				return fmt.Errorf("insert article: %w", translateWrite(err))
			}
		}
		return setTags(ctx, tx, id, in.TagIDs)
	})
	if err != nil {
		return nil, err
	}
	return db.articleByID(ctx, id)
}

func (db *DB) articleByID(ctx context.Context, id int64) (*folio.Article, error) {
	a, err := scanArticle(db.Pool.QueryRow(ctx, `SELECT `+articleCols+` FROM articles a WHERE a.id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("read article %d: %w", id, err)
	}
	return a, nil
}

// checkVersion answers a stale expected version with EConflict.
func checkVersion(a *folio.Article, expected int) error {
	if a.Version != expected {
		return &folio.Error{Code: folio.EConflict, Field: "expectedVersion",
			Message: fmt.Sprintf("The article changed since version %d: it is at version %d now. Read it again, reapply your change and retry.", expected, a.Version)}
	}
	return nil
}

// UpdateArticle applies p if v may edit the article and it is still at
// p.ExpectedVersion; otherwise EConflict, and nothing changes. A change of
// the title, excerpt or body first keeps the text it replaces as a
// revision.
func (db *DB) UpdateArticle(ctx context.Context, v folio.Viewer, p folio.ArticlePatch) (*folio.Article, error) {
	var out *folio.Article
	err := db.inTx(ctx, "update article", func(tx pgx.Tx) error {
		a, err := lockAllowed(ctx, tx, v, p.ID, lockArticle, v.CanEditArticle,
			"Authors edit their own drafts; editors edit any article. You may not edit this one.")
		if err != nil {
			return err
		}
		if err := checkVersion(a, p.ExpectedVersion); err != nil {
			return err
		}
		if p.RestoreVersion != nil {
			if err := restoreText(ctx, tx, a, &p); err != nil {
				return err
			}
		}
		if textChanges(a, p) {
			if err := keepRevision(ctx, tx, v, a); err != nil {
				return err
			}
		}
		var tags []int64
		if p.TagIDs != nil {
			tags = *p.TagIDs
		}
		var category *int64
		if p.SetCategory {
			category = p.CategoryID
		}
		if err := checkReferences(ctx, tx, category, tags); err != nil {
			return err
		}
		var sets []string
		var a2 args = args{a.ID}
		set := func(col string, val any) { sets = append(sets, col+" = "+a2.add(val)) }
		if p.Title != nil {
			set("title", *p.Title)
		}
		if p.Body != nil {
			set("body", *p.Body)
			set("reading_minutes", folio.ReadingMinutes(*p.Body))
		}
		if p.Excerpt != nil {
			set("excerpt", p.ExcerptFor(a.Body))
		}
		if p.Slug != nil {
			set("slug", *p.Slug)
		}
		if p.SetCategory {
			set("category_id", p.CategoryID)
		}
		sets = append(sets, "version = version + 1", "updated_at = now()")
		sql := `UPDATE articles a SET ` + strings.Join(sets, ", ") + ` WHERE a.id = $1 RETURNING ` + articleCols
		if out, err = scanArticle(tx.QueryRow(ctx, sql, a2...)); err != nil {
			return fmt.Errorf("update article %d: %w", a.ID, translateWrite(err))
		}
		if err := slugChanged(ctx, tx, folio.SlugArticle, a.ID, a.Slug, out.Slug); err != nil {
			return err
		}
		if p.TagIDs != nil {
			if err := setTags(ctx, tx, a.ID, tags); err != nil {
				return err
			}
		}
		return db.emit(ctx, tx, folio.EventArticleUpdated, articleData(out))
	})
	return out, err
}

// setArticleStatus also takes any schedule off: published or archived by
// hand, the article has nothing left for the schedule to do.
const setArticleStatus = `UPDATE articles a SET status = $2,
    published_at = CASE WHEN $2 = 'published' THEN COALESCE(a.published_at, now()) ELSE a.published_at END,
    publish_at = NULL, version = version + 1, updated_at = now()
WHERE a.id = $1 RETURNING ` + articleCols

// SetArticleStatus publishes or archives an article (editors). An article
// already in that status is returned unchanged.
func (db *DB) SetArticleStatus(ctx context.Context, v folio.Viewer, id int64, status folio.ArticleStatus, expectedVersion *int) (*folio.Article, error) {
	if !v.CanPublish() {
		return nil, folio.Errorf(folio.EForbidden, "Only editors and admins publish and archive articles.")
	}
	var out *folio.Article
	err := db.inTx(ctx, "set article status", func(tx pgx.Tx) error {
		a, err := lockArticle(ctx, tx, v, id)
		if err != nil {
			return err
		}
		if expectedVersion != nil {
			if err := checkVersion(a, *expectedVersion); err != nil {
				return err
			}
		}
		if a.Status == status {
			out = a
			return nil
		}
		if out, err = scanArticle(tx.QueryRow(ctx, setArticleStatus, id, string(status))); err != nil {
			return fmt.Errorf("set status of article %d: %w", id, translateWrite(err))
		}
		typ := folio.EventArticlePublished
		if status == folio.StatusArchived {
			typ = folio.EventArticleArchived
		}
		return db.emit(ctx, tx, typ, articleData(out))
	})
	return out, err
}

const setPublishAt = `UPDATE articles a SET publish_at = $2, version = version + 1, updated_at = now()
WHERE a.id = $1 RETURNING ` + articleCols

// ScheduleArticle implements folio.ArticleWriter. The job that publishes
// is queued in the same transaction, so a schedule that commits fires,
// whichever instance runs it and whatever restarts in between.
func (db *DB) ScheduleArticle(ctx context.Context, v folio.Viewer, id int64, at *time.Time, expectedVersion *int) (*folio.Article, error) {
	if !v.CanPublish() {
		return nil, folio.Errorf(folio.EForbidden, "Only editors and admins schedule articles, as they publish them.")
	}
	if at != nil && db.jobs == nil {
		return nil, errors.New("schedule article: no job queue to publish it")
	}
	return inTxReturning(ctx, db, "schedule article", func(tx pgx.Tx) (*folio.Article, error) {
		a, err := lockArticle(ctx, tx, v, id)
		if err != nil {
			return nil, err
		}
		if expectedVersion != nil {
			if err := checkVersion(a, *expectedVersion); err != nil {
				return nil, err
			}
		}
		if at == nil && a.PublishAt == nil {
			return a, nil
		}
		if at != nil && a.Status == folio.StatusPublished {
			return nil, folio.InvalidField("id", "The article is published already: only drafts and archived articles are scheduled.")
		}
		out, err := scanArticle(tx.QueryRow(ctx, setPublishAt, id, at))
		if err != nil {
			return nil, fmt.Errorf("schedule article %d: %w", id, err)
		}
		if at != nil {
			if err := db.jobs.InsertPublishTx(ctx, tx, id, *out.PublishAt, v.UserID); err != nil {
				return nil, fmt.Errorf("schedule article %d: %w", id, err)
			}
		}
		return out, nil
	})
}

// DeleteArticle deletes an article with its comments, reactions and tags,
// and returns it as it was.
func (db *DB) DeleteArticle(ctx context.Context, v folio.Viewer, id int64) (*folio.Article, error) {
	return inTxReturning(ctx, db, "delete article", func(tx pgx.Tx) (*folio.Article, error) {
		a, err := lockAllowed(ctx, tx, v, id, lockArticle, v.CanDeleteArticle,
			"Authors delete their own drafts; editors delete any article. You may not delete this one.")
		if err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM articles WHERE id = $1`, id); err != nil {
			return nil, fmt.Errorf("delete article %d: %w", id, err)
		}
		if err := db.releaseImage(ctx, tx, a.CoverImage, nil); err != nil {
			return nil, err
		}
		return a, db.emit(ctx, tx, folio.EventArticleDeleted, articleData(a))
	})
}

// articleOpen checks that v may see the article and that it is published,
// and keeps it from being deleted until the transaction ends.
func articleOpen(ctx context.Context, tx pgx.Tx, v folio.Viewer, id int64, field string) error {
	a, err := scanArticle(tx.QueryRow(ctx, `SELECT `+articleCols+` FROM articles a WHERE a.id = $1 FOR SHARE`, id))
	if isNoRows(err) || (err == nil && !v.CanSeeArticle(a)) {
		return folio.Errorf(folio.ENotFound, "No article has this ID.")
	}
	if err != nil {
		return fmt.Errorf("read article %d: %w", id, err)
	}
	if a.Status != folio.StatusPublished {
		return folio.InvalidField(field, "Only published articles take comments and reactions.")
	}
	return nil
}

// AddReaction records v's reaction; recording it twice is the same as once.
func (db *DB) AddReaction(ctx context.Context, v folio.Viewer, articleID int64, kind folio.ReactionKind) error {
	if err := v.CheckVerified(); err != nil {
		return err
	}
	return db.inTx(ctx, "add reaction", func(tx pgx.Tx) error {
		if err := articleOpen(ctx, tx, v, articleID, "articleId"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO reactions (article_id, user_id, kind) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, articleID, v.UserID, string(kind))
		if err != nil {
			return fmt.Errorf("add reaction: %w", translate(err))
		}
		return nil
	})
}

// RemoveReaction removes v's reaction if it is there.
func (db *DB) RemoveReaction(ctx context.Context, v folio.Viewer, articleID int64, kind folio.ReactionKind) error {
	return db.inTx(ctx, "remove reaction", func(tx pgx.Tx) error {
		a, err := scanArticle(tx.QueryRow(ctx, `SELECT `+articleCols+` FROM articles a WHERE a.id = $1`, articleID))
		if isNoRows(err) || (err == nil && !v.CanSeeArticle(a)) {
			return folio.Errorf(folio.ENotFound, "No article has this ID.")
		}
		if err != nil {
			return fmt.Errorf("read article %d: %w", articleID, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM reactions WHERE article_id = $1 AND user_id = $2 AND kind = $3`, articleID, v.UserID, string(kind)); err != nil {
			return fmt.Errorf("remove reaction: %w", err)
		}
		return nil
	})
}
