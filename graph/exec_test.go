package graph_test

import (
	"strings"
	"testing"
)

// TestCollectFields_DirectivesPerRequest: the executor remembers which
// fields a selection set collects across requests of one document, but not
// for a selection set whose fields carry a directive, whose answer depends
// on the request's variables.
func TestCollectFields_DirectivesPerRequest(t *testing.T) {
	getWorld(t)
	const doc = `query($withTitle: Boolean!) { article(slug: "keyset-pagination") { slug title @include(if: $withTitle) author { handle } } }`
	for _, with := range []bool{true, false, true, false} {
		r := srv(t).query(t, doc, map[string]any{"withTitle": with}, nil)
		if got := strings.Contains(r.Raw, `"title"`); got != with {
			t.Fatalf("withTitle %v: %s", with, r.Raw)
		}
		if !strings.Contains(r.Raw, `"author":{"handle":`) {
			t.Fatalf("withTitle %v: no author in %s", with, r.Raw)
		}
	}
}
