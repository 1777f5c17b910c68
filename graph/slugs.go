package graph

import (
	"context"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/loader"
)

// formerSlug finds what slug named before it changed: the entity comes
// back with its current slug, which a frontend compares with the one it
// asked for to answer 301. nil when slug never named one, or it is gone.
func formerSlug[T any](ctx context.Context, s folio.SlugHistory, kind, slug string, byID *loader.Loader[int64, T]) (T, error) {
	var zero T
	id, ok, err := s.FormerSlug(ctx, kind, slug)
	if err != nil || !ok {
		return zero, err
	}
	return byID.Load(ctx, id)
}
