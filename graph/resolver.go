// Package graph is Folio's GraphQL adapter: gqlgen's generated executor, the
// thin resolvers that turn arguments into loader calls, global IDs and
// cursors, and the error presenter.
package graph

import (
	"time"

	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/live"
	"github.com/folio/folio/internal/media"
	"github.com/folio/folio/internal/newsletter"
	"github.com/folio/folio/internal/webhook"
)

// Resolver is the root of the resolvers' dependencies.
type Resolver struct {
	Store  folio.Store
	Writer folio.Writer
	Auth   *auth.Service
	// Webhooks keeps webhooks; WebhookGuard checks their URLs' addresses;
	// WebhookSecretGrace is how long a rotated-out secret keeps signing.
	Webhooks           folio.WebhookStore
	WebhookGuard       *webhook.Guard
	WebhookSecretGrace time.Duration
	// NewsletterLinks verifies the newsletter's unsubscribe links.
	NewsletterLinks newsletter.Links
	// NewsletterTokens make confirmation tokens, from Auth's keys.
	NewsletterTokens auth.MailTokens
	// Live delivers events to subscriptions; nil serves none.
	Live *live.Hub
	// Previews keeps preview tokens.
	Previews folio.PreviewStore
	// Media stores uploaded images and tells their URLs; nil takes no
	// upload and gives images no URL.
	Media *media.Service
}

// newsletter is the newsletter's rules over the writer, which keeps the
// subscriptions.
func (r *Resolver) newsletter() newsletter.Service {
	s := newsletter.Service{Store: r.Writer, Links: r.NewsletterLinks, Tokens: r.NewsletterTokens}
	if r.Auth != nil {
		s.Throttle = r.Auth.Throttle
	}
	return s
}
