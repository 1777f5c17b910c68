package graph_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/folio/folio/internal/folio"
)

type pageInfo struct {
	HasNextPage     bool    `json:"hasNextPage"`
	HasPreviousPage bool    `json:"hasPreviousPage"`
	StartCursor     *string `json:"startCursor"`
	EndCursor       *string `json:"endCursor"`
}

type articleConn struct {
	TotalCount int      `json:"totalCount"`
	PageInfo   pageInfo `json:"pageInfo"`
	Edges      []struct {
		Cursor string `json:"cursor"`
		Node   struct {
			Slug string `json:"slug"`
		} `json:"node"`
	} `json:"edges"`
	Nodes []struct {
		Slug string `json:"slug"`
	} `json:"nodes"`
}

func (c articleConn) slugs() []string {
	out := []string{}
	for _, e := range c.Edges {
		out = append(out, e.Node.Slug)
	}
	return out
}

func slugsOf(as []*folio.Article) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.Slug)
	}
	return out
}

const articlesQuery = `query($first: Int, $after: String, $last: Int, $before: String, $filter: ArticleFilter, $orderBy: ArticleOrder) {
  articles(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { slug } }
    nodes { slug }
  }
}`

func listArticles(t *testing.T, vars map[string]any) articleConn {
	t.Helper()
	var out struct{ Articles articleConn }
	srv(t).query(t, articlesQuery, vars, &out)
	return out.Articles
}

func TestQuery_Articles(t *testing.T) {
	w := getWorld(t)

	t.Run("HomeFeedIsNewestPublishedFirst", func(t *testing.T) {
		got := listArticles(t, nil)
		want := slugsOf(w.published[:20])
		if !slices.Equal(got.slugs(), want) {
			t.Errorf("got %v\nwant %v", got.slugs(), want)
		}
		if got.TotalCount != len(w.published) {
			t.Errorf("totalCount: got %d, want %d", got.TotalCount, len(w.published))
		}
		if !got.PageInfo.HasNextPage || got.PageInfo.HasPreviousPage {
			t.Errorf("pageInfo: got %+v, want next and no previous", got.PageInfo)
		}
		if len(got.Nodes) != len(got.Edges) || got.Nodes[0].Slug != got.Edges[0].Node.Slug {
			t.Errorf("nodes do not mirror edges: %v", got.Nodes)
		}
	})

	t.Run("DraftsAndArchivedHiddenFromAnonymous", func(t *testing.T) {
		got := listArticles(t, map[string]any{"first": 100, "filter": map[string]any{"authorHandle": "alice"}})
		want := []string{w.loaders.Slug, w.keyset.Slug}
		if !slices.Equal(got.slugs(), want) {
			t.Errorf("got %v, want %v", got.slugs(), want)
		}
		drafts := listArticles(t, map[string]any{"filter": map[string]any{"status": []string{"DRAFT", "ARCHIVED"}}})
		if len(drafts.Edges) != 0 || drafts.TotalCount != 0 {
			t.Errorf("status DRAFT/ARCHIVED: got %v (total %d), want nothing", drafts.slugs(), drafts.TotalCount)
		}
	})
}

func TestQuery_Articles_Pagination(t *testing.T) {
	w := getWorld(t)
	all := slugsOf(w.published)

	t.Run("ForwardWalkSeesEveryRowOnce", func(t *testing.T) {
		var got []string
		vars := map[string]any{"first": 7}
		for pages := 0; ; pages++ {
			if pages > 20 {
				t.Fatal("no end after 20 pages")
			}
			c := listArticles(t, vars)
			got = append(got, c.slugs()...)
			if pages > 0 && !c.PageInfo.HasPreviousPage {
				t.Errorf("page %d: hasPreviousPage false after a cursor", pages)
			}
			if !c.PageInfo.HasNextPage {
				break
			}
			vars["after"] = *c.PageInfo.EndCursor
		}
		if !slices.Equal(got, all) {
			t.Errorf("got %v\nwant %v", got, all)
		}
	})

	t.Run("BackwardWalkSeesEveryRowOnce", func(t *testing.T) {
		var got []string
		vars := map[string]any{"last": 9}
		for pages := 0; ; pages++ {
			if pages > 20 {
				t.Fatal("no end after 20 pages")
			}
			c := listArticles(t, vars)
			got = append(c.slugs(), got...)
			if !c.PageInfo.HasPreviousPage {
				break
			}
			vars["before"] = *c.PageInfo.StartCursor
		}
		if !slices.Equal(got, all) {
			t.Errorf("got %v\nwant %v", got, all)
		}
	})

	t.Run("LastPageEndsExactly", func(t *testing.T) {
		first := listArticles(t, map[string]any{"first": len(all) - 1})
		last := listArticles(t, map[string]any{"first": 1, "after": *first.PageInfo.EndCursor})
		if !slices.Equal(last.slugs(), all[len(all)-1:]) || last.PageInfo.HasNextPage {
			t.Errorf("got %v next=%v, want %v and no next page", last.slugs(), last.PageInfo.HasNextPage, all[len(all)-1:])
		}
		past := listArticles(t, map[string]any{"first": 5, "after": last.Edges[0].Cursor})
		if len(past.Edges) != 0 || past.PageInfo.HasNextPage || !past.PageInfo.HasPreviousPage {
			t.Errorf("after the last row: got %v %+v, want an empty page with a previous page", past.slugs(), past.PageInfo)
		}
		if past.PageInfo.StartCursor != nil || past.PageInfo.EndCursor != nil {
			t.Errorf("empty page cursors: got %+v, want null", past.PageInfo)
		}
	})

	t.Run("ZeroRowsStillSaysWhatFollows", func(t *testing.T) {
		c := listArticles(t, map[string]any{"first": 0})
		if len(c.Edges) != 0 || !c.PageInfo.HasNextPage {
			t.Errorf("got %v %+v, want no rows and a next page", c.slugs(), c.PageInfo)
		}
	})

	t.Run("AfterAndBeforeTogetherBoundBothEnds", func(t *testing.T) {
		c := listArticles(t, map[string]any{"first": 10})
		between := listArticles(t, map[string]any{"first": 100, "after": c.Edges[2].Cursor, "before": c.Edges[6].Cursor})
		if want := all[3:6]; !slices.Equal(between.slugs(), want) {
			t.Errorf("got %v, want %v", between.slugs(), want)
		}
	})

	t.Run("OrderByCreatedAtAscending", func(t *testing.T) {
		c := listArticles(t, map[string]any{"first": 3, "orderBy": map[string]any{"field": "CREATED_AT", "direction": "ASC"}})
		want := slugsOf(w.filler[:3])
		if !slices.Equal(c.slugs(), want) {
			t.Errorf("got %v, want %v", c.slugs(), want)
		}
		next := listArticles(t, map[string]any{"first": 2, "after": *c.PageInfo.EndCursor, "orderBy": map[string]any{"field": "CREATED_AT", "direction": "ASC"}})
		if want := slugsOf(w.filler[3:5]); !slices.Equal(next.slugs(), want) {
			t.Errorf("second page: got %v, want %v", next.slugs(), want)
		}
	})
}

func TestQuery_Articles_Filter(t *testing.T) {
	w := getWorld(t)
	var bobID struct {
		User struct{ ID string }
	}
	srv(t).query(t, `{ user(handle: "bob_writes") { id } }`, nil, &bobID)

	tests := []struct {
		name   string
		filter map[string]any
		want   []string
	}{
		{"ByAuthorHandle", map[string]any{"authorHandle": "BOB_WRITES"}, []string{w.readers.Slug, w.fts.Slug}},
		{"ByAuthorID", map[string]any{"authorId": bobID.User.ID}, []string{w.readers.Slug, w.fts.Slug}},
		{"ByCategory", map[string]any{"category": "engineering"}, []string{w.loaders.Slug, w.fts.Slug, w.keyset.Slug}},
		{"ByEveryTag", map[string]any{"tags": []string{"go", "postgres"}}, []string{w.keyset.Slug}},
		{"ByOneTag", map[string]any{"tags": []string{"graphql"}}, []string{w.loaders.Slug}},
		{"ByUnknownTag", map[string]any{"tags": []string{"no-such-tag"}}, []string{}},
		{"ByUnknownAuthor", map[string]any{"authorHandle": "nobody"}, []string{}},
		{"ByPublishedRange", map[string]any{"publishedAfter": "2026-01-01T10:00:00Z", "publishedBefore": "2026-02-01T10:00:00Z"},
			[]string{w.fts.Slug, w.keyset.Slug}},
		{"ByStatusPublished", map[string]any{"status": []string{"PUBLISHED"}, "category": "engineering"}, []string{w.loaders.Slug, w.fts.Slug, w.keyset.Slug}},
		{"Combined", map[string]any{"category": "engineering", "tags": []string{"postgres"}, "publishedAfter": "2026-01-10T00:00:00Z"}, []string{w.fts.Slug}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := listArticles(t, map[string]any{"first": 100, "filter": tt.filter})
			if !slices.Equal(c.slugs(), tt.want) {
				t.Errorf("got %v, want %v", c.slugs(), tt.want)
			}
			if c.TotalCount != len(tt.want) {
				t.Errorf("totalCount: got %d, want %d", c.TotalCount, len(tt.want))
			}
		})
	}
}

func TestQuery_Search(t *testing.T) {
	w := getWorld(t)
	type hit struct {
		Rank    float64 `json:"rank"`
		Snippet string  `json:"snippet"`
		Cursor  string  `json:"cursor"`
		Node    struct {
			Slug string `json:"slug"`
		} `json:"node"`
	}
	search := func(t *testing.T, vars map[string]any) (hits []hit, total int, info pageInfo) {
		t.Helper()
		var out struct {
			Search struct {
				TotalCount int
				PageInfo   pageInfo
				Edges      []hit
			}
		}
		srv(t).query(t, `query($q: String!, $first: Int, $after: String) { search(query: $q, first: $first, after: $after) {
			totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor rank snippet node { slug } } } }`, vars, &out)
		return out.Search.Edges, out.Search.TotalCount, out.Search.PageInfo
	}

	t.Run("TitleOutranksExcerptOutranksBody", func(t *testing.T) {
		hits, total, _ := search(t, map[string]any{"q": "postgres"})
		var got []string
		for _, h := range hits {
			got = append(got, h.Node.Slug)
		}
		// fts has it in the title, keyset in the body, readers in the body
		// next to more words.
		if total != 3 || len(got) != 3 || got[0] != w.fts.Slug {
			t.Fatalf("got %v (total %d), want %s first of 3", got, total, w.fts.Slug)
		}
		for i := 1; i < len(hits); i++ {
			if hits[i].Rank > hits[i-1].Rank {
				t.Errorf("ranks not descending: %v", hits)
			}
		}
	})

	t.Run("SnippetHighlightsAndEscapes", func(t *testing.T) {
		hits, _, _ := search(t, map[string]any{"q": "skimming readers"})
		if len(hits) != 1 || hits[0].Node.Slug != w.readers.Slug {
			t.Fatalf("got %v, want only %s", hits, w.readers.Slug)
		}
		s := hits[0].Snippet
		if !strings.Contains(s, "<mark>") || strings.Contains(s, "<script>") || !strings.Contains(s, "&lt;script&gt;") {
			t.Errorf("snippet %q: want <mark> highlights and the body's HTML escaped", s)
		}
	})

	t.Run("DraftsAndArchivedNeverMatch", func(t *testing.T) {
		hits, total, _ := search(t, map[string]any{"q": "zebra"})
		if len(hits) != 0 || total != 0 {
			t.Errorf("got %v (total %d), want nothing", hits, total)
		}
	})

	t.Run("PagesByRank", func(t *testing.T) {
		all, _, _ := search(t, map[string]any{"q": "postgres"})
		first, _, info := search(t, map[string]any{"q": "postgres", "first": 2})
		if !info.HasNextPage {
			t.Fatalf("first page: want a next page")
		}
		rest, _, info2 := search(t, map[string]any{"q": "postgres", "first": 2, "after": *info.EndCursor})
		got := append(first, rest...)
		if len(got) != len(all) || info2.HasNextPage || !info2.HasPreviousPage {
			t.Fatalf("got %d hits over two pages (%+v), want %d", len(got), info2, len(all))
		}
		for i := range all {
			if got[i].Node.Slug != all[i].Node.Slug {
				t.Errorf("hit %d: got %s, want %s", i, got[i].Node.Slug, all[i].Node.Slug)
			}
		}
	})

	t.Run("WebSearchSyntax", func(t *testing.T) {
		hits, _, _ := search(t, map[string]any{"q": `postgres -cursor`})
		for _, h := range hits {
			if h.Node.Slug == w.keyset.Slug {
				t.Errorf("-cursor still matched %s", w.keyset.Slug)
			}
		}
	})
}
