package e2e

import (
	"errors"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/folio/folio/test/e2e/client"
)

// errorCode returns the extensions.code and extensions.field of the first
// GraphQL error in err, as a client branches on them.
func errorCode(t *testing.T, err error) (code, field string) {
	t.Helper()
	var list gqlerror.List
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("got error %v, want GraphQL errors", err)
	}
	code, _ = list[0].Extensions["code"].(string)
	field, _ = list[0].Extensions["field"].(string)
	return code, field
}

func ptr[T any](v T) *T { return &v }

// deref reads a nullable interface field (genqlient makes it a pointer to
// the interface); nil stays nil.
func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestHomeFeed(t *testing.T) {
	ctx, c := testContext(t), newClient(nil)
	first, err := client.HomeFeed(ctx, c, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	page := first.Articles
	if len(page.Edges) != 20 || !page.PageInfo.HasNextPage || page.PageInfo.EndCursor == nil {
		t.Fatalf("got %d edges, hasNextPage %v, want a full first page of 20 with more to come", len(page.Edges), page.PageInfo.HasNextPage)
	}
	for i, e := range page.Edges {
		n := e.Node
		if n.Id == "" || n.Slug == "" || n.Title == "" || n.Author.Handle == "" || n.PublishedAt == nil {
			t.Errorf("edge %d is missing what a card shows: %+v", i, n)
		}
		if n.ReactionCounts.Total != n.ReactionCounts.Like+n.ReactionCounts.Love+n.ReactionCounts.Insightful+n.ReactionCounts.Celebrate {
			t.Errorf("edge %d: reaction total %d is not the sum of its kinds %+v", i, n.ReactionCounts.Total, n.ReactionCounts)
		}
		if i > 0 && n.PublishedAt.After(*page.Edges[i-1].Node.PublishedAt) {
			t.Errorf("edge %d was published after edge %d: want newest first", i, i-1)
		}
	}

	t.Run("NextPage", func(t *testing.T) {
		next, err := client.HomeFeed(ctx, c, ptr(5), page.PageInfo.EndCursor)
		if err != nil {
			t.Fatal(err)
		}
		if len(next.Articles.Edges) != 5 {
			t.Fatalf("got %d edges, want 5", len(next.Articles.Edges))
		}
		seen := map[string]bool{}
		for _, e := range page.Edges {
			seen[e.Node.Id] = true
		}
		for _, e := range next.Articles.Edges {
			if seen[e.Node.Id] {
				t.Errorf("article %s is on both pages", e.Node.Slug)
			}
		}
		if last, nxt := page.Edges[19].Node.PublishedAt, next.Articles.Edges[0].Node.PublishedAt; nxt.After(*last) {
			t.Errorf("page two starts at %v, after page one's end %v", nxt, last)
		}
	})
	t.Run("BadCursor", func(t *testing.T) {
		_, err := client.HomeFeed(ctx, c, nil, ptr("not-a-cursor"))
		if code, field := errorCode(t, err); code != "BAD_USER_INPUT" || field != "after" {
			t.Errorf("got code %q field %q, want BAD_USER_INPUT on after", code, field)
		}
	})
	t.Run("PageTooLarge", func(t *testing.T) {
		_, err := client.HomeFeed(ctx, c, ptr(101), nil)
		if code, _ := errorCode(t, err); code != "BAD_USER_INPUT" {
			t.Errorf("got code %q, want BAD_USER_INPUT for first: 101", code)
		}
	})
}

func TestArticlePage(t *testing.T) {
	ctx, c := testContext(t), newClient(nil)
	feed, err := client.HomeFeed(ctx, c, ptr(20), nil)
	if err != nil {
		t.Fatal(err)
	}
	// The demo data spreads comments unevenly: pick the feed's most
	// commented article so the thread has something in it.
	card := slices.MaxFunc(feed.Articles.Edges, func(a, b client.HomeFeedArticlesArticleConnectionEdgesArticleEdge) int {
		return a.Node.CommentCount - b.Node.CommentCount
	}).Node
	if card.CommentCount == 0 {
		t.Fatal("no article of the first page has comments; the demo data should give them some")
	}

	t.Run("OK", func(t *testing.T) {
		res, err := client.ArticlePage(ctx, c, card.Slug)
		if err != nil {
			t.Fatal(err)
		}
		a := res.Article
		if a == nil || a.Id != card.Id || a.Title != card.Title || a.Body == "" {
			t.Fatalf("got %+v, want the article %s with its body", a, card.Slug)
		}
		if a.Author.Handle != card.Author.Handle || len(a.Author.Articles.Nodes) == 0 || len(a.Author.Articles.Nodes) > 3 {
			t.Errorf("author %s with %d latest articles, want %s with 1 to 3", a.Author.Handle, len(a.Author.Articles.Nodes), card.Author.Handle)
		}
		comments := a.Comments
		if len(comments.Nodes) == 0 || comments.TotalCount < len(comments.Nodes) || len(comments.Nodes) > 20 {
			t.Errorf("got %d comments of %d, want 1 to 20 of a total at least that", len(comments.Nodes), comments.TotalCount)
		}
		replies := 0
		for _, cm := range comments.Nodes {
			if cm.Deleted != (cm.Body == nil) || cm.Deleted != (cm.Author == nil) {
				t.Errorf("comment %s: deleted %v but body %v author %v", cm.Id, cm.Deleted, cm.Body, cm.Author)
			}
			if len(cm.Replies.Nodes) > 5 || cm.Replies.TotalCount < len(cm.Replies.Nodes) {
				t.Errorf("comment %s: %d replies of %d, want at most 5", cm.Id, len(cm.Replies.Nodes), cm.Replies.TotalCount)
			}
			replies += cm.Replies.TotalCount
		}
		if replies+comments.TotalCount < card.CommentCount && !comments.PageInfo.HasNextPage {
			t.Errorf("the thread shows %d comments and replies, the card counts %d", replies+comments.TotalCount, card.CommentCount)
		}
	})
	t.Run("Missing", func(t *testing.T) {
		res, err := client.ArticlePage(ctx, c, "no-such-article-anywhere")
		if err != nil || res.Article != nil {
			t.Errorf("got %+v, %v; want a null article and no error", res.Article, err)
		}
	})
}

func TestSearch(t *testing.T) {
	ctx, c := testContext(t), newClient(nil)
	res, err := client.Search(ctx, c, "postgres", ptr(5), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := res.Search
	if s.TotalCount == 0 || len(s.Edges) == 0 || len(s.Edges) > 5 {
		t.Fatalf("got %d results of %d, want 1 to 5 for a word the demo data uses", len(s.Edges), s.TotalCount)
	}
	for i, e := range s.Edges {
		if i > 0 && e.Rank > s.Edges[i-1].Rank {
			t.Errorf("result %d ranks %v above result %d's %v: want best first", i, e.Rank, i-1, s.Edges[i-1].Rank)
		}
		if !strings.Contains(strings.ToLower(e.Node.Title+e.Snippet), "postgres") {
			t.Errorf("result %s neither mentions postgres in its title nor its snippet %q", e.Node.Slug, e.Snippet)
		}
	}
	t.Run("EmptyQuery", func(t *testing.T) {
		_, err := client.Search(ctx, c, "", nil, nil)
		if code, _ := errorCode(t, err); code != "BAD_USER_INPUT" {
			t.Errorf("got code %q, want BAD_USER_INPUT", code)
		}
	})
}

func TestNode(t *testing.T) {
	ctx, c := testContext(t), newClient(nil)
	feed, err := client.HomeFeed(ctx, c, ptr(1), nil)
	if err != nil {
		t.Fatal(err)
	}
	article := feed.Articles.Edges[0].Node
	tax, err := client.Taxonomy(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(tax.Tags.Nodes) == 0 || len(tax.Categories.Nodes) == 0 {
		t.Fatal("the demo data has no tags or categories")
	}
	tag, category := tax.Tags.Nodes[0], tax.Categories.Nodes[0]

	t.Run("Article", func(t *testing.T) {
		res, err := client.Node(ctx, c, article.Id)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := deref(res.Node).(*client.NodeNodeArticle)
		if !ok || got.Slug != article.Slug || got.Author.Handle != article.Author.Handle {
			t.Errorf("got %#v, want the article %s", res.Node, article.Slug)
		}
	})
	t.Run("TagAndCategory", func(t *testing.T) {
		res, err := client.Node(ctx, c, tag.Id)
		if got, ok := deref(res.Node).(*client.NodeNodeTag); err != nil || !ok || got.Slug != tag.Slug {
			t.Errorf("got %#v, %v; want the tag %s", res.Node, err, tag.Slug)
		}
		res, err = client.Node(ctx, c, category.Id)
		if got, ok := deref(res.Node).(*client.NodeNodeCategory); err != nil || !ok || got.Slug != category.Slug {
			t.Errorf("got %#v, %v; want the category %s", res.Node, err, category.Slug)
		}
	})
	t.Run("Nodes", func(t *testing.T) {
		// An ID that is well formed but names nothing: Article:999999999.
		const missing = "QXJ0aWNsZTo5OTk5OTk5OTk"
		res, err := client.Nodes(ctx, c, []string{tag.Id, missing, article.Id, category.Id})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, n := range res.Nodes {
			if n == nil {
				got = append(got, "null")
				continue
			}
			got = append(got, *(*n).GetTypename()+":"+(*n).GetId())
		}
		want := []string{"Tag:" + tag.Id, "null", "Article:" + article.Id, "Category:" + category.Id}
		if !slices.Equal(got, want) {
			t.Errorf("got %v, want %v (in the order asked, null for the missing one)", got, want)
		}
	})
	t.Run("MalformedID", func(t *testing.T) {
		_, err := client.Node(ctx, c, "42")
		if code, field := errorCode(t, err); code != "BAD_USER_INPUT" || field != "id" {
			t.Errorf("got code %q field %q, want BAD_USER_INPUT on id", code, field)
		}
	})
}

// TestPublishedSchema checks that the binary publishes the schema clients are
// generated from, byte for byte.
func TestPublishedSchema(t *testing.T) {
	want, err := os.ReadFile("../../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Get(baseURL + "/schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	got, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/plain; charset=utf-8" || res.Header.Get("ETag") == "" {
		t.Errorf("got %d %q ETag %q, want 200 text/plain; charset=utf-8 with an ETag", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("ETag"))
	}
	if strings.TrimSpace(string(got)) != strings.TrimSpace(string(want)) {
		t.Errorf("/schema.graphql differs from schema.graphqls (%d bytes, want %d)", len(got), len(want))
	}
}
