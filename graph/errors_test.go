package graph_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/postgres"
)

func TestBadInput(t *testing.T) {
	getWorld(t)
	s := srv(t)
	var page struct{ Articles articleConn }
	s.query(t, `{ articles(first: 1) { pageInfo { endCursor } edges { cursor node { slug } } } }`, nil, &page)
	articleCursor := page.Articles.Edges[0].Cursor
	var tags struct {
		Tags struct{ Edges []struct{ Cursor string } }
	}
	s.query(t, `{ tags(first: 1) { edges { cursor } } }`, nil, &tags)
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	tooMany := make([]string, 101)
	for i := range tooMany {
		tooMany[i] = b64("Tag:1")
	}

	tests := []struct {
		name    string
		query   string
		vars    map[string]any
		mention string // a word the message must contain, so a person can act on it
	}{
		{"MalformedID", `{ node(id: "not-an-id!") { id } }`, nil, "not a Folio ID"},
		{"IDOfUnknownType", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": b64("Secret:1")}, "not a Folio ID"},
		{"IDWithBadNumber", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": b64("User:abc")}, "not a Folio ID"},
		{"AuthorIDOfWrongType", `query($f: ArticleFilter) { articles(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"authorId": b64("Tag:1")}}, "must be the ID of a User, but it names a Tag."},
		{"MalformedCursor", `{ articles(after: "%%%") { totalCount } }`, nil, "cursor"},
		{"CursorNotBase64OfOurs", `query($c: String) { articles(after: $c) { totalCount } }`, map[string]any{"c": b64("v1|pub|x|1")}, "cursor"},
		{"CursorOfAnotherList", `query($c: String) { articles(after: $c) { totalCount } }`, map[string]any{"c": tags.Tags.Edges[0].Cursor}, "cursor"},
		{"CursorOfAnotherOrder", `query($c: String) { articles(after: $c, orderBy: {field: CREATED_AT, direction: DESC}) { totalCount } }`, map[string]any{"c": articleCursor}, "cursor"},
		{"NegativeFirst", `{ articles(first: -1) { totalCount } }`, nil, "between 0 and 100"},
		{"FirstTooLarge", `{ articles(first: 1000) { totalCount } }`, nil, "between 0 and 100"},
		{"LastTooLarge", `{ tags(last: 101) { totalCount } }`, nil, "between 0 and 100"},
		{"NestedFirstTooLarge", `{ article(slug: "keyset-pagination") { comments(first: 500) { totalCount } } }`, nil, "between 0 and 100"},
		{"FirstAndLast", `{ articles(first: 1, last: 1) { totalCount } }`, nil, "either first or last"},
		{"UnknownEnumLiteral", `{ articles(orderBy: {field: POPULARITY, direction: DESC}) { totalCount } }`, nil, "POPULARITY"},
		{"UnknownEnumVariable", `query($f: ArticleFilter) { articles(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"status": []string{"DELETED"}}}, "DELETED"},
		{"WrongScalarType", `{ articles(first: "ten") { totalCount } }`, nil, "Int"},
		{"MalformedTime", `query($f: ArticleFilter) { articles(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"publishedAfter": "yesterday"}}, "publishedAfter must be a time in RFC 3339 form, such as 2026-01-31T09:00:00Z."},
		{"MalformedTimeLiteral", `{ articles(filter: {publishedBefore: "soon"}) { totalCount } }`, nil, "publishedBefore must be a time in RFC 3339 form"},
		{"EmptyRange", `query($f: ArticleFilter) { articles(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"publishedAfter": "2026-02-01T00:00:00Z", "publishedBefore": "2026-01-01T00:00:00Z"}}, "later"},
		{"TooManyTags", `query($f: ArticleFilter) { articles(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"tags": []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}}}, "at most 10"},
		{"EmptySearch", `{ search(query: "   ") { totalCount } }`, nil, "empty"},
		{"LongSearch", `query($q: String!) { search(query: $q) { totalCount } }`, map[string]any{"q": strings.Repeat("word ", 60)}, "256"},
		{"NULInSearch", `query($q: String!) { search(query: $q) { totalCount } }`, map[string]any{"q": "go\u0000lang"}, "NUL"},
		{"NULInFilterTag", `query($f: ArticleFilter) { articles(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"tags": []string{"go\u0000"}}}, "not a tag slug"},
		{"MalformedFilterHandle", `query($f: ArticleFilter) { articles(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"authorHandle": "no spaces allowed"}}, "not a handle"},
		{"MalformedFilterCategory", `query($f: ArticleFilter) { articles(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"category": "Not_A_Slug"}}, "not a category slug"},
		{"CursorWithNUL", `query($c: String) { tags(after: $c) { totalCount } }`, map[string]any{"c": b64("v1|slug|a\u0000b|1")}, "cursor"},
		{"CursorTimeOutOfRange", `query($c: String) { articles(after: $c) { totalCount } }`, map[string]any{"c": b64("v1|pub|-9000000000000000000|5")}, "cursor"},
		{"TooManyNodes", `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": tooMany}, "at most 100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.post(t, tt.query, tt.vars)
			if r.Status >= 500 {
				t.Fatalf("status %d: bad input must never be a server error", r.Status)
			}
			if r.Code() != "BAD_USER_INPUT" {
				t.Fatalf("code: got %q (errors %+v), want BAD_USER_INPUT", r.Code(), r.Errors)
			}
			if !strings.Contains(r.Errors[0].Message, tt.mention) {
				t.Errorf("message %q does not mention %q", r.Errors[0].Message, tt.mention)
			}
		})
	}

	t.Run("MalformedSlugsAreNullAndSpareTheirSiblings", func(t *testing.T) {
		r := s.post(t, `query($bad: String!, $badHandle: String!) { a: article(slug: $bad) { id } b: article(slug: "keyset-pagination") { slug }
			t: tag(slug: $bad) { id } c: category(slug: $bad) { id } u: user(handle: $badHandle) { id } }`,
			map[string]any{"bad": "x\u0000y", "badHandle": "al\u0000ice"})
		want := `{"a":null,"b":{"slug":"keyset-pagination"},"t":null,"c":null,"u":null}`
		if len(r.Errors) > 0 || string(r.Data) != want {
			t.Errorf("got %s %+v, want %s", r.Data, r.Errors, want)
		}
	})

	t.Run("FieldNamedInExtensions", func(t *testing.T) {
		r := s.post(t, `{ articles(first: -1) { totalCount } }`, nil)
		if r.Errors[0].Extensions["field"] != "first" || r.Errors[0].Path[0] != "articles" {
			t.Errorf("got %+v, want extensions.field first and path articles", r.Errors[0])
		}
	})

	t.Run("UnknownFieldIsValidationError", func(t *testing.T) {
		r := s.post(t, `{ articles { nope } }`, nil)
		if r.Code() != "GRAPHQL_VALIDATION_FAILED" || r.Status >= 500 {
			t.Errorf("got status %d code %q, want GRAPHQL_VALIDATION_FAILED", r.Status, r.Code())
		}
	})

	t.Run("SyntaxErrorIsParseError", func(t *testing.T) {
		r := s.post(t, `{ articles { `, nil)
		if r.Code() != "GRAPHQL_PARSE_FAILED" || r.Status >= 500 {
			t.Errorf("got status %d code %q, want GRAPHQL_PARSE_FAILED", r.Status, r.Code())
		}
	})
}

// TestBadInput_VariableMessages checks that a variable gqlparser refuses is
// named in a sentence, with its path, rather than in its terse words
// ("must be defined", "cannot use string as Int").
func TestBadInput_VariableMessages(t *testing.T) {
	getWorld(t)
	s := srv(t)
	const filter = `query($f: ArticleFilter) { articles(filter: $f, first: 1) { totalCount } }`
	const react = `mutation($i: ReactionInput!) { addReaction(input: $i) { userErrors { message } } }`
	const nodes = `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`
	const first = `query($n: Int!) { articles(first: $n) { totalCount } }`
	for _, tt := range []struct {
		name, query string
		vars        map[string]any
		want        string
	}{
		{"Missing", first, nil, `Variable "$n" is required: give it a value.`},
		{"Null", first, map[string]any{"n": nil}, `Variable "$n" cannot be null.`},
		{"WrongScalar", first, map[string]any{"n": "ten"}, `Variable "$n" must be an Int, not a string.`},
		{"Fraction", first, map[string]any{"n": 2.5}, `Variable "$n" must be an Int: a whole number from -2147483648 to 2147483647.`},
		{"NotAnObject", filter, map[string]any{"f": "go"}, `Variable "$f" must be an ArticleFilter (an object), not a string.`},
		{"UnknownField", filter, map[string]any{"f": map[string]any{"colour": "red"}}, `Variable "$f" has a field "colour" that its type does not define.`},
		{"MissingField", react, map[string]any{"i": map[string]any{"kind": "LIKE"}}, `Variable "$i" lacks the required field "articleId".`},
		{"NotAnEnumValue", react, map[string]any{"i": map[string]any{"articleId": "x", "kind": "MEH"}}, `Variable "$i.kind" must be one of ReactionKind's values; "MEH" is not one.`},
		{"NullInList", nodes, map[string]any{"ids": []any{"a", nil}}, `Variable "$ids[1]" cannot be null.`},
		{"WrongInList", nodes, map[string]any{"ids": []any{"a", true}}, `Variable "$ids[1]" must be an ID, not a boolean.`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := s.post(t, tt.query, tt.vars)
			if r.Code() != "BAD_USER_INPUT" || len(r.Errors) != 1 || r.Errors[0].Message != tt.want {
				t.Errorf("got %s %+v, want BAD_USER_INPUT: %s", r.Code(), r.Errors, tt.want)
			}
		})
	}
}

// faultyStore injects the faults Postgres cannot be made to produce on cue:
// a driver error full of internals, and a panic.
type faultyStore struct {
	folio.Store
}

func (faultyStore) ListTags(context.Context, folio.Page) (folio.List[*folio.Tag], error) {
	return folio.List[*folio.Tag]{}, errors.New(`query tags: FATAL: password authentication failed for user "folio_admin" at 10.0.0.7`)
}

func (faultyStore) ListCategories(context.Context, folio.Page) (folio.List[*folio.Category], error) {
	panic("index out of range [3] with length 3")
}

// ArticlesByAuthors panics where the planner loads a level's relations,
// off the executor's goroutine.
func (faultyStore) ArticlesByAuthors(context.Context, folio.Viewer, []int64, folio.Page) (map[int64]folio.List[*folio.Article], error) {
	panic("index out of range [4] with length 4")
}

func TestInternalErrors(t *testing.T) {
	getWorld(t)
	s := newServer(t, faultyStore{Store: testDB})

	for name, query := range map[string]string{
		"ErrorDetailsStayInTheLog": `{ tags { totalCount } }`,
		"PanicIsRecovered":         `{ categories { totalCount } }`,
		"PanicInThePlanner":        `{ articles(first: 3) { nodes { slug author { articles(first: 1) { nodes { slug } } } } } }`,
	} {
		t.Run(name, func(t *testing.T) {
			r := s.post(t, query, nil)
			if r.Code() != "INTERNAL_SERVER_ERROR" {
				t.Fatalf("code: got %q (%+v), want INTERNAL_SERVER_ERROR", r.Code(), r.Errors)
			}
			id, _ := r.Errors[0].Extensions["requestId"].(string)
			if id == "" || id != r.Header.Get("X-Request-ID") {
				t.Errorf("requestId %q, header %q: want the same non-empty id", id, r.Header.Get("X-Request-ID"))
			}
			msg := r.Errors[0].Message
			for _, leak := range []string{"password", "folio_admin", "10.0.0.7", "index out of range"} {
				if strings.Contains(msg, leak) {
					t.Errorf("message %q leaks %q", msg, leak)
				}
			}
			if !strings.Contains(s.logs.String(), id) {
				t.Errorf("log lacks request id %s:\n%s", id, s.logs.String())
			}
		})
	}

	t.Run("ServerKeepsServing", func(t *testing.T) {
		r := s.post(t, `{ article(slug: "keyset-pagination") { title } }`, nil)
		if r.Status != http.StatusOK || len(r.Errors) > 0 {
			t.Errorf("got %d %+v after a panic, want a normal answer", r.Status, r.Errors)
		}
	})

	t.Run("LogHasTheDetails", func(t *testing.T) {
		logs := s.logs.String()
		if !strings.Contains(logs, "folio_admin") || !strings.Contains(logs, "index out of range") {
			t.Errorf("the log should keep what the client was not shown:\n%s", logs)
		}
	})
}

func TestTransportErrors(t *testing.T) {
	getWorld(t)
	s := srv(t)
	send := func(t *testing.T, method, contentType, body string) (int, response, string) {
		t.Helper()
		req, err := http.NewRequest(method, s.URL, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		// Past CSRF (which refuses a form-like POST without it: httpapi's
		// tests), to the checks of what GraphQL over HTTP accepts.
		req.Header.Set("X-Folio-CSRF", "1")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		var r response
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatalf("response is not JSON: %q", raw)
		}
		return res.StatusCode, r, string(raw)
	}
	secret := `{"query": "{ articles { totalCount } }", "variables": {"token": "s3cr3t-value"`
	tests := []struct {
		name, method, contentType, body string
		status                          int
	}{
		{"MalformedJSON", "POST", "application/json", secret, http.StatusBadRequest},
		{"NotJSON", "POST", "text/plain", `{"query":"{ tags { totalCount } }"}`, http.StatusUnsupportedMediaType},
		{"FormPost", "POST", "application/x-www-form-urlencoded", "query=%7B%7D", http.StatusUnsupportedMediaType},
		{"NoContentType", "POST", "", `{"query":"{ tags { totalCount } }"}`, http.StatusUnsupportedMediaType},
		{"WrongMethod", "PUT", "application/json", `{"query":"{ tags { totalCount } }"}`, http.StatusMethodNotAllowed},
		{"BodyTooLarge", "POST", "application/json", `{"query":"` + strings.Repeat(" ", 1<<20) + `{ tags { totalCount } }"}`, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, r, raw := send(t, tt.method, tt.contentType, tt.body)
			if status != tt.status || r.Code() != "BAD_USER_INPUT" {
				t.Errorf("got %d %q, want %d BAD_USER_INPUT: %s", status, r.Code(), tt.status, raw)
			}
			if strings.Contains(raw, "s3cr3t") || strings.Contains(s.logs.String(), "s3cr3t") {
				t.Errorf("the request body was echoed or logged")
			}
		})
	}
	t.Run("GetQueryWorks", func(t *testing.T) {
		status, r, raw := send(t, "GET", "", "")
		_ = r
		if status >= 500 {
			t.Errorf("GET without a query: got %d %s", status, raw)
		}
		res, err := http.Get(s.URL + "?query=" + url.QueryEscape("{ tags(first: 1) { nodes { slug } } }"))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || !strings.Contains(string(body), `"slug":"design"`) {
			t.Errorf("got %d %s", res.StatusCode, body)
		}
	})
}

// slowArticle looks an article up after a statement that outlasts any
// test deadline, so the request's deadline cancels real SQL.
type slowArticle struct{ *postgres.DB }

func (s slowArticle) ArticleBySlugWith(ctx context.Context, slug string, w folio.ArticleWith) (folio.ArticlePage, error) {
	if _, err := s.Pool.Exec(ctx, "SELECT pg_sleep(5)"); err != nil {
		return folio.ArticlePage{}, err
	}
	return s.DB.ArticleBySlugWith(ctx, slug, w)
}

func TestTimeout(t *testing.T) {
	getWorld(t)
	s := newTimedServer(t, slowArticle{testDB}, 50*time.Millisecond)
	r := s.post(t, `{ article(slug: "keyset-pagination") { author { handle } } }`, nil)
	if r.Code() != "TIMEOUT" || r.Status >= 500 {
		t.Fatalf("got %d %+v, want a TIMEOUT error (the article's statement sleeps past the 50ms deadline)", r.Status, r.Errors)
	}
	if strings.Contains(s.logs.String(), `"level":"ERROR"`) {
		t.Errorf("a timeout is not an internal error, but it was logged as one:\n%s", s.logs.String())
	}
}

// failingBatch fails every read of an article that asks for the pages
// below it too, as a batch does when one of its statements fails.
type failingBatch struct{ *postgres.DB }

func (s failingBatch) ArticleBySlugWith(ctx context.Context, slug string, w folio.ArticleWith) (folio.ArticlePage, error) {
	if w.Comments != nil || w.ByAuthor != nil {
		return folio.ArticlePage{}, errors.New("ERROR: canceling statement due to statement timeout (SQLSTATE 57014)")
	}
	return s.DB.ArticleBySlugWith(ctx, slug, w)
}

// TestArticle_FailedBatchReadsApart: when the batch of an article and the
// pages below it fails, the article is read alone and the pages by their
// loaders, so that only what fails again fails.
func TestArticle_FailedBatchReadsApart(t *testing.T) {
	getWorld(t)
	s := newServer(t, failingBatch{testDB})
	var out struct {
		Article struct {
			Title  string
			Author struct {
				Articles struct{ Nodes []struct{ Slug string } }
			}
			Comments struct{ Nodes []struct{ Body *string } }
		}
	}
	s.query(t, `{ article(slug: "keyset-pagination") { title author { articles(first: 2) { nodes { slug } } } comments(first: 2) { nodes { body } } } }`, nil, &out)
	if out.Article.Title == "" || len(out.Article.Author.Articles.Nodes) == 0 || len(out.Article.Comments.Nodes) == 0 {
		t.Errorf("got %+v, want the article with its author's articles and its comments", out.Article)
	}
}
