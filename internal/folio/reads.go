package folio

import (
	"context"
	"sync/atomic"
)

// Reads is what one request's reads must see, for stores that can read
// from copies which lag behind the primary (Postgres replicas). The HTTP
// layer puts one in the context of each request; the GraphQL layer marks
// mutations; the store reads it. A request without one reads wherever the
// store likes.
type Reads struct {
	// After is the client's last write, as the store's position (Postgres:
	// a WAL LSN), echoed by the client: a copy that has not yet replayed it
	// may not answer. Zero: none.
	After uint64
	// Primary sends every read to the primary: the reads a write's event
	// makes right after it, which no copy may have replayed yet.
	Primary bool
	wrote   atomic.Bool
}

// Write marks that the request writes (a mutation): every read it makes
// from now on goes to the primary, and the client is given the position of
// its write to echo.
func (r *Reads) Write() { r.wrote.Store(true) }

// Wrote reports whether Write was called.
func (r *Reads) Wrote() bool { return r.wrote.Load() }

type readsKey struct{}

// WithReads returns ctx carrying r.
func WithReads(ctx context.Context, r *Reads) context.Context {
	return context.WithValue(ctx, readsKey{}, r)
}

// ReadsFrom returns the request's Reads, or nil.
func ReadsFrom(ctx context.Context) *Reads {
	r, _ := ctx.Value(readsKey{}).(*Reads)
	return r
}
