package postgres

import (
	"testing"

	"github.com/folio/folio/internal/folio"
)

// TestIsNew keeps each author once, in the order first seen, both while
// it looks through the few kept so far and after it switches to a map.
func TestIsNew(t *testing.T) {
	var r related
	ids := []int64{}
	for i := range 3 * fewIDs {
		ids = append(ids, int64(i), int64(i/2)) // every id twice or more, some after the switch
	}
	for _, id := range ids {
		r.add(&relatedRow{author: &folio.User{ID: id}})
	}
	if len(r.authors) != 3*fewIDs {
		t.Fatalf("kept %d authors, want %d", len(r.authors), 3*fewIDs)
	}
	for i, u := range r.authors {
		if u.ID != int64(i) {
			t.Fatalf("author %d is %d, want %d (order first seen)", i, u.ID, i)
		}
	}
	if r.authorIDs == nil {
		t.Error("no map once there were many authors")
	}
	// A few authors take no map at all.
	var few related
	for i := range fewIDs - 1 {
		few.add(&relatedRow{author: &folio.User{ID: int64(i % 4)}})
	}
	if few.authorIDs != nil || len(few.authors) != 4 {
		t.Errorf("%d authors, map %v; want 4 authors and no map", len(few.authors), few.authorIDs != nil)
	}
}
