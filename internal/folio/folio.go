// Package folio holds Folio's domain: the types every other package speaks,
// the error type with its codes, and the rules of who may see what. It
// imports nothing of ours and nothing outside the standard library.
package folio

import "time"

// Role is what a user may do on the platform.
type Role string

// The roles, from least to most trusted.
const (
	RoleReader Role = "reader"
	RoleAuthor Role = "author"
	RoleEditor Role = "editor"
	RoleAdmin  Role = "admin"
)

// ArticleStatus is where an article is in its life.
type ArticleStatus string

// The article statuses.
const (
	StatusDraft     ArticleStatus = "draft"
	StatusPublished ArticleStatus = "published"
	StatusArchived  ArticleStatus = "archived"
)

// ReactionKind is one of the fixed reactions a reader can leave on an article.
type ReactionKind string

// The reaction kinds.
const (
	ReactionLike       ReactionKind = "like"
	ReactionLove       ReactionKind = "love"
	ReactionInsightful ReactionKind = "insightful"
	ReactionCelebrate  ReactionKind = "celebrate"
)

// User is a person with an account: a reader, an author, an editor or an admin.
type User struct {
	ID          int64
	Handle      string
	Email       string
	DisplayName string
	Bio         string
	AvatarURL   *string
	Role        Role
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Category is the one section an article is filed under.
type Category struct {
	ID          int64
	Slug        string
	Name        string
	Description string
}

// Tag is a free label; an article carries several.
type Tag struct {
	ID   int64
	Slug string
	Name string
}

// Article is a piece of writing with a Markdown body.
type Article struct {
	ID             int64
	AuthorID       int64
	CategoryID     *int64
	Slug           string
	Title          string
	Excerpt        string
	Body           string
	Status         ArticleStatus
	PublishedAt    *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	ReadingMinutes int
}

// Comment is a reader's comment on an article, or a reply to another comment.
// A deleted comment keeps its place in the thread with its body withheld.
type Comment struct {
	ID        int64
	ArticleID int64
	AuthorID  int64
	ParentID  *int64
	Body      string
	CreatedAt time.Time
	UpdatedAt time.Time
	DeletedAt *time.Time
}

// Deleted reports whether the comment was removed; its replies stay.
func (c *Comment) Deleted() bool { return c.DeletedAt != nil }

// ReactionCounts is how many reactions of each kind an article has.
type ReactionCounts struct {
	Like       int
	Love       int
	Insightful int
	Celebrate  int
}

// Total is the number of reactions of every kind.
func (r ReactionCounts) Total() int { return r.Like + r.Love + r.Insightful + r.Celebrate }

// Add counts n reactions of kind k.
func (r *ReactionCounts) Add(k ReactionKind, n int) {
	switch k {
	case ReactionLike:
		r.Like += n
	case ReactionLove:
		r.Love += n
	case ReactionInsightful:
		r.Insightful += n
	case ReactionCelebrate:
		r.Celebrate += n
	}
}

// SearchHit is one article found by a full-text search, with its rank and a
// highlighted snippet of where the words matched.
type SearchHit struct {
	Article *Article
	Rank    float32
	Snippet string
}
