package folio

import (
	"context"
	"time"
)

// Preview token lifetimes, in seconds: a review or a static build takes
// minutes to days; a link that lived longer would be a publication.
const (
	MinPreviewSeconds     = 60
	MaxPreviewSeconds     = 30 * 24 * 3600
	DefaultPreviewSeconds = 24 * 3600
)

// PreviewToken lets whoever holds it read one article at one version,
// without an account, until it expires or is revoked. The token itself is
// shown once and kept only as a hash.
type PreviewToken struct {
	ID        int64
	ArticleID int64
	Version   int
	CreatedBy *int64
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
}

// NodeID is the ID the API hands out for the token.
// NodeKey is the kind and row id that make the token's node ID.
func (p *PreviewToken) NodeKey() (string, int64) { return KindPreviewToken, p.ID }

func (p *PreviewToken) NodeID() string { return NodeID(p.NodeKey()) }

// PreviewGrant is what a live token lets a request read.
type PreviewGrant struct {
	ArticleID int64
	Version   int
}

// PreviewStore keeps preview tokens.
type PreviewStore interface {
	// CreatePreviewToken binds a token (by its hash) to the article at its
	// current version until expires; ENotFound for an article v may not
	// see, EForbidden for one v may not preview (Viewer.CanPreview).
	CreatePreviewToken(ctx context.Context, v Viewer, articleID int64, tokenHash []byte, expires time.Time) (*PreviewToken, error)
	// RevokePreviewToken ends a token at once, with the same rights;
	// revoking it again changes nothing.
	RevokePreviewToken(ctx context.Context, v Viewer, id int64) (*PreviewToken, error)
	// PreviewGrant returns what the token with this hash grants: false
	// when it is unknown, expired, revoked, or its article has moved on
	// from the version it was made for.
	PreviewGrant(ctx context.Context, tokenHash []byte) (PreviewGrant, bool, error)
}

// CanPreview: an article's author and editors make and revoke its preview
// links, as they are who see its drafts.
func (v Viewer) CanPreview(a *Article) bool { return v.CanSeeRevisions(a) }

// CanReadArticle is CanSeeArticle widened by the viewer's preview grant,
// if any, to exactly the article and version it names. Only reads use it:
// a preview widens nothing a request may write, list or subscribe to.
func (v Viewer) CanReadArticle(a *Article) bool {
	return v.CanSeeArticle(a) || (v.Preview.ArticleID != 0 && v.Preview.ArticleID == a.ID && v.Preview.Version == a.Version)
}

// CheckPreviewSeconds checks a preview token's lifetime.
func CheckPreviewSeconds(field string, s int) error {
	if s < MinPreviewSeconds || s > MaxPreviewSeconds {
		return InvalidField(field, "A preview link lives from %d seconds to %d days; %d seconds is outside that.", MinPreviewSeconds, MaxPreviewSeconds/86400, s)
	}
	return nil
}
