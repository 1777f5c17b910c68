package folio

import "context"

// Viewer is who is asking. The zero Viewer is an anonymous reader. A request
// made with an API key acts as the key's owner and also carries the key's id,
// so budgets and logs can tell the key from the person.
type Viewer struct {
	UserID   int64
	Role     Role
	APIKeyID int64
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
