package mutations_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/folio/folio/graph"
	"github.com/folio/folio/graph/graphtest"
	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/redistest"
)

func sha(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }

func persisted(hash string) map[string]any {
	return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
}

// send posts a body with extensions, or GETs it as URL parameters.
func send(t *testing.T, s *graphtest.Server, method, query string, ext map[string]any) graphtest.Response {
	t.Helper()
	if method == http.MethodGet {
		q := url.Values{}
		if query != "" {
			q.Set("query", query)
		}
		e, _ := json.Marshal(ext)
		q.Set("extensions", string(e))
		return s.Get(t, nil, q)
	}
	return s.Send(t, nil, map[string]any{"query": query, "extensions": ext})
}

func TestAPQ(t *testing.T) {
	a, b := newCachedPair(t)
	query := `query Tags { tags(first: 3) { totalCount } }`
	hash := sha(query)
	t.Run("Unknown hash", func(t *testing.T) {
		r := send(t, a.Server, http.MethodPost, "", persisted(hash))
		wantCode(t, r, "PERSISTED_QUERY_NOT_FOUND")
		// Clients match the code; the message is for the person reading it.
		if msg := r.Errors[0].Message; !strings.Contains(msg, "does not know the operation with this hash") || !strings.Contains(msg, "send it again with its document") {
			t.Fatalf("message %q, want one saying what happened and what to do", msg)
		}
	})
	t.Run("Register, then hit from another instance over GET", func(t *testing.T) {
		r := send(t, a.Server, http.MethodPost, query, persisted(hash))
		if r.Code() != "" || !strings.Contains(r.Raw, "totalCount") {
			t.Fatalf("registration: %s", r.Raw)
		}
		if r.Header.Get("RateLimit-Remaining") == "" {
			t.Fatal("a POST carries no RateLimit headers: the check below would prove nothing")
		}
		r = send(t, b.Server, http.MethodGet, "", persisted(hash))
		if r.Code() != "" || !strings.Contains(r.Raw, "totalCount") {
			t.Fatalf("GET by hash on B: %s", r.Raw)
		}
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "public") {
			t.Fatalf("Cache-Control = %q, want a public answer", cc)
		}
		if rl := r.Header.Get("RateLimit-Remaining"); rl != "" {
			t.Fatalf("a public answer carries one caller's budget: RateLimit-Remaining %q", rl)
		}
	})
	t.Run("Hash that does not match", func(t *testing.T) {
		r := send(t, a.Server, http.MethodPost, query, persisted(sha("something else")))
		wantCode(t, r, "BAD_USER_INPUT")
		if msg := r.Errors[0].Message; !strings.Contains(msg, "is not the SHA-256 of the document") {
			t.Fatalf("message %q", msg)
		}
	})
	t.Run("Errors are not cached", func(t *testing.T) {
		r := send(t, b.Server, http.MethodGet, "", persisted(sha("never registered")))
		wantCode(t, r, "PERSISTED_QUERY_NOT_FOUND")
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Fatalf("Cache-Control = %q on an error", cc)
		}
	})
}

// TestAPQ_Cluster registers a document on one instance and runs it by
// hash on another, both on a real three-node Redis Cluster.
func TestAPQ_Cluster(t *testing.T) {
	rdb := redistest.Cluster(t)
	keys := auth.MustGenerateKeys()
	a, b := newEnvWith(t, rdb, "folio:cluster:", keys, true), newEnvWith(t, rdb, "folio:cluster:", keys, true)
	query := `query Tags { tags(first: 3) { totalCount } }`
	wantCode(t, send(t, b.Server, http.MethodPost, "", persisted(sha(query))), "PERSISTED_QUERY_NOT_FOUND")
	if r := send(t, a.Server, http.MethodPost, query, persisted(sha(query))); r.Code() != "" || !strings.Contains(r.Raw, "totalCount") {
		t.Fatalf("registration on a: %s", r.Raw)
	}
	for _, m := range []string{http.MethodPost, http.MethodGet} {
		if r := send(t, b.Server, m, "", persisted(sha(query))); r.Code() != "" || !strings.Contains(r.Raw, "totalCount") {
			t.Fatalf("%s by hash on b: %s", m, r.Raw)
		}
	}
}

func TestTrustedDocuments(t *testing.T) {
	rdb := redistest.Client(t)
	e := newEnvWith(t, rdb, redistest.Prefix(t, rdb), auth.MustGenerateKeys(), true, func(o *graph.Options) { o.TrustedDocuments = testDB })
	registered := `query Trusted { categories(first: 1) { totalCount } }`
	if _, err := testDB.SaveTrustedDocuments(t.Context(), map[string]string{sha(registered): registered}); err != nil {
		t.Fatal(err)
	}
	t.Run("By hash", func(t *testing.T) {
		for _, m := range []string{http.MethodPost, http.MethodGet} {
			if r := send(t, e.Server, m, "", persisted(sha(registered))); r.Code() != "" || !strings.Contains(r.Raw, "totalCount") {
				t.Fatalf("%s: %s", m, r.Raw)
			}
		}
	})
	t.Run("Registered document sent whole", func(t *testing.T) {
		if r := send(t, e.Server, http.MethodPost, registered, nil); r.Code() != "" {
			t.Fatalf("%s", r.Raw)
		}
	})
	t.Run("Anything else is refused", func(t *testing.T) {
		wantCode(t, send(t, e.Server, http.MethodPost, `{ categories(first: 1) { totalCount } }`, nil), "TRUSTED_DOCUMENT_REQUIRED")
		wantCode(t, send(t, e.Server, http.MethodPost, "", persisted(sha("nope"))), "PERSISTED_QUERY_NOT_FOUND")
		// APQ registration is off: sending a new document with its hash does not register it.
		q := `{ tags(first: 1) { totalCount } }`
		wantCode(t, send(t, e.Server, http.MethodPost, q, persisted(sha(q))), "TRUSTED_DOCUMENT_REQUIRED")
		wantCode(t, send(t, e.Server, http.MethodPost, "", persisted(sha(q))), "PERSISTED_QUERY_NOT_FOUND")
	})
	t.Run("A manifest entry must hash to its key", func(t *testing.T) {
		if _, err := testDB.SaveTrustedDocuments(t.Context(), map[string]string{sha("a"): "b"}); err == nil {
			t.Fatal("saved a document under another document's hash")
		}
	})
}
