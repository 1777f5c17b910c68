package graph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/folio/folio/internal/folio"
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
func protocolError(code folio.Code, msg string) *gqlerror.Error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": extCode(code)}}
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
			return protocolError(folio.ETrustedDocumentRequired, "Send a registered operation's hash in extensions.persistedQuery.sha256Hash.")
		}
		hash = hashOf(p.Query)
	}
	doc, ok := t.known.Get(ctx, hash)
	if !ok {
		var err error
		if doc, ok, err = t.docs.TrustedDocument(ctx, hash); err != nil {
			return protocolError(folio.EInternal, "Internal server error while looking up the operation.")
		}
		if ok {
			t.known.Add(ctx, hash, doc)
		}
	}
	switch {
	case !ok && named && p.Query == "":
		return protocolError(folio.EPersistedQueryNotFound, "No registered operation has this hash. This server runs only operations registered in advance (trusted documents).")
	case !ok:
		return protocolError(folio.ETrustedDocumentRequired, "This server runs only operations registered in advance (trusted documents); this one is not.")
	case p.Query != "" && p.Query != doc:
		return protocolError(folio.ETrustedDocumentRequired, "The document sent does not match the registered operation with this hash.")
	}
	p.Query = doc
	return nil
}

// apq is gqlgen's Automatic Persisted Queries with a code on every refusal:
// a hash that does not match its document is the caller's input at fault.
type apq struct {
	extension.AutomaticPersistedQuery
}

// apqMessages reword gqlgen's APQ refusals for people. The miss keeps its
// code, PERSISTED_QUERY_NOT_FOUND, by which Apollo Client and urql
// recognise it and resend the document.
var apqMessages = map[string]string{
	"PersistedQueryNotFound":                 "This server does not know the operation with this hash (yet): send it again with its document in query and the same extensions.persistedQuery.",
	"invalid APQ extension data":             `extensions.persistedQuery must be {"version": 1, "sha256Hash": "<hex SHA-256 of the document>"}.`,
	"unsupported APQ version":                "extensions.persistedQuery.version must be 1.",
	"provided APQ hash does not match query": "extensions.persistedQuery.sha256Hash is not the SHA-256 of the document sent in query.",
}

func (a apq) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	err := a.AutomaticPersistedQuery.MutateOperationParameters(ctx, p)
	if err != nil {
		if msg, ok := apqMessages[err.Message]; ok {
			err.Message = msg
		}
		if _, coded := err.Extensions["code"]; !coded {
			if err.Extensions == nil {
				err.Extensions = map[string]any{}
			}
			err.Extensions["code"] = extCode(folio.EInvalid)
		}
	}
	return err
}
