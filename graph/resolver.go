// Package graph is Folio's GraphQL adapter: gqlgen's generated executor, the
// thin resolvers that turn arguments into loader calls, global IDs and
// cursors, and the error presenter.
package graph

import (
	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/live"
	"github.com/folio/folio/internal/newsletter"
)

// Resolver is the root of the resolvers' dependencies.
type Resolver struct {
	Store  folio.Store
	Writer folio.Writer
	Auth   *auth.Service
	// Live delivers events to subscriptions; nil serves none.
	Live *live.Hub
}

// newsletter is the newsletter's rules over the writer, which keeps the
// subscriptions.
func (r *Resolver) newsletter() newsletter.Service { return newsletter.Service{Store: r.Writer} }
