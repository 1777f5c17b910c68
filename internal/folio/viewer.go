package folio

import "context"

// Viewer is who is asking. The zero Viewer is an anonymous reader. A request
// made with an API key acts as the key's owner and also carries the key's id,
// so budgets and logs can tell the key from the person.
type Viewer struct {
	UserID   int64
	Role     Role
	APIKeyID int64
	// Unverified: the account has not confirmed its address yet, so it may
	// not speak in public (CheckVerified).
	Unverified bool
	// Preview is what a preview token sent with the request lets it read
	// (CanReadArticle); zero without one.
	Preview PreviewGrant
}

// Anonymous reports whether nobody is signed in.
func (v Viewer) Anonymous() bool { return v.UserID == 0 }

// SeesAllDrafts reports whether the viewer may read every article whatever its
// status: editors and admins.
func (v Viewer) SeesAllDrafts() bool { return v.Role == RoleEditor || v.Role == RoleAdmin }

// CanSeeArticle reports whether the viewer may read a. Published articles are
// public; anything else is seen by its author and by editors only.
func (v Viewer) CanSeeArticle(a *Article) bool {
	if a.Status == StatusPublished || v.SeesAllDrafts() {
		return true
	}
	return !v.Anonymous() && a.AuthorID == v.UserID
}

// SignedIn reports whether someone is signed in.
func (v Viewer) SignedIn() bool { return v.UserID != 0 }

// Is reports whether the viewer has at least role min.
func (v Viewer) Is(min Role) bool { return v.SignedIn() && v.Role.AtLeast(min) }

// The write rules. Each answers for an object the viewer can already see;
// callers answer ENotFound first for what the viewer may not see, so that
// existence does not leak.

// CanEditArticle: authors edit their own drafts; editors edit any article.
func (v Viewer) CanEditArticle(a *Article) bool {
	if v.Is(RoleEditor) {
		return true
	}
	return v.Is(RoleAuthor) && a.AuthorID == v.UserID && a.Status == StatusDraft
}

// CanDeleteArticle: as editing.
func (v Viewer) CanDeleteArticle(a *Article) bool { return v.CanEditArticle(a) }

// CanPublish: editors publish and archive.
func (v Viewer) CanPublish() bool { return v.Is(RoleEditor) }

// CanEditComment: only the comment's author changes its words.
func (v Viewer) CanEditComment(c *Comment) bool { return v.SignedIn() && c.AuthorID == v.UserID }

// CanDeleteComment: the comment's author, or an editor moderating.
func (v Viewer) CanDeleteComment(c *Comment) bool {
	return v.CanEditComment(c) || v.Is(RoleEditor)
}

// CheckVerified refuses, with EUnverified, what an account whose address is
// not yet verified may not do: comment, react, write articles and upload
// an avatar, the things others see. Reading, its profile, its sessions and keys and the
// newsletter stay open to it.
func (v Viewer) CheckVerified() error {
	if v.SignedIn() && v.Unverified {
		return &Error{Code: EUnverified, Message: "Confirm your email address first: open the link mailed to you when you signed up (verifyEmail)."}
	}
	return nil
}

// CanSetRoles: admins only.
func (v Viewer) CanSetRoles() bool { return v.Is(RoleAdmin) }

// CanSeeEmail reports whether v may see the email address of user id: its
// own, or anyone's as an admin. (A request that signs a user in also shows
// that user's address; the GraphQL layer knows which it signed in.)
func (v Viewer) CanSeeEmail(id int64) bool {
	return (v.SignedIn() && v.UserID == id) || v.Is(RoleAdmin)
}

type viewerKey struct{}

// WithViewer returns a context that carries v.
func WithViewer(ctx context.Context, v Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerFrom returns the viewer of ctx, anonymous if none was set.
func ViewerFrom(ctx context.Context) Viewer {
	v, _ := ctx.Value(viewerKey{}).(Viewer)
	return v
}
