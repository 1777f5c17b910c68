package folio

import "regexp"

// The shapes of the names in URLs, as the database's CHECK constraints
// enforce them. A value of another shape cannot name anything, so callers
// answer it without a query.
var (
	slugPattern   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	handlePattern = regexp.MustCompile(`^[A-Za-z0-9_]{2,32}$`)
)

// MaxSlugLength bounds slugs, which are made from titles of up to 200 characters.
const MaxSlugLength = 240

// ValidSlug reports whether s has the shape of an article, tag or category slug.
func ValidSlug(s string) bool { return len(s) <= MaxSlugLength && slugPattern.MatchString(s) }

// ValidHandle reports whether s has the shape of a user's handle.
func ValidHandle(s string) bool { return handlePattern.MatchString(s) }

// MaxFilterTags bounds the tags an article filter may require.
const MaxFilterTags = 10

// Validate reports the first part of f that cannot match anything as it is
// spelled: an EInvalid error on the input field ("filter.tags", …), so a
// caller learns of a typo instead of an empty list. Statuses and the author
// id are typed by the caller and are not checked here.
func (f ArticleFilter) Validate() error {
	if f.AuthorHandle != nil && !ValidHandle(*f.AuthorHandle) {
		return InvalidField("filter.authorHandle", "%q is not a handle: handles are 2 to 32 letters, digits or underscores.", truncate(*f.AuthorHandle, 64))
	}
	if f.CategorySlug != nil && !ValidSlug(*f.CategorySlug) {
		return InvalidField("filter.category", "%q is not a category slug: slugs are lower-case letters and digits joined by single hyphens.", truncate(*f.CategorySlug, 64))
	}
	if len(f.TagSlugs) > MaxFilterTags {
		return InvalidField("filter.tags", "Filter by at most %d tags, not %d.", MaxFilterTags, len(f.TagSlugs))
	}
	for _, t := range f.TagSlugs {
		if !ValidSlug(t) {
			return InvalidField("filter.tags", "%q is not a tag slug: slugs are lower-case letters and digits joined by single hyphens.", truncate(t, 64))
		}
	}
	if f.PublishedAfter != nil && f.PublishedBefore != nil && !f.PublishedAfter.Before(*f.PublishedBefore) {
		return InvalidField("filter.publishedBefore", "publishedBefore must be later than publishedAfter.")
	}
	return nil
}
