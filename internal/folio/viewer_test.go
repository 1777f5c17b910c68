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
