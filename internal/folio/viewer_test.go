package folio_test

import (
	"testing"

	"github.com/folio/folio/internal/folio"
)

func TestViewer_CanSeeEmail(t *testing.T) {
	for _, tc := range []struct {
		name   string
		viewer folio.Viewer
		want   bool
	}{
		{"Own", folio.Viewer{UserID: 7, Role: folio.RoleReader}, true},
		{"Admin", folio.Viewer{UserID: 1, Role: folio.RoleAdmin}, true},
		{"Editor", folio.Viewer{UserID: 1, Role: folio.RoleEditor}, false},
		{"Anonymous", folio.Viewer{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.viewer.CanSeeEmail(7); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestViewer_CanReadArticle(t *testing.T) {
	draft := &folio.Article{ID: 5, AuthorID: 7, Status: folio.StatusDraft, Version: 3}
	grant := folio.PreviewGrant{ArticleID: 5, Version: 3}
	for _, tc := range []struct {
		name   string
		viewer folio.Viewer
		read   bool // CanReadArticle
		see    bool // CanSeeArticle: what writes, lists and subscriptions use
	}{
		{"Anonymous", folio.Viewer{}, false, false},
		{"Preview", folio.Viewer{Preview: grant}, true, false},
		{"PreviewOfAnotherArticle", folio.Viewer{Preview: folio.PreviewGrant{ArticleID: 6, Version: 3}}, false, false},
		{"PreviewOfAnotherVersion", folio.Viewer{Preview: folio.PreviewGrant{ArticleID: 5, Version: 2}}, false, false},
		{"ReaderWithPreview", folio.Viewer{UserID: 9, Role: folio.RoleReader, Preview: grant}, true, false},
		{"Author", folio.Viewer{UserID: 7, Role: folio.RoleAuthor}, true, true},
		{"Editor", folio.Viewer{UserID: 1, Role: folio.RoleEditor}, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.viewer.CanReadArticle(draft); got != tc.read {
				t.Errorf("CanReadArticle = %v, want %v", got, tc.read)
			}
			if got := tc.viewer.CanSeeArticle(draft); got != tc.see {
				t.Errorf("CanSeeArticle = %v, want %v", got, tc.see)
			}
		})
	}
}

func TestViewer_CanSeeRevisions(t *testing.T) {
	a := &folio.Article{ID: 5, AuthorID: 7, Status: folio.StatusPublished}
	for _, tc := range []struct {
		name   string
		viewer folio.Viewer
		want   bool
	}{
		{"Author", folio.Viewer{UserID: 7, Role: folio.RoleAuthor}, true},
		{"AnotherAuthor", folio.Viewer{UserID: 8, Role: folio.RoleAuthor}, false},
		{"Reader", folio.Viewer{UserID: 9, Role: folio.RoleReader}, false},
		{"Editor", folio.Viewer{UserID: 1, Role: folio.RoleEditor}, true},
		{"Admin", folio.Viewer{UserID: 2, Role: folio.RoleAdmin}, true},
		{"Anonymous", folio.Viewer{}, false},
		{"Preview", folio.Viewer{Preview: folio.PreviewGrant{ArticleID: 5}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.viewer.CanSeeRevisions(a); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if got := tc.viewer.CanPreview(a); got != tc.want {
				t.Errorf("CanPreview = %v, want %v", got, tc.want)
			}
		})
	}
}
