package respcache

import (
	"context"
	"time"

	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/folio"
)

// Store returns s decorated to tag what responses contain; a nil Cache
// returns s.
func (c *Cache) Store(s folio.Store) folio.Store {
	if c == nil {
		return s
	}
	return Store{Store: s}
}

// Writer returns w decorated to invalidate, after each write commits, the
// responses holding what it changed; a nil Cache returns w.
func (c *Cache) Writer(w folio.Writer) folio.Writer {
	if c == nil {
		return w
	}
	return writer{Writer: w, c: c}
}

// Accounts returns a decorated to invalidate, after a sign-up, responses
// that looked for its handle and found no one; a nil Cache returns a.
func (c *Cache) Accounts(a auth.Store) auth.Store {
	if c == nil {
		return a
	}
	return accounts{Store: a, c: c}
}

type writer struct {
	folio.Writer
	c *Cache
}

// articleChanged names what a change to a lists: the article, its slug (a
// response that found nothing under it), and, if it is or was published,
// every list of articles, whose membership, order or counts it may move.
func articleChanged(a *folio.Article, lists bool) []string {
	tags := []string{articleTag(a.ID), articleSlugTag(a.Slug)}
	if lists {
		tags = append(tags, listArticles)
	}
	return tags
}

func commentChanged(c *folio.Comment) []string {
	tags := []string{commentTag(c.ID), commentsTag(c.ArticleID)}
	if c.ParentID != nil {
		tags = append(tags, repliesTag(*c.ParentID))
	}
	return tags
}

func userChanged(u *folio.User) []string { return []string{userTag(u.ID), userHandleTag(u.Handle)} }

// CreateArticle implements folio.ArticleWriter. A new article is a draft,
// in no public list.
func (w writer) CreateArticle(ctx context.Context, v folio.Viewer, in folio.NewArticle) (*folio.Article, error) {
	a, err := w.Writer.CreateArticle(ctx, v, in)
	if err == nil {
		w.c.Invalidate(ctx, articleChanged(a, false)...)
	}
	return a, err
}

// UpdateArticle implements folio.ArticleWriter. An old slug's responses
// hold the article, and go with its tag.
func (w writer) UpdateArticle(ctx context.Context, v folio.Viewer, p folio.ArticlePatch) (*folio.Article, error) {
	a, err := w.Writer.UpdateArticle(ctx, v, p)
	if err == nil {
		w.c.Invalidate(ctx, articleChanged(a, a.Status == folio.StatusPublished)...)
	}
	return a, err
}

// SetArticleStatus implements folio.ArticleWriter.
func (w writer) SetArticleStatus(ctx context.Context, v folio.Viewer, id int64, s folio.ArticleStatus, expected *int) (*folio.Article, error) {
	a, err := w.Writer.SetArticleStatus(ctx, v, id, s, expected)
	if err == nil {
		w.c.Invalidate(ctx, articleChanged(a, true)...)
	}
	return a, err
}

// ScheduleArticle implements folio.ArticleWriter. Only an unpublished
// article is scheduled, and it is in no public list.
func (w writer) ScheduleArticle(ctx context.Context, v folio.Viewer, id int64, at *time.Time, expected *int) (*folio.Article, error) {
	a, err := w.Writer.ScheduleArticle(ctx, v, id, at, expected)
	if err == nil {
		w.c.Invalidate(ctx, articleChanged(a, a.Status == folio.StatusPublished)...)
	}
	return a, err
}

// DeleteArticle implements folio.ArticleWriter.
func (w writer) DeleteArticle(ctx context.Context, v folio.Viewer, id int64) (*folio.Article, error) {
	a, err := w.Writer.DeleteArticle(ctx, v, id)
	if err == nil {
		w.c.Invalidate(ctx, articleChanged(a, true)...)
	}
	return a, err
}

// AddReaction implements folio.ArticleWriter.
func (w writer) AddReaction(ctx context.Context, v folio.Viewer, articleID int64, k folio.ReactionKind) error {
	err := w.Writer.AddReaction(ctx, v, articleID, k)
	if err == nil {
		w.c.Invalidate(ctx, reactionsTag(articleID))
	}
	return err
}

// RemoveReaction implements folio.ArticleWriter.
func (w writer) RemoveReaction(ctx context.Context, v folio.Viewer, articleID int64, k folio.ReactionKind) error {
	err := w.Writer.RemoveReaction(ctx, v, articleID, k)
	if err == nil {
		w.c.Invalidate(ctx, reactionsTag(articleID))
	}
	return err
}

// AddComment implements folio.CommentWriter: the article's thread and
// comment counts, and the parent's replies.
func (w writer) AddComment(ctx context.Context, v folio.Viewer, in folio.NewComment) (*folio.Comment, error) {
	c, err := w.Writer.AddComment(ctx, v, in)
	if err == nil {
		w.c.Invalidate(ctx, commentChanged(c)...)
	}
	return c, err
}

// EditComment implements folio.CommentWriter.
func (w writer) EditComment(ctx context.Context, v folio.Viewer, id int64, body string) (*folio.Comment, error) {
	c, err := w.Writer.EditComment(ctx, v, id, body)
	if err == nil {
		w.c.Invalidate(ctx, commentChanged(c)...)
	}
	return c, err
}

// DeleteComment implements folio.CommentWriter.
func (w writer) DeleteComment(ctx context.Context, v folio.Viewer, id int64) (*folio.Comment, error) {
	c, err := w.Writer.DeleteComment(ctx, v, id)
	if err == nil {
		w.c.Invalidate(ctx, commentChanged(c)...)
	}
	return c, err
}

// UpdateProfile implements folio.UserWriter. A changed handle's old
// responses hold the user, and go with its tag.
func (w writer) UpdateProfile(ctx context.Context, v folio.Viewer, p folio.ProfilePatch) (*folio.User, error) {
	u, err := w.Writer.UpdateProfile(ctx, v, p)
	if err == nil {
		w.c.Invalidate(ctx, userChanged(u)...)
	}
	return u, err
}

// SetUserRole implements folio.UserWriter.
func (w writer) SetUserRole(ctx context.Context, v folio.Viewer, id int64, r folio.Role) (*folio.User, error) {
	u, err := w.Writer.SetUserRole(ctx, v, id, r)
	if err == nil {
		w.c.Invalidate(ctx, userChanged(u)...)
	}
	return u, err
}

// SetArticleCover implements folio.ImageWriter: the responses holding the
// article, and the public lists (their cards show covers) when it is
// published.
func (w writer) SetArticleCover(ctx context.Context, v folio.Viewer, id int64, img *folio.NewImage) (*folio.Article, error) {
	a, err := w.Writer.SetArticleCover(ctx, v, id, img)
	if err == nil {
		w.c.Invalidate(ctx, articleChanged(a, a.Status == folio.StatusPublished)...)
	}
	return a, err
}

// SetAvatar implements folio.ImageWriter: the responses holding the user
// (every response that shows them, as an author or a commenter, is tagged
// with them).
func (w writer) SetAvatar(ctx context.Context, v folio.Viewer, img *folio.NewImage) (*folio.User, error) {
	u, err := w.Writer.SetAvatar(ctx, v, img)
	if err == nil {
		w.c.Invalidate(ctx, userChanged(u)...)
	}
	return u, err
}

type accounts struct {
	auth.Store
	c *Cache
}

// CreateUser implements auth.Store.
func (a accounts) CreateUser(ctx context.Context, u folio.NewUser, passwordHash string) (*folio.User, error) {
	created, err := a.Store.CreateUser(ctx, u, passwordHash)
	if err == nil {
		a.c.Invalidate(ctx, userHandleTag(created.Handle))
	}
	return created, err
}

// SignUp implements auth.Store: a new account's handle may be cached as
// missing (a taken address creates nothing and returns nil).
func (a accounts) SignUp(ctx context.Context, u folio.NewUser, passwordHash string, verify folio.MailToken) (*folio.User, error) {
	created, err := a.Store.SignUp(ctx, u, passwordHash, verify)
	if err == nil && created != nil {
		a.c.Invalidate(ctx, userHandleTag(created.Handle))
	}
	return created, err
}

// VerifyEmail implements auth.Store: the account's rights changed.
func (a accounts) VerifyEmail(ctx context.Context, tokenHash []byte) (*folio.User, error) {
	u, err := a.Store.VerifyEmail(ctx, tokenHash)
	if err == nil && u != nil {
		a.c.Invalidate(ctx, userChanged(u)...)
	}
	return u, err
}

// tagChanged names what a tag write changes: each tag it touched, every
// list of tags (and lookup by slug, which is tagged with it), the articles
// whose tags moved, and the public lists of articles when one of those is
// published. Nothing else: an article page without the tag stays cached.
func tagChanged(ch *folio.TagChange) []string {
	tags := []string{listTags}
	for _, t := range append([]*folio.Tag{ch.Tag}, ch.Removed...) {
		tags = append(tags, entityTag("Tag", t.ID))
	}
	tags = append(tags, ids(articleTag, ch.Articles)...)
	if ch.Published {
		tags = append(tags, listArticles)
	}
	return tags
}

// invalidateAfter invalidates what a successful write changed, as named by
// changed, and passes the write's answer on.
func invalidateAfter[C any](ctx context.Context, w writer, ch C, err error, changed func(C) []string) (C, error) {
	if err == nil {
		w.c.Invalidate(ctx, changed(ch)...)
	}
	return ch, err
}

func (w writer) tagWrite(ctx context.Context, ch *folio.TagChange, err error) (*folio.TagChange, error) {
	return invalidateAfter(ctx, w, ch, err, tagChanged)
}

// CreateTag implements folio.TaxonomyWriter.
func (w writer) CreateTag(ctx context.Context, v folio.Viewer, in folio.NewTag) (*folio.TagChange, error) {
	ch, err := w.Writer.CreateTag(ctx, v, in)
	return w.tagWrite(ctx, ch, err)
}

// UpdateTag implements folio.TaxonomyWriter.
func (w writer) UpdateTag(ctx context.Context, v folio.Viewer, p folio.TagPatch) (*folio.TagChange, error) {
	ch, err := w.Writer.UpdateTag(ctx, v, p)
	return w.tagWrite(ctx, ch, err)
}

// MergeTags implements folio.TaxonomyWriter.
func (w writer) MergeTags(ctx context.Context, v folio.Viewer, from []int64, into int64) (*folio.TagChange, error) {
	ch, err := w.Writer.MergeTags(ctx, v, from, into)
	return w.tagWrite(ctx, ch, err)
}

// DeleteTag implements folio.TaxonomyWriter.
func (w writer) DeleteTag(ctx context.Context, v folio.Viewer, id int64) (*folio.TagChange, error) {
	ch, err := w.Writer.DeleteTag(ctx, v, id)
	return w.tagWrite(ctx, ch, err)
}

// categoryChanged names what a category write changes: each category it
// touched, every list of categories (and lookup by slug), the articles it
// moved, and the public lists of articles when one of those is published.
func categoryChanged(ch *folio.CategoryChange) []string {
	tags := []string{listCats}
	for _, x := range append([]*folio.Category{ch.Category}, ch.Removed...) {
		tags = append(tags, entityTag("Category", x.ID))
	}
	lists := false
	for _, a := range ch.Articles {
		tags = append(tags, articleTag(a.ID), articleSlugTag(a.Slug))
		lists = lists || a.Published
	}
	if lists {
		tags = append(tags, listArticles)
	}
	return tags
}

func (w writer) categoryWrite(ctx context.Context, ch *folio.CategoryChange, err error) (*folio.CategoryChange, error) {
	return invalidateAfter(ctx, w, ch, err, categoryChanged)
}

// CreateCategory implements folio.CategoryWriter.
func (w writer) CreateCategory(ctx context.Context, v folio.Viewer, in folio.NewCategory) (*folio.CategoryChange, error) {
	ch, err := w.Writer.CreateCategory(ctx, v, in)
	return w.categoryWrite(ctx, ch, err)
}

// UpdateCategory implements folio.CategoryWriter.
func (w writer) UpdateCategory(ctx context.Context, v folio.Viewer, p folio.CategoryPatch) (*folio.CategoryChange, error) {
	ch, err := w.Writer.UpdateCategory(ctx, v, p)
	return w.categoryWrite(ctx, ch, err)
}

// MergeCategories implements folio.CategoryWriter.
func (w writer) MergeCategories(ctx context.Context, v folio.Viewer, from []int64, into int64) (*folio.CategoryChange, error) {
	ch, err := w.Writer.MergeCategories(ctx, v, from, into)
	return w.categoryWrite(ctx, ch, err)
}

// DeleteCategory implements folio.CategoryWriter.
func (w writer) DeleteCategory(ctx context.Context, v folio.Viewer, id int64) (*folio.CategoryChange, error) {
	ch, err := w.Writer.DeleteCategory(ctx, v, id)
	return w.categoryWrite(ctx, ch, err)
}
