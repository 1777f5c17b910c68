// Package folio holds Folio's domain: the types every other package speaks,
// the error type with its codes, and the rules of who may see what. It
// imports nothing of ours and nothing outside the standard library.
package folio

import (
	"fmt"
	"time"
)

// Role is what a user may do on the platform.
type Role string

// The roles, from least to most trusted.
const (
	RoleReader Role = "reader"
	RoleAuthor Role = "author"
	RoleEditor Role = "editor"
	RoleAdmin  Role = "admin"
)

// rank orders the roles; an unknown role ranks below every real one.
func (r Role) rank() int {
	switch r {
	case RoleReader:
		return 1
	case RoleAuthor:
		return 2
	case RoleEditor:
		return 3
	case RoleAdmin:
		return 4
	}
	return 0
}

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool { return r.rank() > 0 }

// AtLeast reports whether r may do everything min may.
func (r Role) AtLeast(min Role) bool { return r.Valid() && r.rank() >= min.rank() }

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
	// Unverified is true from signUp until the owner opens the mailed
	// link; such an account has limited rights (Viewer.Unverified). The
	// zero value is verified, as are accounts made before verification.
	Unverified bool
	// Avatar is the picture the user uploaded; nil when none.
	Avatar *Image `json:",omitempty"`
	// Partial marks a row read with some of its columns only
	// (Related.AuthorColumns), for an operation that shows no others: the
	// fields left out are zero, not the user's. Such a row stands in for
	// the user within that operation only, and is never cached.
	Partial bool `json:",omitempty"`
}

// UserColumns picks the parts of a user's row that a read of authors
// needs (Related.AuthorColumns); the id and the handle are always read.
type UserColumns uint16

const (
	UserDisplayName UserColumns = 1 << iota
	UserBio
	UserEmail  // the address and whether it is verified
	UserAvatar // the link and the uploaded picture
	UserRole
	UserTimes // created and updated
	// UserProjected marks a set as chosen. Without it, a set (the zero
	// value of Related above all) reads every column.
	UserProjected
)

// Category is the one section an article is filed under.
type Category struct {
	ID          int64
	Slug        string
	Name        string
	Description string
	Position    int // lists of categories read by position, then slug
}

// SortKey is the text by which lists of categories are ordered: position,
// then slug. The store orders by the same expression.
func (c *Category) SortKey() string { return fmt.Sprintf("%07d:%s", c.Position, c.Slug) }

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
	// Version counts the article's changes; an update names the version it
	// was made against and fails with EConflict if the article moved on.
	Version int
	// PublishAt is when the schedule publishes the article; nil when it is
	// not scheduled.
	PublishAt *time.Time `json:",omitempty"`
	// CoverImage is the article's cover picture; nil when it has none.
	CoverImage *Image `json:",omitempty"`
	// BodyOmitted marks a row read for a list without its body (Page.SkipBody):
	// Body is empty, not the article's. Such a row must never stand in for a
	// lookup by id or slug, nor be cached.
	BodyOmitted bool `json:",omitempty"`
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

// ShownBody is the comment's text as readers see it: none once deleted.
func (c *Comment) ShownBody() *string {
	if c.Deleted() {
		return nil
	}
	return &c.Body
}

// ReactionCounts is how many reactions of each kind an article has.
// ArticleStats are the counts shown with an article, read together in one
// statement because a card that shows one nearly always shows the other.
type ArticleStats struct {
	// Comments counts live (not deleted) comments, replies included.
	Comments  int
	Reactions ReactionCounts
}

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

// Valid reports whether k is one of the reaction kinds.
func (k ReactionKind) Valid() bool {
	switch k {
	case ReactionLike, ReactionLove, ReactionInsightful, ReactionCelebrate:
		return true
	}
	return false
}

// APIKey is a long-lived credential a server uses to act as its owner. Only
// a hash of its secret is kept; Prefix identifies it in lists and logs.
type APIKey struct {
	ID         int64
	UserID     int64
	Name       string
	Prefix     string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}
