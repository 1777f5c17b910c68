package folio

import (
	"context"
	"time"
)

// MaxRevisions is how many revisions an article keeps: a revision past it,
// the oldest, is deleted by the update that keeps a new one. Fifty edits
// cover an article's writing and review; older text is rarely wanted, and
// each revision holds a whole body.
const MaxRevisions = 50

// Revision is an article's text as it was before an update replaced it.
type Revision struct {
	ID        int64
	ArticleID int64
	// Version is the article's version that had this text.
	Version int
	Title   string
	Excerpt string
	Body    string
	// ReplacedBy is who made the update that replaced it (nil once their
	// account is gone); ReplacedAt is when.
	ReplacedBy *int64
	ReplacedAt time.Time
}

// RevisionStore reads articles' revisions. Callers check that the viewer
// may see them (Viewer.CanSeeRevisions).
type RevisionStore interface {
	// RevisionsByArticles returns each article's revisions, newest first,
	// one page each, in one statement.
	RevisionsByArticles(ctx context.Context, articleIDs []int64, p Page) (map[int64]List[*Revision], error)
	CountRevisionsByArticles(ctx context.Context, articleIDs []int64) (map[int64]int, error)
	// RevisionsAt returns the article's revisions at these versions; a
	// version with none is left out.
	RevisionsAt(ctx context.Context, articleID int64, versions []int) ([]*Revision, error)
}

// CanSeeRevisions: an article's author and editors see its revisions and
// their diffs.
func (v Viewer) CanSeeRevisions(a *Article) bool {
	return v.Is(RoleEditor) || (v.SignedIn() && a.AuthorID == v.UserID)
}
