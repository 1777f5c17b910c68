package graph

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Codes of the persisted-operation protocol.
const (
	CodePersistedQueryNotFound  = "PERSISTED_QUERY_NOT_FOUND"
	CodeTrustedDocumentRequired = "TRUSTED_DOCUMENT_REQUIRED"
)

// TrustedDocuments finds registered operations by the SHA-256 of their text.
type TrustedDocuments interface {
	TrustedDocument(ctx context.Context, hash string) (doc string, ok bool, err error)
}

// trustedOnly runs only registered operations: a request names one by hash
// (extensions.persistedQuery.sha256Hash, as Apollo and client-preset
// clients send it) or sends a document whose hash is registered. Anything
// else is refused before it is parsed.
type trustedOnly struct {
	docs  TrustedDocuments
	known *lru.LRU[string] // documents are immutable: hash → document
}

func newTrustedOnly(docs TrustedDocuments) trustedOnly {
	return trustedOnly{docs: docs, known: lru.New[string](1000)}
}

func (trustedOnly) ExtensionName() string                   { return "TrustedDocuments" }
func (trustedOnly) Validate(graphql.ExecutableSchema) error { return nil }
func hashOf(query string) string                            { s := sha256.Sum256([]byte(query)); return hex.EncodeToString(s[:]) }
func protocolError(code, msg string) *gqlerror.Error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": code}}
}
func persistedHash(p *graphql.RawParams) (string, bool) {
	pq, _ := p.Extensions["persistedQuery"].(map[string]any)
	h, ok := pq["sha256Hash"].(string)
	return strings.ToLower(h), ok && h != ""
}

func (t trustedOnly) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	hash, named := persistedHash(p)
	if !named {
		if p.Query == "" {
			return protocolError(CodeTrustedDocumentRequired, "Send a registered operation's hash in extensions.persistedQuery.sha256Hash.")
		}
		hash = hashOf(p.Query)
	}
	doc, ok := t.known.Get(ctx, hash)
	if !ok {
		var err error
		if doc, ok, err = t.docs.TrustedDocument(ctx, hash); err != nil {
			return &gqlerror.Error{Message: "Internal server error while looking up the operation.", Extensions: map[string]any{"code": CodeInternal}}
		}
		if ok {
			t.known.Add(ctx, hash, doc)
		}
	}
	switch {
	case !ok && named && p.Query == "":
		return protocolError(CodePersistedQueryNotFound, "No registered operation has this hash. This server runs only operations registered in advance (trusted documents).")
	case !ok:
		return protocolError(CodeTrustedDocumentRequired, "This server runs only operations registered in advance (trusted documents); this one is not.")
	case p.Query != "" && p.Query != doc:
		return protocolError(CodeTrustedDocumentRequired, "The document sent does not match the registered operation with this hash.")
	}
	p.Query = doc
	return nil
}

// apq is gqlgen's Automatic Persisted Queries with a code on every refusal:
// a hash that does not match its document is the caller's input at fault.
type apq struct {
	extension.AutomaticPersistedQuery
}

func (a apq) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	err := a.AutomaticPersistedQuery.MutateOperationParameters(ctx, p)
	if err != nil {
		if _, coded := err.Extensions["code"]; !coded {
			if err.Extensions == nil {
				err.Extensions = map[string]any{}
			}
			err.Extensions["code"] = CodeBadUserInput
		}
	}
	return err
}

// publicCaching lets browsers and CDNs keep the answers to anonymous GET
// queries (persisted ones make short, cacheable URLs) for a minute; an
// answer carrying errors, or to a request with credentials, is not kept.
func publicCaching(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.Header.Get("Authorization") != "" || r.Header.Get("X-API-Key") != "" {
			next.ServeHTTP(w, r)
			return
		}
		rec := &recorder{header: http.Header{}, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.Header().Add("Vary", "Authorization, X-API-Key")
		if rec.status == http.StatusOK && !bytes.Contains(rec.body.Bytes(), []byte(`"errors":`)) {
			w.Header().Set("Cache-Control", "public, max-age=60, stale-while-revalidate=60")
			// A shared cache would hand the first caller's budget to everyone.
			for _, h := range []string{"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} {
				w.Header().Del(h)
			}
		} else {
			w.Header().Set("Cache-Control", "no-store")
		}
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
	})
}

// recorder holds a response until the caching decision is made.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
