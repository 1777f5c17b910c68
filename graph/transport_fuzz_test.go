package graph

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/folio/folio/internal/httpapi"
)

// FuzzRequestParams checks that no body, query string or Accept header makes
// the HTTP request decoder panic, that a refusal is short, valid UTF-8 and
// never echoes the request, and that an accepted body kept its query. Its
// seed corpus is in testdata/fuzz/FuzzRequestParams.
func FuzzRequestParams(f *testing.F) {
	f.Add([]byte(`{"query":"{ __typename }","variables":{"n":1},"operationName":null,"extensions":{}}`), "query=%7B+__typename+%7D&variables=%7B%7D", "application/graphql-response+json, application/json;q=0.9")
	f.Add([]byte(`{"query":`), "variables=%7Bnope", "text/html")
	f.Add([]byte(`[]`), "query=%ZZ", "*/*;q=0")
	f.Add([]byte(`{"query":"{ a }"} {"query":"{ b }"}`), "", "application/json;q=abc")
	f.Fuzz(func(t *testing.T, body []byte, rawQuery, accept string) {
		post, err := http.NewRequest(http.MethodPost, "/query", bytes.NewReader(body))
		if err != nil {
			t.Skip()
		}
		p, ferr := requestParams(post, fileLimits{})
		if ferr != nil {
			checkRequestRefusal(t, ferr.Message, string(body))
		} else if p == nil {
			t.Fatal("no params and no error")
		}
		get := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/query", RawQuery: rawQuery}, Header: http.Header{"Accept": {accept}}}
		if _, ferr := requestParams(get, fileLimits{}); ferr != nil {
			checkRequestRefusal(t, ferr.Message, rawQuery)
		}
		if mt, ok := httpapi.ResponseMediaType(get); ok && mt != httpapi.MediaJSON && mt != httpapi.MediaGraphQLResponse {
			t.Errorf("Accept %q chose %q", accept, mt)
		}
	})
}

func checkRequestRefusal(t *testing.T, msg, sent string) {
	t.Helper()
	if len(msg) > 200 || !utf8.ValidString(msg) {
		t.Errorf("refusal %q: want under 200 bytes of UTF-8", msg)
	}
	if len(sent) >= 16 && strings.Contains(msg, sent) {
		t.Errorf("refusal %q echoes the request", msg)
	}
}
