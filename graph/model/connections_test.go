package model

import (
	"strconv"
	"testing"

	"github.com/folio/folio/internal/folio"
)

func TestEdges_CursorOnlyWhenAsked(t *testing.T) {
	made := 0
	cursor := func(c *folio.Comment) string {
		made++
		return "c" + strconv.FormatInt(c.ID, 10)
	}
	p := NewPage(folio.List[*folio.Comment]{Items: []*folio.Comment{{ID: 1}, {ID: 2}, {ID: 3}}}, cursor, nil)
	edges := Edges[*folio.Comment, CommentEdge](&p)
	if made != 0 {
		t.Fatalf("making the edges made %d cursors; want none until asked", made)
	}
	for i, e := range edges {
		if e.Node != p.Nodes[i] {
			t.Errorf("edge %d holds comment %d; want %d", i, e.Node.ID, p.Nodes[i].ID)
		}
		if got, want := e.Cursor(), "c"+strconv.Itoa(i+1); got != want {
			t.Errorf("edge %d cursor = %q; want %q", i, got, want)
		}
	}
	if made != len(edges) {
		t.Errorf("made %d cursors for %d asked", made, len(edges))
	}
	// The edges and the slice of pointers to them: two allocations, however
	// many rows the page has.
	if n := testing.AllocsPerRun(10, func() { Edges[*folio.Comment, CommentEdge](&p) }); n != 2 {
		t.Errorf("Edges made %v allocations; want 2", n)
	}
}

func TestSearchResultEdge_FromHit(t *testing.T) {
	a := &folio.Article{ID: 7}
	hit := &folio.SearchHit{Article: a, Rank: 0.0607927, Snippet: "a <mark>b</mark>"}
	p := NewPage(folio.List[*folio.SearchHit]{Items: []*folio.SearchHit{hit}}, func(h *folio.SearchHit) string {
		return "hit" + strconv.FormatInt(h.Article.ID, 10)
	}, nil)
	e := Edges[*folio.SearchHit, SearchResultEdge](&p)[0]
	if e.Node != a || e.Snippet != hit.Snippet || e.Cursor() != "hit7" {
		t.Errorf("edge = %+v, cursor %q; want the hit's article, snippet and cursor", e, e.Cursor())
	}
	// Widened without the binary noise of float32 → float64.
	if got := e.Rank(); got != 0.0607927 {
		t.Errorf("Rank() = %v; want 0.0607927", got)
	}
}
