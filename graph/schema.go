package graph

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// SDL returns the schema this server was built from, as written in its
// .graphqls files (descriptions included): what clients generate code from.
func SDL() string {
	parts := make([]string, 0, len(sources))
	for _, s := range sources {
		if s.BuiltIn {
			continue
		}
		parts = append(parts, strings.TrimRight(s.Input, "\n")+"\n")
	}
	return strings.Join(parts, "\n")
}

// SchemaHandler serves SDL() as text/plain with a strong ETag, so tools can
// poll it cheaply with If-None-Match.
func SchemaHandler() http.Handler {
	body := []byte(SDL())
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("ETag", etag)
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, "schema.graphql", time.Time{}, bytes.NewReader(body))
	})
}
