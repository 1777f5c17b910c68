package graph_test

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
)

func TestQuery_Node(t *testing.T) {
	w := getWorld(t)
	s := srv(t)
	var ids struct {
		User     struct{ ID string }
		Tag      struct{ ID string }
		Category struct{ ID string }
		Article  struct {
			ID       string
			Comments struct {
				Nodes []struct{ ID string }
			}
		}
	}
	s.query(t, `{ user(handle: "alice") { id } tag(slug: "go") { id } category(slug: "culture") { id }
		article(slug: "keyset-pagination") { id comments(first: 1) { nodes { id } } } }`, nil, &ids)

	tests := []struct {
		name, id, typename, want string
	}{
		{"User", ids.User.ID, "User", "alice"},
		{"Tag", ids.Tag.ID, "Tag", "go"},
		{"Category", ids.Category.ID, "Category", "culture"},
		{"Article", ids.Article.ID, "Article", w.keyset.Slug},
		{"Comment", ids.Article.Comments.Nodes[0].ID, "Comment", w.c1.Body},
	}
	const nodeQuery = `query($id: ID!) { node(id: $id) { __typename id
		... on User { handle } ... on Tag { slug } ... on Category { slug } ... on Article { slug } ... on Comment { body } } }`
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out struct {
				Node map[string]any
			}
			s.query(t, nodeQuery, map[string]any{"id": tt.id}, &out)
			if out.Node["__typename"] != tt.typename || out.Node["id"] != tt.id {
				t.Fatalf("got %v, want a %s with id %s", out.Node, tt.typename, tt.id)
			}
			for _, k := range []string{"handle", "slug", "body"} {
				if v, ok := out.Node[k]; ok && v != tt.want {
					t.Errorf("%s: got %v, want %s", k, v, tt.want)
				}
			}
			if strings.Contains(tt.id, tt.typename) {
				t.Errorf("id %s is not opaque", tt.id)
			}
		})
	}

	// A draft, a comment on a draft and a well-formed id of nothing are all
	// null: existence of what may not be seen does not leak.
	hidden := func(kind string, id int64) string {
		return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + itoa(id)))
	}
	f := fixture(t)
	draftComment := f.Comment(w.draft, w.carol, nil, "early feedback", w.draft.CreatedAt)
	for name, id := range map[string]string{
		"DraftArticleIsNull":    hidden("Article", w.draft.ID),
		"ArchivedArticleIsNull": hidden("Article", w.archived.ID),
		"CommentOnDraftIsNull":  hidden("Comment", draftComment.ID),
		"MissingArticleIsNull":  hidden("Article", 999999),
		"MissingUserIsNull":     hidden("User", 999999),
		"MissingCommentIsNull":  hidden("Comment", 999999),
		"MissingCategoryIsNull": hidden("Category", 999999),
		"MissingTagIsNull":      hidden("Tag", 999999),
	} {
		t.Run(name, func(t *testing.T) {
			r := s.post(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id})
			if len(r.Errors) > 0 || string(r.Data) != `{"node":null}` {
				t.Errorf("got data %s errors %v, want node null and no error", r.Data, r.Errors)
			}
		})
	}

	t.Run("NodesReportsABadIDAtItsIndex", func(t *testing.T) {
		r := s.post(t, `query($ids: [ID!]!) { nodes(ids: $ids) { __typename } tag(slug: "go") { slug } }`,
			map[string]any{"ids": []string{ids.Tag.ID, "garbage", ids.User.ID}})
		want := `{"nodes":[{"__typename":"Tag"},null,{"__typename":"User"}],"tag":{"slug":"go"}}`
		if string(r.Data) != want {
			t.Errorf("data: got %s, want %s", r.Data, want)
		}
		if len(r.Errors) != 1 || r.Code() != "BAD_USER_INPUT" || len(r.Errors[0].Path) != 2 || r.Errors[0].Path[1] != float64(1) {
			t.Errorf("errors: got %+v, want one BAD_USER_INPUT at [nodes 1]", r.Errors)
		}
	})

	t.Run("NodesKeepsOrderWithNulls", func(t *testing.T) {
		var out struct {
			Nodes []map[string]any
		}
		list := []string{ids.Tag.ID, hidden("Article", w.draft.ID), ids.User.ID, ids.Article.ID}
		s.query(t, `query($ids: [ID!]!) { nodes(ids: $ids) { __typename } }`, map[string]any{"ids": list}, &out)
		var got []string
		for _, n := range out.Nodes {
			if n == nil {
				got = append(got, "null")
				continue
			}
			got = append(got, n["__typename"].(string))
		}
		if want := []string{"Tag", "null", "User", "Article"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
}

func TestQuery_Lookups(t *testing.T) {
	w := getWorld(t)
	s := srv(t)

	t.Run("ArticleBySlug", func(t *testing.T) {
		var out struct {
			Article struct {
				Title, Status, PublishedAt string
				ReadingMinutes             int
				Author                     struct{ Handle string }
				Category                   struct{ Slug string }
				Tags                       []struct{ Slug string }
			}
		}
		s.query(t, `{ article(slug: "keyset-pagination") { title status publishedAt readingMinutes author { handle } category { slug } tags { slug } } }`, nil, &out)
		a := out.Article
		if a.Title != w.keyset.Title || a.Status != "PUBLISHED" || a.PublishedAt != "2026-01-01T10:00:00Z" || a.Author.Handle != "alice" ||
			a.Category.Slug != "engineering" || len(a.Tags) != 2 || a.Tags[0].Slug != "go" || a.Tags[1].Slug != "postgres" || a.ReadingMinutes != 1 {
			t.Errorf("got %+v", a)
		}
	})

	t.Run("HiddenOrMissingArticleIsNull", func(t *testing.T) {
		for _, slug := range []string{w.draft.Slug, w.archived.Slug, "no-such-article"} {
			r := s.post(t, `query($s: String!) { article(slug: $s) { id } }`, map[string]any{"s": slug})
			if len(r.Errors) > 0 || string(r.Data) != `{"article":null}` {
				t.Errorf("%s: got %s %v, want null", slug, r.Data, r.Errors)
			}
		}
	})

	t.Run("UserByHandleIgnoresCase", func(t *testing.T) {
		var out struct {
			User struct {
				Handle, Role string
				Articles     articleConn
			}
		}
		s.query(t, `{ user(handle: "BOB_writes") { handle role articles(first: 1) { totalCount edges { node { slug } } pageInfo { hasNextPage } } } }`, nil, &out)
		if out.User.Handle != "Bob_Writes" || out.User.Role != "AUTHOR" || out.User.Articles.TotalCount != 2 ||
			!slices.Equal(out.User.Articles.slugs(), []string{w.readers.Slug}) || !out.User.Articles.PageInfo.HasNextPage {
			t.Errorf("got %+v", out.User)
		}
	})

	t.Run("TagArticles", func(t *testing.T) {
		var out struct {
			Tag struct {
				Name     string
				Articles articleConn
			}
		}
		s.query(t, `{ tag(slug: "go") { name articles(first: 3) { totalCount edges { node { slug } } } } }`, nil, &out)
		want := []string{w.loaders.Slug, w.keyset.Slug, w.filler[59].Slug}
		if out.Tag.Name != "Go" || out.Tag.Articles.TotalCount != 62 || !slices.Equal(out.Tag.Articles.slugs(), want) {
			t.Errorf("got %s %d %v, want Go 62 %v", out.Tag.Name, out.Tag.Articles.TotalCount, out.Tag.Articles.slugs(), want)
		}
	})

	t.Run("CategoryArticlesPageBackward", func(t *testing.T) {
		var out struct {
			Category struct {
				Articles articleConn
			}
		}
		s.query(t, `{ category(slug: "engineering") { articles(last: 2) { totalCount pageInfo { hasNextPage hasPreviousPage } edges { node { slug } } } } }`, nil, &out)
		c := out.Category.Articles
		if want := []string{w.fts.Slug, w.keyset.Slug}; !slices.Equal(c.slugs(), want) || c.TotalCount != 3 || !c.PageInfo.HasPreviousPage || c.PageInfo.HasNextPage {
			t.Errorf("got %v %+v total %d, want %v", c.slugs(), c.PageInfo, c.TotalCount, want)
		}
	})

	t.Run("TagsAndCategoriesBySlug", func(t *testing.T) {
		var out struct {
			Tags struct {
				TotalCount int
				PageInfo   pageInfo
				Nodes      []struct{ Slug string }
			}
			Categories struct {
				TotalCount int
				Nodes      []struct{ Slug string }
			}
		}
		s.query(t, `{ tags(first: 2) { totalCount pageInfo { hasNextPage endCursor } nodes { slug } } categories { totalCount nodes { slug } } }`, nil, &out)
		if out.Tags.TotalCount != 5 || len(out.Tags.Nodes) != 2 || out.Tags.Nodes[0].Slug != "design" || out.Tags.Nodes[1].Slug != "go" || !out.Tags.PageInfo.HasNextPage {
			t.Errorf("tags: got %+v", out.Tags)
		}
		if out.Categories.TotalCount != 2 || out.Categories.Nodes[0].Slug != "culture" || out.Categories.Nodes[1].Slug != "engineering" {
			t.Errorf("categories: got %+v", out.Categories)
		}
		var rest struct {
			Tags struct{ Nodes []struct{ Slug string } }
		}
		s.query(t, `query($after: String) { tags(first: 10, after: $after) { nodes { slug } } }`, map[string]any{"after": *out.Tags.PageInfo.EndCursor}, &rest)
		var got []string
		for _, n := range rest.Tags.Nodes {
			got = append(got, n.Slug)
		}
		if want := []string{"graphql", "postgres", "unused"}; !slices.Equal(got, want) {
			t.Errorf("tags after cursor: got %v, want %v", got, want)
		}
	})

	t.Run("UnusedTagHasEmptyList", func(t *testing.T) {
		var out struct {
			Tag struct{ Articles articleConn }
		}
		s.query(t, `{ tag(slug: "unused") { articles { totalCount edges { cursor } pageInfo { hasNextPage startCursor } } } }`, nil, &out)
		if out.Tag.Articles.TotalCount != 0 || len(out.Tag.Articles.Edges) != 0 || out.Tag.Articles.PageInfo.HasNextPage || out.Tag.Articles.PageInfo.StartCursor != nil {
			t.Errorf("got %+v", out.Tag.Articles)
		}
	})
}

func TestArticle_Comments(t *testing.T) {
	w := getWorld(t)
	type comment struct {
		ID, CreatedAt string
		Body          *string
		Deleted       bool
		Author        *struct{ Handle string }
		Parent        *struct{ Body string }
		Article       struct{ Slug string }
		Replies       struct {
			TotalCount int
			Nodes      []struct {
				Body   string
				Author struct{ Handle string }
				Parent struct{ Body string }
			}
		}
	}
	var out struct {
		Article struct {
			CommentCount   int
			ReactionCounts struct{ Like, Love, Insightful, Celebrate, Total int }
			Comments       struct {
				TotalCount int
				Nodes      []comment
			}
		}
	}
	srv(t).query(t, `{ article(slug: "keyset-pagination") { commentCount reactionCounts { like love insightful celebrate total }
		comments(first: 10) { totalCount nodes { id createdAt body deleted author { handle } parent { body } article { slug }
			replies(first: 10) { totalCount nodes { body author { handle } parent { body } } } } } } }`, nil, &out)
	a := out.Article

	t.Run("CountsLiveCommentsAndReplies", func(t *testing.T) {
		if a.CommentCount != 4 {
			t.Errorf("commentCount: got %d, want 4 (c1, c3 and two replies; c2 is deleted)", a.CommentCount)
		}
		if r := a.ReactionCounts; r.Like != 2 || r.Love != 1 || r.Insightful != 0 || r.Celebrate != 0 || r.Total != 3 {
			t.Errorf("reactionCounts: got %+v, want 2 likes, 1 love", r)
		}
	})

	t.Run("ThreadIsOldestFirstWithDeletedPlaceholder", func(t *testing.T) {
		c := a.Comments
		if c.TotalCount != 3 || len(c.Nodes) != 3 {
			t.Fatalf("got %d comments (total %d), want 3", len(c.Nodes), c.TotalCount)
		}
		if c.Nodes[0].Body == nil || *c.Nodes[0].Body != w.c1.Body || c.Nodes[0].Author.Handle != "carol" || c.Nodes[0].Parent != nil || c.Nodes[0].Article.Slug != w.keyset.Slug {
			t.Errorf("first comment: got %+v", c.Nodes[0])
		}
		if d := c.Nodes[1]; !d.Deleted || d.Body != nil || d.Author != nil {
			t.Errorf("deleted comment: got %+v, want deleted with body and author withheld", d)
		}
		if c.Nodes[2].Body == nil || *c.Nodes[2].Body != w.c3.Body {
			t.Errorf("third comment: got %+v", c.Nodes[2])
		}
	})

	t.Run("RepliesOldestFirst", func(t *testing.T) {
		r := a.Comments.Nodes[0].Replies
		if r.TotalCount != 2 || len(r.Nodes) != 2 || r.Nodes[0].Body != w.r1.Body || r.Nodes[0].Author.Handle != "alice" ||
			r.Nodes[1].Body != w.r2.Body || r.Nodes[0].Parent.Body != w.c1.Body {
			t.Errorf("got %+v", r)
		}
		if n := a.Comments.Nodes[2].Replies; n.TotalCount != 0 || len(n.Nodes) != 0 {
			t.Errorf("c3 replies: got %+v, want none", n)
		}
	})
}
