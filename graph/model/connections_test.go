package model

import (
	"context"
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
	p := NewPage(folio.List[*folio.Comment]{Items: []*folio.Comment{{ID: 1}, {ID: 2}, {ID: 3}}}, cursor, Counter{})
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
	}, Counter{})
	e := Edges[*folio.SearchHit, SearchResultEdge](&p)[0]
	if e.Node != a || e.Snippet != hit.Snippet || e.Cursor() != "hit7" {
		t.Errorf("edge = %+v, cursor %q; want the hit's article, snippet and cursor", e, e.Cursor())
	}
	// Widened without the binary noise of float32 → float64.
	if got := e.Rank(); got != 0.0607927 {
		t.Errorf("Rank() = %v; want 0.0607927", got)
	}
}

type countsByID map[int64]int

func (c countsByID) Load(_ context.Context, id int64) (int, error) { return c[id], nil }

// TestCounter: a count through a loader asks it for the parent's id, one
// through a function calls it, and a page made with a count through a
// loader takes no allocation of its own for it.
func TestCounter(t *testing.T) {
	ctx := context.Background()
	counts := countsByID{7: 3, 8: 5}
	if n, err := CountBy(counts, 8).Count(ctx); n != 5 || err != nil {
		t.Errorf("CountBy: %d, %v; want 5", n, err)
	}
	if n, err := CountWith(func(context.Context) (int, error) { return 9, nil }).Count(ctx); n != 9 || err != nil {
		t.Errorf("CountWith: %d, %v; want 9", n, err)
	}
	l := folio.List[*folio.Comment]{Items: []*folio.Comment{{ID: 1}}}
	cursor := func(*folio.Comment) string { return "c" }
	var p Page[*folio.Comment]
	if allocs := testing.AllocsPerRun(100, func() { p = NewPage(l, cursor, CountBy(counts, 7)) }); allocs != 0 {
		t.Errorf("%v allocations for a page and its count, want none", allocs)
	}
	if n, _ := p.Count.Count(ctx); n != 3 {
		t.Errorf("the page counts %d, want 3", n)
	}
}
