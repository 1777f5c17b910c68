package cache

import (
	"context"
	"strings"
	"time"

	"github.com/folio/folio/internal/folio"
)

// The writes pass through to the store and, once it has committed,
// invalidate every key whose value they changed. Keys for names that did
// not exist (negative entries) are invalidated too when a write creates
// the name.

func (c *Store) articleKeys(a *folio.Article) []string {
	return []string{c.idKey("article", a.ID), c.nameKey("article", "slug", a.Slug), c.tagsKey(a.ID)}
}

func (c *Store) userKeys(u *folio.User) []string {
	return []string{c.idKey("user", u.ID), c.nameKey("user", "handle", strings.ToLower(u.Handle))}
}

// invalidating passes a write's result on, first invalidating the keys of
// what it changed when it succeeded.
func invalidating[T any](ctx context.Context, c *Store, keys func(T) []string) func(T, error) (T, error) {
	return func(v T, err error) (T, error) {
		if err == nil {
			c.invalidate(ctx, keys(v)...)
		}
		return v, err
	}
}

// CreateArticle implements folio.ArticleWriter.
func (c *Store) CreateArticle(ctx context.Context, v folio.Viewer, in folio.NewArticle) (*folio.Article, error) {
	return invalidating(ctx, c, c.articleKeys)(c.Writer.CreateArticle(ctx, v, in))
}

// UpdateArticle implements folio.ArticleWriter. A changed slug leaves the
// old slug's key pointing at the article, which no longer answers to it:
// lookups check, and treat that as a miss.
func (c *Store) UpdateArticle(ctx context.Context, v folio.Viewer, p folio.ArticlePatch) (*folio.Article, error) {
	return invalidating(ctx, c, c.articleKeys)(c.Writer.UpdateArticle(ctx, v, p))
}

// SetArticleStatus implements folio.ArticleWriter.
func (c *Store) SetArticleStatus(ctx context.Context, v folio.Viewer, id int64, s folio.ArticleStatus, expected *int) (*folio.Article, error) {
	return invalidating(ctx, c, c.articleKeys)(c.Writer.SetArticleStatus(ctx, v, id, s, expected))
}

// ScheduleArticle implements folio.ArticleWriter.
func (c *Store) ScheduleArticle(ctx context.Context, v folio.Viewer, id int64, at *time.Time, expected *int) (*folio.Article, error) {
	return invalidating(ctx, c, c.articleKeys)(c.Writer.ScheduleArticle(ctx, v, id, at, expected))
}

// DeleteArticle implements folio.ArticleWriter.
func (c *Store) DeleteArticle(ctx context.Context, v folio.Viewer, id int64) (*folio.Article, error) {
	return invalidating(ctx, c, c.articleKeys)(c.Writer.DeleteArticle(ctx, v, id))
}

// UpdateProfile implements folio.UserWriter.
func (c *Store) UpdateProfile(ctx context.Context, v folio.Viewer, p folio.ProfilePatch) (*folio.User, error) {
	return invalidating(ctx, c, c.userKeys)(c.Writer.UpdateProfile(ctx, v, p))
}

// SetUserRole implements folio.UserWriter.
func (c *Store) SetUserRole(ctx context.Context, v folio.Viewer, id int64, r folio.Role) (*folio.User, error) {
	return invalidating(ctx, c, c.userKeys)(c.Writer.SetUserRole(ctx, v, id, r))
}

// tagChangeKeys are the keys of every tag a write touched, under its id
// and each slug it had, and the tag lists of the articles it moved.
func (c *Store) tagChangeKeys(ch *folio.TagChange) []string {
	var keys []string
	for _, t := range append([]*folio.Tag{ch.Tag, ch.Before}, ch.Removed...) {
		if t != nil {
			keys = append(keys, c.idKey("tag", t.ID), c.nameKey("tag", "slug", t.Slug))
		}
	}
	for _, a := range ch.Articles {
		keys = append(keys, c.tagsKey(a))
	}
	return keys
}

// CreateTag implements folio.TaxonomyWriter: a lookup that found no tag
// under the new slug is forgotten.
func (c *Store) CreateTag(ctx context.Context, v folio.Viewer, in folio.NewTag) (*folio.TagChange, error) {
	return invalidating(ctx, c, c.tagChangeKeys)(c.Writer.CreateTag(ctx, v, in))
}

// UpdateTag implements folio.TaxonomyWriter.
func (c *Store) UpdateTag(ctx context.Context, v folio.Viewer, p folio.TagPatch) (*folio.TagChange, error) {
	return invalidating(ctx, c, c.tagChangeKeys)(c.Writer.UpdateTag(ctx, v, p))
}

// MergeTags implements folio.TaxonomyWriter.
func (c *Store) MergeTags(ctx context.Context, v folio.Viewer, from []int64, into int64) (*folio.TagChange, error) {
	return invalidating(ctx, c, c.tagChangeKeys)(c.Writer.MergeTags(ctx, v, from, into))
}

// DeleteTag implements folio.TaxonomyWriter.
func (c *Store) DeleteTag(ctx context.Context, v folio.Viewer, id int64) (*folio.TagChange, error) {
	return invalidating(ctx, c, c.tagChangeKeys)(c.Writer.DeleteTag(ctx, v, id))
}

// categoryChangeKeys are the keys of every category a write touched, under
// its id and each slug it had, and of the articles it moved, whose rows
// name their category.
func (c *Store) categoryChangeKeys(ch *folio.CategoryChange) []string {
	var keys []string
	for _, x := range append([]*folio.Category{ch.Category, ch.Before}, ch.Removed...) {
		if x != nil {
			keys = append(keys, c.idKey("category", x.ID), c.nameKey("category", "slug", x.Slug))
		}
	}
	for _, a := range ch.Articles {
		keys = append(keys, c.idKey("article", a.ID), c.nameKey("article", "slug", a.Slug))
	}
	return keys
}

// CreateCategory implements folio.CategoryWriter.
func (c *Store) CreateCategory(ctx context.Context, v folio.Viewer, in folio.NewCategory) (*folio.CategoryChange, error) {
	return invalidating(ctx, c, c.categoryChangeKeys)(c.Writer.CreateCategory(ctx, v, in))
}

// UpdateCategory implements folio.CategoryWriter.
func (c *Store) UpdateCategory(ctx context.Context, v folio.Viewer, p folio.CategoryPatch) (*folio.CategoryChange, error) {
	return invalidating(ctx, c, c.categoryChangeKeys)(c.Writer.UpdateCategory(ctx, v, p))
}

// MergeCategories implements folio.CategoryWriter.
func (c *Store) MergeCategories(ctx context.Context, v folio.Viewer, from []int64, into int64) (*folio.CategoryChange, error) {
	return invalidating(ctx, c, c.categoryChangeKeys)(c.Writer.MergeCategories(ctx, v, from, into))
}

// DeleteCategory implements folio.CategoryWriter.
func (c *Store) DeleteCategory(ctx context.Context, v folio.Viewer, id int64) (*folio.CategoryChange, error) {
	return invalidating(ctx, c, c.categoryChangeKeys)(c.Writer.DeleteCategory(ctx, v, id))
}

// SetArticleCover implements folio.ImageWriter: the article's rows hold
// their cover.
func (c *Store) SetArticleCover(ctx context.Context, v folio.Viewer, id int64, img *folio.NewImage) (*folio.Article, error) {
	return invalidating(ctx, c, c.articleKeys)(c.Writer.SetArticleCover(ctx, v, id, img))
}

// SetAvatar implements folio.ImageWriter: the user's rows hold their avatar.
func (c *Store) SetAvatar(ctx context.Context, v folio.Viewer, img *folio.NewImage) (*folio.User, error) {
	return invalidating(ctx, c, c.userKeys)(c.Writer.SetAvatar(ctx, v, img))
}
