package folio

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxTagNameLength is the longest display name a tag may have.
const MaxTagNameLength = 60

// CanManageTaxonomy: editors and admins create, rename, merge and delete
// tags.
func (v Viewer) CanManageTaxonomy() bool { return v.Is(RoleEditor) }

// NewTag is a tag to create.
type NewTag struct {
	Name string
	Slug string // empty: made from the name
}

// Normalize trims the name, makes a slug from it when none is given and
// checks both.
func (in *NewTag) Normalize() error {
	var fe FieldErrors
	in.Name = checkTagName(&fe, "name", in.Name)
	if in.Slug == "" && in.Name != "" {
		in.Slug = Slugify(in.Name)
		if in.Slug == "" {
			fe.Add("slug", "No slug can be made from this name: give one.")
		}
	} else if in.Slug != "" {
		checkSlug(&fe, "slug", in.Slug)
	}
	return fe.Err()
}

// TagPatch renames or re-slugs a tag; nil fields stay as they are.
type TagPatch struct {
	ID   int64
	Name *string
	Slug *string
}

// Normalize trims the name and checks the rest.
func (p *TagPatch) Normalize() error {
	var fe FieldErrors
	if p.Name != nil {
		n := checkTagName(&fe, "name", *p.Name)
		p.Name = &n
	}
	if p.Slug != nil {
		checkSlug(&fe, "slug", *p.Slug)
	}
	return fe.Err()
}

func checkTagName(fe *FieldErrors, field, s string) string {
	return checkName(fe, field, s, "tag", MaxTagNameLength)
}

// TagChange is what a tag write did, for caches to forget exactly that.
type TagChange struct {
	// Tag is the tag after the write; for a delete, as it was.
	Tag *Tag
	// Before is the tag before an update, nil otherwise.
	Before *Tag
	// Removed are the tags that no longer exist: the deleted one, or
	// those merged away.
	Removed []*Tag
	// Articles are the articles whose set of tags changed.
	Articles []int64
	// Published reports whether one of Articles is published, so public
	// lists of articles may have changed.
	Published bool
}

// TaxonomyWriter changes tags. Every method refuses viewers who are not
// editors with EForbidden; a tag that does not exist is ENotFound on the
// field that named it, and a slug in use is ETaken on "slug".
type TaxonomyWriter interface {
	CreateTag(ctx context.Context, v Viewer, in NewTag) (*TagChange, error)
	UpdateTag(ctx context.Context, v Viewer, p TagPatch) (*TagChange, error)
	// MergeTags moves every article of the tags from onto into, in one
	// transaction, and deletes the tags from.
	MergeTags(ctx context.Context, v Viewer, from []int64, into int64) (*TagChange, error)
	// DeleteTag deletes a tag, taking it off every article.
	DeleteTag(ctx context.Context, v Viewer, id int64) (*TagChange, error)
}

// MaxMergeTags is how many tags one merge folds into another.
const MaxMergeTags = 50

// CheckTagMerge checks the tags (or categories) of a merge: at least one
// to merge, none twice, and not the target itself.
func CheckTagMerge(from []int64, into int64) error {
	var fe FieldErrors
	switch {
	case len(from) == 0:
		fe.Add("from", "Name at least one to merge.")
	case len(from) > MaxMergeTags:
		fe.Add("from", "A merge folds at most %d tags; %d were given.", MaxMergeTags, len(from))
	}
	seen := make(map[int64]bool, len(from))
	for i, id := range from {
		switch {
		case id == into:
			fe.Add(fmt.Sprintf("from.%d", i), "Nothing can be merged into itself.")
		case seen[id]:
			fe.Add(fmt.Sprintf("from.%d", i), "This tag is listed twice.")
		}
		seen[id] = true
	}
	return fe.Err()
}

// Category limits; the database holds the same lines.
const (
	MaxCategoryNameLength        = 60
	MaxCategoryDescriptionLength = 500
	MaxCategoryPosition          = 1_000_000
)

// NewCategory is a category to create.
type NewCategory struct {
	Name        string
	Slug        string // empty: made from the name
	Description string
	Position    int
}

// Normalize trims what a person would not mean to keep and checks the rest.
func (in *NewCategory) Normalize() error {
	var fe FieldErrors
	in.Name = checkName(&fe, "name", in.Name, "category", MaxCategoryNameLength)
	if in.Slug == "" && in.Name != "" {
		if in.Slug = Slugify(in.Name); in.Slug == "" {
			fe.Add("slug", "No slug can be made from this name: give one.")
		}
	} else if in.Slug != "" {
		checkSlug(&fe, "slug", in.Slug)
	}
	in.Description = checkDescription(&fe, "description", in.Description)
	checkPosition(&fe, "position", in.Position)
	return fe.Err()
}

// CategoryPatch changes a category; nil fields stay as they are.
type CategoryPatch struct {
	ID          int64
	Name        *string
	Slug        *string
	Description *string
	Position    *int
}

// Normalize trims what a person would not mean to keep and checks the rest.
func (p *CategoryPatch) Normalize() error {
	var fe FieldErrors
	if p.Name != nil {
		n := checkName(&fe, "name", *p.Name, "category", MaxCategoryNameLength)
		p.Name = &n
	}
	if p.Slug != nil {
		checkSlug(&fe, "slug", *p.Slug)
	}
	if p.Description != nil {
		d := checkDescription(&fe, "description", *p.Description)
		p.Description = &d
	}
	if p.Position != nil {
		checkPosition(&fe, "position", *p.Position)
	}
	return fe.Err()
}

func checkName(fe *FieldErrors, field, s, what string, most int) string {
	s = strings.TrimSpace(s)
	switch n := utf8.RuneCountInString(s); {
	case !utf8.ValidString(s):
		fe.Add(field, "The name is not valid UTF-8 text.")
	case n == 0:
		fe.Add(field, "Give the %s a name.", what)
	case n > most:
		fe.Add(field, "The name is %d characters long; the most is %d.", n, most)
	}
	return s
}

func checkDescription(fe *FieldErrors, field, s string) string {
	s = strings.TrimSpace(s)
	switch n := utf8.RuneCountInString(s); {
	case !utf8.ValidString(s):
		fe.Add(field, "The description is not valid UTF-8 text.")
	case n > MaxCategoryDescriptionLength:
		fe.Add(field, "The description is %d characters long; the most is %d.", n, MaxCategoryDescriptionLength)
	}
	return s
}

func checkPosition(fe *FieldErrors, field string, n int) {
	if n < 0 || n > MaxCategoryPosition {
		fe.Add(field, "A position is from 0 to %d; %d was given.", MaxCategoryPosition, n)
	}
}

// ArticleRef names an article a write moved, for caches to forget it
// under its id and its slug.
type ArticleRef struct {
	ID        int64
	Slug      string
	Published bool
}

// CategoryChange is what a category write did, for caches to forget
// exactly that.
type CategoryChange struct {
	// Category is the category after the write; for a delete, as it was.
	Category *Category
	// Before is the category before an update, nil otherwise.
	Before *Category
	// Removed are the categories that no longer exist.
	Removed []*Category
	// Articles are the articles whose category changed.
	Articles []ArticleRef
}

// CategoryWriter changes categories, with the errors of TaxonomyWriter.
type CategoryWriter interface {
	CreateCategory(ctx context.Context, v Viewer, in NewCategory) (*CategoryChange, error)
	UpdateCategory(ctx context.Context, v Viewer, p CategoryPatch) (*CategoryChange, error)
	// MergeCategories moves every article of the categories from into
	// into, in one transaction, and deletes the categories from.
	MergeCategories(ctx context.Context, v Viewer, from []int64, into int64) (*CategoryChange, error)
	// DeleteCategory deletes a category; its articles are left without one.
	DeleteCategory(ctx context.Context, v Viewer, id int64) (*CategoryChange, error)
}

// Kinds of slugged entity, as slug history names them.
const (
	SlugArticle  = "article"
	SlugTag      = "tag"
	SlugCategory = "category"
)

// SlugHistory remembers the slugs articles, tags and categories used to
// have, so old links can be redirected.
type SlugHistory interface {
	// FormerSlug returns the id of the kind's entity that last had slug,
	// and false when none did. The entity may since have been deleted.
	FormerSlug(ctx context.Context, kind, slug string) (int64, bool, error)
}
