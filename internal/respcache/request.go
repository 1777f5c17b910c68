package respcache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/folio/folio/internal/httpapi"
)

// maxBody matches the GraphQL handler's bound; a longer body is left to
// the handler to refuse.
const maxBody = 1 << 20

// request is what of a GraphQL request decides its response: the document
// (its text, or the hash of a persisted or trusted one), the operation and
// its variables.
type request struct {
	query  string
	hash   string // extensions.persistedQuery.sha256Hash, lower-cased
	opName string
	vars   []byte // canonical JSON; nil for none
	body   []byte // the POST body as read, for the handler on a miss
}

type params struct {
	Query         string          `json:"query"`
	OperationName string          `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
	Extensions    json.RawMessage `json:"extensions"`
}

// anonymous reports whether r carries no credentials: nothing in it can
// make a viewer (the authenticator reads only these headers; a preview token widens what it may read).
func anonymous(r *http.Request) bool {
	return r.Header.Get("Authorization") == "" && r.Header.Get("X-API-Key") == "" && r.Header.Get(httpapi.PreviewHeader) == ""
}

// parseRequest reads a request the cache may answer; ok is false for
// anything else (signed in, a dry run, a WebSocket, a body the handler
// will refuse, extensions other than persistedQuery). The body, read
// once, is kept for the handler.
func parseRequest(r *http.Request) (req request, ok bool) {
	if !anonymous(r) || r.Header.Get(httpapi.DryRunHeader) != "" || httpapi.Streaming(r) {
		return req, false
	}
	var p params
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		p.Query, p.OperationName = q.Get("query"), q.Get("operationName")
		p.Variables, p.Extensions = json.RawMessage(q.Get("variables")), json.RawMessage(q.Get("extensions"))
	case http.MethodPost:
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" || r.ContentLength > maxBody {
			return req, false
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
		req.body = body
		if err != nil || len(body) > maxBody || json.Unmarshal(body, &p) != nil {
			return req, false
		}
	default:
		return req, false
	}
	req.query, req.opName = p.Query, p.OperationName
	if len(p.Extensions) > 0 {
		var ext map[string]json.RawMessage
		if json.Unmarshal(p.Extensions, &ext) != nil {
			return req, false
		}
		for k := range ext {
			if k != "persistedQuery" { // dryRun, or anything else we do not know
				return req, false
			}
		}
		if raw, named := ext["persistedQuery"]; named {
			var pq struct {
				Hash string `json:"sha256Hash"`
			}
			if json.Unmarshal(raw, &pq) != nil || pq.Hash == "" {
				return req, false
			}
			req.hash = strings.ToLower(pq.Hash)
		}
	}
	if req.query == "" && req.hash == "" {
		return req, false
	}
	vars, ok := canonicalJSON(p.Variables)
	if !ok {
		return req, false
	}
	req.vars = vars
	return req, true
}

// canonicalJSON re-encodes variables with sorted keys and no spaces, so
// that the same variables written differently share a response. Numbers
// keep their text: 9007199254740993 must not become ...992.
func canonicalJSON(raw json.RawMessage) ([]byte, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) || bytes.Equal(raw, []byte("{}")) {
		return nil, true
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v map[string]any
	if d.Decode(&v) != nil {
		return nil, false
	}
	if len(v) == 0 {
		return nil, true
	}
	b, err := json.Marshal(v)
	return b, err == nil
}

// key is the response's Redis key: one SHA-256 over the document (its
// text, or the hash it is registered under), the operation, the variables
// and what shapes the bytes of the answer (variant: the server's
// settings; accept: the media type asked for).
func (req *request) key(prefix, variant, accept string) string {
	h := sha256.New()
	write := func(parts ...string) {
		for _, p := range parts {
			h.Write([]byte(p))
			h.Write([]byte{0})
		}
	}
	if req.query != "" {
		write("q", req.query)
	} else {
		write("h", req.hash)
	}
	write(req.opName, variant, accept)
	h.Write(req.vars)
	var sum [sha256.Size]byte
	return prefix + hex.EncodeToString(h.Sum(sum[:0]))
}

// privateFields answer per client even for anonymous callers: the budget.
var privateFields = map[string]bool{"rateLimit": true}

// cacheableDocument reports whether the operation opName of doc is a
// query whose answer is the same for every anonymous caller, remembering
// the answer for documents of a bounded size.
func (c *Cache) cacheableDocument(ctx context.Context, doc, opName string) bool {
	key := opName + "\x00" + doc
	if ok, found := c.kinds.Get(ctx, key); found {
		return ok
	}
	ok := cacheableDocument(doc, opName)
	if len(doc) <= 4<<10 { // bounds the memory kept
		c.kinds.Add(ctx, key, ok)
	}
	return ok
}

func cacheableDocument(doc, opName string) bool {
	d, err := parser.ParseQuery(&ast.Source{Input: doc})
	if err != nil {
		return false
	}
	var op *ast.OperationDefinition
	switch {
	case opName != "":
		op = d.Operations.ForName(opName)
	case len(d.Operations) == 1:
		op = d.Operations[0]
	}
	if op == nil || op.Operation != ast.Query {
		return false
	}
	// Fragments are checked whether or not the operation spreads them:
	// simpler, and only ever errs towards not caching.
	if hasPrivate(op.SelectionSet) {
		return false
	}
	for _, f := range d.Fragments {
		if hasPrivate(f.SelectionSet) {
			return false
		}
	}
	return true
}

func hasPrivate(ss ast.SelectionSet) bool {
	for _, s := range ss {
		switch s := s.(type) {
		case *ast.Field:
			if privateFields[s.Name] || hasPrivate(s.SelectionSet) {
				return true
			}
		case *ast.InlineFragment:
			if hasPrivate(s.SelectionSet) {
				return true
			}
		}
	}
	return false
}
