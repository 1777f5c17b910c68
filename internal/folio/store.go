package folio

import (
	"context"
	"time"
)

// ArticleOrderField is what a list of articles is sorted by.
type ArticleOrderField string

// The article orders.
const (
	OrderPublishedAt ArticleOrderField = "published_at"
	OrderCreatedAt   ArticleOrderField = "created_at"
)

// ArticleOrder sorts a list of articles; the article id breaks ties.
type ArticleOrder struct {
	Field ArticleOrderField
	Desc  bool
}

// ArticleFilter narrows a list of articles. Zero fields do not filter. What
// the viewer may not see is left out whatever the filter says.
type ArticleFilter struct {
	Statuses        []ArticleStatus
	AuthorID        *int64
	AuthorHandle    *string
	CategorySlug    *string
	TagSlugs        []string   // articles carrying every one of these tags
	PublishedAfter  *time.Time // inclusive
	PublishedBefore *time.Time // exclusive
}

// Lookups by key return only the rows found, in any order; callers match them
// to their keys. Errors are internal unless said otherwise.

// UserStore reads users.
type UserStore interface {
	UsersByIDs(ctx context.Context, ids []int64) ([]*User, error)
	UsersByHandles(ctx context.Context, handles []string) ([]*User, error)
}

// TaxonomyStore reads categories and tags.
type TaxonomyStore interface {
	CategoriesByIDs(ctx context.Context, ids []int64) ([]*Category, error)
	CategoriesBySlugs(ctx context.Context, slugs []string) ([]*Category, error)
	ListCategories(ctx context.Context, p Page) (List[*Category], error)
	CountCategories(ctx context.Context) (int, error)

	TagsByIDs(ctx context.Context, ids []int64) ([]*Tag, error)
	TagsBySlugs(ctx context.Context, slugs []string) ([]*Tag, error)
	ListTags(ctx context.Context, p Page) (List[*Tag], error)
	CountTags(ctx context.Context) (int, error)
	// TagsOfArticles returns each article's tags sorted by slug.
	TagsOfArticles(ctx context.Context, articleIDs []int64) (map[int64][]*Tag, error)
}

// ArticleStore reads articles. Lists and counts leave out what v may not
// see; lookups by key return every status and callers check visibility.
type ArticleStore interface {
	ArticlesByIDs(ctx context.Context, ids []int64) ([]*Article, error)
	ArticlesBySlugs(ctx context.Context, slugs []string) ([]*Article, error)
	// ArticleBySlugWith is the article with the slug, of any status, and
	// what w asks to read with it, in one round trip.
	ArticleBySlugWith(ctx context.Context, slug string, w ArticleWith) (ArticlePage, error)

	ListArticles(ctx context.Context, v Viewer, f ArticleFilter, o ArticleOrder, p Page) (List[*Article], error)
	CountArticles(ctx context.Context, v Viewer, f ArticleFilter, o ArticleOrder) (int, error)

	// The newest-first articles of many authors, categories or tags, one
	// page each, in one statement.
	ArticlesByAuthors(ctx context.Context, v Viewer, authorIDs []int64, p Page) (map[int64]List[*Article], error)
	ArticlesByCategories(ctx context.Context, v Viewer, categoryIDs []int64, p Page) (map[int64]List[*Article], error)
	ArticlesByTags(ctx context.Context, v Viewer, tagIDs []int64, p Page) (map[int64]List[*Article], error)
	CountArticlesByAuthors(ctx context.Context, v Viewer, authorIDs []int64) (map[int64]int, error)
	CountArticlesByCategories(ctx context.Context, v Viewer, categoryIDs []int64) (map[int64]int, error)
	CountArticlesByTags(ctx context.Context, v Viewer, tagIDs []int64) (map[int64]int, error)

	// The counts shown on an article: live comments and reactions by kind.
	ArticleStats(ctx context.Context, articleIDs []int64) (map[int64]ArticleStats, error)

	// Search ranks the articles v may see against a web-search style query
	// (quoted phrases, or, -exclusion). An empty query is EInvalid.
	Search(ctx context.Context, v Viewer, query string, p Page) (List[*SearchHit], error)
	CountSearch(ctx context.Context, v Viewer, query string) (int, error)
}

// CommentStore reads comment threads.
type CommentStore interface {
	CommentsByIDs(ctx context.Context, ids []int64) ([]*Comment, error)
	// Top-level comments of many articles, oldest first, one page each.
	CommentsByArticles(ctx context.Context, articleIDs []int64, p Page) (map[int64]List[*Comment], error)
	// Replies to many comments, oldest first, one page each.
	RepliesByComments(ctx context.Context, commentIDs []int64, p Page) (map[int64]List[*Comment], error)
	// Top-level comments per article, deleted placeholders included.
	CountCommentsByArticles(ctx context.Context, articleIDs []int64) (map[int64]int, error)
	CountRepliesByComments(ctx context.Context, commentIDs []int64) (map[int64]int, error)
}

// Store is everything Folio reads.
type Store interface {
	UserStore
	TaxonomyStore
	ArticleStore
	CommentStore
	SlugHistory
	RevisionStore
}

// Writes run in one transaction each and enforce the rules of who may do
// what (Viewer's Can… methods): what v may not see is ENotFound, what v may
// see but not change is EForbidden, input problems are EInvalid or
// FieldErrors, a stale expected version is EConflict, and a reference to a
// category, tag or comment that does not exist is ENotFound with its Field
// set.

// ArticleWriter changes articles and reactions.
type ArticleWriter interface {
	CreateArticle(ctx context.Context, v Viewer, in NewArticle) (*Article, error)
	UpdateArticle(ctx context.Context, v Viewer, p ArticlePatch) (*Article, error)
	// SetArticleStatus publishes or archives; a nil expectedVersion skips the check.
	SetArticleStatus(ctx context.Context, v Viewer, id int64, s ArticleStatus, expectedVersion *int) (*Article, error)
	// ScheduleArticle has the schedule publish an unpublished article at at
	// (editors, as publishing); a nil at takes the schedule off, and
	// unscheduling what is not scheduled changes nothing. The publication
	// itself is SetArticleStatus, run by the job queue at that time. A nil
	// expectedVersion skips the check.
	ScheduleArticle(ctx context.Context, v Viewer, id int64, at *time.Time, expectedVersion *int) (*Article, error)
	// DeleteArticle returns the article as it was before it was deleted.
	DeleteArticle(ctx context.Context, v Viewer, id int64) (*Article, error)
	AddReaction(ctx context.Context, v Viewer, articleID int64, k ReactionKind) error
	RemoveReaction(ctx context.Context, v Viewer, articleID int64, k ReactionKind) error
}

// CommentWriter changes comments.
type CommentWriter interface {
	AddComment(ctx context.Context, v Viewer, in NewComment) (*Comment, error)
	EditComment(ctx context.Context, v Viewer, id int64, body string) (*Comment, error)
	DeleteComment(ctx context.Context, v Viewer, id int64) (*Comment, error)
}

// UserWriter changes profiles and roles.
type UserWriter interface {
	UpdateProfile(ctx context.Context, v Viewer, p ProfilePatch) (*User, error)
	SetUserRole(ctx context.Context, v Viewer, userID int64, r Role) (*User, error)
}

// NewsletterStore keeps newsletter subscriptions.
type NewsletterStore interface {
	// SubscribeNewsletter records a pending subscription with the hash of
	// its confirmation token and queues its mail, which makes the token
	// again from tokenRef (auth.MailTokens); a confirmed address is left
	// alone.
	SubscribeNewsletter(ctx context.Context, email, tokenRef string, tokenHash []byte, expires time.Time) error
	// ConfirmNewsletter returns the confirmed address; EInvalid on field
	// "token" when the token is unknown, used or expired.
	ConfirmNewsletter(ctx context.Context, tokenHash []byte) (string, error)
	UnsubscribeNewsletter(ctx context.Context, email string) error
}

// Writer is everything Folio writes, outside of accounts and credentials.
type Writer interface {
	ArticleWriter
	CommentWriter
	UserWriter
	NewsletterStore
	TaxonomyWriter
	CategoryWriter
	ImageWriter
}

// ArticleWith asks ArticleBySlugWith for what a page of one article shows
// below it, so that the page reads it with the article: the article's
// relations, a page of its comments and a page of its author's articles.
// A store that cannot leaves them out of the ArticlePage, and the loaders
// read them.
type ArticleWith struct {
	// Related reads the article's author, category and tags, as a page's.
	Related
	// Comments, when set, reads this page of the article's top-level
	// comments (with the replies its Replies asks for).
	Comments *Page
	// ByAuthor, when set, reads this page of the articles of the
	// article's author that Viewer sees.
	ByAuthor *Page
	Viewer   Viewer
}

// ArticlePage is what ArticleBySlugWith read: the article as the only item
// of the List (none when no article has the slug) with its relations, and
// the pages ArticleWith asked for, or nil when not read.
type ArticlePage struct {
	List[*Article]
	Comments *List[*Comment]
	ByAuthor *List[*Article]
}
