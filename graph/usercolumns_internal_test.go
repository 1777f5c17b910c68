package graph

import (
	"testing"

	"github.com/vektah/gqlparser/v2"

	"github.com/folio/folio/internal/folio"
)

// TestUsersShown: an operation's authors are read with the parts of a
// user's row that any field of a user anywhere in it shows, through
// fragments and interfaces too.
func TestUsersShown(t *testing.T) {
	const p = folio.UserProjected
	for _, c := range []struct {
		doc  string
		want folio.UserColumns
	}{
		{`{ articles(first: 2) { nodes { author { handle } } } }`, p},
		{`{ articles(first: 2) { nodes { author { id handle __typename articles(first: 1) { nodes { id } } } } } }`, p},
		{`{ articles(first: 2) { nodes { author { displayName } } } }`, p | folio.UserDisplayName},
		{`{ a: articles(first: 2) { nodes { author { handle } } } user(handle: "x") { bio role } }`, p | folio.UserBio | folio.UserRole},
		{`{ articles(first: 2) { nodes { author { ...F } } } } fragment F on User { email avatar { url } createdAt }`,
			p | folio.UserEmail | folio.UserAvatar | folio.UserTimes},
		{`{ articles(first: 2) { nodes { author { ... on User { emailVerified avatarUrl } } } } }`, p | folio.UserEmail | folio.UserAvatar},
		{`{ node(id: "x") { id ... on User { bio } } }`, p | folio.UserBio},
		{`{ articles(first: 2) { nodes { title excerpt category { name } } } }`, p},
	} {
		doc, err := gqlparser.LoadQuery(parsedSchema, c.doc)
		if err != nil {
			t.Fatalf("%s: %v", c.doc, err)
		}
		if got := usersShown(doc.Operations[0]); got != c.want {
			t.Errorf("%s: parts %07b, want %07b", c.doc, got, c.want)
		}
	}
}

// TestUserFieldColumns_EveryField: every field of User says what of the
// row it shows. One left out would not be served wrong (an operation
// selecting it reads whole rows), only slower.
func TestUserFieldColumns_EveryField(t *testing.T) {
	for _, f := range parsedSchema.Types["User"].Fields {
		if _, ok := userFieldColumns[f.Name]; !ok {
			t.Errorf("User.%s is not in userFieldColumns", f.Name)
		}
	}
}
