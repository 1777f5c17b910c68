package auth

import (
	"context"

	"github.com/folio/folio/internal/folio"
)

type refusalKey struct{}

// WithRefusal returns a context that carries the refusal of a request's
// credentials. The HTTP layer serves such a request as anonymous but marks
// it, so that the GraphQL layer can answer every field that needs no
// credentials with the refusal instead of anonymous content.
func WithRefusal(ctx context.Context, err *folio.Error) context.Context {
	return context.WithValue(ctx, refusalKey{}, err)
}

// RefusalFrom returns the refusal WithRefusal put in ctx, or nil.
func RefusalFrom(ctx context.Context) *folio.Error {
	err, _ := ctx.Value(refusalKey{}).(*folio.Error)
	return err
}
