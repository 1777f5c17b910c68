package graph_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/folio/folio/graph"
)

// TestOverHTTP checks the status codes and bodies GraphQL over HTTP asks
// for, under each media type a client may accept.
func TestOverHTTP(t *testing.T) {
	s := srv(t)
	accept := func(mt string) http.Header { return http.Header{"Accept": {mt}} }
	const gqlResponse = "application/graphql-response+json"

	for _, tc := range []struct {
		name, accept, query string
		vars                map[string]any
		status              int
		code                string
	}{
		{"ParseErrorJSON", "application/json", "{", nil, http.StatusOK, "GRAPHQL_PARSE_FAILED"},
		{"ValidationErrorJSON", "application/json", "{ nope }", nil, http.StatusOK, "GRAPHQL_VALIDATION_FAILED"},
		{"VariableErrorJSON", "application/json", "query ($n: Int) { tags(first: $n) { totalCount } }", map[string]any{"n": "x"}, http.StatusOK, "BAD_USER_INPUT"},
		{"CeilingJSON", "", "{ " + strings.Repeat("__typename ", 2900) + "}", nil, http.StatusOK, "REPEATED_FIELD_LIMIT_EXCEEDED"},
		{"ParseErrorGraphQLResponse", gqlResponse, "{", nil, http.StatusBadRequest, "GRAPHQL_PARSE_FAILED"},
		{"ValidationErrorGraphQLResponse", gqlResponse, "{ nope }", nil, http.StatusBadRequest, "GRAPHQL_VALIDATION_FAILED"},
		{"VariableErrorGraphQLResponse", gqlResponse, "query ($n: Int) { tags(first: $n) { totalCount } }", map[string]any{"n": "x"}, http.StatusBadRequest, "BAD_USER_INPUT"},
		{"CeilingGraphQLResponse", gqlResponse + ", application/json;q=0.9", "{ " + strings.Repeat("__typename ", 2900) + "}", nil, http.StatusBadRequest, "REPEATED_FIELD_LIMIT_EXCEEDED"},
		{"NotAcceptable", "text/html", "{ __typename }", nil, http.StatusNotAcceptable, "BAD_USER_INPUT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h http.Header
			if tc.accept != "" {
				h = accept(tc.accept)
			}
			r := s.Do(t, h, tc.query, tc.vars)
			if r.Status != tc.status || r.Code() != tc.code {
				t.Fatalf("got %d %s, want %d %s: %s", r.Status, r.Code(), tc.status, tc.code, r.Raw)
			}
			if strings.Contains(r.Raw, `"data"`) {
				t.Errorf("a request error has a data entry: %s", r.Raw)
			}
			want := "application/json"
			if strings.HasPrefix(tc.accept, gqlResponse) {
				want = gqlResponse
			}
			if got := r.Header.Get("Content-Type"); got != want {
				t.Errorf("Content-Type: got %q, want %q", got, want)
			}
			if got, want := r.Header.Get("Content-Length"), strconv.Itoa(len(r.Raw)); got != want {
				t.Errorf("Content-Length: got %q, want %s", got, want)
			}
		})
	}

	t.Run("ExecutedHasData", func(t *testing.T) {
		r := s.Do(t, accept(gqlResponse), "{ __typename }", nil)
		if r.Status != http.StatusOK || string(r.Data) != `{"__typename":"Query"}` {
			t.Errorf("got %d %s", r.Status, r.Raw)
		}
		// Sent whole, under its length, not chunked.
		if got, want := r.Header.Get("Content-Length"), strconv.Itoa(len(r.Raw)); got != want {
			t.Errorf("Content-Length: got %q, want %s", got, want)
		}
	})
	t.Run("NoDocument", func(t *testing.T) {
		r := s.Post(t, "application/json", strings.NewReader(`{"variables": {}}`))
		if r.Status != http.StatusBadRequest || r.Code() == "" {
			t.Errorf("got %d %s, want 400 with a code", r.Status, r.Raw)
		}
	})
	t.Run("GetMalformedVariables", func(t *testing.T) {
		r := s.Get(t, nil, url.Values{"query": {"query ($n: Int) { tags(first: $n) { totalCount } }"}, "variables": {"{nope"}})
		if r.Status != http.StatusBadRequest || r.Code() != "BAD_USER_INPUT" {
			t.Errorf("got %d %s, want 400 BAD_USER_INPUT", r.Status, r.Raw)
		}
	})
	t.Run("GetMutation", func(t *testing.T) {
		r := s.Get(t, nil, url.Values{"query": {"mutation { signOut }"}})
		if r.Status != http.StatusMethodNotAllowed || r.Code() != "BAD_USER_INPUT" || r.Header.Get("Allow") != "POST" {
			t.Errorf("got %d Allow %q %s, want 405 Allow POST", r.Status, r.Header.Get("Allow"), r.Raw)
		}
	})
	t.Run("FractionalVariableMessage", func(t *testing.T) {
		r := s.Do(t, nil, "query ($n: Int) { tags(first: $n) { totalCount } }", map[string]any{"n": 2.5})
		if len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, `Variable "$n" must be an Int`) {
			t.Errorf("got %s, want the variable named and the Int range", r.Raw)
		}
	})
}

// TestTypeExists checks that with introspection off, `__type(name:) { name }`
// says whether a type exists (what validation tells anyone) and nothing
// more of the schema is answered.
func TestTypeExists(t *testing.T) {
	s := newServer(t, testDB, func(o *graph.Options) { o.Introspection = false })
	r := s.Do(t, nil, `query ($name: String!) { __type(name: $name) { name __typename } }`, map[string]any{"name": "Article"})
	if r.Status != http.StatusOK || len(r.Errors) != 0 || string(r.Data) != `{"__type":{"name":"Article","__typename":"__Type"}}` {
		t.Errorf("a type's name: got %d %s", r.Status, r.Raw)
	}
	for _, q := range []string{
		`{ __type(name: "Article") { name fields { name } } }`,
		`{ __type(name: "Article") { ... on __Type { name } } }`,
		`{ __type(name: "Article") { ...T } } fragment T on __Type { name }`,
		`{ __type(name: "Article") { name } __schema { queryType { name } } }`,
		`{ ...S } fragment S on Query { __schema { types { name } } }`,
	} {
		if r := s.Do(t, nil, q, nil); !strings.Contains(r.Raw, "Introspection is disabled") {
			t.Errorf("%s: got %s, want introspection refused", q, r.Raw)
		}
	}
}
