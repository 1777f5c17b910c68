package subscriptions_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/folio/folio/internal/folio"
)

// TestWebSocket_QueriesShareNoCutRows: a query on a WebSocket reads its
// authors cut to what it shows (folio.Related.AuthorColumns); a later
// query on the socket that shows more of the same user gets it whole, not
// the row the first one cut.
func TestWebSocket_QueriesShareNoCutRows(t *testing.T) {
	c := newCluster(t)
	s := c.start(t)
	author := c.user(t, folio.RoleAuthor)
	if _, err := testDB.Pool.Exec(context.Background(), `UPDATE users SET bio = 'Writes about ' || handle WHERE id = $1`, author.ID); err != nil {
		t.Fatal(err)
	}
	art := c.article(t, author, folio.StatusPublished)
	fixture(t).Comment(art, author, nil, "First.", time.Now().UTC().Add(-time.Minute))

	ws := mustDial(t, s, "graphql-transport-ws", nil)
	ws.init(nil)
	ws.subscribe("1", `query($s: String!) { article(slug: $s) { comments(first: 5) { nodes { author { handle } } } } }`,
		map[string]any{"s": art.Slug})
	if r := ws.next(5 * time.Second); len(r.Errors) > 0 {
		t.Fatalf("first query: %+v", r.Errors)
	}
	ws.mustRead(5*time.Second, "complete")
	ws.subscribe("2", `query($id: ID!) { node(id: $id) { ... on User { handle bio createdAt } } }`,
		map[string]any{"id": folio.NodeID(folio.KindUser, author.ID)})
	r := ws.next(5 * time.Second)
	var out struct {
		Node struct{ Handle, Bio, CreatedAt string }
	}
	if err := json.Unmarshal(r.Data, &out); err != nil || len(r.Errors) > 0 {
		t.Fatalf("second query: %v %+v", err, r.Errors)
	}
	if want := "Writes about " + author.Handle; out.Node.Bio != want || out.Node.CreatedAt == "" {
		t.Errorf("the second query shows %+v, want bio %q and a creation time", out.Node, want)
	}
}

// TestWebSocket_LaterQuerySeesWrites: a query on a WebSocket reads the
// database as it is, not the rows an earlier query on the socket read.
func TestWebSocket_LaterQuerySeesWrites(t *testing.T) {
	c := newCluster(t)
	s := c.start(t)
	art := c.article(t, c.user(t, folio.RoleAuthor), folio.StatusPublished)
	ws := mustDial(t, s, "graphql-transport-ws", nil)
	ws.init(nil)
	const q = `query($s: String!) { article(slug: $s) { title } }`
	for i, want := range []string{art.Title, "Retitled"} {
		if i > 0 {
			if _, err := testDB.Pool.Exec(context.Background(), `UPDATE articles SET title = $2 WHERE id = $1`, art.ID, want); err != nil {
				t.Fatal(err)
			}
		}
		ws.subscribe(strconv.Itoa(i+1), q, map[string]any{"s": art.Slug})
		r := ws.next(5 * time.Second)
		ws.mustRead(5*time.Second, "complete")
		var out struct{ Article struct{ Title string } }
		if err := json.Unmarshal(r.Data, &out); err != nil || len(r.Errors) > 0 {
			t.Fatalf("query %d: %v %+v", i+1, err, r.Errors)
		}
		if out.Article.Title != want {
			t.Errorf("query %d on the socket shows title %q, want %q", i+1, out.Article.Title, want)
		}
	}
}
