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
