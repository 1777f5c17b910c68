package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/folio/folio/test/e2e/client"
)

// TestIdempotencyKey checks a mutation retried with its Idempotency-Key
// runs once through the real server: the retry gets the first answer, the
// article gets one comment, and the key reused with another request is
// refused.
func TestIdempotencyKey(t *testing.T) {
	ctx := testContext(t)
	a := signUp(t)
	feed, err := client.HomeFeed(ctx, newClient(nil), ptr(1), nil)
	if err != nil {
		t.Fatal(err)
	}
	articleID := feed.Articles.Edges[0].Node.Id
	const add = `mutation ($a: ID!, $b: String!) { addComment(input: {articleId: $a, body: $b}) { comment { id } userErrors { code } } }`
	send := func(key, body string) (int, http.Header, string) {
		t.Helper()
		b, _ := json.Marshal(map[string]any{"query": add, "variables": map[string]any{"a": articleID, "b": body}})
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/query", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+a.accessToken)
		req.Header.Set("Idempotency-Key", key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header, string(out)
	}
	key := "e2e-" + a.handle
	s1, _, first := send(key, "Once only, please.")
	s2, h2, again := send(key, "Once only, please.")
	if s1 != http.StatusOK || !strings.Contains(first, `"comment":{"id":`) {
		t.Fatalf("first: got %d %s, want the comment", s1, first)
	}
	if s2 != s1 || again != first || h2.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry: got %d %s (replayed %q), want the first answer, replayed", s2, again, h2.Get("Idempotent-Replayed"))
	}
	s3, _, other := send(key, "Something else.")
	if s3 != http.StatusUnprocessableEntity || !strings.Contains(other, `"code":"IDEMPOTENCY_KEY_REUSED"`) {
		t.Errorf("another request with the key: got %d %s, want 422 IDEMPOTENCY_KEY_REUSED", s3, other)
	}
	// One comment of that text on the article.
	var count struct {
		Data struct {
			Node struct {
				Comments struct {
					Nodes []struct{ Body string }
				}
			}
		}
	}
	b, _ := json.Marshal(map[string]any{"query": `query ($a: ID!) { node(id: $a) { ... on Article { comments(last: 50) { nodes { body } } } } }`, "variables": map[string]any{"a": articleID}})
	res, err := http.Post(baseURL+"/query", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(&count); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range count.Data.Node.Comments.Nodes {
		if c.Body == "Once only, please." {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the article has %d comments of that text, want 1", n)
	}
}
